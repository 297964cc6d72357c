import { describe, expect, it } from 'vitest';

import type { KubeObject } from '../../k8s/types.js';
import { canScheduleOnto, requiresNodeLabel, tolerationMatches } from './node-selection.js';

const node = (name: string, labels: Record<string, string>, taints: unknown[] = []): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels },
  spec: { taints },
});

describe('node selection', () => {
  it('matches tolerations to taints as the scheduler does', () => {
    const taint = { key: 'k', value: 'v', effect: 'NoSchedule' };
    expect(tolerationMatches({ operator: 'Exists' }, taint)).toBe(true);
    expect(tolerationMatches({ key: 'k', operator: 'Exists' }, taint)).toBe(true);
    expect(tolerationMatches({ key: 'k', value: 'v' }, taint)).toBe(true);
    expect(tolerationMatches({ key: 'k', value: 'w' }, taint)).toBe(false);
    expect(tolerationMatches({ key: 'k', operator: 'Exists', effect: 'NoExecute' }, taint)).toBe(false);
    expect(tolerationMatches({ key: '', operator: 'Equal' }, taint)).toBe(false);
  });

  it('evaluates node affinity operators and fields', () => {
    const n = node('n1', { size: '8', zone: 'a' });
    const terms = (matchExpressions: unknown[], matchFields: unknown[] = []) => ({
      affinity: {
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions, matchFields }] } },
      },
    });
    expect(canScheduleOnto(terms([{ key: 'size', operator: 'Gt', values: ['4'] }]), n)).toBe(true);
    expect(canScheduleOnto(terms([{ key: 'size', operator: 'Lt', values: ['4'] }]), n)).toBe(false);
    expect(canScheduleOnto(terms([{ key: 'zone', operator: 'NotIn', values: ['b'] }]), n)).toBe(true);
    expect(canScheduleOnto(terms([], [{ key: 'metadata.name', operator: 'In', values: ['n2'] }]), n)).toBe(false);
    expect(canScheduleOnto(terms([]), n)).toBe(false);
    expect(canScheduleOnto({ nodeSelector: { zone: 'a' } }, n)).toBe(true);
    expect(canScheduleOnto({ nodeName: 'n2' }, n)).toBe(false);
    expect(canScheduleOnto({}, node('t', {}, [{ key: 'x', effect: 'PreferNoSchedule' }]))).toBe(true);
    expect(canScheduleOnto({}, node('t', {}, [{ key: 'x', effect: 'NoExecute' }]))).toBe(false);
  });

  it('knows when constraints guarantee a node label', () => {
    expect(requiresNodeLabel({ nodeSelector: { tier: 'a' } }, 'tier', 'a')).toBe(true);
    expect(requiresNodeLabel({}, 'tier', 'a')).toBe(false);
  });
});
