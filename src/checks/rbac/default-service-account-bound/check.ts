import { describeObject } from '../../../analysis/rbac/describe.js';
import { RbacIndex, subjectRefOf } from '../../../analysis/rbac/rbac-index.js';
import { defineCheck } from '../../define-check.js';
import { RBAC_INDEX_READS } from '../../reads.js';
import { isDefaultBinding } from '../judged-subjects.js';

export default defineCheck({
  id: 'rbac/default-service-account-bound',
  target: 'Cluster',
  reads: RBAC_INDEX_READS,
  meta: {
    title: 'The default service account is granted a role',
    area: 'rbac',
    defaultSeverity: 'medium',
    frameworks: { cis: ['5.1.5'], nsa: ['Authentication and authorization'], mitre: ['T1078'] },
    description:
      'Every pod that names no service account runs as its namespace’s default service account. A role bound to it is given to all of those pods — including ones added later by people who never asked for it.',
    remediation:
      'Create a dedicated service account for the workload that needs the role, bind the role to it, and set serviceAccountName in that workload.',
  },
  messages: {
    bound:
      'ServiceAccount {{namespace}}/default is bound to {{role}} by {{binding}}: every pod of namespace {{namespace}} that names no service account gets these permissions.',
  },
  run({ inventory }, ctx) {
    const index = RbacIndex.of(inventory);
    for (const binding of index.bindings) {
      if (isDefaultBinding(binding)) continue;
      for (const subject of binding.subjects) {
        const ref = subjectRefOf(subject, binding);
        if (ref?.kind !== 'ServiceAccount' || ref.name !== 'default') continue;
        const role = binding.roleRef === undefined ? 'no role' : `${binding.roleRef.kind} ${binding.roleRef.name}`;
        ctx.report({
          messageId: 'bound',
          resource: binding.entry,
          pointer: `/subjects/${subject.index}`,
          data: { namespace: ref.namespace ?? '', role, binding: describeObject(binding) },
        });
      }
    }
  },
});
