import { compileLabelSelector } from '../../../k8s/label-selector.js';
import { arrayOrEmpty, isRecord, stringMap } from '../../../k8s/guards.js';
import { defineCheck } from '../../define-check.js';
import { WEBHOOK_KINDS, webhooksOf } from '../webhooks.js';

/** True when a webhook's rules can match namespaced resources (`scope` `*` or `Namespaced`, the default). */
function interceptsNamespaced(webhook: Readonly<Record<string, unknown>>): boolean {
  return arrayOrEmpty(webhook.rules).some(
    (rule) => isRecord(rule) && (rule.scope === undefined || rule.scope === '*' || rule.scope === 'Namespaced'),
  );
}

export default defineCheck({
  id: 'control-plane/webhook-kube-system',
  target: 'Object',
  kinds: WEBHOOK_KINDS,
  meta: {
    title: 'Admission webhook intercepts kube-system',
    area: 'control-plane',
    defaultSeverity: 'medium',
    frameworks: { nsa: ['Control plane hardening'], mitre: ['T1610', 'T1499'] },
    description:
      'A webhook whose namespaceSelector does not exclude kube-system sits in the path of the control plane’s own pods and objects. If it fails with failurePolicy Fail, kube-system cannot recover (CoreDNS, kube-proxy, CNI pods cannot be recreated); if it is mutating and compromised, it can inject into the most privileged workloads of the cluster.',
    remediation:
      'Add a namespaceSelector that excludes kube-system (for example `kubernetes.io/metadata.name NotIn [kube-system]`), unless the webhook deliberately polices kube-system and is run as a control-plane component.',
  },
  messages: {
    intercepts:
      'Webhook "{{webhook}}" of {{kind}} "{{name}}" ({{what}}) intercepts requests in kube-system: its namespaceSelector does not exclude it. Exclude kube-system.',
  },
  run({ object, inventory }, ctx) {
    const hooks = webhooksOf(object);
    if (hooks.length === 0) {
      ctx.notApplicable();
      return;
    }
    // The labels kube-system really has, or the one every namespace has had since Kubernetes 1.21.
    const kubeSystem = inventory.get('', 'Namespace', undefined, 'kube-system');
    const labels = { 'kubernetes.io/metadata.name': 'kube-system', ...stringMap(kubeSystem?.object.metadata.labels) };
    for (const hook of hooks) {
      if (!interceptsNamespaced(hook.webhook)) continue;
      const selector = compileLabelSelector(hook.webhook.namespaceSelector);
      if (!selector.valid || !selector.matches(labels)) continue;
      const what = hook.mutating ? 'mutating' : `validating, failurePolicy ${hook.failurePolicy}`;
      ctx.report({
        messageId: 'intercepts',
        pointer: hook.webhook.namespaceSelector === undefined ? hook.pointer : `${hook.pointer}/namespaceSelector`,
        data: { webhook: hook.name, kind: object.kind, name: object.metadata.name, what },
        // A validating webhook that fails open cannot block kube-system; it can only read it.
        ...(hook.mutating || hook.failurePolicy === 'Fail' ? {} : { severity: 'low' as const }),
      });
    }
  },
});
