import { describe, expect, it } from 'vitest';

import { container, findingsOf, object, pod } from '../../test-support/check-harness.js';
import { readManifestText } from '../../../sources/read-manifest-text.js';
import check from './check.js';

const metrics = (usage: Record<string, string>, name = 'p') =>
  object('metrics.k8s.io/v1beta1', 'PodMetrics', name, { containers: [{ name: 'c', usage }] }, { namespace: 'default' });
const requesting = (requests: Record<string, string>) => pod('p', { containers: [container('c', { resources: { requests } })] });

describe('resources/usage-over-request', () => {
  it('reports usage above the factor, on the Pod, at its request', () => {
    const findings = findingsOf(check, [requesting({ cpu: '100m', memory: '100Mi' }), metrics({ cpu: '450m', memory: '150Mi' })]);
    expect(findings.map((f) => [f.resource.kind, f.location.path, f.message])).toEqual([
      [
        'Pod',
        'spec.containers[0].resources.requests.cpu',
        'Container "c" of pod "p" uses 450m CPU, 4.5 times its request of 100m (metrics.k8s.io); check why.',
      ],
    ]);
  });

  it('honours factor and ignoreBelow, and skips containers without requests or pods it cannot see', () => {
    expect(findingsOf(check, [requesting({ cpu: '10m' }), metrics({ cpu: '90m' })])).toEqual([]);
    expect(
      findingsOf(check, [requesting({ memory: '100Mi' }), metrics({ memory: '250Mi' })], {
        factor: 3,
        ignoreBelow: { cpu: '100m', memory: '64Mi' },
      }),
    ).toEqual([]);
    expect(findingsOf(check, [pod('p', { containers: [container('c')] }), metrics({ cpu: '4' })])).toEqual([]);
    expect(findingsOf(check, [metrics({ cpu: '4' })])).toEqual([]);
  });

  it('reads a PodMetricsList as PodMetrics objects', () => {
    const list = `apiVersion: metrics.k8s.io/v1beta1\nkind: PodMetricsList\nitems:\n  - metadata: { name: p, namespace: default }\n    containers:\n      - name: c\n        usage: { cpu: "2", memory: 10Mi }\n`;
    const read = readManifestText(list, 'metrics.yaml');
    expect(findingsOf(check, [requesting({ cpu: '250m' }), ...read.objects.map((o) => o.object)])).toHaveLength(1);
  });
});
