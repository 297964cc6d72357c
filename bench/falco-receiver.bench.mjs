// Load test of `vigil runtime serve` on loopback: the real command runs in its own process (context
// from examples/runtime, alerts to /dev/null as JSON) and a bounded client posts one Falco alert per
// request, as Falco's http_output does, at 1,000 alerts/s for 60 s over HTTPS with the token as the
// Basic password (Falco's URL credentials). Falco does not retry, so any non-200 answer is a loss.
// The receiver's own counters (GET /metrics) say how many alerts it accepted and processed, and its
// memory is sampled every 5 s. Prints {bench, seconds, rate, sent, accepted, processed, lost, refused,
// achieved_aps, rss_mb: {after_warmup, end, max}, heap_mb: {after_warmup, end, max}}; exits 1 if an
// alert was lost. BENCH_RECEIVER_SECONDS shortens it.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { runFalcoLoad } from './falco-load.mjs';
import { repoRoot, round } from './support.mjs';

const SECONDS = Number(process.env.BENCH_RECEIVER_SECONDS ?? 60);
const RATE = 1000;
const TOKEN = 'bench-token-0123456789abcdef';

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-falco-'));
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
writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
const ca = readFileSync(join(dir, 'ca.crt'));

const server = spawn(
  process.execPath,
  [
    join(repoRoot, 'dist/cli/main.js'),
    'runtime',
    'serve',
    '--port',
    '0',
    '--tls-cert',
    join(dir, 'tls.crt'),
    '--tls-key',
    join(dir, 'tls.key'),
    '--token-file',
    join(dir, 'token'),
    '--manifests',
    join(repoRoot, 'examples/runtime/cluster.yaml'),
    '--format',
    'json',
    '--no-color',
  ],
  { stdio: ['ignore', 'ignore', 'pipe'] },
);
let stderr = '';
server.stderr.on('data', (c) => (stderr += c.toString()));
let port;
for (let i = 0; i < 600 && port === undefined; i++) {
  port = /receiving Falco alerts on https:\/\/127\.0\.0\.1:(\d+)/.exec(stderr)?.[1];
  await sleep(50);
}
if (port === undefined) throw new Error(`vigil runtime serve did not start:\n${stderr}`);

const metrics = () =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics', ca, headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        const value = (name) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
        resolve({
          accepted: value('vigil_runtime_alerts_accepted_total'),
          processed: value('vigil_runtime_alerts_processed_total'),
          queued: value('vigil_runtime_queue_alerts'),
          rss: value('vigil_runtime_receiver_process_resident_memory_bytes'),
          heap: value('vigil_runtime_receiver_nodejs_heap_size_used_bytes'),
        });
      });
    });
    req.on('error', reject);
    req.end();
  });

const samples = [];
const start = Date.now();
let sampling = true;
const sampler = (async () => {
  while (sampling) {
    samples.push({ t: (Date.now() - start) / 1000, ...(await metrics()) });
    await sleep(5000);
  }
})();
const result = await runFalcoLoad({ url: `https://127.0.0.1:${port}/v1/falco`, auth: { basic: TOKEN }, ca, rate: RATE, seconds: SECONDS });
sampling = false;
await sampler;
let final = await metrics();
for (let i = 0; i < 600 && final.processed < final.accepted; i++) {
  await sleep(100);
  final = await metrics();
}
server.kill('SIGTERM');
await new Promise((resolve) => server.once('exit', resolve));

const mb = (b) => round(b / 1048576, 1);
const warm = samples.find((s) => s.t >= Math.min(10, SECONDS / 2)) ?? samples[0];
const lost = result.sent - final.processed;
console.log(
  JSON.stringify({
    bench: 'falco-receiver',
    seconds: SECONDS,
    rate: RATE,
    sent: result.sent,
    accepted: final.accepted,
    processed: final.processed,
    lost,
    refused: result.refused + result.errors,
    achieved_aps: Math.round(result.sent / result.elapsed),
    rss_mb: { after_warmup: mb(warm.rss), end: mb(final.rss), max: mb(Math.max(...samples.map((s) => s.rss), final.rss)) },
    heap_mb: { after_warmup: mb(warm.heap), end: mb(final.heap), max: mb(Math.max(...samples.map((s) => s.heap), final.heap)) },
  }),
);
if (lost !== 0 || result.refused + result.errors !== 0) process.exitCode = 1;
