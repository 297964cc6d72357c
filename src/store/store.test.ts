import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { freshDatabase, POSTGRES_URL } from '../../test/support/postgres.js';
import { REPO_ROOT } from '../../test/support/shared.js';
import type { Alert } from '../core/alert.js';
import { fingerprintOf, type Finding } from '../core/finding.js';
import type { Severity } from '../core/severity.js';
import { openStore } from './open-store.js';
import { PostgresDriver } from './postgres-driver.js';
import { MIGRATIONS } from './schema.js';
import { SqliteDriver } from './sqlite-driver.js';
import type { AuditEventRecord, Store } from './store.js';

function finding(name: string, severity: Severity = 'high', extra: Partial<Finding> = {}): Finding {
  const resource = { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name };
  return {
    checkId: 'images/latest-tag',
    messageId: 'latest',
    severity,
    area: 'images',
    title: 'Image uses latest',
    message: `Pod ${name} uses latest`,
    resource,
    location: { path: 'spec.containers[0].image', pointer: '/spec/containers/0/image' },
    remediation: 'Pin it.',
    frameworks: {},
    fingerprint: fingerprintOf('images/latest-tag', resource, '/spec/containers/0/image'),
    ...extra,
  };
}

function alert(id: string): Alert {
  return { id, rule: 'images/latest-tag', source: 'finding', severity: 'high', title: 't', output: 'o', time: '2026-01-01T00:00:00.000Z' };
}

const LATEST = MIGRATIONS.at(-1)?.version;

interface Backend {
  readonly name: string;
  readonly available: boolean;
  /** A spec for openStore plus a cleanup. */
  create(): Promise<{ spec: string; dataDir: string; cleanup: () => Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'sqlite',
    available: true,
    create: () => {
      const dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
      return Promise.resolve({
        spec: join(dir, 'vigil.db'),
        dataDir: dir,
        cleanup: () => {
          rmSync(dir, { recursive: true, force: true });
          return Promise.resolve();
        },
      });
    },
  },
  {
    name: 'postgres',
    available: POSTGRES_URL !== undefined,
    create: async () => {
      const db = await freshDatabase();
      return { spec: db.url, dataDir: tmpdir(), cleanup: db.drop };
    },
  },
];

const run = promisify(execFile);

describe.each(backends)('Store on $name', (backend) => {
  let store: Store;
  let spec: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    if (!backend.available) return;
    const created = await backend.create();
    spec = created.spec;
    cleanup = created.cleanup;
    store = await openStore(spec, { dataDir: created.dataDir });
  });
  afterEach(async () => {
    if (!backend.available) return;
    await store.close();
    await cleanup();
  });
  const test = it.runIf(backend.available);

  test('migrates once and again without change', async () => {
    expect(store.kind).toBe(backend.name);
    expect(await store.migrate()).toBe(LATEST);
    expect(await store.migrate()).toBe(LATEST);
  });

  test('migrates safely when several processes start at once', async () => {
    const entry = join(REPO_ROOT, 'dist', 'store', 'open-store.js');
    expect(existsSync(entry), 'run `npm run build` first (npm test does)').toBe(true);
    const script = `const { openStore } = await import(${JSON.stringify(entry)}); const s = await openStore(process.argv[1], { dataDir: '.' }); await s.close();`;
    await Promise.all(Array.from({ length: 4 }, () => run(process.execPath, ['--input-type=module', '-e', script, spec])));
    expect(await store.migrate()).toBe(LATEST);
    await store.recordFindings({ cluster: 'c', at: '2026-01-01T00:00:00Z', present: [finding('a')], complete: true });
    expect(await store.findings({ cluster: 'c' })).toHaveLength(1);
  });

  test('tracks each finding through opened, resolved and reopened', async () => {
    const a = finding('a');
    const b = finding('b', 'critical');
    let t = await store.recordFindings({ cluster: 'prod', at: '2026-01-01T00:00:00Z', present: [a, b], complete: true, runId: 7 });
    expect(t.opened.map((f) => f.resource.name).sort()).toEqual(['a', 'b']);
    t = await store.recordFindings({ cluster: 'prod', at: '2026-01-02T00:00:00Z', present: [a], complete: true });
    expect(t).toMatchObject({ opened: [], reopened: [], seen: 1 });
    expect(t.resolved.map((f) => f.fingerprint)).toEqual([b.fingerprint]);
    t = await store.recordFindings({ cluster: 'prod', at: '2026-01-03T00:00:00Z', present: [a, b], complete: true });
    expect(t.reopened.map((f) => f.fingerprint)).toEqual([b.fingerprint]);

    const [storedB] = (await store.findings({ cluster: 'prod', status: 'all' })).filter((f) => f.fingerprint === b.fingerprint);
    expect(storedB).toMatchObject({
      status: 'open',
      firstSeen: '2026-01-01T00:00:00.000Z',
      lastSeen: '2026-01-03T00:00:00.000Z',
      reopenCount: 1,
      finding: b,
    });
    expect(storedB?.resolvedAt).toBeUndefined();
    const events = await store.findingEvents(b.fingerprint, 'prod');
    expect(events.map((e) => `${e.type}@${e.at.slice(0, 10)}`)).toEqual([
      'opened@2026-01-01',
      'resolved@2026-01-02',
      'reopened@2026-01-03',
    ]);
    expect(events[0]?.runId).toBe(7);
    const [storedA] = (await store.findings({ cluster: 'prod' })).filter((f) => f.fingerprint === a.fingerprint);
    expect(storedA?.lastSeen).toBe('2026-01-03T00:00:00.000Z');
  });

  test('applies incremental changes: present and absent, leaving the rest alone', async () => {
    const [a, b, c] = [finding('a'), finding('b'), finding('c')];
    await store.recordFindings({ cluster: 'k', at: '2026-01-01T00:00:00Z', present: [a, b], complete: true });
    const t = await store.recordFindings({ cluster: 'k', at: '2026-01-01T00:01:00Z', present: [c], absent: [a.fingerprint, 'unknown'] });
    expect(t.opened.map((f) => f.resource.name)).toEqual(['c']);
    expect(t.resolved.map((f) => f.resource.name)).toEqual(['a']);
    const again = await store.recordFindings({ cluster: 'k', at: '2026-01-01T00:02:00Z', present: [], absent: [a.fingerprint] });
    expect(again.resolved).toEqual([]);
    expect((await store.findings({ cluster: 'k' })).map((f) => f.finding.resource.name).sort()).toEqual(['b', 'c']);
    expect((await store.findings({ cluster: 'k', status: 'resolved' })).map((f) => f.resolvedAt)).toEqual(['2026-01-01T00:01:00.000Z']);
  });

  test('keeps clusters apart', async () => {
    await store.recordFindings({ cluster: 'one', at: '2026-01-01T00:00:00Z', present: [finding('a')], complete: true });
    const t = await store.recordFindings({ cluster: 'two', at: '2026-01-01T00:00:00Z', present: [], complete: true });
    expect(t.resolved).toEqual([]);
    expect(await store.findings({ cluster: 'one' })).toHaveLength(1);
  });

  test('counts open findings by severity, leaving suppressed ones out', async () => {
    const suppressed = finding('s', 'critical', {
      suppression: { kind: 'config', reason: 'accepted', source: '.vigil.yaml exceptions[0]' },
    });
    await store.recordFindings({
      cluster: 'c',
      at: '2026-01-01T00:00:00Z',
      present: [finding('a', 'high'), finding('b', 'low'), suppressed],
      complete: true,
    });
    expect(await store.openCounts('c')).toEqual({ critical: 0, high: 1, medium: 0, low: 1, info: 0 });
    expect(await store.transitionsSince('c', '2026-01-01T00:00:00Z')).toEqual({ opened: 3, resolved: 0, reopened: 0 });
    expect(await store.transitionsSince('c', '2026-01-02T00:00:00Z')).toEqual({ opened: 0, resolved: 0, reopened: 0 });
  });

  test('records scan runs', async () => {
    const id = await store.startRun('c', 'sync', '2026-01-01T00:00:00Z');
    await store.finishRun(id, { at: '2026-01-01T00:00:02Z', status: 'ok', objects: 10, findings: 3 });
    const failed = await store.startRun('c', 'resync', '2026-01-01T01:00:00Z');
    await store.finishRun(failed, { at: '2026-01-01T01:00:01Z', status: 'failed', objects: 0, findings: 0, error: 'boom' });
    const runs = await store.runs({ cluster: 'c' });
    expect(runs.map((r) => [r.kind, r.status, r.objects, r.findings, r.error])).toEqual([
      ['resync', 'failed', 0, 0, 'boom'],
      ['sync', 'ok', 10, 3, undefined],
    ]);
    expect(runs[1]).toMatchObject({ id, startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:02.000Z' });
  });

  test('stores each alert once', async () => {
    expect(await store.recordAlerts([alert('x'), alert('y')], '2026-01-01T00:00:00Z')).toBe(2);
    expect(await store.recordAlerts([alert('x')], '2026-01-01T00:00:01Z')).toBe(0);
    const stored = await store.alerts();
    expect(stored.map((s) => s.alert.id)).toEqual(['x', 'y']);
    expect(stored[0]?.alert).toEqual(alert('x'));
  });

  test('keeps each cluster’s alerts apart (a fleet sharing one store)', async () => {
    await store.recordAlerts(
      [
        { ...alert('e1'), cluster: 'east' },
        { ...alert('w1'), cluster: 'west' },
        { ...alert('e2'), cluster: 'east' },
      ],
      '2026-01-01T00:00:00Z',
    );
    await store.recordAlerts([alert('none')], '2026-01-01T00:00:00Z');
    expect((await store.alerts({ cluster: 'east' })).map((s) => s.alert.id)).toEqual(['e1', 'e2']);
    expect((await store.alerts({ cluster: 'west' })).map((s) => s.alert.id)).toEqual(['w1']);
    expect((await store.alerts()).map((s) => s.alert.id).sort()).toEqual(['e1', 'e2', 'none', 'w1']);
  });

  test('lists every cluster it knows of, from runs, findings, alerts and audit events', async () => {
    expect(await store.clusters()).toEqual([]);
    await store.startRun('west', 'sync', '2026-01-01T00:00:00Z');
    await store.recordFindings({ cluster: 'east', at: '2026-01-01T00:00:00Z', present: [finding('a')], complete: true });
    await store.recordAlerts([{ ...alert('n1'), cluster: 'north' }, alert('no-cluster')], '2026-01-01T00:00:00Z');
    await store.recordAuditEvents('audit-only', [
      {
        auditID: 'x',
        stage: 'ResponseComplete',
        time: '2026-01-01T00:00:00Z',
        user: 'alice',
        verb: 'get',
        apiGroup: '',
        resource: 'pods',
        subresource: '',
        namespace: 'shop',
        name: 'web',
        requestURI: '/api/v1/namespaces/shop/pods/web',
        code: 200,
      },
    ]);
    await store.recordFindings({ cluster: 'east', at: '2026-01-02T00:00:00Z', present: [finding('b')], complete: true });
    expect(await store.clusters()).toEqual(['audit-only', 'east', 'north', 'west']);
  });

  test('keeps an outbox: alerts recorded for notification wait until marked, and are never pending again', async () => {
    const at = (s: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
    // Stored by a caller that notifies by itself: notified at once, not in the outbox.
    expect(await store.recordAlerts([{ ...alert('direct'), cluster: 'c' }], at(0))).toBe(1);
    expect(
      await store.recordAlerts(
        [
          { ...alert('a'), cluster: 'c' },
          { ...alert('b'), cluster: 'c' },
        ],
        at(1),
        { outbox: true },
      ),
    ).toBe(2);
    expect(await store.recordAlerts([{ ...alert('other'), cluster: 'd' }], at(2), { outbox: true })).toBe(1);
    const pending = async (query: Parameters<Store['pendingAlerts']>[0] = {}): Promise<string[]> =>
      (await store.pendingAlerts(query)).map((s) => s.alert.id);
    expect(await pending()).toEqual(['a', 'b', 'other']);
    expect(await pending({ cluster: 'c' })).toEqual(['a', 'b']);
    expect(await pending({ ids: ['b', 'direct', 'missing'] })).toEqual(['b']);
    expect(await pending({ ids: [] })).toEqual([]);
    // Pages: after the last of the previous page, in outbox order.
    const [first] = await store.pendingAlerts({ limit: 1 });
    expect(first?.alert.id).toBe('a');
    expect(await pending({ after: { recordedAt: first?.recordedAt ?? '', id: 'a' } })).toEqual(['b', 'other']);

    expect(await store.markNotified(['a', 'direct'], at(5))).toBe(1);
    expect(await store.markNotified(['a'], at(6))).toBe(0);
    expect(await pending({ cluster: 'c' })).toEqual(['b']);
    // Raised again (a re-processed event): kept once, and a notified alert stays notified.
    expect(await store.recordAlerts([{ ...alert('a'), cluster: 'c' }], at(7), { outbox: true })).toBe(0);
    expect(await pending({ cluster: 'c' })).toEqual(['b']);
    const stored = new Map((await store.alerts()).map((s) => [s.alert.id, s]));
    expect(stored.get('a')?.notifiedAt).toBe(at(5));
    expect(stored.get('direct')?.notifiedAt).toBe(at(0));
    expect(stored.get('b')?.notifiedAt).toBeUndefined();
  });

  test('reads a large outbox by ids in slices, in outbox order', async () => {
    const many = Array.from({ length: 250 }, (_, i) => ({ ...alert(`id-${String(i).padStart(3, '0')}`), cluster: 'c' }));
    await store.recordAlerts(many, '2026-01-01T00:00:00Z', { outbox: true });
    const wanted = many.filter((_, i) => i % 2 === 0).map((a) => a.id);
    expect((await store.pendingAlerts({ ids: [...wanted].reverse(), limit: 5000 })).map((s) => s.alert.id)).toEqual(wanted);
    expect(await store.markNotified(wanted, '2026-01-01T00:00:01Z')).toBe(125);
    expect(await store.pendingAlerts({ limit: 5000 })).toHaveLength(125);
  });

  test('migrates a version 3 store to the outbox: the alerts it held count as notified', async () => {
    // A second store on the same database, rolled back to version 3 with an alert in it.
    await store.close();
    const driver = backend.name === 'sqlite' ? new SqliteDriver(spec) : new PostgresDriver(spec);
    await driver.transaction(async (tx) => {
      await tx.run('DROP INDEX vigil_alerts_outbox');
      await tx.run('ALTER TABLE vigil_alerts DROP COLUMN notified_at');
      await tx.run('DELETE FROM vigil_schema_migrations WHERE version >= 4');
      await tx.run(
        "INSERT INTO vigil_alerts (id, rule, source, severity, time, cluster, recorded_at, alert) VALUES ('old', 'r', 'vigil', 'low', 't', 'c', '2025-12-31T00:00:00.000Z', $1)",
        [JSON.stringify({ ...alert('old'), cluster: 'c' })],
      );
    });
    await driver.close();
    store = await openStore(spec, { dataDir: tmpdir() });
    expect(await store.migrate()).toBe(LATEST);
    expect(await store.pendingAlerts()).toEqual([]);
    expect((await store.alerts()).map((s) => [s.alert.id, s.notifiedAt])).toEqual([['old', '2025-12-31T00:00:00.000Z']]);
  });

  test('applies retention to resolved findings, their events, alerts and runs', async () => {
    const [a, b] = [finding('a'), finding('b')];
    await store.recordFindings({ cluster: 'c', at: '2026-01-01T00:00:00Z', present: [a, b], complete: true });
    await store.recordFindings({ cluster: 'c', at: '2026-01-02T00:00:00Z', present: [a], complete: true });
    await store.recordAlerts([alert('old')], '2026-01-01T00:00:00Z');
    await store.recordAlerts([alert('new')], '2026-03-01T00:00:00Z');
    const run1 = await store.startRun('c', 'sync', '2026-01-01T00:00:00Z');
    await store.finishRun(run1, { at: '2026-01-01T00:00:01Z', status: 'ok', objects: 1, findings: 1 });
    const result = await store.applyRetention({ resolvedFindingsDays: 30, alertDays: 30, runDays: 30 }, '2026-03-02T00:00:00Z');
    expect(result).toEqual({ findings: 1, events: 2, alerts: 1, runs: 1, auditEvents: 0 });
    expect((await store.findings({ cluster: 'c', status: 'all' })).map((f) => f.fingerprint)).toEqual([a.fingerprint]);
    expect(await store.findingEvents(b.fingerprint)).toEqual([]);
    expect((await store.alerts()).map((s) => s.alert.id)).toEqual(['new']);
    expect(await store.applyRetention({}, '2026-03-02T00:00:00Z')).toEqual({ findings: 0, events: 0, alerts: 0, runs: 0, auditEvents: 0 });
  });

  test('lists finding events since a time, oldest first', async () => {
    const [a, b] = [finding('a'), finding('b')];
    await store.recordFindings({ cluster: 'c', at: '2026-01-01T00:00:00Z', present: [a], complete: true });
    await store.recordFindings({ cluster: 'c', at: '2026-01-02T00:00:00Z', present: [b], complete: true });
    await store.recordFindings({ cluster: 'other', at: '2026-01-02T00:00:00Z', present: [a], complete: true });
    const since = await store.findingEventsSince('c', '2026-01-01T12:00:00Z');
    expect(since.map((e) => [e.type, e.fingerprint])).toEqual([
      ['opened', b.fingerprint],
      ['resolved', a.fingerprint],
    ]);
  });

  test('keeps exceptions written from the dashboard', async () => {
    const first = await store.addException(
      { check: 'images/latest-tag', namespace: 'shop', kind: 'Pod', name: 'a', reason: 'pinned by CI', expires: '2027-01-01' },
      '2026-01-01T00:00:00Z',
    );
    await store.addException(
      { check: 'rbac/*', reason: 'reviewed', owner: 'sec@example.com', createdBy: 'dashboard' },
      '2026-01-02T00:00:00Z',
    );
    expect(first).toMatchObject({ check: 'images/latest-tag', namespace: 'shop', kind: 'Pod', name: 'a', expires: '2027-01-01' });
    expect(first).not.toHaveProperty('container');
    const all = await store.exceptions();
    expect(all.map((e) => e.check)).toEqual(['images/latest-tag', 'rbac/*']);
    expect(all[1]).toMatchObject({ owner: 'sec@example.com', createdBy: 'dashboard', createdAt: '2026-01-02T00:00:00.000Z' });
    expect(await store.removeException(first.id)).toBe(true);
    expect(await store.removeException(first.id)).toBe(false);
    expect((await store.exceptions()).map((e) => e.check)).toEqual(['rbac/*']);
  });

  test('records audit events once and searches them', async () => {
    const event = (auditID: string, extra: Partial<AuditEventRecord> = {}): AuditEventRecord => ({
      auditID,
      stage: 'ResponseComplete',
      time: '2026-01-01T00:00:00Z',
      user: 'alice',
      verb: 'get',
      apiGroup: '',
      resource: 'secrets',
      subresource: '',
      namespace: 'shop',
      name: 'db',
      requestURI: '/api/v1/namespaces/shop/secrets/db',
      code: 200,
      ...extra,
    });
    const events = [
      event('1'),
      event('2', { user: 'system:serviceaccount:shop:web', time: '2026-01-01T00:01:00Z', code: 403 }),
      event('3', { verb: 'create', resource: 'pods', subresource: 'exec', time: '2026-01-01T00:02:00Z', impersonatedUser: 'bob' }),
      event('4', { namespace: 'data', time: '2026-01-02T00:00:00Z' }),
    ];
    expect(await store.recordAuditEvents('c', events)).toBe(4);
    expect(await store.recordAuditEvents('c', [event('1')])).toBe(0);
    const ids = async (query: Parameters<Store['auditEvents']>[0]): Promise<string[]> =>
      (await store.auditEvents(query)).map((e) => e.auditID);
    expect(await ids({})).toEqual(['4', '3', '2', '1']);
    expect(await ids({ user: 'ALICE' })).toEqual(['4', '3', '1']);
    expect(await ids({ user: 'bob' })).toEqual(['3']);
    expect(await ids({ user: 'system:serviceaccount:*' })).toEqual(['2']);
    expect(await ids({ user: 'al_ce' })).toEqual([]);
    expect(await ids({ code: 403 })).toEqual(['2']);
    expect(await ids({ resource: 'pods/exec', verb: 'create' })).toEqual(['3']);
    expect(await ids({ resource: 'secrets', namespace: 'shop' })).toEqual(['2', '1']);
    expect(await ids({ since: '2026-01-01T00:01:00Z', until: '2026-01-02T00:00:00Z' })).toEqual(['3', '2']);
    expect(await ids({ limit: 1 })).toEqual(['4']);
    const [stored] = await store.auditEvents({ user: 'bob' });
    expect(stored).toMatchObject({ cluster: 'c', impersonatedUser: 'bob', time: '2026-01-01T00:02:00.000Z' });
    expect(await store.applyRetention({ auditEventDays: 1 }, '2026-01-02T12:00:00Z')).toMatchObject({ auditEvents: 3 });
    expect(await ids({})).toEqual(['4']);
  });
});

describe('openStore', () => {
  it('refuses stores it does not know', async () => {
    await expect(openStore('mysql://db/vigil', { dataDir: tmpdir() })).rejects.toThrow(/unsupported store/);
  });

  it('puts the SQLite file under the data directory by default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-data-'));
    try {
      const store = await openStore(undefined, { dataDir: join(dir, 'nested') });
      expect(store.location).toBe(join(dir, 'nested', 'vigil.db'));
      await store.close();
      expect(existsSync(join(dir, 'nested', 'vigil.db'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
