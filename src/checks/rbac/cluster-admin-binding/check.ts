import { describeObject, describeSubject } from '../../../analysis/rbac/describe.js';
import { RbacIndex, subjectRefOf } from '../../../analysis/rbac/rbac-index.js';
import { defineCheck } from '../../define-check.js';
import { RBAC_INDEX_READS } from '../../reads.js';
import { grantData, subjectPointer } from '../grant-messages.js';
import { isDefaultBinding, judgedSubjects, subjectOptions } from '../judged-subjects.js';
import { riskyBindingSubjects, RISKS } from '../risks.js';

export default defineCheck({
  id: 'rbac/cluster-admin-binding',
  target: 'Cluster',
  reads: RBAC_INDEX_READS,
  meta: {
    title: 'Subject bound to cluster-admin (or an equivalent role)',
    area: 'rbac',
    defaultSeverity: 'critical',
    frameworks: { cis: ['5.1.1'], nsa: ['Authentication and authorization'], mitre: ['T1078'] },
    description:
      'A ClusterRoleBinding to cluster-admin, or to any ClusterRole with a rule allowing every verb on every resource of every API group, lets its subjects do anything to every object in the cluster. Whoever holds those credentials owns the cluster.',
    remediation:
      'Bind a role that lists only the resources and verbs the subject needs, in the namespaces it needs them (a RoleBinding to admin or edit for namespace owners); keep cluster-admin for break-glass accounts.',
  },
  messages: {
    clusterAdmin: '{{subject}} is bound to ClusterRole cluster-admin by {{binding}}: it can do anything to every object in the cluster.',
    equivalent:
      '{{subject}} is bound by {{binding}} to {{role}}, whose {{via}} allows every verb on every resource of every API group: the same as cluster-admin.',
  },
  options: subjectOptions,
  run({ inventory }, ctx) {
    const index = RbacIndex.of(inventory);
    const judge = judgedSubjects(ctx.options);
    const reported = new Set<string>();
    // By name: cluster-admin is cluster-admin whatever rules the input gives it.
    for (const binding of index.bindings) {
      if (binding.kind !== 'ClusterRoleBinding' || isDefaultBinding(binding)) continue;
      if (binding.roleRef?.kind !== 'ClusterRole' || binding.roleRef.name !== 'cluster-admin') continue;
      for (const subject of binding.subjects) {
        const ref = subjectRefOf(subject, binding);
        if (ref === undefined || !judge(ref)) continue;
        reported.add(`${binding.entry.id}/${subject.index}`);
        ctx.report({
          messageId: 'clusterAdmin',
          resource: binding.entry,
          pointer: subjectPointer({ subject }),
          data: { subject: describeSubject(ref), binding: describeObject(binding) },
        });
      }
    }
    // By effect: an all-wildcard rule bound cluster-wide (the request `kubectl auth can-i '*' '*'` asks).
    for (const risk of riskyBindingSubjects(index, RISKS.clusterAdmin, judge)) {
      if (reported.has(`${risk.binding.entry.id}/${risk.subject.index}`)) continue;
      const role = risk.matches[0]?.grant.role;
      ctx.report({
        messageId: 'equivalent',
        resource: risk.binding.entry,
        pointer: subjectPointer(risk),
        data: { ...grantData(risk), role: role === undefined ? 'its role' : describeObject(role) },
      });
    }
  },
});
