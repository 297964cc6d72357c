import { describe, expect, it } from 'vitest';

import { findingsOf, findingsOfYaml } from '../../test-support/check-harness.js';
import { netpol, workload } from '../test-support/objects.js';
import check from './check.js';

const web = workload('Deployment', 'shop/web', { app: 'web' });

describe('network/unisolated-ingress', () => {
  it.each([
    ['no policy in the namespace', [web], ['noPolicies']],
    ['a policy for other pods', [web, netpol('shop/api', { podSelector: { matchLabels: { app: 'api' } } })], ['notSelected']],
    ['a policy in another namespace', [web, netpol('other/all', { podSelector: {} })], ['noPolicies']],
    ['an egress-only policy', [web, netpol('shop/eg', { podSelector: {}, policyTypes: ['Egress'] })], ['notSelected']],
    ['a default deny', [web, netpol('shop/deny', { podSelector: {} })], []],
    ['a policy selecting the labels', [web, netpol('shop/web', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{}] })], []],
    ['a hostNetwork workload', [workload('DaemonSet', 'shop/agent', { app: 'a' }, { hostNetwork: true })], []],
  ])('%s', (_name, objects, expected) => {
    expect(findingsOf(check, objects).map((f) => (f.message.includes('has no NetworkPolicy') ? 'noPolicies' : 'notSelected'))).toEqual(
      expected,
    );
  });

  it('reports a workload once, at its pod template metadata, with the line', () => {
    const findings = findingsOfYaml(
      check,
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers: [{ name: web, image: web:1 }]
`,
    );
    expect(findings.map((f) => [f.resource.kind, f.resource.name, f.location.path, f.location.line])).toEqual([
      ['Deployment', 'web', 'spec.template.metadata', 8],
    ]);
  });

  it('reports Pods that belong to a workload in the input on the workload', () => {
    const pod = {
      ...workload('Pod', 'shop/web-1', { app: 'web' }),
      metadata: {
        name: 'web-1',
        namespace: 'shop',
        labels: { app: 'web' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', controller: true }],
      },
    };
    const findings = findingsOf(check, [web, pod, { ...pod, metadata: { ...pod.metadata, name: 'web-2' } }]);
    expect(findings.map((f) => `${f.resource.kind}/${f.resource.name}`)).toEqual(['Deployment/web']);
  });
});
