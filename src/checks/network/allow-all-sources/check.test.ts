import { describe, expect, it } from 'vitest';

import { findingsOf } from '../../test-support/check-harness.js';
import { netpol } from '../test-support/objects.js';
import check from './check.js';

describe('network/allow-all-sources', () => {
  it.each([
    ['ingress: [{}]', { podSelector: {}, ingress: [{}] }, [['/spec/ingress/0', 'high', 'has no `from`']]],
    [
      'from: [] with ports',
      { podSelector: {}, ingress: [{ from: [], ports: [{ port: 443 }] }] },
      [['/spec/ingress/0', 'medium', 'on TCP 443.']],
    ],
    [
      'namespaceSelector: {}',
      { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] },
      [['/spec/ingress/0/from/0', 'medium', 'every pod of every namespace']],
    ],
    [
      'namespaceSelector: {} and podSelector: {}',
      { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {}, podSelector: {} }] }] },
      [['/spec/ingress/0/from/0', 'medium', 'podSelector: {}']],
    ],
    [
      '::/0',
      { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '::/0' } }], ports: [{ port: 'https' }] }] },
      [['/spec/ingress/0/from/0/ipBlock', 'medium', 'every IPv6 address (::/0) on the port named https']],
    ],
  ])('reports %s', (_name, spec, expected) => {
    const findings = findingsOf(check, [netpol('shop/p', spec)]);
    expect(
      findings.map((f) => [f.location.pointer, f.severity, expected.find(([, , text]) => f.message.includes(text as string))?.[2]]),
    ).toEqual(expected);
  });

  it.each([
    [
      'a namespace selected by name',
      { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'x' } } }] }] },
    ],
    [
      'every namespace, but only some pods',
      { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'prometheus' } } }] }] },
    ],
    ['podSelector: {} (its own namespace only)', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] }],
    ['a CIDR', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24' } }] }] }],
    ['an egress rule without to', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] }],
  ])('does not report %s', (_name, spec) => {
    expect(findingsOf(check, [netpol('shop/p', spec)])).toEqual([]);
  });
});
