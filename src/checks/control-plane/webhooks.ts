/**
 * The webhooks of a Validating/MutatingWebhookConfiguration, with the defaults of their API version
 * applied (admissionregistration.k8s.io/v1: failurePolicy Fail, timeoutSeconds 10; v1beta1: Ignore, 30).
 */
import { apiGroupOf } from '../../core/resource-ref.js';
import { arrayOrEmpty, isRecord, type JsonRecord } from '../../k8s/guards.js';
import type { KubeObject } from '../../k8s/types.js';

export const WEBHOOK_KINDS = [
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
];

export interface Webhook {
  readonly name: string;
  readonly index: number;
  readonly pointer: string;
  readonly webhook: JsonRecord;
  readonly mutating: boolean;
  readonly failurePolicy: 'Fail' | 'Ignore';
  /** True when failurePolicy is not written and the version's default applies. */
  readonly failurePolicyDefaulted: boolean;
  readonly timeoutSeconds: number | undefined;
  readonly defaultTimeoutSeconds: number;
}

export function webhooksOf(object: KubeObject): Webhook[] {
  if (apiGroupOf(object.apiVersion) !== 'admissionregistration.k8s.io') return [];
  const v1beta1 = object.apiVersion.endsWith('/v1beta1');
  const mutating = object.kind === 'MutatingWebhookConfiguration';
  const out: Webhook[] = [];
  arrayOrEmpty(object.webhooks).forEach((webhook, index) => {
    if (!isRecord(webhook)) return;
    const written = webhook.failurePolicy === 'Fail' || webhook.failurePolicy === 'Ignore' ? webhook.failurePolicy : undefined;
    out.push({
      name: typeof webhook.name === 'string' ? webhook.name : `webhooks[${index}]`,
      index,
      pointer: `/webhooks/${index}`,
      webhook,
      mutating,
      failurePolicy: written ?? (v1beta1 ? 'Ignore' : 'Fail'),
      failurePolicyDefaulted: written === undefined,
      timeoutSeconds: typeof webhook.timeoutSeconds === 'number' ? webhook.timeoutSeconds : undefined,
      defaultTimeoutSeconds: v1beta1 ? 30 : 10,
    });
  });
  return out;
}
