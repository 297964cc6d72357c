import { describe, expect, it } from 'vitest';

import { findingsOf, object } from '../../test-support/check-harness.js';
import check from './check.js';

const ns = (name: string) => object('v1', 'Namespace', name);

describe('resources/namespace-quota', () => {
  it('reports a missing ResourceQuota and LimitRange separately', () => {
    const quota = object('v1', 'ResourceQuota', 'q', { spec: { hard: { pods: '10' } } }, { namespace: 'a' });
    expect(
      findingsOf(check, [ns('a'), ns('b'), quota])
        .map((f) => `${f.resource.name}: ${f.message.split(';')[0] ?? ''}`)
        .sort(),
    ).toEqual(['a: Namespace "a" has no LimitRange', 'b: Namespace "b" has no LimitRange', 'b: Namespace "b" has no ResourceQuota']);
  });

  it('skips system namespaces', () => {
    expect(findingsOf(check, [ns('kube-system')])).toEqual([]);
    expect(findingsOf(check, [ns('monitoring')], { systemNamespaces: ['monitoring'] })).toEqual([]);
  });
});
