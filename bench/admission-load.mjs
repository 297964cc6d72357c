// An open-loop load generator for admission webhooks: posts AdmissionReviews over HTTPS at a fixed
// rate for a fixed time, the way a busy API server calls a webhook (kept-alive connections, verified
// TLS). Each request has a scheduled send time; its latency is measured from that time, not from
// when the client got round to sending it, so a server that falls behind shows it in the
// percentiles instead of silently slowing the client down (no coordinated omission). Every answer is
// checked: HTTP 200, an AdmissionReview for the same uid, and the expected `allowed`.
// Used by bench/admission.bench.mjs (30 s) and test/admission/load.test.ts (a short run).
import { Buffer } from 'node:buffer';
import { Agent, request } from 'node:https';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** The value at quantile q (0..1) of an ascending array (nearest rank). */
export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/**
 * @param {object} o
 * @param {string} o.url          base URL, e.g. https://127.0.0.1:8443
 * @param {string|Buffer} o.ca    CA the server's certificate must chain to
 * @param {{path: string, review: object, allowed?: boolean}[]} o.mix  requests sent in turn
 * @param {number} o.rate         requests per second
 * @param {number} o.seconds      duration
 * @param {number} [o.maxSockets] connections kept open (the API server keeps a pool per webhook)
 * @param {number} [o.warmup]     unmeasured requests first: connections opened, JIT warm, as in a running cluster
 * @param {() => unknown} [o.onMeasuring]  awaited after the warm-up, just before the measured run starts
 */
export async function runAdmissionLoad({ url, ca, mix, rate, seconds, maxSockets = 8, warmup = 200, onMeasuring }) {
  const base = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets, ca });
  // Bodies are serialised once per mix entry with a placeholder uid replaced per request, like the
  // API server's fresh uid on every call.
  const templates = mix.map((m) => ({
    ...m,
    text: JSON.stringify({ ...m.review, request: { ...m.review.request, uid: '__UID__' } }),
  }));
  const total = Math.round(rate * seconds);
  const latencies = new Float64Array(total);
  let done = 0;
  let failed = 0;
  let wrong = 0;
  const failures = [];
  const outcomes = { allowed: 0, denied: 0, patched: 0, warned: 0 };

  const send = (i, scheduled, measure = true) =>
    new Promise((resolve) => {
      const t = templates[i % templates.length];
      const uid = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const body = t.text.replace('__UID__', uid);
      const req = request(
        {
          host: base.hostname,
          port: base.port,
          path: t.path,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            if (!measure) return resolve();
            latencies[i] = performance.now() - scheduled;
            done++;
            try {
              const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
              const r = review.response;
              if (res.statusCode !== 200 || review.kind !== 'AdmissionReview' || r.uid !== uid) throw new Error(`HTTP ${res.statusCode}`);
              if (t.allowed !== undefined && r.allowed !== t.allowed) wrong++;
              if (!r.allowed) outcomes.denied++;
              else if (r.patch !== undefined) outcomes.patched++;
              else if (r.warnings !== undefined) outcomes.warned++;
              else outcomes.allowed++;
            } catch (err) {
              failed++;
              if (failures.length < 5) failures.push(String(err));
            }
            resolve();
          });
        },
      );
      req.on('error', (err) => {
        if (!measure) return resolve();
        latencies[i] = performance.now() - scheduled;
        done++;
        failed++;
        if (failures.length < 5) failures.push(String(err));
        resolve();
      });
      req.end(body);
    });

  // Warm-up: maxSockets requests at a time, so every connection is open before the clock starts.
  for (let w = 0; w < warmup; w += maxSockets) {
    await Promise.all(Array.from({ length: Math.min(maxSockets, warmup - w) }, (_, k) => send(w + k, performance.now(), false)));
  }
  await onMeasuring?.();
  const pending = [];
  const start = performance.now();
  const interval = 1000 / rate;
  let next = 0;
  while (next < total) {
    const now = performance.now();
    // Send everything whose time has come (timers are coarse; a batch keeps the rate exact).
    while (next < total && start + next * interval <= now) {
      pending.push(send(next, start + next * interval));
      next++;
    }
    if (next < total) await sleep(Math.max(0, start + next * interval - performance.now()));
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  const sorted = Array.from(latencies.subarray(0, total)).sort((a, b) => a - b);
  return {
    sent: total,
    answered: done,
    failed,
    wrong,
    failures,
    outcomes,
    elapsed,
    latencyMs: { p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99), max: sorted[sorted.length - 1] },
  };
}
