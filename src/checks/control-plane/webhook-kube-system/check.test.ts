import { describe, expect, it } from 'vitest';

import { findingsOf, object } from '../../test-support/check-harness.js';
import check from './check.js';

const podRule = { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] };
const config = (kind: string, webhook: Record<string, unknown>) =>
  object('admissionregistration.k8s.io/v1', kind, 'c', { webhooks: [{ name: 'w.example.com', rules: [podRule], ...webhook }] });

describe('control-plane/webhook-kube-system', () => {
  it.each([
    ['no selector', {}],
    ['a selector kube-system matches', { namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] } }],
  ])('reports a webhook with %s', (_label, webhook) => {
    expect(findingsOf(check, [config('MutatingWebhookConfiguration', webhook)]).map((f) => f.severity)).toEqual(['medium']);
  });

  it.each([
    [
      'excluded by name',
      { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }] } },
    ],
    ['selected by a label kube-system lacks', { namespaceSelector: { matchLabels: { inject: 'enabled' } } }],
    ['cluster-scoped rules only', { rules: [{ ...podRule, resources: ['nodes'], scope: 'Cluster' }] }],
    [
      'rules for its own custom resources',
      { rules: [{ operations: ['CREATE'], apiGroups: ['metallb.io'], apiVersions: ['v1beta1'], resources: ['ipaddresspools'] }] },
    ],
    [
      'rules for Ingresses',
      { rules: [{ operations: ['CREATE'], apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], resources: ['ingresses'] }] },
    ],
  ])('passes a webhook %s', (_label, webhook) => {
    expect(findingsOf(check, [config('MutatingWebhookConfiguration', webhook)])).toEqual([]);
  });

  it('uses the labels of the kube-system Namespace when it is in the scan, and lowers fail-open validators', () => {
    const labelled = object('v1', 'Namespace', 'kube-system', {}, { labels: { 'control-plane': 'true' } });
    const excludes = config('ValidatingWebhookConfiguration', {
      namespaceSelector: { matchExpressions: [{ key: 'control-plane', operator: 'DoesNotExist' }] },
    });
    expect(findingsOf(check, [labelled, excludes])).toEqual([]);
    expect(findingsOf(check, [config('ValidatingWebhookConfiguration', { failurePolicy: 'Ignore' })]).map((f) => f.severity)).toEqual([
      'low',
    ]);
  });
});
