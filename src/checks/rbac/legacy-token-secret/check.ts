import { stringMap } from '../../../k8s/guards.js';
import { defineCheck } from '../../define-check.js';

export default defineCheck({
  id: 'rbac/legacy-token-secret',
  target: 'Object',
  kinds: ['Secret'],
  meta: {
    title: 'Long-lived service-account token Secret',
    area: 'rbac',
    defaultSeverity: 'medium',
    frameworks: { cis: ['5.1.6'], nsa: ['Authentication and authorization'], mitre: ['T1528', 'T1552.007'] },
    description:
      'A Secret of type kubernetes.io/service-account-token holds a token that never expires and is not bound to a pod. Anyone who can read the Secret — now or from any backup or copy of it — has the service account’s permissions until the Secret is deleted.',
    remediation:
      'Delete the Secret and use short-lived tokens: projected serviceAccountToken volumes in pods, kubectl create token (the TokenRequest API) elsewhere.',
  },
  messages: {
    legacy:
      'Secret "{{name}}" is a long-lived token of ServiceAccount {{account}}: it never expires; delete it and use short-lived tokens (TokenRequest).',
  },
  run({ object, entry }, ctx) {
    if (object.type !== 'kubernetes.io/service-account-token') return;
    const account = stringMap(object.metadata.annotations)['kubernetes.io/service-account.name'];
    // Never read or echo data: only the Secret's name and the account it belongs to.
    ctx.report({
      messageId: 'legacy',
      pointer: '/type',
      data: { name: object.metadata.name, account: account === undefined ? '(not annotated)' : `${entry.ref.namespace ?? ''}/${account}` },
    });
  },
});
