import { policyText } from '../../../analysis/pss/index.js';
import { defineCheck } from '../../define-check.js';
import { PSS_LOCAL_READS, PSS_READS } from '../../reads.js';
import { namespaceReportsOf } from '../namespace-analysis.js';

export default defineCheck({
  id: 'pod-security/enforce-violation',
  target: 'Cluster',
  reads: PSS_READS,
  localReads: PSS_LOCAL_READS,
  meta: {
    title: 'Workload violates its namespace’s enforced Pod Security level',
    area: 'pod-security',
    defaultSeverity: 'high',
    frameworks: { pss: ['baseline', 'restricted'], nsa: ['Pod security enforcement'] },
    description:
      'The namespace enforces a Pod Security level that this workload’s pod template violates. A Pod is rejected outright; a Deployment, StatefulSet, Job … is created with only a warning, and then its controller cannot create any pod.',
    remediation:
      'Change the pod template to satisfy the namespace’s level (each finding names the field), or move the workload to a namespace whose level it is meant to run at.',
  },
  messages: {
    violation:
      '{{kind}} "{{name}}" cannot run in namespace "{{namespace}}": its pods violate PodSecurity "{{policy}}": {{reason}} ({{detail}}).',
  },
  run({ inventory, namespaces }, ctx) {
    for (const report of namespaceReportsOf(inventory, namespaces)) {
      for (const workload of report.modes.enforce.violators) {
        for (const violation of workload.results.enforce.violations) {
          ctx.report({
            messageId: 'violation',
            resource: workload.owner,
            pointer: violation.fields[0]?.pointer ?? workload.template.specPointer,
            data: {
              kind: workload.owner.ref.kind,
              name: workload.owner.ref.name,
              namespace: report.name,
              policy: policyText(report.modes.enforce.policy),
              reason: violation.reason,
              detail: violation.detail,
            },
          });
        }
      }
    }
  },
});
