import { describe, expect, it } from 'vitest';

import { findingsOf, object } from '../../test-support/check-harness.js';
import check from './check.js';

const hpa = (apiVersion: string, spec: Record<string, unknown>, status: Record<string, unknown>) =>
  object(
    apiVersion,
    'HorizontalPodAutoscaler',
    'web',
    { spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 5, ...spec }, status },
    { namespace: 'shop' },
  );

describe('resources/hpa-at-max', () => {
  it.each([
    [
      'autoscaling/v1 with the default 80% target',
      hpa('autoscaling/v1', {}, { currentReplicas: 5, currentCPUUtilizationPercentage: 93 }),
      'cpu is at 93% (target 80%)',
    ],
    [
      'autoscaling/v2 average value',
      hpa(
        'autoscaling/v2',
        { metrics: [{ type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '100' } } }] },
        {
          currentReplicas: 5,
          currentMetrics: [{ type: 'Pods', pods: { metric: { name: 'rps' }, current: { averageValue: '250' } } }],
        },
      ),
      'rps is at 250 (target 100)',
    ],
    [
      'autoscaling/v2beta1 utilisation',
      hpa(
        'autoscaling/v2beta1',
        { metrics: [{ type: 'Resource', resource: { name: 'memory', targetAverageUtilization: 60 } }] },
        {
          currentReplicas: 6,
          currentMetrics: [{ type: 'Resource', resource: { name: 'memory', currentAverageUtilization: 88 } }],
        },
      ),
      'memory is at 88% (target 60%)',
    ],
    [
      'a ScalingLimited condition',
      hpa(
        'autoscaling/v2',
        {},
        { currentReplicas: 5, conditions: [{ type: 'ScalingLimited', status: 'True', reason: 'TooManyReplicas' }] },
      ),
      'ScalingLimited (TooManyReplicas)',
    ],
  ])('reports %s', (_label, object, text) => {
    const findings = findingsOf(check, [object]);
    expect(findings.map((f) => f.location.path)).toEqual(['spec.maxReplicas']);
    expect(findings[0]?.message).toContain(text);
  });

  it.each([
    ['below the maximum', hpa('autoscaling/v1', {}, { currentReplicas: 3, currentCPUUtilizationPercentage: 99 })],
    [
      'at the maximum but under target',
      hpa('autoscaling/v1', { targetCPUUtilizationPercentage: 90 }, { currentReplicas: 5, currentCPUUtilizationPercentage: 85 }),
    ],
    ['without status', hpa('autoscaling/v2', {}, {})],
  ])('passes an autoscaler %s', (_label, object) => {
    expect(findingsOf(check, [object])).toEqual([]);
  });
});
