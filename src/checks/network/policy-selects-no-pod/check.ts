import { networkModelOf } from '../../../analysis/netpol/index.js';
import { defineCheck } from '../../define-check.js';
import { compiledPolicyOf, formatSelector } from '../netpol-subjects.js';
import { WORKLOAD_READS } from '../../reads.js';

export default defineCheck({
  id: 'network/policy-selects-no-pod',
  target: 'Object',
  kinds: ['networking.k8s.io/NetworkPolicy'],
  reads: ['Namespace', ...WORKLOAD_READS],
  localReads: ['Namespace', ...WORKLOAD_READS],
  meta: {
    title: 'NetworkPolicy selects no pod',
    area: 'network',
    defaultSeverity: 'low',
    frameworks: { nsa: ['Network separation and hardening'] },
    description:
      'A policy whose podSelector matches no pod of its namespace protects nothing. It is usually a typo in a label or a namespace, and the workload it was written for is left open.',
    remediation:
      'Fix the podSelector (or the policy’s namespace) so that it matches the labels of the pods it is meant to protect; delete it if they are gone.',
  },
  messages: {
    noMatch:
      'NetworkPolicy "{{name}}" selects no pod: none of the {{count}} pod(s) and workload(s) in namespace "{{namespace}}" has labels matching {{selector}}.',
  },
  run({ entry, inventory }, ctx) {
    const policy = compiledPolicyOf(entry);
    // Invalid policies are reported by network/invalid-policy.
    if (!policy.valid) return;
    const model = networkModelOf(inventory, new Set([policy.namespace]));
    const pods = model.pods.filter((p) => p.namespace === policy.namespace);
    // Without any workload of the namespace in the input, nothing can be said about what it selects.
    if (pods.length === 0) return;
    if (pods.some((p) => policy.podSelector.compiled.matches(p.labels))) return;
    ctx.report({
      messageId: 'noMatch',
      pointer: '/spec/podSelector',
      data: { name: policy.name, namespace: policy.namespace, count: pods.length, selector: formatSelector(policy.podSelector.raw) },
    });
  },
});
