import { describe, expect, it } from 'vitest';

import { findingsOf } from '../../test-support/check-harness.js';
import { netpol, workload } from '../test-support/objects.js';
import check from './check.js';

const redis = workload(
  'Deployment',
  'shop/cache',
  { app: 'redis-cart' },
  { containers: [{ name: 'redis', image: 'redis:7', ports: [{ name: 'redis', containerPort: 6379 }] }] },
);
const deny = netpol('shop/deny', { podSelector: {} });

describe('network/external-ingress-to-sensitive', () => {
  it('reports an unisolated data store', () => {
    expect(findingsOf(check, [redis]).map((f) => [f.severity, f.message])).toEqual([
      [
        'high',
        'Sensitive workload Deployment "cache" (app=redis-cart) is not isolated for ingress: every address that can route to the pod network can connect on every port.',
      ],
    ]);
  });

  it('lists each address rule with its ports and policy, high when the internet is admitted', () => {
    const policy = netpol('shop/redis', {
      podSelector: { matchLabels: { app: 'redis-cart' } },
      ingress: [
        { from: [{ podSelector: { matchLabels: { app: 'cart' } } }] },
        { from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }], ports: [{ port: 'redis' }] },
      ],
    });
    expect(findingsOf(check, [redis, policy]).map((f) => [f.severity, f.message])).toEqual([
      [
        'high',
        'Sensitive workload Deployment "cache" (app=redis-cart) accepts connections from outside the cluster: 0.0.0.0/0 except 10.0.0.0/8 on TCP 6379 (NetworkPolicy redis, spec.ingress[1]).',
      ],
    ]);
  });

  it('is medium when only private ranges are admitted', () => {
    const policy = netpol('shop/redis', {
      podSelector: {},
      ingress: [{ from: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [{ port: 6379 }] }],
    });
    expect(findingsOf(check, [redis, policy]).map((f) => f.severity)).toEqual(['medium']);
  });

  it('is high for a rule without from, and skips rules whose named port the pod lacks', () => {
    const policy = netpol('shop/redis', { podSelector: {}, ingress: [{ ports: [{ port: 'metrics' }] }, { ports: [{ port: 6379 }] }] });
    const findings = findingsOf(check, [redis, policy]);
    expect(findings.map((f) => f.severity)).toEqual(['high']);
    expect(findings[0]?.message).toContain('every address (the rule has no `from`) on TCP 6379 (NetworkPolicy redis, spec.ingress[1])');
    expect(findings[0]?.message).not.toContain('spec.ingress[0]');
  });

  it.each([
    ['a pod-only allow list', [redis, deny, netpol('shop/r', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })]],
    ['a workload that is not a data store', [workload('Deployment', 'shop/web', { app: 'web' })]],
    ['a data store labelled not sensitive', [workload('Deployment', 'shop/cache', { app: 'redis', 'vigil.dev/sensitive': 'false' })]],
  ])('does not report %s', (_name, objects) => {
    expect(findingsOf(check, objects)).toEqual([]);
  });

  it('recognises data stores by image and by the vigil.dev/sensitive label, and takes names from its options', () => {
    const byImage = workload(
      'StatefulSet',
      'shop/orders',
      { app: 'orders' },
      { containers: [{ name: 'db', image: 'docker.io/bitnami/postgresql:16' }] },
    );
    const byLabel = workload('Deployment', 'shop/ledger', { app: 'ledger', 'vigil.dev/sensitive': 'true' });
    const custom = workload('Deployment', 'shop/vaultish', { app: 'secrets-keeper' });
    expect(findingsOf(check, [byImage, byLabel, custom]).map((f) => f.resource.name)).toEqual(['ledger', 'orders']);
    expect(findingsOf(check, [custom], { names: ['keeper'], labelKeys: ['app'], images: false }).map((f) => f.resource.name)).toEqual([
      'vaultish',
    ]);
  });
});
