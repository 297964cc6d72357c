import { describe, expect, it } from 'vitest';

import { findingsOf } from '../../test-support/check-harness.js';
import { netpol } from '../test-support/objects.js';
import check from './check.js';

describe('network/egress-to-internet', () => {
  it.each([
    ['0.0.0.0/0', [{ ipBlock: { cidr: '0.0.0.0/0' } }], ['every IPv4 address (0.0.0.0/0) on every port.']],
    [
      '0.0.0.0/0 except private ranges',
      [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }],
      ['every IPv4 address (0.0.0.0/0 except 10.0.0.0/8) on every port.'],
    ],
    ['::/0 next to a pod selector', [{ podSelector: {} }, { ipBlock: { cidr: '::/0' } }], ['every IPv6 address (::/0) on every port.']],
    ['a specific CIDR', [{ ipBlock: { cidr: '203.0.113.0/24' } }], []],
    ['1.0.0.0/1 is not /0', [{ ipBlock: { cidr: '0.0.0.0/1' } }], []],
  ])('%s', (_name, to, expected) => {
    const findings = findingsOf(check, [netpol('shop/p', { podSelector: {}, egress: [{ to }] })]);
    expect(findings.map((f) => f.message.slice(f.message.indexOf('every')))).toEqual(expected);
  });

  it('ignores ipBlocks of ingress rules', () => {
    expect(findingsOf(check, [netpol('shop/p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] })])).toEqual(
      [],
    );
  });
});
