import { networkModelOf, policiesSelecting } from '../../../analysis/netpol/index.js';
import { defineCheck } from '../../define-check.js';
import { workloadName, workloadsOf } from '../netpol-subjects.js';
import { NETWORK_READS } from '../../reads.js';

export default defineCheck({
  id: 'network/unisolated-ingress',
  target: 'Cluster',
  reads: NETWORK_READS,
  localReads: NETWORK_READS,
  meta: {
    title: 'Pod is not isolated for ingress',
    area: 'network',
    defaultSeverity: 'medium',
    frameworks: { nsa: ['Network separation and hardening'], mitre: ['T1021'] },
    description:
      'No NetworkPolicy selects the pod for ingress, so Kubernetes allows every connection to it: from any pod in any namespace, and from any address that can route to the pod network. One compromised pod anywhere can reach it.',
    remediation:
      'Add a default-deny ingress policy to the namespace (`podSelector: {}`, `policyTypes: [Ingress]`) and allow the sources the workload needs with narrower policies.',
  },
  messages: {
    noPolicies:
      '{{workload}} is not isolated for ingress: namespace "{{namespace}}" has no NetworkPolicy, so every pod in the cluster and every address that can route to it can connect on every port.',
    notSelected:
      '{{workload}} is not isolated for ingress: none of the {{count}} NetworkPolicy object(s) in namespace "{{namespace}}" selects its labels for ingress, so every pod in the cluster and every address that can route to it can connect on every port.',
  },
  run({ inventory, namespaces }, ctx) {
    const model = networkModelOf(inventory, namespaces);
    for (const workload of workloadsOf(model)) {
      // A workload counts as isolated only when every one of its pods is.
      const open = workload.pods.find((pod) => policiesSelecting(model, pod, 'ingress').length === 0);
      if (open === undefined) continue;
      const inNamespace = model.policiesByNamespace.get(open.namespace)?.length ?? 0;
      ctx.report({
        messageId: inNamespace === 0 ? 'noPolicies' : 'notSelected',
        resource: workload.owner,
        pointer: workload.metadataPointer,
        data: { workload: workloadName(workload.owner), namespace: open.namespace, count: inNamespace },
      });
    }
  },
});
