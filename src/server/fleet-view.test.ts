import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Alert } from '../core/alert.js';
import { fingerprintOf, type Finding } from '../core/finding.js';
import type { Severity } from '../core/severity.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { clusterDetailOf, comparisonOf, fleetOf, parseSince } from './fleet-view.js';

const NOW = new Date('2026-03-02T10:00:00Z');

function finding(checkId: string, name: string, severity: Severity, namespace = 'shop'): Finding {
  const resource = { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name };
  const pointer = '/spec/template/spec/containers/0';
  return {
    checkId,
    messageId: 'm',
    severity,
    area: checkId.split('/')[0] as Finding['area'],
    title: `title of ${checkId}`,
    message: `${checkId} on ${name}`,
    resource,
    location: { path: 'spec.template.spec.containers[0]', pointer },
    remediation: 'fix it',
    frameworks: {},
    fingerprint: fingerprintOf(checkId, resource, pointer),
  };
}

function alert(id: string, cluster: string | undefined, severity: Severity): Alert {
  return {
    id,
    rule: 'secret-read',
    source: 'vigil',
    severity,
    title: 't',
    output: `alert ${id}`,
    time: '2026-03-02T09:00:00.000Z',
    ...(cluster === undefined ? {} : { cluster }),
  };
}

describe('fleet view', () => {
  let store: Store;
  const latest = finding('images/latest-tag', 'web', 'medium');
  const privileged = finding('pod-security/baseline-privileged', 'web', 'critical');
  const apiPrivileged = finding('pod-security/baseline-privileged', 'api', 'critical');
  const apiLatest = finding('images/latest-tag', 'api', 'medium');
  const waived = finding('images/no-digest', 'web', 'low');

  beforeEach(async () => {
    store = await openStore(':memory:', { dataDir: '.' });
    // prod: privileged web (open), latest on web and api, no-digest on web waived by an exception.
    const prodRun = await store.startRun('prod', 'sync', '2026-03-01T00:00:00Z');
    await store.recordFindings({
      cluster: 'prod',
      at: '2026-03-01T00:00:00Z',
      present: [latest, privileged, apiLatest, waived],
      complete: true,
      runId: prodRun,
    });
    await store.finishRun(prodRun, { at: '2026-03-01T00:01:00Z', status: 'ok', objects: 10, findings: 4 });
    await store.addException({ check: 'images/no-digest', namespace: 'shop', reason: 'pinned by the registry' }, '2026-03-01T00:00:00Z');
    // staging: privileged web was fixed today, latest still open; api is privileged here only.
    await store.recordFindings({
      cluster: 'staging',
      at: '2026-02-20T00:00:00Z',
      present: [latest, privileged, apiPrivileged],
      complete: true,
    });
    await store.recordFindings({ cluster: 'staging', at: '2026-03-02T08:00:00Z', present: [latest, apiPrivileged], complete: true });
    // dev: knows nothing of api; web has the latest tag.
    await store.recordFindings({ cluster: 'dev', at: '2026-03-02T09:00:00Z', present: [latest], complete: true });
    await store.recordAlerts(
      [alert('p1', 'prod', 'high'), alert('p2', 'prod', 'critical'), alert('x', undefined, 'low')],
      '2026-03-02T09:30:00Z',
    );
    await store.recordAlerts([alert('old', 'prod', 'high')], '2026-02-01T00:00:00Z');
  });
  afterEach(async () => {
    await store.close();
  });

  it('sums up each cluster: score, open by severity, suppressed apart, changes and alerts in the window', async () => {
    const since = parseSince('24h', NOW) as string;
    const fleet = await fleetOf(store, await store.clusters(), since, NOW);
    expect(fleet.clusters.map((c) => c.cluster)).toEqual(['dev', 'prod', 'staging']);
    const prod = fleet.clusters.find((c) => c.cluster === 'prod');
    expect(prod?.open).toEqual({ total: 3, suppressed: 1, bySeverity: { critical: 1, high: 0, medium: 2, low: 0, info: 0 } });
    // 10 objects; web's worst is critical (1), api's worst is medium (0.3): 100 × (1 − 1.3/10).
    expect(prod?.score).toEqual({ value: 87, objects: 10, affected: 2 });
    expect(prod?.lastRun).toMatchObject({ kind: 'sync', status: 'ok', objects: 10 });
    // Opened on 03-01, before the window.
    expect(prod?.changes).toEqual({ opened: 0, reopened: 0, resolved: 0 });
    expect(prod?.alerts.total).toBe(2);
    expect(prod?.alerts.bySeverity).toMatchObject({ critical: 1, high: 1 });
    expect(prod?.topChecks.map((c) => [c.checkId, c.findings])).toEqual([
      ['pod-security/baseline-privileged', 1],
      ['images/latest-tag', 2],
    ]);
    const staging = fleet.clusters.find((c) => c.cluster === 'staging');
    expect(staging?.changes).toEqual({ opened: 0, reopened: 0, resolved: 1 });
    // No finished run: no object count, the score is over the objects the findings name.
    expect(staging?.lastRun).toBeUndefined();
    expect(fleet.alertsWithoutCluster).toBe(1);
  });

  it('compares finding by finding and says why a finding is not open elsewhere', async () => {
    const cmp = await comparisonOf(store, ['prod', 'staging', 'dev'], { since: parseSince('24h', NOW) as string, now: NOW });
    // web's latest tag is open everywhere.
    expect(cmp.common).toBe(1);
    const placement = (f: Finding): Record<string, string> | undefined =>
      cmp.drift.findings.find((d) => d.fingerprint === f.fingerprint)?.placement;
    expect(placement(privileged)).toEqual({ prod: 'open', staging: 'resolved', dev: 'passing' });
    expect(placement(apiPrivileged)).toEqual({ prod: 'passing', staging: 'open', dev: 'unknown' });
    expect(placement(apiLatest)).toEqual({ prod: 'open', staging: 'passing', dev: 'unknown' });
    // Suppressed in prod, never open anywhere: not drift.
    expect(placement(waived)).toBeUndefined();
    expect(cmp.drift.total).toBe(3);
    expect(cmp.drift.bySeverity).toMatchObject({ critical: 2, medium: 1 });
    // Most severe first.
    expect(cmp.drift.findings.map((d) => d.severity)).toEqual(['critical', 'critical', 'medium']);
    const row = (id: string): unknown => cmp.checks.find((c) => c.checkId === id);
    expect(row('pod-security/baseline-privileged')).toMatchObject({ open: { prod: 1, staging: 1, dev: 0 }, differs: true });
    expect(row('images/latest-tag')).toMatchObject({ open: { prod: 2, staging: 1, dev: 1 }, differs: true });
    expect(row('images/no-digest')).toBeUndefined();
  });

  it('counts a finding suppressed in one cluster and open in another as drift', async () => {
    // An annotation waives it on dev's copy of the object; the store's exception (namespace shop) does not cover ops.
    const opsDigest = finding('images/no-digest', 'tool', 'low', 'ops');
    const annotated: Finding = { ...opsDigest, suppression: { kind: 'annotation', reason: 'dev only', source: 'vigil.dev/ignore' } };
    await store.recordFindings({ cluster: 'dev', at: '2026-03-02T09:10:00Z', present: [latest, annotated], complete: true });
    await store.recordFindings({ cluster: 'other', at: '2026-03-02T09:10:00Z', present: [latest, opsDigest], complete: true });
    const cmp = await comparisonOf(store, ['dev', 'other'], { since: '2026-03-01T10:00:00.000Z', now: NOW });
    expect(cmp.drift.findings.map((d) => [d.checkId, d.placement])).toEqual([['images/no-digest', { dev: 'suppressed', other: 'open' }]]);
    expect(cmp.common).toBe(1);
  });

  it('cuts the drift list at the limit but counts all of it', async () => {
    const cmp = await comparisonOf(store, ['prod', 'staging', 'dev'], { since: NOW.toISOString(), now: NOW, limit: 1 });
    expect(cmp.drift.total).toBe(3);
    expect(cmp.drift.findings).toHaveLength(1);
  });

  it('details one cluster: open findings most severe first, alerts newest first', async () => {
    const detail = await clusterDetailOf(store, 'prod', { since: parseSince('7d', NOW) as string, now: NOW, limit: 2 });
    expect(detail.findings.total).toBe(3);
    expect(detail.findings.shown.map((f) => f.checkId)).toEqual(['pod-security/baseline-privileged', 'images/latest-tag']);
    expect(detail.alerts.total).toBe(2);
    expect(detail.alerts.shown.map((a) => a.id)).toEqual(['p2', 'p1']);
  });

  it('reads a window as a duration or a time, and nothing else', () => {
    expect(parseSince('24h', NOW)).toBe('2026-03-01T10:00:00.000Z');
    expect(parseSince('7d', NOW)).toBe('2026-02-23T10:00:00.000Z');
    expect(parseSince('2026-03-01', NOW)).toBe('2026-03-01T00:00:00.000Z');
    expect(parseSince('2026-03-01T12:00:00+01:00', NOW)).toBe('2026-03-01T11:00:00.000Z');
    expect(parseSince('yesterday', NOW)).toBeUndefined();
    expect(parseSince('12', NOW)).toBeUndefined();
  });
});
