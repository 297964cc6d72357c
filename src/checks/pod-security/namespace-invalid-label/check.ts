import { formatLabelError, PSS_MODES, versionLabel, type LabelError } from '../../../analysis/pss/index.js';
import { appendPointer } from '../../../core/json-pointer.js';
import { defineCheck } from '../../define-check.js';
import { PSS_LOCAL_READS, PSS_READS } from '../../reads.js';
import { namespaceReportsOf } from '../namespace-analysis.js';

/** What the admission controller uses instead of an invalid value (fail closed for enforce, open for the others). */
function fallback(error: LabelError): string {
  if (PSS_MODES.some((mode) => error.label === versionLabel(mode))) return 'the controller uses "latest" instead';
  return error.label.endsWith('/enforce')
    ? 'the controller enforces "restricted" instead, rejecting every pod that is not restricted'
    : 'the controller uses "privileged" instead, so this mode does nothing';
}

export default defineCheck({
  id: 'pod-security/namespace-invalid-label',
  target: 'Cluster',
  reads: PSS_READS,
  localReads: PSS_LOCAL_READS,
  meta: {
    title: 'Namespace has an invalid Pod Security label',
    area: 'pod-security',
    defaultSeverity: 'high',
    frameworks: { pss: ['baseline', 'restricted'], nsa: ['Pod security enforcement'] },
    description:
      'The API server refuses to create or relabel a namespace with an invalid `pod-security.kubernetes.io/*` value; one that already has it is judged with a fallback: an invalid enforce level means restricted (pods may be rejected unexpectedly), invalid audit or warn levels mean privileged (no warnings).',
    remediation:
      'Use exactly `privileged`, `baseline` or `restricted` for levels and `latest` or `v1.<minor>` (such as `v1.30`) for versions.',
  },
  messages: {
    invalid: 'Namespace "{{name}}": {{error}}; {{fallback}}.',
  },
  run({ inventory, namespaces }, ctx) {
    for (const report of namespaceReportsOf(inventory, namespaces)) {
      if (report.object === undefined) continue;
      for (const error of report.policy.errors) {
        ctx.report({
          messageId: 'invalid',
          resource: report.object,
          pointer: appendPointer('/metadata/labels', error.label),
          data: { name: report.name, error: formatLabelError(error), fallback: fallback(error) },
        });
      }
    }
  },
});
