import { describe, expect, it } from 'vitest';

import { container, deployment, findingsOf, object, pod } from '../../test-support/check-harness.js';
import check from './check.js';

const web = (replicas: number | undefined, spec: Record<string, unknown> = {}) => {
  const d = deployment('web', { containers: [container('web')], ...spec });
  return { ...d, spec: { ...(d.spec as Record<string, unknown>), ...(replicas === undefined ? {} : { replicas }) } };
};

describe('placement/replica-spread', () => {
  it('reports multi-replica workloads that set no spreading', () => {
    expect(findingsOf(check, [web(3)]).map((f) => f.message)).toEqual([
      'Deployment "web" runs up to 3 replica(s) but sets no pod anti-affinity or topology spread constraints; they may all land on one node. Spread them over kubernetes.io/hostname or zones.',
    ]);
  });

  it.each([
    [
      'a topology spread constraint',
      { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule' }] },
    ],
    [
      'a preferred anti-affinity',
      {
        affinity: {
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname' } }],
          },
        },
      },
    ],
  ])('accepts %s', (_label, spec) => {
    expect(findingsOf(check, [web(3, spec)])).toEqual([]);
  });

  it('counts an autoscaler’s maximum, and skips single replicas, DaemonSets and Pods', () => {
    const hpa = object(
      'autoscaling/v2',
      'HorizontalPodAutoscaler',
      'web',
      { spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 6 } },
      { namespace: 'default' },
    );
    expect(findingsOf(check, [web(undefined), hpa])[0]?.message).toContain('up to 6 replica(s)');
    expect(findingsOf(check, [web(1)])).toEqual([]);
    const ds = object(
      'apps/v1',
      'DaemonSet',
      'agent',
      { spec: { template: { spec: { containers: [container('a')] } } } },
      { namespace: 'default' },
    );
    expect(findingsOf(check, [ds, pod('p', { containers: [container('c')] })])).toEqual([]);
  });

  it('can judge single replicas and accept only topology spread constraints', () => {
    const options = { minReplicas: 1, accept: ['topology-spread'] };
    expect(findingsOf(check, [web(undefined, { topologySpreadConstraints: [] })], options)[0]?.message).toContain(
      'sets no topology spread constraints',
    );
    const anti = {
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname' }] } },
    };
    expect(findingsOf(check, [web(2, anti)], options)).toHaveLength(1);
  });
});
