import { describe, expect, it } from 'vitest';

import type { KubeObject } from '../../../k8s/types.js';
import { container, deployment, findingsOf, object } from '../../test-support/check-harness.js';
import check from './check.js';

const node = (name: string, labels: Record<string, string>, taints: unknown[] = []): KubeObject =>
  object('v1', 'Node', name, { spec: { taints } }, { labels });
const app = (spec: Record<string, unknown>, tier = 'restricted') =>
  deployment('api', { containers: [container('api')], ...spec }, { namespace: 'pay' }, { labels: { app: 'api', 'security-tier': tier } });

describe('placement/security-tier', () => {
  it('without nodes, requires a constraint that guarantees the tier', () => {
    expect(findingsOf(check, [app({})]).map((f) => f.message)).toEqual([
      expect.stringContaining('has no nodeSelector or required node affinity for security-tier=restricted'),
    ]);
    expect(findingsOf(check, [app({ nodeSelector: { 'security-tier': 'restricted' } })])).toEqual([]);
    const inTier = { matchExpressions: [{ key: 'security-tier', operator: 'In', values: ['restricted'] }] };
    const affinity = (terms: unknown[]) => ({
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } },
    });
    expect(findingsOf(check, [app(affinity([inTier]))])).toEqual([]);
    expect(findingsOf(check, [app(affinity([inTier, { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }]))])).toHaveLength(1);
    expect(
      findingsOf(check, [
        app(affinity([{ matchExpressions: [{ key: 'security-tier', operator: 'In', values: ['restricted', 'general'] }] }])),
      ]),
    ).toHaveLength(1);
  });

  it('with nodes, lists the nodes outside the tier the pod could land on', () => {
    const nodes = [
      node('secure-1', { 'security-tier': 'restricted' }),
      node('general-1', {}),
      node('general-2', { pool: 'gpu' }, [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }]),
      node('control', { 'node-role.kubernetes.io/control-plane': '' }, [
        { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
      ]),
    ];
    expect(findingsOf(check, [...nodes, app({})]).map((f) => f.message)).toEqual([
      expect.stringContaining('can be scheduled onto 1 node(s) without security-tier=restricted: general-1'),
    ]);
    expect(findingsOf(check, [...nodes, app({ tolerations: [{ operator: 'Exists' }] })])[0]?.message).toContain('3 node(s)');
    expect(findingsOf(check, [...nodes, app({ nodeName: 'secure-1' })])).toEqual([]);
    expect(findingsOf(check, [...nodes, app({ nodeSelector: { 'security-tier': 'restricted' } })])).toEqual([]);
  });

  it('takes the tier from the namespace, and judges nothing without one', () => {
    const ns = object('v1', 'Namespace', 'pay', {}, { labels: { 'security-tier': 'restricted' } });
    const plain = deployment('api', { containers: [container('api')] }, { namespace: 'pay' });
    expect(findingsOf(check, [ns, plain])[0]?.message).toContain('namespace pay label security-tier');
    expect(findingsOf(check, [plain])).toEqual([]);
  });

  it('reads other label keys from its options', () => {
    const labelled = deployment(
      'api',
      { containers: [container('api')], nodeSelector: { 'node.acme.io/zone': 'pci' } },
      { namespace: 'pay' },
      { labels: { 'acme.io/zone': 'pci' } },
    );
    expect(findingsOf(check, [labelled], { label: 'acme.io/zone', nodeLabel: 'node.acme.io/zone' })).toEqual([]);
    expect(findingsOf(check, [labelled], { label: 'acme.io/zone' })).toHaveLength(1);
  });
});
