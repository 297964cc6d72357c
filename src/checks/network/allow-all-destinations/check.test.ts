import { describe, expect, it } from 'vitest';

import { findingsOf } from '../../test-support/check-harness.js';
import { netpol } from '../test-support/objects.js';
import check from './check.js';

describe('network/allow-all-destinations', () => {
  it.each([
    ['egress: [{}]', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] }, [['/spec/egress/0', 'medium']]],
    ['DNS to anywhere', { podSelector: {}, egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }] }, [['/spec/egress/0', 'low']]],
    ['namespaceSelector: {}', { podSelector: {}, egress: [{ to: [{ namespaceSelector: {} }] }] }, [['/spec/egress/0/to/0', 'low']]],
    ['0.0.0.0/0 is left to egress-to-internet', { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] }, []],
    ['listed destinations', { podSelector: {}, egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }] }, []],
    ['ingress rules are not its business', { podSelector: {}, ingress: [{}] }, []],
  ])('%s', (_name, spec, expected) => {
    expect(findingsOf(check, [netpol('shop/p', spec)]).map((f) => [f.location.pointer, f.severity])).toEqual(expected);
  });

  it('says what the rule allows, plainly', () => {
    const [finding] = findingsOf(check, [
      netpol('shop/p', { podSelector: {}, egress: [{ ports: [{ protocol: 'UDP', port: 53 }, { port: 53 }] }] }),
    ]);
    expect(finding?.message).toBe(
      'Rule spec.egress[0] of NetworkPolicy "p" has no `to`: the pods it selects can connect to every pod of every namespace and every address outside the cluster on TCP 53; UDP 53.',
    );
  });
});
