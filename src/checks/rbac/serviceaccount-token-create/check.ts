import { RbacIndex } from '../../../analysis/rbac/rbac-index.js';
import { defineCheck } from '../../define-check.js';
import { RBAC_INDEX_READS } from '../../reads.js';
import { grantData, joinWords, subjectPointer } from '../grant-messages.js';
import { judgedSubjects, subjectOptions } from '../judged-subjects.js';
import { riskyBindingSubjects, RISKS } from '../risks.js';

export default defineCheck({
  id: 'rbac/serviceaccount-token-create',
  target: 'Cluster',
  reads: RBAC_INDEX_READS,
  meta: {
    title: 'Subject can create tokens for service accounts',
    area: 'rbac',
    defaultSeverity: 'high',
    frameworks: { cis: ['5.1.13'], nsa: ['Authentication and authorization'], mitre: ['T1528'] },
    description:
      'create on serviceaccounts/token (the TokenRequest API, kubectl create token) mints a token for any service account in scope: the subject gains the permissions of every one of them.',
    remediation:
      'Remove create on serviceaccounts/token, or limit it with resourceNames to the service accounts the subject must mint tokens for.',
  },
  messages: {
    token: '{{subject}} can create tokens for any service account {{where}} through {{binding}} ({{via}}): it holds all their permissions.',
    named: '{{subject}} can create tokens for the service accounts {{names}} {{where}} through {{binding}} ({{via}}).',
  },
  options: subjectOptions,
  run({ inventory }, ctx) {
    const index = RbacIndex.of(inventory);
    for (const risk of riskyBindingSubjects(index, RISKS.serviceAccountToken, judgedSubjects(ctx.options))) {
      const open = risk.matches.filter((m) => m.rule.rule.resourceNames.length === 0);
      if (open.length > 0) {
        ctx.report({ messageId: 'token', resource: risk.binding.entry, pointer: subjectPointer(risk), data: grantData(risk, open) });
        continue;
      }
      // A service account minting tokens only for itself gains nothing.
      const self =
        risk.ref.kind === 'ServiceAccount' &&
        (risk.binding.kind === 'ClusterRoleBinding' ? false : risk.binding.namespace === risk.ref.namespace);
      const names = [...new Set(risk.matches.flatMap((m) => m.rule.rule.resourceNames))].filter((n) => !(self && n === risk.ref.name));
      if (names.length === 0) continue;
      ctx.report({
        messageId: 'named',
        severity: 'medium',
        resource: risk.binding.entry,
        pointer: subjectPointer(risk),
        data: { ...grantData(risk), names: joinWords(names.map((n) => `"${n}"`)) },
      });
    }
  },
});
