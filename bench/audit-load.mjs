// A bounded load generator for the audit webhook receiver: posts EventList batches over loopback at a
// target rate for a fixed time, retrying 429 answers after their Retry-After as kube-apiserver's
// webhook backend does, and samples memory (after a GC when --expose-gc is on). Used by
// bench/audit-receiver.bench.mjs (60 s) and test/audit/receiver.test.ts (a few seconds).
import { request as httpsRequest, Agent } from 'node:https';
import { request as httpRequest, Agent as HttpAgent } from 'node:http';
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** One realistic audit event (Metadata level, a mix of verbs and resources), unique auditID. */
export function loadEvent(n) {
  const verbs = ['get', 'list', 'watch', 'update', 'patch', 'create'];
  const resources = ['pods', 'configmaps', 'leases', 'secrets', 'endpoints', 'nodes'];
  const verb = verbs[n % verbs.length];
  const resource = resources[(n >> 3) % resources.length];
  const ts = new Date(Date.UTC(2024, 4, 1) + n).toISOString();
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `load-${n}`,
    stage: 'ResponseComplete',
    requestURI: `/api/v1/namespaces/ns-${n % 20}/${resource}`,
    verb,
    user: { username: n % 7 === 0 ? 'alice@example.com' : `system:serviceaccount:ns-${n % 20}:app`, groups: ['system:authenticated'] },
    sourceIPs: [`10.0.${n % 200}.${n % 250}`],
    userAgent: 'app/v1.0 client-go/v0.30.0',
    objectRef: { resource, namespace: `ns-${n % 20}`, name: `obj-${n % 100}`, apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: n % 50 === 0 ? 403 : 200 },
    requestReceivedTimestamp: ts,
    stageTimestamp: ts,
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  };
}

/**
 * Post `rate` events/s in batches of `batch` to `url` for `seconds`, at most `concurrency` requests in
 * flight. Returns what was sent, accepted, retried, and the memory samples. `retryWaitMs` replaces the
 * server's Retry-After (tests keep the wait short).
 */
export async function runLoad({
  url,
  token,
  ca,
  rate = 5000,
  seconds = 60,
  batch = 250,
  concurrency = 4,
  sampleEveryMs = 5000,
  onSample,
  retryWaitMs,
}) {
  const target = new URL(url);
  const tls = target.protocol === 'https:';
  const agent = tls
    ? new Agent({ keepAlive: true, maxSockets: concurrency, ca })
    : new HttpAgent({ keepAlive: true, maxSockets: concurrency });
  const request = tls ? httpsRequest : httpRequest;
  const post = (body) =>
    new Promise((resolve, reject) => {
      const req = request(
        target,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: Number(res.headers['retry-after'] ?? 1) }));
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      req.end(body);
    });

  const totalBatches = Math.ceil((rate * seconds) / batch);
  const intervalMs = (batch / rate) * 1000;
  const start = performance.now();
  let next = 0;
  let sent = 0;
  let accepted = 0;
  let retries = 0;
  let failed = 0;
  let inFlight = 0;
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
  const sendBatch = async (i) => {
    const events = [];
    for (let k = 0; k < batch; k++) events.push(loadEvent(i * batch + k));
    const body = JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: events });
    sent += events.length;
    // Bounded retries, as the API server's backoff is bounded.
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        const res = await post(body);
        if (res.status === 200) {
          accepted += events.length;
          return;
        }
        if (res.status !== 429 && res.status < 500) break;
        retries++;
        await sleep(retryWaitMs ?? Math.min(res.retryAfter, 5) * 1000);
      } catch {
        retries++;
        await sleep(200);
      }
    }
    failed += events.length;
  };
  while (next < totalBatches) {
    const due = start + next * intervalMs;
    const now = performance.now();
    if (now < due) await sleep(due - now);
    if (inFlight >= concurrency) {
      await Promise.race(pending);
      continue;
    }
    inFlight++;
    const p = sendBatch(next++).finally(() => {
      inFlight--;
      pending.delete(p);
    });
    pending.add(p);
    if (performance.now() - lastSample >= sampleEveryMs) {
      sample();
      lastSample = performance.now();
    }
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  sample();
  return { sent, accepted, failed, retries, elapsed, samples };
}
