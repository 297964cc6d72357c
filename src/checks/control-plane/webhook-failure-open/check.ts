import { z } from 'zod';

import { defineCheck } from '../../define-check.js';
import { WEBHOOK_KINDS, webhooksOf } from '../webhooks.js';

const options = z
  .object({
    /**
     * Case-insensitive fragments of a configuration's or webhook's name that mark it as a security
     * control (policy engines, image verification, Pod Security, runtime security).
     */
    securityWebhooks: z
      .array(z.string().min(1))
      .default([
        'gatekeeper',
        'kyverno',
        'policy',
        'policies',
        'security',
        'opa',
        'kubewarden',
        'vigil',
        'psp',
        'sigstore',
        'cosign',
        'connaisseur',
        'ratify',
        'image-verif',
        'admission-controller',
        'falco',
        'neuvector',
        'kubescape',
        'trivy',
      ]),
  })
  .strict();

export default defineCheck({
  id: 'control-plane/webhook-failure-open',
  target: 'Object',
  kinds: WEBHOOK_KINDS,
  meta: {
    title: 'Security admission webhook fails open',
    area: 'control-plane',
    defaultSeverity: 'medium',
    frameworks: { nsa: ['Pod security enforcement'], mitre: ['T1562.001'] },
    description:
      'With `failurePolicy: Ignore`, a request is admitted unchecked whenever the webhook is down, slow or unreachable. For a policy engine or image verifier that means the control disappears exactly when someone crashes or floods it — a known way to slip a privileged pod in.',
    remediation:
      'Set `failurePolicy: Fail` on security webhooks, run them highly available (several replicas, a PodDisruptionBudget), and exclude only what must keep working without them (kube-system, the webhook’s own namespace).',
  },
  messages: {
    failOpen:
      'Webhook "{{webhook}}" of {{kind}} "{{name}}" is a security control but {{how}}: when it is unavailable, requests are admitted unchecked. Set failurePolicy: Fail.',
  },
  options,
  run({ object }, ctx) {
    const fragments = ctx.options.securityWebhooks.map((f) => f.toLowerCase());
    const isSecurity = (name: string): boolean => fragments.some((f) => name.toLowerCase().includes(f));
    const hooks = webhooksOf(object);
    if (hooks.length === 0) {
      ctx.notApplicable();
      return;
    }
    let judged = false;
    for (const hook of hooks) {
      if (!isSecurity(object.metadata.name) && !isSecurity(hook.name)) continue;
      judged = true;
      if (hook.failurePolicy !== 'Ignore') continue;
      ctx.report({
        messageId: 'failOpen',
        pointer: hook.failurePolicyDefaulted ? hook.pointer : `${hook.pointer}/failurePolicy`,
        data: {
          webhook: hook.name,
          kind: object.kind,
          name: object.metadata.name,
          how: hook.failurePolicyDefaulted
            ? `relies on the ${object.apiVersion} default failurePolicy: Ignore`
            : 'has failurePolicy: Ignore',
        },
      });
    }
    if (!judged) ctx.notApplicable();
  },
});
