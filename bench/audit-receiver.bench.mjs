// Load test of `vigil audit serve`'s receiver on loopback: 5,000 events/s for 60 s from a bounded
// client (EventList batches of 250 over HTTPS with a bearer token, 429s retried), every event run
// through all built-in rules. Checks that no event is lost and that memory stays flat, and prints
// {bench, seconds, rate, sent, accepted, processed, lost, retries, achieved_eps, max_queue,
//  heap_mb: {after_warmup, end, max}, rss_mb: {after_warmup, end}}.
// BENCH_RECEIVER_SECONDS shortens it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { builtinRuleFiles } from '../dist/audit/builtin-rules.js';
import { DetectionEngine } from '../dist/audit/engine.js';
import { AuditReceiver } from '../dist/audit/receiver/receiver.js';
import { loadVigilRules } from '../dist/audit/vigil-rules.js';
import { runLoad } from './audit-load.mjs';
import { round } from './support.mjs';

const SECONDS = Number(process.env.BENCH_RECEIVER_SECONDS ?? 60);
const RATE = 5000;
const TOKEN = 'bench-token-0123456789abcdef';

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-pki-'));
const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=bench-ca');
writeFileSync(join(dir, 'ext'), 'subjectAltName=IP:127.0.0.1\n');
openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', '/CN=localhost');
openssl(
  'x509',
  '-req',
  '-in',
  'tls.csr',
  '-CA',
  'ca.crt',
  '-CAkey',
  'ca.key',
  '-CAcreateserial',
  '-out',
  'tls.crt',
  '-days',
  '1',
  '-extfile',
  'ext',
);
const read = (f) => readFileSync(join(dir, f));

const loaded = loadVigilRules(builtinRuleFiles());
const engine = new DetectionEngine(loaded.rules);
let alerts = 0;
const receiver = new AuditReceiver({
  port: 0,
  tls: { cert: read('tls.crt'), key: read('tls.key') },
  tokens: [TOKEN],
  handle: (events) => {
    for (const e of events) alerts += engine.process(e).length;
  },
});
const { port } = await receiver.listen();
const result = await runLoad({ url: `https://127.0.0.1:${port}/v1/audit`, token: TOKEN, ca: read('ca.crt'), rate: RATE, seconds: SECONDS });
await receiver.close();

const mb = (b) => round(b / 1048576, 1);
const warm = result.samples.find((s) => s.t >= Math.min(10, SECONDS / 2)) ?? result.samples[0];
const end = result.samples.at(-1);
const stats = receiver.stats;
const lost = result.sent - stats.eventsProcessed;
console.log(
  JSON.stringify({
    bench: 'audit-receiver',
    seconds: SECONDS,
    rate: RATE,
    sent: result.sent,
    accepted: stats.eventsAccepted,
    processed: stats.eventsProcessed,
    lost,
    retries: result.retries,
    busy_batches: stats.batchesBusy,
    achieved_eps: Math.round(result.sent / result.elapsed),
    max_queue: stats.maxQueued,
    alerts,
    heap_mb: { after_warmup: mb(warm.heapUsed), end: mb(end.heapUsed), max: mb(Math.max(...result.samples.map((s) => s.heapUsed))) },
    rss_mb: { after_warmup: mb(warm.rss), end: mb(end.rss) },
  }),
);
if (lost !== 0 || result.failed !== 0) process.exitCode = 1;
