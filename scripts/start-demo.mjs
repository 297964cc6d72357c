#!/usr/bin/env node
// `npm start`: the monitor on the bundled demo. Loads the demo cluster from examples/demo (with its
// .vigil.yaml), replays the demo audit log through the detection rules, stores into SQLite under a
// temporary data directory, prints the loopback URLs of its endpoints, and runs until Ctrl-C. Alerts go
// to stdout as text.
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { runCli } from '../dist/cli/program.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const demo = join(root, 'examples', 'demo');
const dataDir = mkdtempSync(join(tmpdir(), 'vigil-demo-'));

/** 9464 (the usual port) when free, else any free port: the URL printed is the one to use. */
const port = await new Promise((resolve) => {
  const probe = createServer();
  probe.once('error', () => resolve(0));
  probe.listen(9464, '127.0.0.1', () => probe.close(() => resolve(9464)));
});

process.stderr.write(`vigil demo: manifests ${demo}\nvigil demo: data in ${dataDir} (SQLite)\n`);
const auditLog = join(demo, 'audit.log');
if (existsSync(auditLog)) process.stderr.write(`vigil demo: replaying ${auditLog} through the audit detection rules\n`);
const config = join(demo, '.vigil.yaml');
process.exitCode = await runCli(
  [
    'monitor',
    demo,
    ...(existsSync(config) ? ['--config', config] : []),
    ...(existsSync(auditLog) ? ['--audit-log', auditLog] : []),
    '--cluster-name',
    'demo',
    '--data-dir',
    dataDir,
    '--listen',
    `127.0.0.1:${port}`,
    '--alerts-stdout',
    '--alerts-format',
    'text',
    '--alert-on-baseline',
    '--alert-severity',
    'high',
  ],
  { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: root },
);
