import { describe, expect, it } from 'vitest';

import { deployment, findingsOf, object, pod } from '../../test-support/check-harness.js';
import check from './check.js';

const namespace = (name: string, labels: Record<string, string>) => object('v1', 'Namespace', name, {}, { labels });
const plain = {
  containers: [
    { name: 'app', image: 'a:1' },
    { name: 'side', image: 's:1', securityContext: { privileged: true } },
  ],
};

describe('pod-security/enforce-violation', () => {
  it('reports each violated control of a workload at its first field, with the upstream reason and detail', () => {
    const findings = findingsOf(check, [
      namespace('shop', { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'v1.30' }),
      deployment('web', { ...plain, hostPID: true }, { namespace: 'shop' }),
    ]);
    expect(findings.map((f) => [f.location.path, f.message])).toEqual([
      [
        'spec.template.spec.containers[1].securityContext.privileged',
        'Deployment "web" cannot run in namespace "shop": its pods violate PodSecurity "baseline:v1.30": privileged (container "side" must not set securityContext.privileged=true).',
      ],
      [
        'spec.template.spec.hostPID',
        'Deployment "web" cannot run in namespace "shop": its pods violate PodSecurity "baseline:v1.30": host namespaces (hostPID=true).',
      ],
    ]);
  });

  it('follows the namespace’s policy: nothing for privileged or unlabelled namespaces, or for exempt workloads', () => {
    expect(findingsOf(check, [namespace('shop', {}), deployment('web', plain, { namespace: 'shop' })])).toEqual([]);
    const config = object('pod-security.admission.config.k8s.io/v1', 'PodSecurityConfiguration', 'c', {
      exemptions: { runtimeClasses: ['kata'], usernames: ['system:serviceaccount:kube-system:replicaset-controller'] },
    });
    const enforced = namespace('shop', { 'pod-security.kubernetes.io/enforce': 'restricted' });
    expect(findingsOf(check, [config, enforced, deployment('web', plain, { namespace: 'shop' })])).toEqual([]);
    const sandboxed = pod('p', { ...plain, runtimeClassName: 'kata' }, { namespace: 'shop' });
    expect(findingsOf(check, [config, enforced, sandboxed])).toEqual([]);
    expect(findingsOf(check, [config, enforced, pod('p', plain, { namespace: 'shop' })]).length).toBeGreaterThan(0);
  });

  it('uses configured defaults for unlabelled and implied namespaces', () => {
    const config = object('pod-security.admission.config.k8s.io/v1', 'PodSecurityConfiguration', 'c', {
      defaults: { enforce: 'baseline' },
    });
    const findings = findingsOf(check, [config, pod('p', plain, { namespace: 'implied' })]);
    expect(findings.map((f) => f.location.path)).toEqual(['spec.containers[1].securityContext.privileged']);
  });
});
