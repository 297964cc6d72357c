import { networkModelOf, policiesSelecting } from '../../../analysis/netpol/index.js';
import { defineCheck } from '../../define-check.js';
import { workloadName, workloadsOf } from '../netpol-subjects.js';
import { NETWORK_READS } from '../../reads.js';

export default defineCheck({
  id: 'network/unisolated-egress',
  target: 'Cluster',
  reads: NETWORK_READS,
  localReads: NETWORK_READS,
  meta: {
    title: 'Pod is not isolated for egress',
    area: 'network',
    defaultSeverity: 'low',
    frameworks: { nsa: ['Network separation and hardening'], mitre: ['T1041'] },
    description:
      'No NetworkPolicy selects the pod for egress, so it may open connections to any pod in the cluster and any address on the internet. A compromised pod can then probe the cluster, reach cloud metadata endpoints and send data out.',
    remediation:
      'Add a default-deny egress policy to the namespace (`podSelector: {}`, `policyTypes: [Egress]`), then allow DNS and the destinations the workload needs.',
  },
  messages: {
    noPolicies:
      '{{workload}} is not isolated for egress: namespace "{{namespace}}" has no NetworkPolicy, so it can connect to every pod in the cluster and every address outside it.',
    notSelected:
      '{{workload}} is not isolated for egress: none of the {{count}} NetworkPolicy object(s) in namespace "{{namespace}}" selects it for egress, so it can connect to every pod in the cluster and every address outside it.',
  },
  run({ inventory, namespaces }, ctx) {
    const model = networkModelOf(inventory, namespaces);
    for (const workload of workloadsOf(model)) {
      const open = workload.pods.find((pod) => policiesSelecting(model, pod, 'egress').length === 0);
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
