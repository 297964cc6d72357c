import { describe, expect, it } from 'vitest';

import { findingsOf, object } from '../../test-support/check-harness.js';
import check from './check.js';

const config = (webhook: Record<string, unknown>, apiVersion = 'admissionregistration.k8s.io/v1') =>
  object(apiVersion, 'ValidatingWebhookConfiguration', 'c', { webhooks: [{ name: 'w.example.com', ...webhook }] });

describe('control-plane/webhook-timeout', () => {
  it.each([
    [{ timeoutSeconds: 3 }, undefined, []],
    [{ timeoutSeconds: 10 }, undefined, []],
    [{ timeoutSeconds: 30 }, undefined, ['low']],
    [{}, undefined, ['info']],
    [{}, 'admissionregistration.k8s.io/v1beta1', ['low']],
  ])('%j (%s) gives %j', (webhook, apiVersion, severities) => {
    expect(findingsOf(check, [config(webhook, apiVersion)]).map((f) => f.severity)).toEqual(severities);
  });

  it('takes the limit from its options', () => {
    expect(findingsOf(check, [config({ timeoutSeconds: 8 })], { maxSeconds: 5 })).toHaveLength(1);
  });
});
