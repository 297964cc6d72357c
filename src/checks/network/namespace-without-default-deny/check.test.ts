import { describe, expect, it } from 'vitest';

import { findingsOf } from '../../test-support/check-harness.js';
import { namespaceObject, netpol, workload } from '../test-support/objects.js';
import check from './check.js';

const web = workload('Deployment', 'shop/web', { app: 'web' });
const denyAll = netpol('shop/deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });

describe('network/namespace-without-default-deny', () => {
  it.each([
    ['no policy', [web], ['both']],
    ['ingress default deny only', [web, netpol('shop/deny', { podSelector: {} })], ['egress']],
    ['egress default deny only', [web, netpol('shop/deny', { podSelector: {}, policyTypes: ['Egress'] })], ['ingress']],
    ['both', [web, denyAll], []],
    [
      'two policies, one per direction',
      [
        web,
        netpol('shop/in', { podSelector: {} }),
        netpol('shop/out', { podSelector: {}, egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] }),
      ],
      [],
    ],
    [
      'a selective policy is not a default deny',
      [web, netpol('shop/web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress', 'Egress'] })],
      ['both'],
    ],
    [
      'podSelector {} that allows everything is not a deny',
      [web, netpol('shop/open', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] })],
      ['both'],
    ],
    ['a namespace without workloads', [namespaceObject('empty')], []],
    ['kube-system is skipped by default', [workload('Deployment', 'kube-system/coredns', { k8s: 'dns' })], []],
  ])('%s', (_name, objects, expected) => {
    const findings = findingsOf(check, objects);
    const kind = (m: string): string =>
      m.includes('no default-deny NetworkPolicy') ? 'both' : m.includes('ingress') ? 'ingress' : 'egress';
    expect(findings.map((f) => kind(f.message))).toEqual(expected);
  });

  it('reports on the Namespace object when there is one, and by name otherwise', () => {
    expect(findingsOf(check, [namespaceObject('shop'), web])[0]?.resource).toEqual({ apiVersion: 'v1', kind: 'Namespace', name: 'shop' });
    expect(findingsOf(check, [web])[0]?.resource).toEqual({ apiVersion: 'v1', kind: 'Namespace', name: 'shop' });
  });

  it('takes the namespaces to skip from its options', () => {
    const sys = workload('Deployment', 'kube-system/coredns', { k8s: 'dns' });
    expect(findingsOf(check, [sys, web], { ignoreNamespaces: ['shop'] }).map((f) => f.resource.name)).toEqual(['kube-system']);
  });
});
