import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { fingerprintOf, type Finding } from '../core/finding.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { MemoryAlertSink } from '../testing/memory-alert-sink.js';
import { buildDigest, DigestScheduler, nextDigestTime, parseDigestTime } from './digest.js';
import { alertable, alertOfFinding, deliver } from './finding-alerts.js';

function finding(name: string, severity: Finding['severity']): Finding {
  const resource = { apiVersion: 'v1', kind: 'Pod', namespace: 'a', name };
  return {
    checkId: 'images/latest-tag',
    messageId: 'latest',
    severity,
    area: 'images',
    title: 'Latest tag',
    message: `${name} uses latest`,
    resource,
    location: { path: 'spec', pointer: '/spec' },
    remediation: 'r',
    frameworks: {},
    fingerprint: fingerprintOf('images/latest-tag', resource, '/spec'),
  };
}

describe('digest timing', () => {
  it('parses HH:MM and finds the next occurrence in UTC', () => {
    expect(parseDigestTime('08:30')).toEqual({ hour: 8, minute: 30 });
    expect(() => parseDigestTime('8:30')).toThrow(/HH:MM/);
    expect(nextDigestTime(new Date('2026-05-01T07:00:00Z'), { hour: 8, minute: 30 }).toISOString()).toBe('2026-05-01T08:30:00.000Z');
    expect(nextDigestTime(new Date('2026-05-01T08:30:00Z'), { hour: 8, minute: 30 }).toISOString()).toBe('2026-05-02T08:30:00.000Z');
    expect(nextDigestTime(new Date('2026-12-31T23:59:00Z'), { hour: 0, minute: 0 }).toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });
});

describe('digest content', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-digest-'));
    store = await openStore(undefined, { dataDir: dir });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('summarizes open findings and the last 24 hours, at the worst open severity', async () => {
    await store.recordFindings({
      cluster: 'c',
      at: '2026-05-01T00:00:00Z',
      present: [finding('x', 'high'), finding('y', 'low')],
      complete: true,
    });
    await store.recordFindings({
      cluster: 'c',
      at: '2026-05-02T06:00:00Z',
      present: [finding('x', 'high'), finding('z', 'critical')],
      complete: true,
    });
    const digest = await buildDigest(store, 'c', new Date('2026-05-02T08:00:00Z'));
    expect(digest).toMatchObject({ id: 'digest:c:2026-05-02', rule: 'vigil/daily-digest', severity: 'critical' });
    expect(digest.output).toBe('Open: 1 critical, 1 high. Last 24 h: 1 new, 0 reopened, 1 resolved.');
    expect(digest.fields).toMatchObject({ open_critical: 1, open_high: 1, opened_24h: 1, resolved_24h: 1 });
  });

  it('is sent through the sinks and stored once', async () => {
    const sink = new MemoryAlertSink();
    const failing = new MemoryAlertSink('down');
    failing.failing = true;
    const failures: string[] = [];
    const scheduler = new DigestScheduler({
      at: { hour: 8, minute: 0 },
      store,
      cluster: 'c',
      sinks: [failing, sink],
      onFailure: (name) => failures.push(name),
      now: () => new Date('2026-05-02T08:00:00Z'),
    });
    const digest = await scheduler.sendNow();
    expect(digest.severity).toBe('info');
    expect(sink.alerts).toEqual([digest]);
    expect(failures).toEqual(['down']);
    expect((await store.alerts()).map((a) => a.alert.id)).toEqual(['digest:c:2026-05-02']);
  });
});

describe('finding alerts', () => {
  it('alerts at or above the threshold, never on suppressed findings, with stable ids', () => {
    const suppressed = { ...finding('s', 'critical'), suppression: { kind: 'config' as const, reason: 'r', source: 's' } };
    expect(alertable([finding('a', 'medium'), finding('b', 'high'), suppressed], 'high').map((f) => f.resource.name)).toEqual(['b']);
    const a = alertOfFinding(finding('b', 'high'), 'reopened', '2026-01-01T00:00:00.000Z', 'prod');
    expect(a).toEqual(alertOfFinding(finding('b', 'high'), 'reopened', '2026-01-01T00:00:00.000Z', 'prod'));
    expect(a).toMatchObject({
      rule: 'images/latest-tag',
      source: 'finding',
      severity: 'high',
      cluster: 'prod',
      fields: { transition: 'reopened' },
    });
    expect(a.title).toBe('Reopened: Latest tag (Pod a/b)');
  });

  it('delivers to every sink even when one fails', async () => {
    const ok = new MemoryAlertSink('ok');
    const bad = new MemoryAlertSink('bad');
    bad.failing = true;
    const failed: string[] = [];
    await deliver([bad, ok], [alertOfFinding(finding('a', 'high'), 'opened', '2026-01-01T00:00:00Z', 'c')], (name, message) =>
      failed.push(`${name}: ${message}`),
    );
    expect(ok.alerts).toHaveLength(1);
    expect(failed).toEqual(['bad: bad is down']);
  });
});
