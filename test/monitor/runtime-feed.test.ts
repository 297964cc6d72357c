// Falco alerts inside the monitor: a replayed file and the HTTP receiver place alerts in the
// monitor's live Inventory with the findings it holds; alerts reach the store (context and reasons
// kept in the record), the metrics and the sinks, like audit alerts.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { falcoAlert } from '../../bench/falco-load.mjs';
import { Inventory } from '../../src/inventory/inventory.js';
import { MonitorMetrics } from '../../src/monitor/metrics.js';
import { MonitorRuntimeFeed } from '../../src/monitor/runtime-feed.js';
import { loadInputs } from '../../src/sources/load-inputs.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { MemoryAlertSink } from '../../src/testing/memory-alert-sink.js';
import { run } from '../audit/cli-support.js';
import { REPO_ROOT } from '../support/shared.js';

const EXAMPLE = join(REPO_ROOT, 'examples', 'runtime');
const TOKEN = 'a-falco-token-for-tests';

let store: Store | undefined;
let feed: MonitorRuntimeFeed | undefined;

afterEach(async () => {
  await feed?.stop();
  await store?.close();
  feed = undefined;
  store = undefined;
});

async function setUp() {
  const loaded = await loadInputs([join(EXAMPLE, 'cluster.yaml')]);
  const { inventory } = Inventory.from(loaded.objects);
  store = await openStore(undefined, { dataDir: mkdtempSync(join(tmpdir(), 'vigil-runtime-feed-')) });
  const sink = new MemoryAlertSink();
  const metrics = new MonitorMetrics();
  const logs: string[] = [];
  feed = new MonitorRuntimeFeed({
    inventory,
    findings: () => [],
    store,
    sinks: [sink],
    cluster: 'demo',
    metrics,
    log: (m) => logs.push(m),
    refreshMs: 0,
  });
  return { inventory, store, feed, sink, metrics, logs };
}

describe('the monitor’s runtime feed', () => {
  it('replays a Falco file into the store alert table with context and reasons, like audit alerts', async () => {
    const { store, feed, sink, metrics, logs } = await setUp();
    const result = await feed.replay([join(EXAMPLE, 'falco.jsonl')]);
    expect(result.counts).toMatchObject({ alerts: 4, malformed: 1 });
    const stored = await store.alerts();
    expect(stored).toHaveLength(4);
    const web = stored.find((s) => s.alert.resource?.name === 'web')?.alert;
    expect(web).toMatchObject({
      source: 'runtime',
      severity: 'critical',
      originalSeverity: 'low',
      cluster: 'demo',
      reasons: expect.arrayContaining([{ effect: 'raise', reason: 'privileged pod (container web)' }]),
      context: { workload: { kind: 'Deployment', namespace: 'shop', name: 'web', pss: { level: 'privileged' } } },
    });
    expect(sink.alerts).toHaveLength(4);
    const exposition = await metrics.registry.metrics();
    expect(exposition).toMatch(/vigil_runtime_alerts_total\{outcome="processed"\} 4/);
    expect(exposition).toMatch(/vigil_runtime_alerts_total\{outcome="malformed"\} 1/);
    expect(exposition).toMatch(/vigil_alerts_total\{rule="Terminal shell in container",severity="critical",source="runtime"\} 1/);
    expect(logs.some((l) => l.includes('falco.jsonl:5'))).toBe(true);
    // Replaying the same file again stores nothing twice (alert ids are stable).
    await feed.replay([join(EXAMPLE, 'falco.jsonl')]);
    expect(await store.alerts()).toHaveLength(4);
  });

  it('receives Falco http_output posts, and sees the Inventory change', async () => {
    const { inventory, feed, sink } = await setUp();
    const url = await feed.startReceiver({ port: 0, tokens: [TOKEN] });
    const post = (body: unknown): Promise<Response> =>
      fetch(url, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`falco:${TOKEN}`).toString('base64')}` },
      });
    const sandboxShell = falcoAlert(4); // Read sensitive file untrusted (Warning) in the sandbox/debug pod
    expect((await post(sandboxShell)).status).toBe(200);
    // The sandbox loses its default-deny policy: the next alert there is no longer lowered.
    const [policy] = inventory.ofKind('NetworkPolicy', { group: 'networking.k8s.io', namespace: 'sandbox' });
    inventory.remove(policy!.key);
    expect((await post({ ...sandboxShell, time: '2026-11-26T07:00:00.000000000Z' })).status).toBe(200);
    await feed.stop();
    expect(sink.alerts.map((a) => [a.resource?.name, a.originalSeverity, a.severity])).toEqual([
      ['debug', 'medium', 'low'],
      ['debug', 'medium', 'high'],
    ]);
    expect(sink.alerts[1]?.reasons).toEqual([
      { effect: 'raise', reason: 'reachable from 0.0.0.0/0: no NetworkPolicy isolates it for ingress' },
    ]);
    expect(feed.counts).toEqual({ processed: 2, malformed: 0 });
  });
});

describe('vigil monitor --falco-log', () => {
  it('--once evaluates the manifests, places the Falco alerts with the monitor’s findings, and stores them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-monitor-falco-'));
    const result = await run([
      'monitor',
      join(EXAMPLE, 'cluster.yaml'),
      '--once',
      '--data-dir',
      join(dir, 'data'),
      '--falco-log',
      join(EXAMPLE, 'falco.jsonl'),
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('falco: ');
    store = await openStore(undefined, { dataDir: join(dir, 'data') });
    const alerts = (await store.alerts()).map((s) => s.alert).filter((a) => a.source === 'runtime');
    expect(alerts).toHaveLength(4);
    const web = alerts.find((a) => a.resource?.name === 'web');
    const findings = (web?.context?.workload as { findings: { checkId: string }[] }).findings.map((f) => f.checkId);
    expect(findings).toContain('pod-security/baseline-privileged');
    expect(readFileSync(join(EXAMPLE, 'falco.jsonl'), 'utf8')).toContain('"rule"');
  });

  it('refuses a Falco receiver without authentication or on plain HTTP off loopback', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-monitor-falco-'));
    const noAuth = await run([
      'monitor',
      join(EXAMPLE, 'cluster.yaml'),
      '--data-dir',
      dir,
      '--falco-listen',
      '127.0.0.1:0',
      '--falco-insecure-http',
    ]);
    expect(noAuth.code).toBe(2);
    expect(noAuth.stderr).toContain('the Falco receiver needs authentication');
    const exposed = await run([
      'monitor',
      join(EXAMPLE, 'cluster.yaml'),
      '--data-dir',
      dir,
      '--falco-listen',
      '0.0.0.0:0',
      '--falco-insecure-http',
    ]);
    expect(exposed.code).toBe(2);
    expect(exposed.stderr).toContain('plain HTTP is refused on 0.0.0.0');
  });
});
