import { describe, expect, it } from 'vitest';

import { deployment, findingsOf, findingsOfYaml, object, pod } from '../../test-support/check-harness.js';
import check from './check.js';

const namespace = (name: string, labels: Record<string, string> = {}) => object('v1', 'Namespace', name, {}, { labels });

const restrictedSpec = {
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [{ name: 'app', image: 'a:1', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
};

describe('pod-security/namespace-missing-enforce', () => {
  it('reports an unlabelled namespace with the level it could enforce today', () => {
    const findings = findingsOf(check, [namespace('shop'), deployment('web', restrictedSpec, { namespace: 'shop' })]);
    expect(findings.map((f) => [f.resource.name, f.location.path, f.message])).toEqual([
      [
        'shop',
        'metadata.labels["pod-security.kubernetes.io/enforce"]',
        'Namespace "shop" has no pod-security.kubernetes.io/enforce label, so its pods are admitted at privileged:latest; every workload in it passes restricted today: label it pod-security.kubernetes.io/enforce=restricted.',
      ],
    ]);
  });

  it('says when some workloads need privileged', () => {
    const findings = findingsOf(check, [
      namespace('ops'),
      pod('debug', { containers: [{ name: 'c', image: 'c:1', securityContext: { privileged: true } }] }, { namespace: 'ops' }),
    ]);
    expect(findings[0]?.message).toContain('some workloads in it need privileged');
  });

  it('ignores labelled namespaces, implied namespaces, and namespaces covered by configured defaults or exemptions', () => {
    expect(findingsOf(check, [namespace('shop', { 'pod-security.kubernetes.io/enforce': 'privileged' })])).toEqual([]);
    expect(findingsOf(check, [deployment('web', restrictedSpec, { namespace: 'implied' })])).toEqual([]);
    const config = (rest: Record<string, unknown>) =>
      object('pod-security.admission.config.k8s.io/v1', 'PodSecurityConfiguration', 'config', rest);
    expect(findingsOf(check, [config({ defaults: { enforce: 'baseline' } }), namespace('shop')])).toEqual([]);
    expect(findingsOf(check, [config({ exemptions: { namespaces: ['kube-system'] } }), namespace('kube-system')])).toEqual([]);
  });

  it('points at the labels in the file', () => {
    const findings = findingsOfYaml(check, 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    team: a\n');
    expect(findings[0]?.location.line).toBe(5);
  });
});
