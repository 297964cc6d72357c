import { RbacIndex } from '../../../analysis/rbac/rbac-index.js';
import { defineCheck } from '../../define-check.js';
import { RBAC_INDEX_READS } from '../../reads.js';
import { grantData, joinWords, subjectPointer } from '../grant-messages.js';
import { judgedSubjects, subjectOptions } from '../judged-subjects.js';
import { riskyBindingSubjects, RISKS, verbsOf } from '../risks.js';

export default defineCheck({
  id: 'rbac/nodes-proxy',
  target: 'Cluster',
  reads: RBAC_INDEX_READS,
  meta: {
    title: 'Subject can reach the kubelet API through nodes/proxy',
    area: 'rbac',
    defaultSeverity: 'high',
    frameworks: { cis: ['5.1.10'], nsa: ['Authentication and authorization'], mitre: ['T1609', 'T1611'] },
    description:
      'nodes/proxy lets the API server relay requests to every kubelet. The kubelet API runs commands in any container on the node, reads its logs and lists its pods, and the relayed requests bypass admission control and most audit logging.',
    remediation:
      'Remove nodes/proxy from every role except monitoring agents that need kubelet metrics, and give those a role limited to get.',
  },
  messages: {
    proxy:
      '{{subject}} can {{verbs}} nodes/proxy cluster-wide through {{binding}} ({{via}}): it can use every kubelet’s API, including running commands in any container.',
  },
  options: subjectOptions,
  run({ inventory }, ctx) {
    const index = RbacIndex.of(inventory);
    for (const risk of riskyBindingSubjects(index, RISKS.nodesProxy, judgedSubjects(ctx.options))) {
      ctx.report({
        messageId: 'proxy',
        resource: risk.binding.entry,
        pointer: subjectPointer(risk),
        data: { ...grantData(risk, risk.matches, true), verbs: joinWords(verbsOf(risk.matches)) },
      });
    }
  },
});
