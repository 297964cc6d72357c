// End-to-end: the monitor against the fake Kubernetes API server, through a kubeconfig and the real
// client-node configuration code, storing into SQLite. Objects are created, changed and deleted on
// the server; findings must open and resolve in the store within a second; watch connections are
// cut and resourceVersions compacted (410 Gone), and nothing may be missed after the reconnect.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { activeChecks } from '../../src/checks/catalog.js';
import { EMPTY_CONFIG } from '../../src/checks/config.js';
import { watchCluster, type ClusterFeed } from '../../src/monitor/cluster-feed.js';
import { MonitorMetrics } from '../../src/monitor/metrics.js';
import { Monitor } from '../../src/monitor/monitor.js';
import { KubeApi, loadKubeConfig } from '../../src/sources/kube-api.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { FakeKubeApiServer } from '../../src/testing/fake-kube-api-server.js';
import { namespaceObject, podObject, secretObject } from '../../src/testing/kube-fixtures.js';
import { MemoryAlertSink } from '../../src/testing/memory-alert-sink.js';

/** Changes must reach the store within a second. */
const CHANGE_MS = 1000;
/**
 * After a cut connection or a 410, every kind backs off, reconnects and (after 410) lists again
 * before the change can show; what matters there is that nothing is missed, so the deadline is looser.
 */
const RECONNECT_MS = 5000;

const SECRET_VALUE = 'c3VwZXItc2VjcmV0LXZhbHVl';

/** Wait until `probe` gives a value, failing after `ms`. */
async function within<T>(ms: number, what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(['event', 'status'] as const)('monitor end to end (410 as %s)', (gone) => {
  let dir: string;
  let server: FakeKubeApiServer;
  let store: Store;
  let monitor: Monitor;
  let feed: ClusterFeed;
  let sink: MemoryAlertSink;
  let metrics: MonitorMetrics;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
    server = await FakeKubeApiServer.start({
      gone,
      token: 'e2e-token',
      objects: [
        namespaceObject('shop'),
        podObject('shop', 'good'),
        podObject('shop', 'legacy', { image: 'nginx:latest' }),
        secretObject('shop', 'db', { password: SECRET_VALUE }),
      ],
    });
    writeFileSync(join(dir, 'kubeconfig'), server.kubeconfig());
    store = await openStore(undefined, { dataDir: dir });
    sink = new MemoryAlertSink();
    metrics = new MonitorMetrics({ processMetrics: false });
    monitor = new Monitor({
      cluster: 'e2e',
      checks: activeChecks(EMPTY_CONFIG),
      store,
      sinks: [sink],
      alertMinSeverity: 'medium',
      metrics,
      batchMs: 20,
    });
    feed = watchCluster(new KubeApi(loadKubeConfig({ kubeconfig: join(dir, 'kubeconfig') })), monitor, {
      metrics,
      timeoutSeconds: 60,
      backoffMs: { initial: 10, max: 100 },
    });
    await within(5000, 'first evaluation', () => Promise.resolve(monitor.readiness.ready ? true : undefined));
    // Every kind's watch is open (they start right after each list).
    await within(5000, 'every watch open', () => Promise.resolve(server.openWatches === feed.watchers.length ? true : undefined));
  });

  afterEach(async () => {
    await feed.stop();
    await monitor.stop();
    await store.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const openFinding = (checkId: string, pod: string) => async () =>
    (await store.findings({ cluster: 'e2e' })).find((f) => f.finding.checkId === checkId && f.finding.resource.name === pod);
  const resolvedFinding = (checkId: string, pod: string) => async () =>
    (await store.findings({ cluster: 'e2e', status: 'resolved' })).find(
      (f) => f.finding.checkId === checkId && f.finding.resource.name === pod,
    );

  it('opens and resolves findings in the store within a second of each change', async () => {
    // The baseline: findings stored, no alerts for what was already there.
    expect(await openFinding('images/latest-tag', 'legacy')()).toBeDefined();
    expect(sink.alerts).toEqual([]);

    server.apply(podObject('shop', 'new-bad', { image: 'nginx:latest' }));
    const opened = await within(CHANGE_MS, 'finding for a created pod', openFinding('images/latest-tag', 'new-bad'));
    expect(opened.status).toBe('open');
    await within(CHANGE_MS, 'alert for the new finding', () => Promise.resolve(sink.alerts.find((a) => a.resource?.name === 'new-bad')));

    server.apply(podObject('shop', 'new-bad', { image: 'registry.example.com/app:2.0.0' }));
    await within(CHANGE_MS, 'finding resolved by a modified pod', resolvedFinding('images/latest-tag', 'new-bad'));

    server.delete('v1', 'Pod', 'shop', 'legacy');
    await within(CHANGE_MS, 'finding resolved by a deleted pod', resolvedFinding('images/latest-tag', 'legacy'));

    server.apply(podObject('shop', 'new-bad', { image: 'nginx:latest' }));
    const reopened = await within(CHANGE_MS, 'finding reopened', async () => {
      const f = await openFinding('images/latest-tag', 'new-bad')();
      return f?.reopenCount === 1 ? f : undefined;
    });
    expect((await store.findingEvents(reopened.fingerprint, 'e2e')).map((e) => e.type)).toEqual(['opened', 'resolved', 'reopened']);
  });

  it('misses nothing when watch connections are cut', async () => {
    const dropped = server.dropWatches();
    expect(dropped).toBeGreaterThan(0);
    // Changes made while no watch is open are replayed from the last resourceVersion on reconnect.
    server.apply(podObject('shop', 'while-away', { image: 'nginx:latest' }));
    server.delete('v1', 'Pod', 'shop', 'legacy');
    await within(RECONNECT_MS, 'change made while disconnected', openFinding('images/latest-tag', 'while-away'));
    await within(RECONNECT_MS, 'deletion made while disconnected', resolvedFinding('images/latest-tag', 'legacy'));
    const text = await metrics.registry.getSingleMetricAsString('vigil_watch_restarts_total');
    expect(text).toMatch(/vigil_watch_restarts_total\{resource="pods",reason="dropped"\} [1-9]/);
  });

  it('lists again after 410 Gone and misses nothing, deletions included', async () => {
    server.dropWatches();
    server.apply(podObject('shop', 'after-compaction', { image: 'nginx:latest' }));
    server.delete('v1', 'Pod', 'shop', 'legacy');
    // History before now is gone: resuming from the old resourceVersion gets 410, so a new list is needed.
    server.compact();
    await within(RECONNECT_MS, 'change hidden by compaction', openFinding('images/latest-tag', 'after-compaction'));
    await within(RECONNECT_MS, 'deletion hidden by compaction', resolvedFinding('images/latest-tag', 'legacy'));
    const text = await metrics.registry.getSingleMetricAsString('vigil_watch_restarts_total');
    expect(text).toMatch(/vigil_watch_restarts_total\{resource="pods",reason="expired"\} [1-9]/);
    // And it keeps watching after the new list.
    server.apply(podObject('shop', 'later', { image: 'nginx:latest' }));
    await within(RECONNECT_MS, 'change after the re-list', openFinding('images/latest-tag', 'later'));
  });

  it('never holds or stores a Secret value', async () => {
    await within(1000, 'a watch on secrets', () => Promise.resolve(server.requests.find((r) => r.path.endsWith('/secrets') && r.watch)));
    const secretRequests = server.requests.filter((r) => r.path.endsWith('/secrets'));
    expect(secretRequests.map((r) => r.watch)).toEqual([false, true]);
    expect(secretRequests.every((r) => r.accept.includes('as=PartialObjectMetadata'))).toBe(true);
    const held = monitor.inventory.get('', 'Secret', 'shop', 'db');
    expect(held).toBeDefined();
    expect(JSON.stringify(monitor.inventory.all().map((e) => e.object))).not.toContain(SECRET_VALUE);
    await store.close();
    expect(readFileSync(join(dir, 'vigil.db')).includes(SECRET_VALUE)).toBe(false);
    store = await openStore(undefined, { dataDir: dir });
  });
});
