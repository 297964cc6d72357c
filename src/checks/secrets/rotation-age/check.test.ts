import { describe, expect, it } from 'vitest';

import { findingsOf, object } from '../../test-support/check-harness.js';
import check from './check.js';

const NOW = '2026-03-01T00:00:00Z';
const options = (extra: Record<string, unknown> = {}) => ({ maxAgeDays: 90, now: NOW, ...extra });
const secret = (metadata: Record<string, unknown>, type = 'Opaque') =>
  object('v1', 'Secret', 'db', { type }, { namespace: 'shop', ...metadata });

describe('secrets/rotation-age', () => {
  it('reports a Secret created longer ago than the rotation age', () => {
    const findings = findingsOf(check, [secret({ creationTimestamp: '2025-06-01T00:00:00Z' })], options());
    expect(findings.map((f) => f.message)).toEqual([
      'Secret "db" was last written 273 days ago (2025-06-01, from creationTimestamp), more than the 90-day rotation age; rotate the credential.',
    ]);
  });

  it('measures from the last write of data recorded in managedFields', () => {
    const managedFields = [
      { manager: 'kubectl', operation: 'Update', time: '2025-01-01T00:00:00Z', fieldsV1: { 'f:data': {} } },
      { manager: 'eso', operation: 'Update', time: '2026-02-10T00:00:00Z', fieldsV1: { 'f:data': { 'f:password': {} } } },
      { manager: 'kubectl', operation: 'Update', time: '2026-02-28T00:00:00Z', fieldsV1: { 'f:metadata': { 'f:labels': {} } } },
    ];
    expect(findingsOf(check, [secret({ creationTimestamp: '2024-01-01T00:00:00Z', managedFields })], options())).toEqual([]);
    const onlyLabels = [managedFields[2]];
    expect(findingsOf(check, [secret({ creationTimestamp: '2024-01-01T00:00:00Z', managedFields: onlyLabels })], options())).toHaveLength(
      1,
    );
  });

  it('honours maxAgeDays, and skips managed types and manifests without timestamps', () => {
    const created = { creationTimestamp: '2026-01-01T00:00:00Z' };
    expect(findingsOf(check, [secret(created)], options())).toEqual([]);
    expect(findingsOf(check, [secret(created)], options({ maxAgeDays: 30 }))).toHaveLength(1);
    expect(
      findingsOf(check, [secret({ creationTimestamp: '2020-01-01T00:00:00Z' }, 'kubernetes.io/service-account-token')], options()),
    ).toEqual([]);
    expect(findingsOf(check, [secret({})], options())).toEqual([]);
  });

  it('rejects a malformed time in its options', () => {
    expect(check.options?.safeParse({ now: 'yesterday' }).success).toBe(false);
  });
});
