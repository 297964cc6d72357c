import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { builtinRuleFiles } from '../../src/audit/builtin-rules.js';
import { DetectionEngine } from '../../src/audit/engine.js';
import { toAuditEvent, type AuditEvent } from '../../src/audit/event.js';
import type { DetectionRule } from '../../src/audit/rule.js';
import { loadVigilRules } from '../../src/audit/vigil-rules.js';
import type { Alert, AlertSink } from '../../src/core/alert.js';
import { ANCHORS_BUCKET } from '../../src/pipeline/learning.js';
import { AUDIT_STREAM, ensureAuditStream } from '../../src/pipeline/nats.js';
import { partitionOf, subjectToken } from '../../src/pipeline/partition.js';
import { AuditPublisher } from '../../src/pipeline/publisher.js';
import { AuditWorker } from '../../src/pipeline/worker.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { freshDatabase, POSTGRES_URL } from '../support/postgres.js';
import { REPO_ROOT } from '../support/shared.js';

/**
 * The pipeline's lanes beyond partitioning, with workers in this process (and one in a child process
 * that is killed): other sinks notified once across a take-over (the store's outbox), and first-seen
 * learning periods that start at the stream's first event in every partition, even after the stream
 * dropped it. Skipped without VIGIL_TEST_NATS_URL (`source .ci/nats.sh`).
 */
const NATS_URL = process.env.VIGIL_TEST_NATS_URL;
const PARTITIONS = 4;
const LEASE_MS = 1000;
const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

const { rules: RULES, problems } = loadVigilRules(builtinRuleFiles());

function event(n: number, at: number, user: string, over: Record<string, unknown> = {}): AuditEvent {
  const ts = new Date(at).toISOString();
  const e = toAuditEvent({
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `lane-${n}`,
    stage: 'ResponseComplete',
    verb: 'create',
    requestURI: '/api/v1/namespaces/shop/pods/web-0/exec?command=sh&container=app',
    user: { username: user, groups: ['system:authenticated'] },
    sourceIPs: ['10.1.0.1'],
    objectRef: { resource: 'pods', subresource: 'exec', namespace: 'shop', name: 'web-0', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 101 },
    requestReceivedTimestamp: ts,
    stageTimestamp: ts,
    ...over,
  });
  if ('error' in e) throw new Error(e.error);
  return e;
}

/** A denied list from one IP by its own identity: 20 of them within a minute trip the surge-by-source rule. */
const denied = (n: number, at: number, ip: string): AuditEvent =>
  event(n, at, `scanner-${n}@example.com`, {
    verb: 'list',
    requestURI: '/api/v1/namespaces/shop/secrets',
    sourceIPs: [ip],
    objectRef: { resource: 'secrets', namespace: 'shop', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 403 },
  });

/** A sink that records what it accepted. */
class RecordingSink implements AlertSink {
  readonly name = 'recording';
  readonly accepted: Alert[] = [];
  send(alerts: readonly Alert[]): Promise<void> {
    this.accepted.push(...alerts);
    return Promise.resolve();
  }
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every lane's durable consumer has acknowledged everything. */
async function drained(jsm: JetStreamManager, cluster: string, lanes: readonly string[]): Promise<boolean> {
  for (const lane of lanes) {
    try {
      const info = await jsm.consumers.info(AUDIT_STREAM, `vigil-work-${subjectToken(cluster)}-${lane}`);
      if (info.num_pending > 0 || info.num_ack_pending > 0) return false;
    } catch {
      return false;
    }
  }
  return true;
}

const LANES = [...Array.from({ length: PARTITIONS }, (_, p) => String(p)), 'global'];

describe.skipIf(NATS_URL === undefined)('audit pipeline lanes: outbox and learning periods', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let dir: string;
  let storeSpec: string;
  let dropDb: (() => Promise<void>) | undefined;
  const bucket = `vigil-workers-test-${process.pid}`;

  beforeAll(async () => {
    expect(problems).toEqual([]);
    nc = await connect({ servers: NATS_URL as string });
    jsm = await jetstreamManager(nc);
    // The tests publish before any receiver or worker runs, and a publish with no stream is refused
    // ("no responders"): create the stream as `vigil audit serve --publish` would.
    await ensureAuditStream(jsm);
    dir = mkdtempSync(join(tmpdir(), 'vigil-lanes-'));
    if (POSTGRES_URL !== undefined) {
      const db = await freshDatabase();
      storeSpec = db.url;
      dropDb = db.drop;
    } else storeSpec = join(dir, 'alerts.db');
  });

  afterAll(async () => {
    await jsm.streams.delete(`KV_${bucket}`).catch(() => undefined);
    await nc.close();
    await dropDb?.();
    rmSync(dir, { recursive: true, force: true });
  });

  const worker = (cluster: string, store: Store, id: string, sinks: AlertSink[] = []): AuditWorker =>
    new AuditWorker({
      nc,
      cluster,
      partitions: PARTITIONS,
      rules: RULES,
      engine: (rules: readonly DetectionRule[], learningStart: number | undefined) =>
        new DetectionEngine(rules, { cluster, ...(learningStart === undefined ? {} : { learningStart }) }),
      store,
      sinks,
      leaseMs: LEASE_MS,
      bucket,
      workerId: id,
    });

  it('sends an alert exactly once when its worker died after storing it and before notifying', async () => {
    const cluster = `outbox-${process.pid}-${Date.now()}`;
    const store = await openStore(storeSpec, { dataDir: dir });
    const publisher = new AuditPublisher(jetstream(nc), cluster, PARTITIONS);
    // One batch: an exec (a partition's alert) and a surge of denied requests from one IP over 20
    // identities (the global lane's alert).
    await publisher.publish([
      event(0, T0, 'alice@example.com'),
      ...Array.from({ length: 20 }, (_, i) => denied(i + 1, T0 + i * 100, '10.66.0.1')),
    ]);

    // Worker A in a child process: its sink takes the alerts and never answers; it is killed there.
    const dist = (path: string): string => JSON.stringify(join(REPO_ROOT, 'dist', path));
    expect(existsSync(join(REPO_ROOT, 'dist', 'pipeline', 'worker.js')), 'run `npm run build` first (npm test does)').toBe(true);
    const script = `
      const { connect } = await import('@nats-io/transport-node');
      const { AuditWorker } = await import(${dist('pipeline/worker.js')});
      const { DetectionEngine } = await import(${dist('audit/engine.js')});
      const { loadVigilRules } = await import(${dist('audit/vigil-rules.js')});
      const { builtinRuleFiles } = await import(${dist('audit/builtin-rules.js')});
      const { openStore } = await import(${dist('store/open-store.js')});
      const [url, cluster, spec, dataDir, bucket] = process.argv.slice(1);
      const nc = await connect({ servers: url });
      const store = await openStore(spec, { dataDir });
      const { rules } = loadVigilRules(builtinRuleFiles());
      const hang = { name: 'hang', send: (alerts) => { process.stdout.write('sending ' + alerts.length + '\\n'); return new Promise(() => {}); } };
      const w = new AuditWorker({ nc, cluster, partitions: ${PARTITIONS}, rules, store, sinks: [hang], leaseMs: ${LEASE_MS}, bucket, workerId: 'a',
        engine: (r, learningStart) => new DetectionEngine(r, { cluster, learningStart }) });
      await w.start();`;
    const child: ChildProcess = spawn(
      process.execPath,
      ['--input-type=module', '-e', script, NATS_URL as string, cluster, storeSpec, dir, bucket],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    try {
      // Both alerts stored, both lanes in the middle of sending them: then the worker dies.
      await until(`worker A to store and start sending (${out})`, async () => {
        const pending = await store.pendingAlerts({ cluster });
        return pending.length === 2 && (out.match(/sending/g) ?? []).length === 2;
      });
    } finally {
      child.kill('SIGKILL');
    }
    const left = (await store.pendingAlerts({ cluster })).map((s) => s.alert);
    expect(left.map((a) => a.rule).sort()).toEqual(['failed-requests-surge-by-source', 'pod-exec']);

    // Worker B takes the lanes over when A's leases expire, and sends what A left, once.
    const sinkB = new RecordingSink();
    const b = worker(cluster, store, 'b', [sinkB]);
    await b.start();
    await until(
      'worker B to notify the left-over alerts',
      async () => sinkB.accepted.length >= 2 && (await store.pendingAlerts({ cluster })).length === 0,
    );
    await until('worker B to finish the stream', () => drained(jsm, cluster, LANES));
    await b.stop();
    expect(sinkB.accepted.map((a) => a.id).sort()).toEqual(left.map((a) => a.id).sort());
    expect(b.stats).toMatchObject({ alertsNotified: 2, alertsNotifiedLeftOver: 2, alertsStored: 0 });

    // Worker C takes over from B: it finds in the outbox only what is new there, never what B sent.
    const straggler: Alert = { ...(left[0] as Alert), id: 'stored-by-someone-else', rule: 'pod-exec', user: 'zed@example.com' };
    await store.recordAlerts([straggler], new Date().toISOString(), { outbox: true });
    const sinkC = new RecordingSink();
    const c = worker(cluster, store, 'c', [sinkC]);
    await c.start();
    await until('worker C to sweep the outbox', () => sinkC.accepted.length > 0);
    await until('worker C to hold every lane', () => c.stats.takeovers === LANES.length);
    await c.stop();
    expect(sinkC.accepted.map((a) => a.id)).toEqual(['stored-by-someone-else']);
    console.log(
      `outbox take-over: worker A stored ${left.length} alerts and died while sending them; worker B sent ${sinkB.accepted.length} (left over ${b.stats.alertsNotifiedLeftOver}), worker C re-sent none of them`,
    );
    await store.close();
  }, 120_000);

  it('starts every partition’s learning period at the stream’s first event, also after the stream dropped it', async () => {
    const cluster = `learning-${process.pid}-${Date.now()}`;
    const store = await openStore(storeSpec, { dataDir: dir });
    const publisher = new AuditPublisher(jetstream(nc), cluster, PARTITIONS);
    // carol acts in another partition than alice; bob, erin and dave in partitions neither touched on day 0.
    const names = Array.from({ length: 60 }, (_, i) => `user-${i}@example.com`);
    const p = (u: string): number => partitionOf(u, PARTITIONS);
    const carol = names.find((u) => p(u) !== p('alice@example.com')) as string;
    const fresh = names.filter((u) => p(u) !== p('alice@example.com') && p(u) !== p(carol));
    const [bob, erin, dave] = fresh as [string, string, string];
    // Day 0: alice and carol do a sensitive action (exec) for the first time: learning, no alert.
    const day0 = [event(1, T0, 'alice@example.com'), event(2, T0 + HOUR, carol)];
    // 25 h later the learning day is over: bob and erin exec for the first time (alerts), carol again (known).
    const day1 = [event(3, T0 + 25 * HOUR, bob), event(4, T0 + 25 * HOUR + 1000, carol), event(5, T0 + 25 * HOUR + 2000, erin)];
    await publisher.publish(day0);
    await publisher.publish(day1);

    const w1 = worker(cluster, store, 'l1');
    await w1.start();
    await until('worker 1 to finish the stream', () => drained(jsm, cluster, LANES));
    await w1.stop();
    expect(w1.stats.learningStart).toBe(T0);

    const FIRST_SEEN = new Set(['first-sensitive-action', 'sensitive-action-from-new-source']);
    const learnt = async (): Promise<Alert[]> =>
      (await store.alerts({ cluster, limit: 1000 })).map((s) => s.alert).filter((a) => FIRST_SEEN.has(a.rule));
    const single = new DetectionEngine(RULES, { cluster });
    const perPartition = Array.from({ length: PARTITIONS }, () => new DetectionEngine(RULES, { cluster }));
    const expected: Alert[] = [];
    const partitionsAlone: Alert[] = [];
    for (const e of [...day0, ...day1]) {
      expected.push(...single.process(e).filter((a) => FIRST_SEEN.has(a.rule)));
      partitionsAlone.push(
        ...(perPartition[partitionOf(e.actor.username, PARTITIONS)] as DetectionEngine).process(e).filter((a) => FIRST_SEEN.has(a.rule)),
      );
    }
    const ids = (alerts: readonly Alert[]): string[] => alerts.map((a) => a.id).sort();
    const stored = await learnt();
    expect(new Set(expected.map((a) => a.user))).toEqual(new Set([bob, erin]));
    expect(ids(stored)).toEqual(ids(expected));
    // Partitions learning from their own first event would still be learning on day 1.
    expect(partitionsAlone).toEqual([]);

    // The stream's retention drops day 0 and day 1; on day 2 dave acts for the first time. A new
    // worker still starts learning at T0 (recorded), not at the oldest event the stream holds.
    await jsm.streams.purge(AUDIT_STREAM, { filter: `vigil.audit.${subjectToken(cluster)}.>` });
    const day2 = [event(6, T0 + 49 * HOUR, dave)];
    await publisher.publish(day2);
    const w2 = worker(cluster, store, 'l2');
    await w2.start();
    await until('worker 2 to finish the stream', () => drained(jsm, cluster, LANES));
    await w2.stop();
    expect(w2.stats.learningStart).toBe(T0);
    const afterRetention = (await learnt()).filter((a) => a.user === dave);
    expect(afterRetention.length).toBeGreaterThan(0);
    console.log(
      `learning periods: ${stored.length} first-seen alerts across ${PARTITIONS} partitions = single-process ${expected.length} (partitions learning from their own first event: ${partitionsAlone.length}); ` +
        `after the stream dropped its start: ${afterRetention.length} for a new identity (learning still from ${new Date(T0).toISOString()})`,
    );
    await store.close();
    // The start is recorded per cluster; leave none behind for this throw-away cluster.
    const anchors = await new Kvm(jetstream(nc)).open(ANCHORS_BUCKET);
    const key = `learning.${subjectToken(cluster)}`;
    expect(Number((await anchors.get(key))?.string())).toBe(T0);
    await anchors.purge(key);
  }, 120_000);
});
