// The dashboard's HTTP API on the demo data, in-process (fastify inject): what each view asks for,
// checked against the scan, the audit log and the analysis engines it summarises; the request guard
// (loopback Host, token, JSON-only writes); and suppressions written as exceptions a scan honours.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CATALOGUES } from '../../src/compliance/evaluate.js';
import type { Alert } from '../../src/core/alert.js';
import type { FrameworkId } from '../../src/core/frameworks.js';
import { isAtLeast } from '../../src/core/severity.js';
import type {
  AlertsPageJson,
  AuditEventJson,
  CanJson,
  ComparisonJson,
  ExceptionJson,
  FindingDetailJson,
  FindingsPageJson,
  FleetJson,
  FrameworkJson,
  MetaJson,
  NetworkGraphJson,
  OverviewJson,
  WhoCanJson,
} from '../../src/server/api-types.js';
import { buildDashboardApp } from '../../src/server/dashboard-app.js';
import { cli } from '../support/run-cli.js';
import { DEMO, demoStore, type DemoStore } from './demo-store.js';

const NOW = new Date('2026-03-02T10:00:00Z');

let demo: DemoStore;
let app: FastifyInstance;

async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await app.inject({ method: 'GET', url, headers: { host: '127.0.0.1:9465', ...headers } });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json<T>();
}

beforeAll(async () => {
  demo = await demoStore('demo', NOW);
  app = buildDashboardApp({
    store: demo.store,
    mode: 'store',
    cluster: 'demo',
    inventory: () => demo.inventory,
    loopbackOnly: true,
    now: () => NOW,
  });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await demo.close();
});

describe('dashboard API on the demo', () => {
  it('describes itself: cluster, mode, objects loaded', async () => {
    const meta = await getJson<MetaJson>('/api/meta');
    expect(meta).toMatchObject({ cluster: 'demo', clusters: ['demo'], mode: 'store', inventory: true, ready: true });
    expect(Object.keys(meta.frameworks)).toContain('pss');
  });

  it('sums up the evaluation in the overview exactly as the scan counted it', async () => {
    const overview = await getJson<OverviewJson>('/api/overview');
    expect(overview.open.total).toBe(demo.report.summary.findings);
    expect(overview.open.suppressed).toBe(demo.report.summary.suppressed);
    expect(overview.open.bySeverity).toEqual(demo.report.summary.bySeverity);
    expect(overview.score.value).toBeGreaterThan(0);
    expect(overview.score.value).toBeLessThan(100);
    // Everything was first seen "now": it all opened since yesterday.
    expect(overview.changes.opened.length).toBe(demo.report.findings.length);
    expect(overview.topNamespaces.map((n) => n.name)).toContain('ops');
    expect(overview.trend.at(-1)?.bySeverity).toEqual(demo.report.summary.bySeverity);
  });

  it('narrows findings by severity, namespace, area, check and text', async () => {
    const all = await getJson<FindingsPageJson>('/api/findings?status=all');
    expect(all.total).toBe(demo.report.findings.length);
    const high = await getJson<FindingsPageJson>('/api/findings?severity=critical,high');
    const expected = demo.report.findings.filter((f) => f.suppression === undefined && isAtLeast(f.severity, 'high'));
    expect(high.total).toBe(expected.length);
    expect(high.findings.every((f) => f.severity === 'critical' || f.severity === 'high')).toBe(true);

    const ops = await getJson<FindingsPageJson>('/api/findings?namespace=ops&area=rbac');
    expect(ops.total).toBeGreaterThan(0);
    expect(ops.findings.every((f) => f.resource.namespace === 'ops' && f.area === 'rbac')).toBe(true);

    const latest = await getJson<FindingsPageJson>('/api/findings?check=images/latest-tag');
    expect(latest.findings.map((f) => `${f.resource.namespace}/${f.resource.name}`).sort()).toEqual(
      demo.report.findings
        .filter((f) => f.checkId === 'images/latest-tag' && f.suppression === undefined)
        .map((f) => `${f.resource.namespace}/${f.resource.name}`)
        .sort(),
    );
    const search = await getJson<FindingsPageJson>('/api/findings?q=node-debugger');
    expect(search.total).toBeGreaterThan(0);
    expect(search.findings.every((f) => JSON.stringify(f).includes('node-debugger'))).toBe(true);

    const suppressed = await getJson<FindingsPageJson>('/api/findings?status=suppressed');
    expect(suppressed.total).toBe(demo.report.summary.suppressed);
    expect(suppressed.findings.every((f) => f.suppression !== undefined)).toBe(true);
  });

  it('refuses filters it does not know, saying what it accepts', async () => {
    const res = await app.inject({ url: '/api/findings?status=closed', headers: { host: 'localhost:9465' } });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: string; hint: string }>()).toMatchObject({ error: 'unknown status "closed"' });
    const sev = await app.inject({ url: '/api/findings?severity=urgent', headers: { host: 'localhost:9465' } });
    expect(sev.statusCode).toBe(400);
  });

  it('gives a finding its explanation, remediation, exact field and history', async () => {
    const f = demo.report.findings.find((x) => x.checkId === 'images/latest-tag' && x.resource.name === 'web');
    expect(f).toBeDefined();
    const detail = await getJson<FindingDetailJson>(`/api/findings/${f?.fingerprint ?? ''}`);
    expect(detail.location.path).toBe(f?.location.path);
    expect(detail.location.line).toBe(f?.location.line);
    expect(detail.remediation).toBe(f?.remediation);
    expect(detail.docs).toContain('Why it matters');
    expect(detail.events.map((e) => e.type)).toEqual(['opened']);
    const missing = await app.inject({ url: '/api/findings/0000', headers: { host: 'localhost' } });
    expect(missing.statusCode).toBe(404);
  });

  it('reports control status per framework from the catalogues, judged by the checks that ran', async () => {
    const frameworks = await getJson<FrameworkJson[]>('/api/compliance');
    expect(frameworks.map((f) => f.id).sort()).toEqual(Object.keys((await getJson<MetaJson>('/api/meta')).frameworks).sort());
    for (const fw of frameworks) {
      // Every control of the framework's catalogue, in its order.
      expect(fw.controls.map((c) => c.id)).toEqual(CATALOGUES[fw.id as FrameworkId].controls.map((c) => c.id));
      const s = fw.summary;
      expect(s.pass + s.fail + s.manual + s.notApplicable).toBe(s.controls);
      if (s.pass + s.fail > 0) expect(s.score).toBe(Math.round((s.pass / (s.pass + s.fail)) * 1000) / 10);
    }
    expect(frameworks.some((f) => f.summary.fail > 0)).toBe(true);
  });

  it('draws the network and answers a reachability question with the policy that decides', async () => {
    const graph = await getJson<NetworkGraphJson>('/api/network');
    expect(graph.available).toBe(true);
    const data = graph.namespaces.find((n) => n.name === 'data');
    const payments = graph.namespaces.find((n) => n.name === 'payments');
    expect(data).toMatchObject({ policies: 0, ingressIsolated: 0 });
    expect(payments?.policies).toBeGreaterThan(0);
    expect(graph.flows.some((f) => f.to.startsWith('data/'))).toBe(true);

    const open = await getJson<{ allowed: boolean; text: string }>('/api/network/reach?from=shop/web&to=data/postgres&port=5432');
    expect(open.allowed).toBe(true);
    expect(open.text).toMatch(/not isolated|no NetworkPolicy/i);

    const denied = await getJson<{ allowed: boolean; text: string }>(
      '/api/network/reach?from=data/redis&to=payments/payments-api&port=8443',
    );
    expect(denied.allowed).toBe(false);

    const bad = await getJson<{ allowed: null; error: string }>('/api/network/reach?from=shop/nothing&to=data/postgres&port=5432');
    expect(bad.allowed).toBeNull();
    expect(bad.error).toMatch(/^from:/);
  });

  it('answers who-can and can with the grants behind them', async () => {
    const who = await getJson<WhoCanJson>('/api/access/who-can?verb=get&resource=secrets&namespace=shop');
    expect(who.subjects.map((s) => s.subject).join(' ')).toMatch(/support/);
    const can = await getJson<CanJson>('/api/access/can?user=system:serviceaccount:ops:deployer&verb=delete&resource=nodes');
    expect(can.allowed).toBe(true);
    expect(can.grants.map((g) => g.text).join('\n')).toMatch(/cluster-admin/);
    const cannot = await getJson<CanJson>('/api/access/can?user=nobody&verb=get&resource=secrets&namespace=shop');
    expect(cannot.allowed).toBe(false);
  });

  it('lists alerts of every source newest first, filtered by source and severity', async () => {
    const page = await getJson<AlertsPageJson>('/api/alerts');
    expect(page.total).toBe(demo.audit.alerts);
    expect(page.total).toBeGreaterThan(0);
    expect(page.sources).toEqual(['vigil']);
    const times = page.alerts.map((a) => a.time);
    expect([...times].sort().reverse()).toEqual(times);

    // A runtime alert (another source, recorded later by another feed) joins the same timeline.
    const runtime: Alert = {
      id: 'runtime-1',
      rule: 'runtime/shell-in-container',
      source: 'runtime',
      severity: 'critical',
      title: 'Shell in container',
      output: 'bash started in shop/web',
      time: '2026-03-02T09:00:00.000Z',
      cluster: 'demo',
      resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'web-1' },
    };
    const other: Alert = { ...runtime, id: 'runtime-2', cluster: 'elsewhere' };
    await demo.store.recordAlerts([runtime, other], NOW.toISOString());
    const all = await getJson<AlertsPageJson>('/api/alerts');
    expect(all.sources).toEqual(['runtime', 'vigil']);
    expect(all.total).toBe(demo.audit.alerts + 1);
    const onlyRuntime = await getJson<AlertsPageJson>('/api/alerts?source=runtime');
    expect(onlyRuntime.alerts.map((a) => a.id)).toEqual(['runtime-1']);
    const critical = await getJson<AlertsPageJson>('/api/alerts?severity=critical');
    expect(critical.alerts.every((a) => a.severity === 'critical')).toBe(true);
    expect(critical.alerts.map((a) => a.id)).toContain('runtime-1');
  });

  it('searches stored audit events by user, verb, resource, namespace and code', async () => {
    const lines = readFileSync(join(DEMO, 'audit.log'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { verb: string; responseStatus?: { code?: number }; objectRef?: { resource?: string } });
    const forbidden = lines.filter((l) => l.responseStatus?.code === 403).length;
    const events403 = await getJson<AuditEventJson[]>('/api/audit/events?code=403&limit=5000');
    expect(events403.length).toBe(forbidden);
    expect(events403.every((e) => e.code === 403)).toBe(true);

    const secrets = await getJson<AuditEventJson[]>('/api/audit/events?resource=secrets&verb=get&limit=5000');
    expect(secrets.length).toBe(lines.filter((l) => l.verb === 'get' && l.objectRef?.resource === 'secrets').length);
    const kubelet = await getJson<AuditEventJson[]>('/api/audit/events?user=system:node:*&limit=5000');
    expect(kubelet.length).toBeGreaterThan(0);
    expect(kubelet.every((e) => e.user.startsWith('system:node:'))).toBe(true);
    const bad = await app.inject({ url: '/api/audit/events?code=abc', headers: { host: 'localhost' } });
    expect(bad.statusCode).toBe(400);
  });
});

describe('several clusters in one store', () => {
  it('lists the clusters and answers for the one asked', async () => {
    const other = demo.report.findings.filter((f) => f.resource.namespace === 'data');
    const at = NOW.toISOString();
    const run = await demo.store.startRun('staging', 'sync', at);
    await demo.store.recordFindings({ cluster: 'staging', at, present: other, complete: true, runId: run });
    await demo.store.finishRun(run, { at, status: 'ok', objects: 5, findings: other.length });
    const meta = await getJson<MetaJson>('/api/meta');
    // 'elsewhere' is known by an alert recorded above (an audit pipeline's cluster may have nothing else).
    expect(meta.clusters).toEqual(['demo', 'elsewhere', 'staging']);
    expect(meta.cluster).toBe('demo');
    const staging = await getJson<FindingsPageJson>('/api/findings?cluster=staging&status=all');
    expect(staging.total).toBe(other.length);
    expect(staging.findings.every((f) => f.resource.namespace === 'data')).toBe(true);
    const overview = await getJson<OverviewJson>('/api/overview?cluster=staging');
    expect(overview.cluster).toBe('staging');
    expect(overview.open.total).toBe(other.filter((f) => f.suppression === undefined).length);
    // The default cluster is unchanged.
    expect((await getJson<FindingsPageJson>('/api/findings?status=all')).total).toBe(demo.report.findings.length);
  });

  it('sums up the fleet and compares its clusters (after staging was added above)', async () => {
    const all = await getJson<FleetJson>('/api/fleet?since=7d');
    expect(all.clusters.map((c) => c.cluster)).toEqual(['demo', 'elsewhere', 'staging']);
    expect(all.clusters.find((c) => c.cluster === 'elsewhere')).toMatchObject({ open: { total: 0 }, alerts: { total: 1 } });
    const fleet = await getJson<FleetJson>('/api/fleet?since=7d&clusters=demo,staging');
    expect(fleet.clusters.map((c) => c.cluster)).toEqual(['demo', 'staging']);
    expect(fleet.since).toBe('2026-02-23T10:00:00.000Z');
    const staging = fleet.clusters.find((c) => c.cluster === 'staging');
    const stagingOpen = demo.report.findings.filter((f) => f.resource.namespace === 'data' && f.suppression === undefined).length;
    expect(staging?.open.total).toBe(stagingOpen);
    const cmp = await getJson<ComparisonJson>('/api/fleet/compare?clusters=demo,staging');
    // staging holds the demo's data namespace only: its findings are common, every other open one is drift.
    expect(cmp.common).toBe(stagingOpen);
    expect(cmp.drift.total).toBe((fleet.clusters.find((c) => c.cluster === 'demo')?.open.total ?? 0) - stagingOpen);
    expect(cmp.drift.findings.every((d) => d.placement.demo === 'open' && d.placement.staging !== 'open')).toBe(true);
    const bad = async (url: string, text: string): Promise<void> => {
      const res = await app.inject({ method: 'GET', url, headers: { host: '127.0.0.1:9465' } });
      expect(res.statusCode, url).toBe(400);
      expect(res.json<{ error: string }>().error).toContain(text);
    };
    await bad('/api/fleet/compare?clusters=demo', 'at least 2 clusters');
    await bad('/api/fleet?clusters=demo,nope', 'unknown cluster "nope"');
    await bad('/api/fleet?since=soon', 'neither a duration nor a time');
  });
});

describe('suppressing from the dashboard', () => {
  it('writes an exception with a reason and expiry that the API and `vigil scan --exceptions-store` honour', async () => {
    const target = demo.report.findings.find((f) => f.checkId === 'images/latest-tag' && f.resource.name === 'redis');
    expect(target?.suppression).toBeUndefined();
    const fp = target?.fingerprint ?? '';
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      app.inject({
        method: 'POST',
        url: `/api/findings/${fp}/suppress`,
        headers: { host: '127.0.0.1:9465', 'content-type': 'application/json', ...headers },
        payload: JSON.stringify(body),
      });

    expect((await post({ expires: '2026-12-31' })).statusCode).toBe(400);
    expect((await post({ reason: 'x', expires: '2026-01-01' })).json<{ error: string }>().error).toMatch(/in the past/);
    expect((await post({ reason: 'x', expires: '2026-02-30' })).statusCode).toBe(400);
    // A write from another origin is refused (cross-site request forgery).
    expect((await post({ reason: 'x' }, { origin: 'http://evil.example' })).statusCode).toBe(403);

    const created = await post({ reason: 'cache image is rebuilt nightly', expires: '2026-12-31', owner: 'data-team' });
    expect(created.statusCode).toBe(201);
    const exception = created.json<ExceptionJson>();
    expect(exception).toMatchObject({ check: 'images/latest-tag', namespace: 'data', kind: 'Deployment', name: 'redis' });

    const suppressed = await getJson<FindingsPageJson>('/api/findings?status=suppressed');
    const row = suppressed.findings.find((f) => f.fingerprint === fp);
    expect(row?.suppression).toMatchObject({ reason: 'cache image is rebuilt nightly', expires: '2026-12-31' });
    const open = await getJson<FindingsPageJson>('/api/findings');
    expect(open.findings.some((f) => f.fingerprint === fp)).toBe(false);

    const yaml = await app.inject({ url: '/api/exceptions.yaml', headers: { host: 'localhost' } });
    expect(yaml.body).toContain('reason: cache image is rebuilt nightly');

    // The same exception in a plain scan (CI), read from the store.
    const scanned = await cli(['scan', DEMO, '--config', join(DEMO, '.vigil.yaml'), '--format', 'json', '--exceptions-store', demo.file]);
    const json = JSON.parse(scanned.stdout) as { findings: { fingerprint: string; suppression?: { reason: string; source: string } }[] };
    const inScan = json.findings.find((f) => f.fingerprint === fp);
    expect(inScan?.suppression).toMatchObject({
      reason: 'cache image is rebuilt nightly',
      source: `vigil store exception #${exception.id}`,
    });
    const without = await cli(['scan', DEMO, '--config', join(DEMO, '.vigil.yaml'), '--format', 'json']);
    expect((JSON.parse(without.stdout) as typeof json).findings.find((f) => f.fingerprint === fp)?.suppression).toBeUndefined();
    const missing = await cli(['scan', DEMO, '--exceptions-store', join(demo.dir, 'nope.db')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such store/);

    const removed = await app.inject({ method: 'DELETE', url: `/api/exceptions/${exception.id}`, headers: { host: 'localhost' } });
    expect(removed.statusCode).toBe(204);
    expect((await getJson<FindingsPageJson>('/api/findings')).findings.some((f) => f.fingerprint === fp)).toBe(true);
  });
});

describe('request guard', () => {
  it('answers only to loopback Host names when it listens on loopback (DNS rebinding)', async () => {
    const res = await app.inject({ url: '/api/meta', headers: { host: 'attacker.example:9465' } });
    expect(res.statusCode).toBe(403);
    for (const host of ['localhost:1', '127.0.0.1', '[::1]:9465']) {
      expect((await app.inject({ url: '/api/meta', headers: { host } })).statusCode).toBe(200);
    }
  });

  it('requires the bearer token when one is set, and accepts only JSON writes', async () => {
    const guarded = buildDashboardApp({ store: demo.store, mode: 'store', cluster: 'demo', token: 's3cret-token', loopbackOnly: false });
    try {
      const none = await guarded.inject({ url: '/api/meta', headers: { host: 'vigil.example' } });
      expect(none.statusCode).toBe(401);
      expect(none.headers['www-authenticate']).toBe('Bearer');
      const wrong = await guarded.inject({ url: '/api/meta', headers: { authorization: 'Bearer nope' } });
      expect(wrong.statusCode).toBe(401);
      const ok = await guarded.inject({ url: '/api/meta', headers: { authorization: 'Bearer s3cret-token' } });
      expect(ok.statusCode).toBe(200);
      const form = await guarded.inject({
        method: 'POST',
        url: '/api/findings/x/suppress',
        headers: { authorization: 'Bearer s3cret-token', 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'reason=x',
      });
      expect(form.statusCode).toBe(415);
      // The page itself carries no data and loads without the token; it then asks for one.
      const page = await guarded.inject({ url: '/' });
      expect([200, 503]).toContain(page.statusCode);
    } finally {
      await guarded.close();
    }
  });

  it('serves the front end with a strict Content-Security-Policy', async () => {
    const page = await app.inject({ url: '/', headers: { host: 'localhost' } });
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    if (page.statusCode === 200) {
      expect(page.body).toContain('<script type="module" src="/assets/app.js">');
      const js = await app.inject({ url: '/assets/app.js', headers: { host: 'localhost' } });
      expect(js.statusCode).toBe(200);
      expect(js.headers['content-type']).toMatch(/javascript/);
    }
    expect((await app.inject({ url: '/assets/../../package.json', headers: { host: 'localhost' } })).statusCode).toBe(404);
  });
});
