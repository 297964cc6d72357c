// Audit detection inside the monitor: a replayed log and the webhook receiver share one engine, read
// the monitor's live Inventory as context, and their alerts reach the store, the metrics and the sinks.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { builtinRuleFiles } from '../../src/audit/builtin-rules.js';
import { loadVigilRules } from '../../src/audit/vigil-rules.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { liveContext, MonitorAuditFeed } from '../../src/monitor/audit-feed.js';
import { MonitorMetrics } from '../../src/monitor/metrics.js';
import { loadInputs } from '../../src/sources/load-inputs.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { MemoryAlertSink } from '../../src/testing/memory-alert-sink.js';
import { REPO_ROOT } from '../support/shared.js';

const DEMO = join(REPO_ROOT, 'examples', 'demo');
const TOKEN = 'a-receiver-token-for-tests';

let store: Store | undefined;
let feed: MonitorAuditFeed | undefined;

afterEach(async () => {
  await feed?.stop();
  await store?.close();
  feed = undefined;
  store = undefined;
});

async function setUp(inventory: Inventory) {
  store = await openStore(undefined, { dataDir: mkdtempSync(join(tmpdir(), 'vigil-audit-feed-')) });
  const holder = liveContext(() => inventory);
  const loaded = loadVigilRules(builtinRuleFiles(), holder);
  expect(loaded.problems.filter((p) => p.level === 'error')).toEqual([]);
  const sink = new MemoryAlertSink();
  const metrics = new MonitorMetrics();
  const logs: string[] = [];
  feed = new MonitorAuditFeed({ rules: loaded.rules, holder, store, sinks: [sink], cluster: 'demo', metrics, log: (m) => logs.push(m) });
  return { store, feed, sink, metrics, logs };
}

describe('the monitor’s audit feed', () => {
  it('replays the demo log with the demo cluster as context, storing and sending every alert', async () => {
    const { inventory } = Inventory.from((await loadInputs([DEMO])).objects);
    const { store, feed, sink, metrics } = await setUp(inventory);
    const result = await feed.replay([join(DEMO, 'audit.log')]);
    expect(result.counts.events).toBe(readFileSync(join(DEMO, 'audit.log'), 'utf8').trim().split('\n').length);
    const rules = new Set(sink.alerts.map((a) => a.rule));
    // The attack the demo log hides, end to end (see examples/demo/README.md).
    for (const rule of ['pod-exec', 'cluster-admin-binding', 'privileged-container', 'pod-created-then-exec-by-other', 'events-deleted']) {
      expect(rules).toContain(rule);
    }
    // Needs the cluster context: shop/web's service account reading a Secret no workload of its mounts.
    expect(rules).toContain('secret-read-by-non-consumer');
    const stored = await store.alerts();
    expect(new Set(stored.map((s) => s.alert.id))).toEqual(new Set(sink.alerts.map((a) => a.id)));
    expect(stored.every((s) => s.alert.cluster === 'demo')).toBe(true);
    const exposition = await metrics.registry.metrics();
    expect(exposition).toMatch(/vigil_audit_events_total\{outcome="processed"\} 487/);
    expect(exposition).toMatch(/vigil_alerts_total\{rule="pod-exec",severity="medium",source="vigil"\} 1/);
  });

  it('receives EventList batches on its webhook and alerts on them', async () => {
    const { feed, sink, metrics } = await setUp(new Inventory());
    const url = await feed.startReceiver({ host: '127.0.0.1', port: 0, tokens: [TOKEN] });
    const exec = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Request',
      auditID: 'feed-exec-1',
      stage: 'ResponseStarted',
      requestURI: '/api/v1/namespaces/shop/pods/web-1/exec?command=sh&stdin=true&tty=true',
      verb: 'create',
      user: { username: 'alice@example.com', groups: ['system:authenticated'] },
      sourceIPs: ['203.0.113.7'],
      objectRef: { resource: 'pods', namespace: 'shop', name: 'web-1', subresource: 'exec', apiVersion: 'v1' },
      responseStatus: { code: 101 },
      requestReceivedTimestamp: '2026-11-26T10:00:00.000000Z',
      stageTimestamp: '2026-11-26T10:00:00.100000Z',
    };
    const body = JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [exec, { not: 'an event' }] });
    const refused = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(refused.status).toBe(401);
    const accepted = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    });
    expect(accepted.status).toBe(200);
    await feed.stop();
    expect(sink.alerts.map((a) => [a.rule, a.user])).toEqual([['pod-exec', 'alice@example.com']]);
    expect(feed.counts).toEqual({ processed: 1, malformed: 1 });
    expect(await metrics.registry.metrics()).toMatch(/vigil_audit_events_total\{outcome="malformed"\} 1/);
  });

  it('keeps its context current as the Inventory changes', () => {
    const inventory = new Inventory();
    const holder = liveContext(() => inventory);
    const before = holder.context;
    expect(holder.context).toBe(before);
    inventory.add({ object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'x' }, spec: { containers: [] } } });
    expect(holder.context).not.toBe(before);
  });
});
