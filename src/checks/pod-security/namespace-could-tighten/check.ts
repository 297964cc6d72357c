import { compareLevels, levelLabel, policyText } from '../../../analysis/pss/index.js';
import { appendPointer } from '../../../core/json-pointer.js';
import { defineCheck } from '../../define-check.js';
import { PSS_LOCAL_READS, PSS_READS } from '../../reads.js';
import { namespaceReportsOf } from '../namespace-analysis.js';

export default defineCheck({
  id: 'pod-security/namespace-could-tighten',
  target: 'Cluster',
  reads: PSS_READS,
  localReads: PSS_LOCAL_READS,
  meta: {
    title: 'Namespace could enforce a stricter Pod Security level',
    area: 'pod-security',
    defaultSeverity: 'low',
    frameworks: { pss: ['baseline', 'restricted'], nsa: ['Pod security enforcement'] },
    description:
      'Every workload in the namespace already passes a stricter level than the one enforced. Enforcing it now costs nothing and stops new or changed workloads from regressing.',
    remediation: 'Raise the namespace’s `pod-security.kubernetes.io/enforce` label to the level the finding names.',
  },
  messages: {
    tighten:
      'Namespace "{{name}}" enforces {{current}}, but all {{count}} workload(s) in it pass {{possible}} today: raise pod-security.kubernetes.io/enforce to {{level}}.',
  },
  run({ inventory, namespaces }, ctx) {
    for (const report of namespaceReportsOf(inventory, namespaces)) {
      // Unlabelled namespaces are pod-security/namespace-missing-enforce's concern; empty ones say nothing.
      if (report.object === undefined || report.exempt || !report.policy.labelled.enforce || report.workloads.length === 0) continue;
      if (report.policy.errors.some((e) => e.label === levelLabel('enforce'))) continue;
      if (compareLevels(report.strictestEnforceable.level, report.policy.enforce.level) <= 0) continue;
      ctx.report({
        messageId: 'tighten',
        resource: report.object,
        pointer: appendPointer('/metadata/labels', levelLabel('enforce')),
        data: {
          name: report.name,
          current: policyText(report.policy.enforce),
          possible: policyText(report.strictestEnforceable),
          count: report.workloads.length,
          level: report.strictestEnforceable.level,
        },
      });
    }
  },
});
