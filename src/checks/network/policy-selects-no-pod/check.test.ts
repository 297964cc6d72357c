import { describe, expect, it } from 'vitest';

import { findingsOf } from '../../test-support/check-harness.js';
import { netpol, workload } from '../test-support/objects.js';
import check from './check.js';

const api = workload('Deployment', 'shop/api', { app: 'api', tier: 'backend' });

describe('network/policy-selects-no-pod', () => {
  it.each([
    ['a label typo', [api, netpol('shop/p', { podSelector: { matchLabels: { app: 'apl' } } })], 'app=apl'],
    [
      'an expression nothing satisfies',
      [api, netpol('shop/p', { podSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['backend'] }] } })],
      'tier notin (backend)',
    ],
    [
      'labels from another namespace',
      [api, workload('Deployment', 'shop/web', { app: 'web' }), netpol('shop/p', { podSelector: { matchLabels: { app: 'db' } } })],
      'app=db',
    ],
  ])('reports %s', (_name, objects, selector) => {
    const findings = findingsOf(check, objects);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toContain(`matching ${selector}.`);
    expect(findings[0]?.location.pointer).toBe('/spec/podSelector');
  });

  it.each([
    ['a matching selector', [api, netpol('shop/p', { podSelector: { matchLabels: { app: 'api' } } })]],
    ['podSelector {}', [api, netpol('shop/p', { podSelector: {} })]],
    ['no workloads of the namespace in the input', [netpol('shop/p', { podSelector: { matchLabels: { app: 'api' } } })]],
    ['an invalid policy (reported elsewhere)', [api, netpol('shop/p', { podSelector: { matchLabels: { app: 'a b' } } })]],
  ])('does not report %s', (_name, objects) => {
    expect(findingsOf(check, objects)).toEqual([]);
  });
});
