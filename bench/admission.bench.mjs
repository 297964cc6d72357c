// Load test of `vigil admission serve` on loopback, as the issue asks: 500 AdmissionReviews/s for
// 30 s over HTTPS. The real command runs in its own process (default policy, every admission check,
// decision log off) with a certificate from `createServingCertificate`; an open-loop client
// (bench/admission-load.mjs) sends a mix of real payloads — a privileged pod (denied), a Deployment
// (warned), a compliant pod (allowed), a template update (denied) and a pod to mutate (patched) — and
// checks every answer. Baseline, measured first in the same run with the same client, rate and TLS:
// a bare node:https server in its own process that parses each review and answers "allowed", i.e.
// the floor that transport, TLS and JSON alone cost on this machine. The API server's webhook
// timeout is that of the generated manifests (timeoutSeconds 3).
// Also reported: the server's own time per review from its histogram (no client, TLS or queueing),
// and the handler alone timed in this process on the same mix (the cost of judging).
// Prints {bench, seconds, rate, sent, failed, wrong, achieved_rps, outcomes,
//  latency_ms: {p50, p90, p99, max}, baseline: {latency_ms: {...}, server_cpu_ms_per_review}, server_side,
//  server_cpu_ms_per_review, server_gc: {minor|major|incremental|weakcb: {count, mean_ms, total_ms}}, handler_ms,
//  added_p50_ms, added_p99_ms, webhook_timeout_ms, p99_under_5ms, machine}
// and exits 1 if a request failed or was answered wrongly. BENCH_ADMISSION_SECONDS shortens it.
import { spawn } from 'node:child_process';
import { request } from 'node:https';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import { quantile, runAdmissionLoad } from './admission-load.mjs';
import { repoRoot, round } from './support.mjs';

const SECONDS = Number(process.env.BENCH_ADMISSION_SECONDS ?? 30);
const RATE = 500;
const WEBHOOK_TIMEOUT_MS = 3000;

const { createServingCertificate } = await import(join(repoRoot, 'dist/admission/x509.js'));
const { AdmissionHandler } = await import(join(repoRoot, 'dist/admission/handler.js'));
const pair = createServingCertificate({ hosts: ['127.0.0.1'] });
const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-admission-'));
writeFileSync(join(dir, 'tls.crt'), pair.cert);
writeFileSync(join(dir, 'tls.key'), pair.key, { mode: 0o600 });

const fixture = (name) => JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/admission', `${name}.json`), 'utf8'));
const compliant = fixture('pod-create-by-replicaset');
const object = compliant.request.object;
object.spec.securityContext = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
for (const c of object.spec.containers) {
  c.securityContext = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
}
const mix = [
  { path: '/validate', review: fixture('pod-create-privileged'), allowed: false },
  { path: '/validate', review: fixture('deployment-create'), allowed: true },
  { path: '/validate', review: compliant, allowed: true },
  { path: '/validate', review: fixture('deployment-update-template'), allowed: false },
  { path: '/mutate', review: fixture('pod-create-by-replicaset'), allowed: true },
];

/** Start a server process and wait for the URL it prints on stderr. */
async function start(args, pattern, what) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c.toString()));
  let url;
  for (let i = 0; i < 400 && url === undefined; i++) {
    url = pattern.exec(stderr)?.[1];
    if (url === undefined) await sleep(25);
  }
  if (url === undefined) {
    child.kill('SIGKILL');
    throw new Error(`${what} did not start:\n${stderr}`);
  }
  return { child, url };
}

async function stop(child) {
  child.kill('SIGTERM');
  await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
}

const BASELINE_SERVER = `
import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';
const dir = process.argv[1];
const server = createServer({ cert: readFileSync(dir + '/tls.crt'), key: readFileSync(dir + '/tls.key'), minVersion: 'TLSv1.2' }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true } }));
  });
});
server.listen(0, '127.0.0.1', () => process.stderr.write('baseline on https://127.0.0.1:' + server.address().port + '\\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/**
 * CPU seconds (user + system, all threads: GC helpers included) a process has used so far, from
 * /proc/PID/stat (Linux; USER_HZ is 100 there); undefined elsewhere. With the same client and rate,
 * the server's CPU per review says how much of the 2-core machine it takes from the client, and how
 * close it runs to falling behind when other work shares the cores.
 */
function cpuSecondsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** CPU ms per review of `child` between two readings, rounded; undefined when not measurable. */
const cpuMsPerReview = (before, after, reviews) =>
  before === undefined || after === undefined ? undefined : round3(((after - before) * 1000) / reviews);

/** GET /metrics (open without a token on loopback). */
function metricsText(url) {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/metrics`, { ca: pair.caCert }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * p50 and p99 of a Prometheus histogram summed over its series, as the upper bound of the bucket
 * they fall in (what histogram_quantile would bound them by): the server's own time per review,
 * from body read to answer ready, without the client, TLS or queueing.
 */
function histogramQuantiles(text, name) {
  const buckets = new Map();
  for (const m of text.matchAll(new RegExp(`^${name}_bucket\\{[^}]*\\ble="([^"]+)"[^}]*\\} (\\d+)`, 'gm'))) {
    buckets.set(m[1], (buckets.get(m[1]) ?? 0) + Number(m[2]));
  }
  const sorted = [...buckets].map(([le, n]) => [le === '+Inf' ? Infinity : Number(le), n]).sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  const at = (q) => (sorted.find(([, n]) => n >= q * total)?.[0] ?? NaN) * 1000;
  return { count: total, p50_at_most_ms: at(0.5), p99_at_most_ms: at(0.99) };
}

/**
 * Young- and old-generation GC pauses in the server between two scrapes (prom-client's default
 * `nodejs_gc_duration_seconds`, from perf_hooks): count, mean and total pause. Every review that
 * arrives during a pause waits for it, so these show directly in the tail.
 */
function gcPauses(before, after) {
  const read = (text) => {
    const out = {};
    for (const m of text.matchAll(/^vigil_admission_nodejs_gc_duration_seconds_(sum|count)\{kind="(\w+)"\} (\S+)/gm)) {
      out[m[2]] ??= { sum: 0, count: 0 };
      out[m[2]][m[1]] = Number(m[3]);
    }
    return out;
  };
  const a = read(before);
  const b = read(after);
  const result = {};
  for (const [kind, { sum, count }] of Object.entries(b)) {
    const n = count - (a[kind]?.count ?? 0);
    const ms = (sum - (a[kind]?.sum ?? 0)) * 1000;
    if (n > 0) result[kind] = { count: n, mean_ms: round3(ms / n), total_ms: round(ms, 1) };
  }
  return result;
}

/** The handler alone, in this process, on the same mix: the cost of judging, without any I/O. */
function handlerTimes() {
  const h = new AdmissionHandler();
  const bodies = mix.map((m) => ({ webhook: m.path === '/mutate' ? 'mutate' : 'validate', body: JSON.stringify(m.review) }));
  const label = { kind: 'none' };
  for (let i = 0; i < 2000; i++) h.handleBody(bodies[i % bodies.length].webhook, label, bodies[i % bodies.length].body);
  const times = [];
  for (let i = 0; i < 5000; i++) {
    const b = bodies[i % bodies.length];
    const t = performance.now();
    h.handleBody(b.webhook, label, b.body);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: round(quantile(times, 0.5), 3), p99: round(quantile(times, 0.99), 3) };
}

const round3 = (n) => round(n, 3);
const shape = (r) => ({
  p50: round3(r.latencyMs.p50),
  p90: round3(r.latencyMs.p90),
  p99: round3(r.latencyMs.p99),
  max: round3(r.latencyMs.max),
});

try {
  const baselineServer = await start(['--input-type=module', '-e', BASELINE_SERVER, dir], /baseline on (https:\/\/\S+)/, 'baseline server');
  let baseline;
  let baselineCpu;
  try {
    // Same client, rate and duration; every answer is "allowed", so correctness is not checked here.
    let cpuStart;
    baseline = await runAdmissionLoad({
      url: baselineServer.url,
      ca: pair.caCert,
      mix: mix.map((m) => ({ path: m.path, review: m.review })),
      rate: RATE,
      seconds: SECONDS,
      onMeasuring: () => (cpuStart = cpuSecondsOf(baselineServer.child.pid)),
    });
    baselineCpu = cpuMsPerReview(cpuStart, cpuSecondsOf(baselineServer.child.pid), baseline.sent);
  } finally {
    await stop(baselineServer.child);
  }

  const vigil = await start(
    [
      join(repoRoot, 'dist/cli/main.js'),
      'admission',
      'serve',
      '--listen',
      '127.0.0.1:0',
      '--tls-cert',
      join(dir, 'tls.crt'),
      '--tls-key',
      join(dir, 'tls.key'),
      '--log',
      'none',
    ],
    /admission webhook on (https:\/\/\S+) /,
    'vigil admission serve',
  );
  let result;
  let serverSide;
  let serverCpu;
  let serverGc;
  try {
    let cpuStart;
    let metricsStart = '';
    result = await runAdmissionLoad({
      url: vigil.url,
      ca: pair.caCert,
      mix,
      rate: RATE,
      seconds: SECONDS,
      onMeasuring: async () => {
        cpuStart = cpuSecondsOf(vigil.child.pid);
        metricsStart = await metricsText(vigil.url);
      },
    });
    serverCpu = cpuMsPerReview(cpuStart, cpuSecondsOf(vigil.child.pid), result.sent);
    const metricsEnd = await metricsText(vigil.url);
    serverSide = histogramQuantiles(metricsEnd, 'vigil_admission_request_duration_seconds');
    serverGc = gcPauses(metricsStart, metricsEnd);
  } finally {
    await stop(vigil.child);
  }
  const handler = handlerTimes();

  console.log(
    JSON.stringify({
      bench: 'admission',
      seconds: SECONDS,
      rate: RATE,
      sent: result.sent,
      failed: result.failed + baseline.failed,
      wrong: result.wrong,
      achieved_rps: Math.round(result.sent / result.elapsed),
      outcomes: result.outcomes,
      latency_ms: shape(result),
      baseline: { what: 'bare node:https, parse and allow', latency_ms: shape(baseline), server_cpu_ms_per_review: baselineCpu },
      // The server's own time per review (its histogram), its CPU per review and GC pauses during
      // the measured run, and the handler alone in this process.
      server_side: serverSide,
      server_cpu_ms_per_review: serverCpu,
      server_gc: serverGc,
      handler_ms: handler,
      added_p50_ms: round3(result.latencyMs.p50 - baseline.latencyMs.p50),
      added_p99_ms: round3(result.latencyMs.p99 - baseline.latencyMs.p99),
      webhook_timeout_ms: WEBHOOK_TIMEOUT_MS,
      p99_under_5ms: result.latencyMs.p99 < 5,
      // Context for the figures: a loaded machine shows in the baseline too.
      machine: { cpus: availableParallelism(), load_average_1m: round(loadavg()[0] ?? 0, 2) },
    }),
  );
  if (result.failed !== 0 || result.wrong !== 0 || baseline.failed !== 0) {
    console.error(`admission bench: failures ${JSON.stringify([...result.failures, ...baseline.failures])}`);
    process.exitCode = 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
