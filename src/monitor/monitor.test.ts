import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { activeChecks } from '../checks/catalog.js';
import { EMPTY_CONFIG } from '../checks/config.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { podObject } from '../testing/kube-fixtures.js';
import { MemoryAlertSink } from '../testing/memory-alert-sink.js';
import { MonitorMetrics } from './metrics.js';
import { Monitor } from './monitor.js';

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-monitor-'));
  store = await openStore(undefined, { dataDir: dir });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const checks = activeChecks(EMPTY_CONFIG, { only: ['images/latest-tag'] });

describe('Monitor', () => {
  it('waits for every expected source before the first evaluation', async () => {
    const monitor = new Monitor({ cluster: 'c', checks, store, batchMs: 1 });
    monitor.expect(['/Pod', 'apps/Deployment']);
    monitor.sync('/Pod', [{ object: podObject('a', 'p', { image: 'nginx' }) }]);
    await new Promise((r) => setTimeout(r, 30));
    await monitor.whenIdle();
    expect(monitor.readiness).toEqual({ ready: false, reason: 'waiting for the first list of apps/Deployment' });
    monitor.giveUp('apps/Deployment');
    await new Promise((r) => setTimeout(r, 30));
    await monitor.whenIdle();
    expect(monitor.readiness.ready).toBe(true);
    expect(await store.findings({ cluster: 'c' })).toHaveLength(1);
    await monitor.stop();
  });

  it('treats the first evaluation of a new cluster as the baseline, then alerts on changes', async () => {
    const sink = new MemoryAlertSink();
    const monitor = new Monitor({ cluster: 'c', checks, store, sinks: [sink], alertMinSeverity: 'medium', batchMs: 1 });
    monitor.expect(['*']);
    monitor.sync('*', [{ object: podObject('a', 'old', { image: 'nginx' }) }]);
    await new Promise((r) => setTimeout(r, 30));
    await monitor.whenIdle();
    expect(sink.alerts).toEqual([]);
    monitor.upsert(podObject('a', 'new', { image: 'nginx:latest' }));
    await new Promise((r) => setTimeout(r, 30));
    await monitor.whenIdle();
    expect(sink.alerts.map((a) => a.resource?.name)).toEqual(['new']);
    expect((await store.alerts()).map((a) => a.alert.id)).toEqual([sink.alerts[0]?.id]);
    await monitor.stop();
  });

  it('keeps going when the store fails, and records the whole picture once it is back', async () => {
    const metrics = new MonitorMetrics({ processMetrics: false });
    let failNext = false;
    const flaky: Store = Object.create(store) as Store;
    flaky.recordFindings = (input) => {
      if (failNext) {
        failNext = false;
        return Promise.reject(new Error('database is locked'));
      }
      return store.recordFindings(input);
    };
    const logs: string[] = [];
    const monitor = new Monitor({ cluster: 'c', checks, store: flaky, metrics, batchMs: 1, retryMs: 20, log: (m) => logs.push(m) });
    monitor.expect(['*']);
    monitor.sync('*', [{ object: podObject('a', 'p1', { image: 'nginx' }) }]);
    await new Promise((r) => setTimeout(r, 30));
    await monitor.whenIdle();
    failNext = true;
    monitor.upsert(podObject('a', 'p2', { image: 'nginx' }));
    monitor.remove(podObject('a', 'p1'));
    for (let i = 0; i < 100 && (await store.findings({ cluster: 'c' })).map((f) => f.finding.resource.name).join() !== 'p2'; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await store.findings({ cluster: 'c' })).map((f) => f.finding.resource.name)).toEqual(['p2']);
    expect(logs.some((l) => l.includes('database is locked'))).toBe(true);
    expect(await metrics.registry.getSingleMetricAsString('vigil_store_failures_total')).toContain('vigil_store_failures_total 1');
    await monitor.stop();
  });
});
