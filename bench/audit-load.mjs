// A bounded load generator for the audit webhook receiver: posts EventList batches over loopback at a
// target rate for a fixed time, retrying 429 answers after their Retry-After as kube-apiserver's
// webhook backend does, and samples memory (after a GC when --expose-gc is on). Used by
// bench/audit-receiver.bench.mjs (60 s) and test/audit/receiver.test.ts (a few seconds).
import { setTimeout as sleep } from 'node:timers/promises';

import { httpPoster, pacedRun } from './paced-load.mjs';

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
  const poster = httpPoster({ url, ca, authorization: `Bearer ${token}`, concurrency });
  let sent = 0;
  let accepted = 0;
  let retries = 0;
  let failed = 0;
  const sendBatch = async (i) => {
    const events = [];
    for (let k = 0; k < batch; k++) events.push(loadEvent(i * batch + k));
    const body = JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: events });
    sent += events.length;
    // Bounded retries, as the API server's backoff is bounded.
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        const res = await poster.post(body);
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
  const { elapsed, samples } = await pacedRun({
    total: Math.ceil((rate * seconds) / batch),
    intervalMs: (batch / rate) * 1000,
    concurrency,
    sampleEveryMs,
    onSample,
    send: sendBatch,
  });
  poster.close();
  return { sent, accepted, failed, retries, elapsed, samples };
}
