import { describe, expect, it } from 'vitest';

import { findingsOf, object } from '../../test-support/check-harness.js';
import check from './check.js';

const config = (name: string, webhooks: Record<string, unknown>[], apiVersion = 'admissionregistration.k8s.io/v1') =>
  object(apiVersion, 'ValidatingWebhookConfiguration', name, { webhooks });

describe('control-plane/webhook-failure-open', () => {
  it('reports security webhooks that fail open, explicitly or by the v1beta1 default', () => {
    expect(
      findingsOf(check, [config('gatekeeper-validating', [{ name: 'validation.gatekeeper.sh', failurePolicy: 'Ignore' }])]).map(
        (f) => f.location.path,
      ),
    ).toEqual(['webhooks[0].failurePolicy']);
    const beta = findingsOf(check, [config('policy-webhook', [{ name: 'check.example.com' }], 'admissionregistration.k8s.io/v1beta1')]);
    expect(beta[0]?.message).toContain('relies on the admissionregistration.k8s.io/v1beta1 default failurePolicy: Ignore');
  });

  it('passes fail-closed security webhooks and ignores other webhooks', () => {
    expect(findingsOf(check, [config('kyverno-resource', [{ name: 'validate.kyverno.svc-fail', failurePolicy: 'Fail' }])])).toEqual([]);
    expect(findingsOf(check, [config('kyverno-resource', [{ name: 'validate.kyverno.svc' }])])).toEqual([]);
    expect(findingsOf(check, [config('cert-manager-webhook', [{ name: 'webhook.cert-manager.io', failurePolicy: 'Ignore' }])])).toEqual([]);
  });

  it('takes the names of security webhooks from its options', () => {
    const mine = config('acme-guard', [{ name: 'guard.acme.io', failurePolicy: 'Ignore' }]);
    expect(findingsOf(check, [mine])).toEqual([]);
    expect(findingsOf(check, [mine], { securityWebhooks: ['acme-guard'] })).toHaveLength(1);
  });
});
