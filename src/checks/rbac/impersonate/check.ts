import { RbacIndex } from '../../../analysis/rbac/rbac-index.js';
import { defineCheck } from '../../define-check.js';
import { RBAC_INDEX_READS } from '../../reads.js';
import { grantData, joinWords, subjectPointer } from '../grant-messages.js';
import { judgedSubjects, subjectOptions } from '../judged-subjects.js';
import { riskyBindingSubjects, RISKS } from '../risks.js';

export default defineCheck({
  id: 'rbac/impersonate',
  target: 'Cluster',
  reads: RBAC_INDEX_READS,
  meta: {
    title: 'Subject can impersonate users, groups or service accounts',
    area: 'rbac',
    defaultSeverity: 'critical',
    frameworks: { cis: ['5.1.8'], nsa: ['Authentication and authorization'], mitre: ['T1078'] },
    description:
      'impersonate lets a subject act as another identity (kubectl --as / --as-group). Impersonating users or groups means acting as any of them — the group system:masters included, which bypasses RBAC entirely; impersonating service accounts means holding their permissions.',
    remediation:
      'Remove impersonate; where it is needed (an authenticating proxy), limit it with resourceNames to the identities the proxy serves.',
  },
  messages: {
    impersonate:
      '{{subject}} can impersonate {{targets}} {{where}} through {{binding}} ({{via}}): it can act with their permissions{{masters}}.',
    limited: '{{subject}} can impersonate the {{targets}} named {{names}} {{where}} through {{binding}} ({{via}}).',
  },
  options: subjectOptions,
  run({ inventory }, ctx) {
    const index = RbacIndex.of(inventory);
    for (const risk of riskyBindingSubjects(index, RISKS.impersonate, judgedSubjects(ctx.options))) {
      const open = risk.matches.filter((m) => m.rule.rule.resourceNames.length === 0);
      const matches = open.length > 0 ? open : risk.matches;
      const resources = [...new Set(matches.map((m) => m.request.resource))];
      const targets = joinWords(resources);
      if (open.length > 0) {
        const canBeAnyone = resources.includes('users') || resources.includes('groups');
        ctx.report({
          messageId: 'impersonate',
          ...(canBeAnyone ? {} : { severity: 'high' as const }),
          resource: risk.binding.entry,
          pointer: subjectPointer(risk),
          data: {
            ...grantData(risk, matches, canBeAnyone),
            targets,
            masters: resources.includes('groups') ? ', system:masters (cluster-admin without RBAC) included' : '',
          },
        });
      } else {
        const names = joinWords([...new Set(matches.flatMap((m) => m.rule.rule.resourceNames))].map((n) => `"${n}"`));
        ctx.report({
          messageId: 'limited',
          severity: 'medium',
          resource: risk.binding.entry,
          pointer: subjectPointer(risk),
          data: { ...grantData(risk, matches), targets, names },
        });
      }
    }
  },
});
