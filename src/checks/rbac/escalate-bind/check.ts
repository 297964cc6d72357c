import { RbacIndex } from '../../../analysis/rbac/rbac-index.js';
import { defineCheck } from '../../define-check.js';
import { RBAC_INDEX_READS } from '../../reads.js';
import { grantData, joinWords, subjectPointer } from '../grant-messages.js';
import { judgedSubjects, subjectOptions } from '../judged-subjects.js';
import { describeRiskRequest, riskyBindingSubjects, RISKS } from '../risks.js';

export default defineCheck({
  id: 'rbac/escalate-bind',
  target: 'Cluster',
  reads: RBAC_INDEX_READS,
  meta: {
    title: 'Subject can escalate or bind roles',
    area: 'rbac',
    defaultSeverity: 'high',
    frameworks: { cis: ['5.1.8'], nsa: ['Authentication and authorization'], mitre: ['T1098'] },
    description:
      'RBAC normally stops anyone from granting permissions they do not hold. escalate on roles lets a subject write any rule into a role; bind lets it bind any role it names — including cluster-admin — so either is a way to every permission.',
    remediation:
      'Remove escalate and bind from roles; where delegation is needed, grant bind with resourceNames listing the roles that may be handed out.',
  },
  messages: {
    escalate:
      '{{subject}} can {{what}} {{where}} through {{binding}} ({{via}}): RBAC’s escalation check no longer stops it from granting itself more.',
    limited:
      '{{subject}} can {{what}} for the roles {{names}} {{where}} through {{binding}} ({{via}}): check that handing out those roles is intended.',
  },
  options: subjectOptions,
  run({ inventory }, ctx) {
    const index = RbacIndex.of(inventory);
    for (const risk of riskyBindingSubjects(index, RISKS.escalateBind, judgedSubjects(ctx.options))) {
      const open = risk.matches.filter((m) => m.rule.rule.resourceNames.length === 0);
      const matches = open.length > 0 ? open : risk.matches;
      const what = joinWords([...new Set(matches.map((m) => describeRiskRequest(m.request).replace('.rbac.authorization.k8s.io', '')))]);
      if (open.length > 0) {
        ctx.report({
          messageId: 'escalate',
          resource: risk.binding.entry,
          pointer: subjectPointer(risk),
          data: { ...grantData(risk, matches), what },
        });
      } else {
        const names = joinWords([...new Set(matches.flatMap((m) => m.rule.rule.resourceNames))].map((n) => `"${n}"`));
        ctx.report({
          messageId: 'limited',
          severity: 'medium',
          resource: risk.binding.entry,
          pointer: subjectPointer(risk),
          data: { ...grantData(risk, matches), what, names },
        });
      }
    }
  },
});
