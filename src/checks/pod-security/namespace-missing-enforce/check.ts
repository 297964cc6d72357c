import { levelLabel, policyText } from '../../../analysis/pss/index.js';
import { appendPointer } from '../../../core/json-pointer.js';
import { stringMap } from '../../../k8s/guards.js';
import { defineCheck } from '../../define-check.js';
import { PSS_LOCAL_READS, PSS_READS } from '../../reads.js';
import { namespaceReportsOf } from '../namespace-analysis.js';

const PLAN = {
  restricted: 'every workload in it passes restricted today: label it pod-security.kubernetes.io/enforce=restricted',
  baseline:
    'every workload in it passes baseline today: label it pod-security.kubernetes.io/enforce=baseline, and fix the restricted violations to go further',
  privileged:
    'some workloads in it need privileged: fix them, or label it pod-security.kubernetes.io/enforce=privileged to make that a visible decision',
} as const;

export default defineCheck({
  id: 'pod-security/namespace-missing-enforce',
  target: 'Cluster',
  reads: PSS_READS,
  localReads: PSS_LOCAL_READS,
  meta: {
    title: 'Namespace has no Pod Security enforce label',
    area: 'pod-security',
    defaultSeverity: 'medium',
    frameworks: { pss: ['baseline', 'restricted'], cis: ['5.2.1'], nsa: ['Pod security enforcement'] },
    description:
      'A namespace without `pod-security.kubernetes.io/enforce` gets the admission controller’s default, which is `privileged` unless the cluster configures otherwise: any pod, however dangerous, is admitted.',
    remediation:
      'Label the namespace with `pod-security.kubernetes.io/enforce` (and `enforce-version`), at the strictest level its workloads pass; the finding says which.',
  },
  messages: {
    missing: 'Namespace "{{name}}" has no pod-security.kubernetes.io/enforce label, so its pods are admitted at {{policy}}; {{plan}}.',
  },
  run({ inventory, namespaces }, ctx) {
    for (const report of namespaceReportsOf(inventory, namespaces)) {
      // Only namespaces whose definition was read: the labels of an implied namespace are unknown.
      if (report.object === undefined || report.exempt) continue;
      if (Object.hasOwn(stringMap(report.object.object.metadata.labels), levelLabel('enforce'))) continue;
      // Configured defaults that enforce a level already protect unlabelled namespaces.
      if (report.policy.enforce.level !== 'privileged') continue;
      ctx.report({
        messageId: 'missing',
        resource: report.object,
        pointer: appendPointer('/metadata/labels', levelLabel('enforce')),
        data: { name: report.name, policy: policyText(report.policy.enforce), plan: PLAN[report.strictestEnforceable.level] },
      });
    }
  },
});
