import { compileLabelSelector } from '../../../k8s/label-selector.js';
import { arrayOrEmpty, isRecord, stringMap } from '../../../k8s/guards.js';
import { defineCheck } from '../../define-check.js';
import { WEBHOOK_KINDS, webhooksOf } from '../webhooks.js';

/**
 * What kube-system's own components are made of: if a webhook matches these there, the control plane's
 * add-ons (CoreDNS, kube-proxy, the CNI) cannot be created or changed without it.
 */
const CORE_GROUPS = new Set(['', 'apps', 'batch', 'rbac.authorization.k8s.io', 'policy', '*']);
const CORE_RESOURCES = new Set([
  'pods',
  'deployments',
  'daemonsets',
  'replicasets',
  'statefulsets',
  'jobs',
  'configmaps',
  'secrets',
  'serviceaccounts',
  'services',
  'endpoints',
  'roles',
  'rolebindings',
  '*',
]);

/** True when a webhook's rules match namespaced core workload or configuration resources. */
function interceptsCore(webhook: Readonly<Record<string, unknown>>): boolean {
  return arrayOrEmpty(webhook.rules).some((rule) => {
    if (!isRecord(rule) || (rule.scope !== undefined && rule.scope !== '*' && rule.scope !== 'Namespaced')) return false;
    const groups = arrayOrEmpty(rule.apiGroups);
    const resources = arrayOrEmpty(rule.resources);
    return (
      groups.some((g) => typeof g === 'string' && CORE_GROUPS.has(g)) &&
      resources.some((r) => typeof r === 'string' && CORE_RESOURCES.has(r.split('/')[0] ?? ''))
    );
  });
}

export default defineCheck({
  id: 'control-plane/webhook-kube-system',
  target: 'Object',
  kinds: WEBHOOK_KINDS,
  reads: ['Namespace'],
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
      'Webhook "{{webhook}}" of {{kind}} "{{name}}" ({{what}}) intercepts pods, workloads or configuration in kube-system: its namespaceSelector does not exclude it. Exclude kube-system.',
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
      if (!interceptsCore(hook.webhook)) continue;
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
