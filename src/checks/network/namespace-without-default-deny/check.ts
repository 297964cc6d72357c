import { z } from 'zod';

import { networkModelOf, type CompiledPolicy, type Direction } from '../../../analysis/netpol/index.js';
import { defineCheck } from '../../define-check.js';
import { NETWORK_READS } from '../../reads.js';

/** A policy that selects every pod of its namespace and isolates the direction without allowing everything. */
function isDefaultDeny(policy: CompiledPolicy, direction: Direction): boolean {
  if (!policy.podSelector.matchesAll) return false;
  if (!(direction === 'ingress' ? policy.affectsIngress : policy.affectsEgress)) return false;
  const rules = direction === 'ingress' ? policy.ingress : policy.egress;
  return !rules.some((rule) => rule.peers === undefined && rule.staticPorts.isAll);
}

export default defineCheck({
  id: 'network/namespace-without-default-deny',
  target: 'Cluster',
  // The Namespace object is what findings are reported on.
  reads: ['Namespace', ...NETWORK_READS],
  localReads: ['Namespace', ...NETWORK_READS],
  meta: {
    title: 'Namespace has no default-deny NetworkPolicy',
    area: 'network',
    defaultSeverity: 'medium',
    frameworks: { cis: ['5.3.2'], nsa: ['Network separation and hardening'] },
    description:
      'Without a policy that selects every pod of the namespace, each new workload starts with all traffic allowed until someone writes a policy for it. A default deny makes "nothing is allowed unless a policy says so" the rule.',
    remediation:
      'Add a policy with `podSelector: {}` and `policyTypes: [Ingress, Egress]` (no rules) to the namespace, then allow DNS and the flows each workload needs.',
  },
  options: z
    .object({
      /** Namespaces not to report (the control plane's own, by default). */
      ignoreNamespaces: z.array(z.string()).default(['kube-system', 'kube-public', 'kube-node-lease']),
    })
    .strict(),
  messages: {
    both: 'Namespace "{{namespace}}" ({{pods}} workload(s)) has no default-deny NetworkPolicy: any pod created there accepts and opens every connection until a policy selects it.',
    ingress:
      'Namespace "{{namespace}}" ({{pods}} workload(s)) has no default-deny ingress policy: a pod that no policy selects accepts every connection.',
    egress:
      'Namespace "{{namespace}}" ({{pods}} workload(s)) has no default-deny egress policy: a pod that no policy selects for egress can connect anywhere.',
  },
  run({ inventory, namespaces }, ctx) {
    const model = networkModelOf(inventory, namespaces);
    const ignored = new Set(ctx.options.ignoreNamespaces);
    const workloads = new Map<string, Set<unknown>>();
    for (const pod of model.pods) {
      if (pod.outOfScope !== undefined || ignored.has(pod.namespace)) continue;
      const set = workloads.get(pod.namespace) ?? new Set();
      set.add(pod.owner);
      workloads.set(pod.namespace, set);
    }
    for (const [namespace, owners] of [...workloads].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const policies = model.policiesByNamespace.get(namespace) ?? [];
      const ingress = policies.some((p) => isDefaultDeny(p, 'ingress'));
      const egress = policies.some((p) => isDefaultDeny(p, 'egress'));
      if (ingress && egress) continue;
      const entry = model.namespaces.get(namespace)?.entry;
      ctx.report({
        messageId: !ingress && !egress ? 'both' : !ingress ? 'ingress' : 'egress',
        resource: entry ?? { apiVersion: 'v1', kind: 'Namespace', name: namespace },
        pointer: '',
        data: { namespace, pods: owners.size },
      });
    }
  },
});
