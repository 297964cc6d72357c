import { describe, expect, it } from 'vitest';

import { container, deployment, findingsOf, object } from '../../test-support/check-harness.js';
import check from './check.js';

const app = (spec: Record<string, unknown>, namespace = 'apps') =>
  deployment('app', { containers: [container('c')], ...spec }, { namespace });

describe('placement/control-plane-toleration', () => {
  it.each([
    [[{ operator: 'Exists' }], 'tolerates every taint'],
    [
      [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
      'control-plane taint node-role.kubernetes.io/control-plane',
    ],
    [[{ key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' }], 'node-role.kubernetes.io/master'],
  ])('reports %j', (tolerations, text) => {
    expect(findingsOf(check, [app({ tolerations })]).map((f) => f.message)).toEqual([expect.stringContaining(text)]);
  });

  it.each([
    [[{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoExecute' }]],
    [[{ key: 'node-role.kubernetes.io/control-plane', operator: 'Equal', value: 'x', effect: 'NoSchedule' }]],
    [[{ key: 'gpu', operator: 'Exists' }]],
  ])('passes %j', (tolerations) => {
    expect(findingsOf(check, [app({ tolerations })])).toEqual([]);
  });

  it('passes pods kept off control-plane nodes by affinity, and system namespaces; lowers DaemonSets', () => {
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' }] }],
        },
      },
    };
    expect(findingsOf(check, [app({ tolerations: [{ operator: 'Exists' }], affinity })])).toEqual([]);
    expect(findingsOf(check, [app({ tolerations: [{ operator: 'Exists' }] }, 'kube-system')])).toEqual([]);
    const ds = object(
      'apps/v1',
      'DaemonSet',
      'agent',
      { spec: { template: { spec: { tolerations: [{ operator: 'Exists' }], containers: [container('a')] } } } },
      { namespace: 'monitoring' },
    );
    expect(findingsOf(check, [ds]).map((f) => f.severity)).toEqual(['low']);
  });
});
