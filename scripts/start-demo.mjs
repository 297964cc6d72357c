#!/usr/bin/env node
// `npm start`: the monitor on the bundled demo. Loads the demo cluster from examples/demo (with its
// .vigil.yaml), stores into SQLite under a temporary data directory, prints the
// loopback URLs of its endpoints, and runs until Ctrl-C. Alerts go to stdout as JSON lines.
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
if (existsSync(join(demo, 'audit.log'))) {
  process.stderr.write('vigil demo: audit.log found; its replay through the detection rules is wired in when the audit engine is merged\n');
}
const config = join(demo, '.vigil.yaml');
process.exitCode = await runCli(
  [
    'monitor',
    demo,
    ...(existsSync(config) ? ['--config', config] : []),
    '--cluster-name',
    'demo',
    '--data-dir',
    dataDir,
    '--listen',
    `127.0.0.1:${port}`,
    '--alerts-stdout',
    '--alert-on-baseline',
    '--alert-severity',
    'medium',
  ],
  { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: root },
);
