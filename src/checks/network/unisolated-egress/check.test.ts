import { describe, expect, it } from 'vitest';

import { findingsOf } from '../../test-support/check-harness.js';
import { netpol, workload } from '../test-support/objects.js';
import check from './check.js';

const web = workload('Deployment', 'shop/web', { app: 'web' });

describe('network/unisolated-egress', () => {
  it.each([
    ['no policy', [web], 1],
    ['podSelector {} alone isolates ingress only', [web, netpol('shop/deny', { podSelector: {} })], 1],
    ['egress: [] without policyTypes is still ingress-only', [web, netpol('shop/deny', { podSelector: {}, egress: [] })], 1],
    ['policyTypes Egress', [web, netpol('shop/deny', { podSelector: {}, policyTypes: ['Egress'] })], 0],
    [
      'egress rules without policyTypes',
      [web, netpol('shop/dns', { podSelector: {}, egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }] })],
      0,
    ],
  ])('%s', (_name, objects, count) => {
    const findings = findingsOf(check, objects);
    expect(findings).toHaveLength(count);
    for (const f of findings) expect(f.message).toMatch(/^Deployment "web" is not isolated for egress/);
  });
});
