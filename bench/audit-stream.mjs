// A deterministic audit stream for the audit pipeline (receivers → JetStream → workers): background
// traffic from many identities plus bursts that must trip the rate-window rules (denied-request surges
// by user and by source IP, mass deletions), patterns that only the whole stream shows (a surge from
// one source IP spread over many identities, hence many partitions; a pod created by one identity and
// exec'd into by another), and a bounded client that posts it to several receivers.
// Used by test/pipeline/audit-pipeline.test.ts and bench/audit-pipeline.bench.mjs.
import { Buffer } from 'node:buffer';
import { request as httpRequest, Agent as HttpAgent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

const T0 = Date.UTC(2026, 0, 1);
/** Event time step: 200,000 events span a little over an hour, so one-minute windows open and close. */
const STEP_MS = 20;

function event(n, user, ip, verb, resource, namespace, name, code, subresource = '') {
  const ts = new Date(T0 + n * STEP_MS).toISOString();
  const path = `/api/v1/namespaces/${namespace}/${resource}${name === '' ? '' : `/${name}`}`;
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `evt-${n}`,
    stage: 'ResponseComplete',
    requestURI: subresource === '' ? path : `${path}/${subresource}?command=sh&container=app`,
    verb,
    user: { username: user, groups: ['system:authenticated'] },
    sourceIPs: [ip],
    userAgent: 'inventory-app/2.1',
    objectRef: { resource, namespace, ...(name === '' ? {} : { name }), ...(subresource === '' ? {} : { subresource }), apiVersion: 'v1' },
    responseStatus: { metadata: {}, code },
    requestReceivedTimestamp: ts,
    stageTimestamp: ts,
  };
}

/**
 * `count` events. Each identity belongs to one of `lanes` lanes (its events are posted in order by that
 * lane). Every `burstEvery` events a burst starts: 25 denied lists (surge by user and by source: each
 * burst identity has its own IP), 30 deletions (mass deletion), 12 denied lists (below the threshold
 * alone), or, every fourth burst, both of these, which no single identity shows:
 *   - a spray: 24 denied lists from one source IP, each by an identity of its own (surge by source
 *     spread over many partitions);
 *   - a pod created by one identity and, a few events later, exec'd into by another (a sequence
 *     across two users on one object).
 * Spray and sequence events are all posted by lane 0, so their order (hence the single-process
 * reference) does not depend on how the lanes' batches interleave. Returns the events in time order
 * with their lane.
 */
export function auditStream(count, { lanes = 2, users = 400, burstEvery = 1500 } = {}) {
  const out = [];
  let burst = [];
  let burstNo = 0;
  let rng = 0x2545f491;
  const next = () => {
    rng ^= rng << 13;
    rng ^= rng >>> 17;
    rng ^= rng << 5;
    return (rng >>> 0) / 4294967296;
  };
  for (let n = 0; n < count; n++) {
    if (n % burstEvery === burstEvery - 1) {
      const j = burstNo++;
      const user = `burst-${j % 40}@example.com`;
      const ip = `10.9.${j % 40}.1`;
      const kind = j % 3;
      if (j % 4 === 3) {
        for (let i = 0; i < 24; i++)
          burst.push({
            user: `scan-${j}-${i}@example.com`,
            ip: `10.8.${j % 50}.7`,
            verb: 'list',
            resource: 'secrets',
            namespace: `team-${i % 5}`,
            name: '',
            code: 403,
            lane: 0,
          });
        const pod = { namespace: `apps-${j % 5}`, name: `stage-${j}` };
        const creator = { user: `builder-${j}@example.com`, ip: `10.7.${j % 50}.1`, lane: 0, ...pod };
        burst.push({ ...creator, verb: 'create', resource: 'pods', code: 201 });
        burst.push({ ...creator, user: `operator-${j}@example.com`, verb: 'create', resource: 'pods', subresource: 'exec', code: 101 });
      }
      const size = kind === 0 ? 25 : kind === 1 ? 30 : 12;
      for (let i = 0; i < size; i++)
        burst.push(
          kind === 1
            ? { user, ip, verb: 'delete', resource: 'pods', namespace: `team-${j % 5}`, name: `pod-${j}-${i}`, code: 200 }
            : { user, ip, verb: 'list', resource: 'pods', namespace: `team-${j % 5}`, name: '', code: 403 },
        );
    }
    let e;
    if (burst.length > 0 && next() < 0.5) {
      const b = burst.shift();
      e = event(n, b.user, b.ip, b.verb, b.resource, b.namespace, b.name, b.code, b.subresource);
      if (b.lane !== undefined) {
        out.push({ event: e, lane: b.lane });
        continue;
      }
    } else {
      const u = Math.floor(next() * users);
      e = event(
        n,
        `dev-${u}@example.com`,
        `10.0.${u >> 8}.${u & 255}`,
        'get',
        'configmaps',
        `ns-${u % 10}`,
        `cm-${Math.floor(next() * 3)}`,
        200,
      );
    }
    out.push({ event: e, lane: laneOf(e.user.username, lanes) });
  }
  return out;
}

/** Lane of an identity (a stable hash), so that one identity's events are always posted in order. */
export function laneOf(user, lanes) {
  let h = 0;
  for (let i = 0; i < user.length; i++) h = (Math.imul(h, 31) + user.charCodeAt(i)) >>> 0;
  return h % lanes;
}

/**
 * Post the stream: one sequential poster per lane (a batch waits for its 200 before the next, as the
 * API server's webhook backend does), batches spread round-robin over the receivers; 429 and 503 are
 * retried. `onProgress(posted)` is called after each accepted batch.
 */
export async function postStream({ stream, urls, token, lanes = 2, batch = 500, onProgress }) {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 8 });
  let posted = 0;
  let retries = 0;
  let turn = 0;
  const post = (url, body) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const req = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const lane = async (l) => {
    const events = stream.filter((s) => s.lane === l).map((s) => s.event);
    for (let i = 0; i < events.length; i += batch) {
      const items = events.slice(i, i + batch);
      const body = JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items });
      for (;;) {
        const url = urls[turn++ % urls.length];
        let status = 0;
        try {
          status = await post(url, body);
        } catch {
          status = 0;
        }
        if (status === 200) break;
        retries++;
        await sleep(100);
      }
      posted += items.length;
      await onProgress?.(posted);
    }
  };
  await Promise.all(Array.from({ length: lanes }, (_, l) => lane(l)));
  agent.destroy();
  return { posted, retries };
}
