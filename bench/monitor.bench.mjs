/* global performance, setTimeout */
// The monitor on a generated cluster of 10,000 pods served by the fake API server over HTTP:
// initial sync (paginated lists + inventory + full evaluation + SQLite writes), the full evaluation
// alone, one pod change re-evaluated (the incremental evaluation, and end to end from the API server
// to the store), and resident memory. Baseline in the same run: a one-shot scan of the same objects
// from memory (scanObjects), which is what a full evaluation would cost without the monitor.
// Prints one JSON line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { activeChecks } from '../dist/checks/catalog.js';
import { EMPTY_CONFIG } from '../dist/checks/config.js';
import { scanObjects } from '../dist/checks/scan.js';
import { watchCluster } from '../dist/monitor/cluster-feed.js';
import { MonitorMetrics } from '../dist/monitor/metrics.js';
import { Monitor } from '../dist/monitor/monitor.js';
import { KubeApi, loadKubeConfig } from '../dist/sources/kube-api.js';
import { openStore } from '../dist/store/open-store.js';
import { FakeKubeApiServer } from '../dist/testing/fake-kube-api-server.js';
import { namespaceObject, podObject, serviceObject } from '../dist/testing/kube-fixtures.js';
import { round, timeMedian } from './support.mjs';

const PODS = Number(process.env.BENCH_PODS ?? 10_000);
const NAMESPACES = 100;
const CHANGES = Number(process.env.BENCH_CHANGES ?? 21);
const mb = (bytes) => round(bytes / 1048576, 1);

globalThis.gc?.();
const rssStart = process.memoryUsage().rss;

const objects = [];
for (let n = 0; n < NAMESPACES; n++) {
  objects.push(namespaceObject(`ns-${n}`));
  objects.push(serviceObject(`ns-${n}`, 'web', n % 10 === 0 ? 'LoadBalancer' : 'ClusterIP'));
}
for (let i = 0; i < PODS; i++) {
  const ns = `ns-${i % NAMESPACES}`;
  // A realistic mix: most pods fine, some with latest tags, some without limits.
  objects.push(podObject(ns, `pod-${i}`, { image: i % 7 === 0 ? 'nginx:latest' : 'registry.example.com/app:1.4.2', limits: i % 5 !== 0 }));
}

// Baseline: the one-shot scan of the same objects, in memory.
const sourced = objects.map((object) => ({ object }));
const stats = { files: 0, documents: objects.length, emptyDocuments: 0, skippedDocuments: 0, objects: objects.length };
let scanFindings = 0;
const scanMs = await timeMedian(
  () => {
    scanFindings = scanObjects(sourced, stats, []).findings.length;
  },
  { runs: 3, warmup: 1 },
);

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-monitor-'));
const server = await FakeKubeApiServer.start({ objects });
writeFileSync(join(dir, 'kubeconfig'), server.kubeconfig());
const store = await openStore(undefined, { dataDir: dir });
const monitor = new Monitor({
  cluster: 'bench',
  checks: activeChecks(EMPTY_CONFIG),
  store,
  metrics: new MonitorMetrics({ processMetrics: false }),
  batchMs: 1,
});
const reports = [];
let onReport;
monitor.onEvaluation((report) => {
  reports.push(report);
  onReport?.(report);
});

globalThis.gc?.();
const rssBeforeSync = process.memoryUsage().rss;
const syncStart = performance.now();
const ready = new Promise((resolve) => {
  onReport = (r) => r.mode === 'full' && resolve(r);
});
const feed = watchCluster(new KubeApi(loadKubeConfig({ kubeconfig: join(dir, 'kubeconfig') })), monitor, { timeoutSeconds: 600 });
const full = await ready;
const syncMs = performance.now() - syncStart;
await monitor.whenIdle();
// Let every watch open before changing anything.
while (server.openWatches < feed.watchers.length) await new Promise((r) => setTimeout(r, 5));
globalThis.gc?.();
const rssAfterSync = process.memoryUsage().rss;

// One pod change at a time: from the API server's write to the store's record.
const endToEnd = [];
const incremental = [];
const storeTimes = [];
for (let i = 0; i < CHANGES; i++) {
  const name = `pod-${(i * 97) % PODS}`;
  const ns = `ns-${((i * 97) % PODS) % NAMESPACES}`;
  const done = new Promise((resolve) => {
    onReport = (r) => r.mode === 'incremental' && resolve(r);
  });
  const start = performance.now();
  server.apply(podObject(ns, name, { image: i % 2 === 0 ? 'nginx:latest' : 'registry.example.com/app:9.9.9', limits: i % 3 !== 0 }));
  const report = await done;
  endToEnd.push(performance.now() - start);
  incremental.push(report.ms);
  storeTimes.push(report.storeMs);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

await feed.stop();
await monitor.stop();
await store.close();
await server.close();
rmSync(dir, { recursive: true, force: true });

console.log(
  JSON.stringify({
    bench: 'monitor',
    pods: PODS,
    objects: objects.length,
    findings: full.findings,
    baseline_scan_ms: round(scanMs),
    baseline_scan_findings: scanFindings,
    initial_sync_ms: round(syncMs),
    full_evaluation_ms: round(full.ms),
    full_store_write_ms: round(full.storeMs),
    one_pod_change_eval_ms: round(median(incremental), 2),
    one_pod_change_end_to_end_ms: round(median(endToEnd), 1),
    one_pod_change_store_ms: round(median(storeTimes), 2),
    change_vs_full_ratio: round(median(incremental) / full.ms, 4),
    rss_start_mb: mb(rssStart),
    rss_after_sync_mb: mb(rssAfterSync),
    rss_sync_delta_mb: mb(rssAfterSync - rssBeforeSync),
  }),
);
