// End-to-end throughput of the audit pipeline on this machine: a bounded client posts the same stream
// (background traffic plus bursts, bench/audit-stream.mjs) to
//   - one `vigil audit serve` running the rules itself (the single process: the baseline), and
//   - two `vigil audit serve --publish` receivers → NATS JetStream → 1, then 2, `vigil audit work` workers,
//     and once more with 1 worker and the global rules skipped (no global lane: what it costs),
// each a real process, and measures events/s from the first post until every event is processed (the
// receiver's processed counter; every lane's consumer acknowledged — the partitions and the global
// lane, which reads every event for the rules not keyed by the actor — which is after the alerts
// were stored). Starts its own nats-server (JetStream, temporary store); without nats-server on PATH
// it prints {"bench":"audit-pipeline","skipped":…}. BENCH_PIPELINE_EVENTS sets the stream size (100,000).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

import { auditStream, postStream } from './audit-stream.mjs';
import { repoRoot, round } from './support.mjs';

// Node's global fetch (undici), named here for the linter's globals list.
const { fetch } = globalThis;
const EVENTS = Number(process.env.BENCH_PIPELINE_EVENTS ?? 100_000);
const TOKEN = 'bench-pipeline-token-0123456789';
const PARTITIONS = 16;
const MAIN = join(repoRoot, 'dist', 'cli', 'main.js');

function natsServerPath() {
  try {
    return execFileSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const natsServer = natsServerPath();
if (natsServer === undefined) {
  console.log(JSON.stringify({ bench: 'audit-pipeline', skipped: 'nats-server is not installed (apt-get install nats-server)' }));
  process.exit(0);
}

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-pipeline-'));
const natsPort = await freePort();
const nats = spawn(natsServer, ['-js', '-a', '127.0.0.1', '-p', String(natsPort), '-sd', join(dir, 'js')], { stdio: 'ignore' });
const natsUrl = `nats://127.0.0.1:${natsPort}`;
const procs = [nats];

function start(args) {
  const child = spawn(process.execPath, [MAIN, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, VIGIL_RECEIVER_TOKEN: TOKEN },
  });
  const proc = { child, stderr: '' };
  child.stderr.on('data', (c) => {
    proc.stderr += c.toString();
  });
  procs.push(child);
  return proc;
}

async function waitFor(proc, pattern) {
  for (let i = 0; i < 1200; i++) {
    const m = pattern.exec(proc.stderr);
    if (m !== null) return m;
    if (proc.child.exitCode !== null) break;
    await sleep(100);
  }
  throw new Error(`did not start: ${proc.stderr}`);
}

const stopAll = async (list) => {
  for (const p of list) p.child.kill('SIGTERM');
  await Promise.all(list.map((p) => (p.child.exitCode === null ? new Promise((r) => p.child.once('exit', r)) : undefined)));
};

const stream = auditStream(EVENTS);
let nc;
for (let i = 0; i < 50 && nc === undefined; i++) {
  try {
    nc = await connect({ servers: natsUrl });
  } catch {
    await sleep(100);
  }
}
const jsm = await jetstreamManager(nc);

/** The single process: one receiver running the rules; done when its processed counter reaches the stream. */
async function single() {
  const r = start(['audit', 'serve', '--insecure-http', '--port', '0', '--cluster', 'bench-single']);
  const url = (await waitFor(r, /receiving audit events on (http:\/\/[^\s]+\/v1\/audit)/))[1];
  const metricsUrl = url.replace(/\/v1\/audit$/, '/metrics');
  const t0 = performance.now();
  await postStream({ stream, urls: [url], token: TOKEN });
  for (;;) {
    const text = await (await fetch(metricsUrl, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    const m = /^vigil_audit_events_processed_total (\d+)/m.exec(text);
    if (m !== null && Number(m[1]) >= EVENTS) break;
    await sleep(50);
  }
  const seconds = (performance.now() - t0) / 1000;
  await stopAll([r]);
  return { seconds: round(seconds, 2), events_per_s: Math.round(EVENTS / seconds) };
}

/** The built-in rules whose state is not keyed by the acting identity: they run on the global lane. */
const GLOBAL_RULES = 'failed-requests-surge-by-source,anonymous-request-allowed,pod-created-then-exec-by-other';

/**
 * Two publishing receivers and `workers` workers; done when every lane's consumer (partitions and,
 * when there are global rules, the global lane) acknowledged everything. `partitionOnly` skips the
 * global rules: what the global lane costs.
 */
async function pipeline(workers, { partitionOnly = false } = {}) {
  const cluster = `bench-${workers}w${partitionOnly ? '-local' : ''}`;
  const common = ['--cluster', cluster, '--partitions', String(PARTITIONS)];
  const receivers = [0, 1].map(() => start(['audit', 'serve', '--insecure-http', '--port', '0', '--publish', natsUrl, ...common]));
  const ws = Array.from({ length: workers }, (_, n) =>
    start([
      'audit',
      'work',
      '--consume',
      natsUrl,
      ...common,
      '--store',
      join(dir, `${cluster}.db`),
      '--worker-id',
      `bench-w${n}`,
      '--metrics-listen',
      '127.0.0.1:0',
      ...(partitionOnly ? ['--skip', GLOBAL_RULES] : []),
    ]),
  );
  const urls = await Promise.all(
    receivers.map(async (r) => (await waitFor(r, /receiving audit events on (http:\/\/[^\s]+\/v1\/audit)/))[1]),
  );
  await Promise.all(ws.map((w) => waitFor(w, /worker metrics on/)));
  // Let the workers share the partitions out before the clock starts.
  await sleep(3000);
  const t0 = performance.now();
  await postStream({ stream, urls, token: TOKEN });
  const posted = performance.now();
  for (;;) {
    let done = true;
    // Every partition, and the global lane (the built-in rules include rules keyed by source IP and by object).
    for (const lane of [...Array.from({ length: PARTITIONS }, (_, p) => String(p)), ...(partitionOnly ? [] : ['global'])]) {
      if (!done) break;
      try {
        const info = await jsm.consumers.info('VIGIL_AUDIT', `vigil-work-${cluster}-${lane}`);
        if (info.num_pending > 0 || info.num_ack_pending > 0) done = false;
      } catch {
        done = false;
      }
    }
    if (done) break;
    await sleep(100);
  }
  const seconds = (performance.now() - t0) / 1000;
  await stopAll([...receivers, ...ws]);
  return {
    seconds: round(seconds, 2),
    events_per_s: Math.round(EVENTS / seconds),
    publish_events_per_s: Math.round(EVENTS / ((posted - t0) / 1000)),
  };
}

try {
  const baseline = await single();
  const one = await pipeline(1);
  const two = await pipeline(2);
  const local = await pipeline(1, { partitionOnly: true });
  console.log(
    JSON.stringify({
      bench: 'audit-pipeline',
      events: EVENTS,
      cores: cpus().length,
      partitions: PARTITIONS,
      single_process: baseline,
      pipeline_1_worker: one,
      pipeline_2_workers: two,
      // The same pipeline without the global rules (no global lane): what exactness for them costs.
      pipeline_1_worker_without_global_rules: local,
    }),
  );
} finally {
  await nc?.close();
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
