import { describe, expect, it } from 'vitest';

import type { KubeObject } from '../../k8s/types.js';
import { admitPodSecurity, isSignificantPodUpdate, type PssAdmissionRequest } from './admission.js';
import { readPodSecurityConfiguration } from './admission-config.js';

type Json = Record<string, unknown>;

const pod = (spec: Json, name = 'p'): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop' }, spec });
const deployment = (spec: Json): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { template: { spec } },
});
const privileged = { containers: [{ name: 'c', image: 'i:1', securityContext: { privileged: true } }] };
const plain = { containers: [{ name: 'c', image: 'i:1' }] };

const request = (
  object: KubeObject,
  labels: Record<string, string> | undefined,
  rest: Partial<PssAdmissionRequest> = {},
): PssAdmissionRequest => ({
  operation: 'CREATE',
  object,
  namespace: 'shop',
  namespaceLabels: labels,
  ...rest,
});

const ENFORCE_BASELINE = { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/audit': 'restricted' };

describe('PodSecurity admission decisions', () => {
  it('rejects a violating Pod with the controller’s message, and audits it', () => {
    const decision = admitPodSecurity(request(pod(privileged), ENFORCE_BASELINE));
    expect(decision.allowed).toBe(false);
    expect(decision.status).toEqual({
      code: 403,
      reason: 'Forbidden',
      message:
        'pods "p" is forbidden: violates PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)',
    });
    expect(decision.warnings).toEqual([]);
    expect(decision.auditAnnotations['enforce-policy']).toBe('baseline:latest');
    expect(decision.auditAnnotations['audit-violations']).toMatch(/^would violate PodSecurity "restricted:latest": privileged \(/);
  });

  it('admits a violating workload with a warning: templates are never enforced', () => {
    const decision = admitPodSecurity(request(deployment(privileged), { 'pod-security.kubernetes.io/enforce': 'baseline' }));
    expect(decision.allowed).toBe(true);
    // warn follows enforce when there is no warn label.
    expect(decision.warnings).toEqual([
      'would violate PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)',
    ]);
    expect(admitPodSecurity(request(deployment(privileged), {})).warnings).toEqual([]);
  });

  it('warns about an allowed Pod that violates the warn level', () => {
    const decision = admitPodSecurity(request(pod(plain), { 'pod-security.kubernetes.io/warn': 'restricted' }));
    expect(decision.allowed).toBe(true);
    expect(decision.warnings[0]).toMatch(/^would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false/);
  });

  it('skips fully privileged namespaces, ignored subresources and insignificant updates', () => {
    expect(admitPodSecurity(request(pod(privileged), {})).auditAnnotations).toEqual({ 'enforce-policy': 'privileged:latest' });
    expect(admitPodSecurity(request(pod(privileged), ENFORCE_BASELINE, { subresource: 'status' })).allowed).toBe(true);
    expect(admitPodSecurity(request(pod(privileged), ENFORCE_BASELINE, { subresource: 'ephemeralcontainers' })).allowed).toBe(false);
    const labelled = { ...pod(privileged), metadata: { name: 'p', labels: { a: 'b' } } };
    expect(admitPodSecurity(request(labelled, ENFORCE_BASELINE, { operation: 'UPDATE', oldObject: pod(privileged) })).allowed).toBe(true);
  });

  it('finds significant pod updates as upstream does', () => {
    const base = pod({ containers: [{ name: 'c', image: 'a' }], ephemeralContainers: [{ name: 'd', image: 'x' }] });
    expect(isSignificantPodUpdate(base, base)).toBe(false);
    expect(
      isSignificantPodUpdate(pod({ containers: [{ name: 'c', image: 'b' }], ephemeralContainers: [{ name: 'd', image: 'x' }] }), base),
    ).toBe(true);
    expect(
      isSignificantPodUpdate(
        pod({
          containers: [{ name: 'c', image: 'a' }],
          ephemeralContainers: [
            { name: 'd', image: 'x' },
            { name: 'e', image: 'y' },
          ],
        }),
        base,
      ),
    ).toBe(true);
    expect(
      isSignificantPodUpdate(
        pod({
          containers: [
            { name: 'c', image: 'a' },
            { name: 'z', image: 'a' },
          ],
        }),
        pod({ containers: [{ name: 'c', image: 'a' }] }),
      ),
    ).toBe(true);
  });

  it('applies exemptions and reports label errors', () => {
    const read = readPodSecurityConfiguration({
      apiVersion: 'pod-security.admission.config.k8s.io/v1',
      kind: 'PodSecurityConfiguration',
      exemptions: { usernames: ['admin'], runtimeClasses: ['kata'], namespaces: ['kube-system'] },
    });
    if (read.status !== 'ok') throw new Error('bad config');
    const config = read.configuration;
    expect(admitPodSecurity(request(pod(privileged), ENFORCE_BASELINE, { username: 'admin' }), config)).toMatchObject({
      allowed: true,
      exempt: 'user',
    });
    expect(admitPodSecurity(request(pod({ ...privileged, runtimeClassName: 'kata' }), ENFORCE_BASELINE), config).exempt).toBe(
      'runtimeClass',
    );
    expect(admitPodSecurity(request(pod(privileged), ENFORCE_BASELINE, { namespace: 'kube-system' }), config).auditAnnotations).toEqual({
      exempt: 'namespace',
    });
    const invalid = admitPodSecurity(request(pod(plain), { 'pod-security.kubernetes.io/enforce': 'bogus' }));
    // An invalid enforce level fails closed: restricted.
    expect(invalid.allowed).toBe(false);
    expect(invalid.auditAnnotations['error']).toBe(
      'Failed to parse policy: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "bogus": must be one of privileged, baseline, restricted',
    );
    expect(admitPodSecurity(request(pod(plain), undefined)).status?.code).toBe(500);
    expect(admitPodSecurity(request(deployment(plain), undefined)).allowed).toBe(true);
  });
});
