import { describe, expect, it } from 'vitest';

import { findingsOf } from '../../test-support/check-harness.js';
import { netpol } from '../test-support/objects.js';
import check from './check.js';

describe('network/invalid-policy', () => {
  it.each([
    ['an empty peer', { podSelector: {}, ingress: [{ from: [{}] }] }, '/spec/ingress/0/from/0', 'medium'],
    [
      'ipBlock with a selector',
      { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' }, namespaceSelector: {} }] }] },
      '/spec/egress/0/to/0',
      'medium',
    ],
    [
      'endPort below port',
      { podSelector: {}, ingress: [{ ports: [{ port: 9000, endPort: 8000 }] }] },
      '/spec/ingress/0/ports/0/endPort',
      'medium',
    ],
    ['a quoted port number', { podSelector: {}, ingress: [{ ports: [{ port: '443' }] }] }, '/spec/ingress/0/ports/0/port', 'medium'],
    [
      'host bits in a CIDR',
      { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.1.2.3/8' } }] }] },
      '/spec/egress/0/to/0/ipBlock/cidr',
      'low',
    ],
    ['ingress rules under policyTypes [Egress]', { podSelector: {}, policyTypes: ['Egress'], ingress: [{}] }, '/spec/ingress', 'low'],
  ])('reports %s at the field', (_name, spec, pointer, severity) => {
    const findings = findingsOf(check, [netpol('shop/p', spec)]);
    expect(findings.map((f) => [f.location.pointer, f.severity])).toEqual([[pointer, severity]]);
  });

  it('reports nothing for a valid policy', () => {
    expect(
      findingsOf(check, [
        netpol('shop/p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 'http' }] }] }),
      ]),
    ).toEqual([]);
  });
});
