import { z } from 'zod';

import { defineCheck } from '../../define-check.js';
import { WEBHOOK_KINDS, webhooksOf } from '../webhooks.js';

const options = z
  .object({
    /** Longest acceptable timeout, in seconds (the API allows 1–30). */
    maxSeconds: z.number().int().min(1).max(30).default(10),
  })
  .strict();

export default defineCheck({
  id: 'control-plane/webhook-timeout',
  target: 'Object',
  kinds: WEBHOOK_KINDS,
  meta: {
    title: 'Admission webhook has no explicit or a long timeout',
    area: 'control-plane',
    defaultSeverity: 'low',
    frameworks: { nsa: ['Control plane hardening'], mitre: ['T1499'] },
    description:
      'Every API request a webhook matches waits for it. A webhook without `timeoutSeconds` gets the version default (10 s in v1, 30 s in v1beta1); a slow or hung webhook with a long timeout stalls deployments, controllers and the API server’s request budget, and with failurePolicy Fail turns a slow dependency into an outage.',
    remediation: 'Set `timeoutSeconds` explicitly, as low as the webhook’s latency allows (a few seconds).',
  },
  messages: {
    unset:
      'Webhook "{{webhook}}" of {{kind}} "{{name}}" sets no timeoutSeconds and waits the {{default}}-second default; set it explicitly.',
    tooLong: 'Webhook "{{webhook}}" of {{kind}} "{{name}}" waits up to {{seconds}} seconds, more than {{max}}; lower timeoutSeconds.',
  },
  options,
  run({ object }, ctx) {
    const hooks = webhooksOf(object);
    if (hooks.length === 0) {
      ctx.notApplicable();
      return;
    }
    for (const hook of hooks) {
      const data = { webhook: hook.name, kind: object.kind, name: object.metadata.name };
      if (hook.timeoutSeconds === undefined) {
        const severity = hook.defaultTimeoutSeconds > ctx.options.maxSeconds ? {} : { severity: 'info' as const };
        ctx.report({ messageId: 'unset', pointer: hook.pointer, data: { ...data, default: hook.defaultTimeoutSeconds }, ...severity });
      } else if (hook.timeoutSeconds > ctx.options.maxSeconds) {
        ctx.report({
          messageId: 'tooLong',
          pointer: `${hook.pointer}/timeoutSeconds`,
          data: { ...data, seconds: hook.timeoutSeconds, max: ctx.options.maxSeconds },
        });
      }
    }
  },
});
