// What the receiver load generators share (bench/audit-load.mjs, bench/falco-load.mjs): a keep-alive
// HTTP(S) poster with a bearer/basic header, and an open-loop pacer that starts request `i` at
// `start + i × interval` with at most `concurrency` in flight, sampling memory (after a GC when
// --expose-gc is on) as it goes.
import { Agent, request as httpsRequest } from 'node:https';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** A poster for `url`: `post(body)` resolves to `{ status, retryAfter }`; `close()` frees its sockets. */
export function httpPoster({ url, ca, authorization, concurrency, timeoutMs = 30_000 }) {
  const target = new URL(url);
  const tls = target.protocol === 'https:';
  const agent = tls
    ? new Agent({ keepAlive: true, maxSockets: concurrency, ca, noDelay: true })
    : new HttpAgent({ keepAlive: true, maxSockets: concurrency, noDelay: true });
  const request = tls ? httpsRequest : httpRequest;
  const post = (body) =>
    new Promise((resolve, reject) => {
      const req = request(
        target,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', authorization, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: Number(res.headers['retry-after'] ?? 1) }));
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      req.end(body);
    });
  return { post, close: () => agent.destroy() };
}

/**
 * Run `send(i)` for i = 0 … total−1, each started at `start + i × intervalMs` (later when
 * `concurrency` are in flight). Returns `{ elapsed, samples }` (seconds, memory samples).
 */
export async function pacedRun({ total, intervalMs, concurrency, sampleEveryMs = 5000, onSample, send }) {
  const start = performance.now();
  const samples = [];
  const sample = () => {
    globalThis.gc?.();
    const m = process.memoryUsage();
    const s = { t: Math.round((performance.now() - start) / 1000), heapUsed: m.heapUsed, rss: m.rss };
    samples.push(s);
    onSample?.(s);
  };
  sample();
  let lastSample = performance.now();
  const pending = new Set();
  for (let next = 0; next < total;) {
    const due = start + next * intervalMs;
    const now = performance.now();
    if (now < due) await sleep(due - now);
    if (pending.size >= concurrency) {
      await Promise.race(pending);
      continue;
    }
    const p = send(next++).finally(() => pending.delete(p));
    pending.add(p);
    if (performance.now() - lastSample >= sampleEveryMs) {
      sample();
      lastSample = performance.now();
    }
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  sample();
  return { elapsed, samples };
}
