import { RbacIndex } from '../../../analysis/rbac/rbac-index.js';
import { defineCheck } from '../../define-check.js';
import { RBAC_INDEX_READS } from '../../reads.js';
import { grantData, joinWords, subjectPointer } from '../grant-messages.js';
import { judgedSubjects, subjectOptions } from '../judged-subjects.js';
import { riskyBindingSubjects, RISKS } from '../risks.js';

export default defineCheck({
  id: 'rbac/pods-exec',
  target: 'Cluster',
  reads: RBAC_INDEX_READS,
  meta: {
    title: 'Subject can exec or attach into pods',
    area: 'rbac',
    defaultSeverity: 'high',
    frameworks: { nsa: ['Authentication and authorization'], mitre: ['T1609'] },
    description:
      'pods/exec and pods/attach give a shell (or the terminal) of any container in scope: its files, its environment with any Secrets in it, and its service-account token.',
    remediation:
      'Remove pods/exec and pods/attach from roles that do not need interactive access; grant them per namespace, for break-glass use.',
  },
  messages: {
    exec: '{{subject}} can {{what}} {{where}} through {{binding}} ({{via}}): a shell in any container there, with its Secrets and service-account token.',
    getOnly:
      '{{subject}} has get on {{what}} {{where}} through {{binding}} ({{via}}): API servers that authorize WebSocket exec and attach with get (older versions, or with the AuthorizePodWebsocketUpgradeCreatePermission feature gate off) give it a shell there.',
  },
  options: subjectOptions,
  run({ inventory }, ctx) {
    const index = RbacIndex.of(inventory);
    for (const risk of riskyBindingSubjects(index, RISKS.podsExec, judgedSubjects(ctx.options))) {
      const create = risk.matches.filter((m) => m.request.verb === 'create');
      const matches = create.length > 0 ? create : risk.matches;
      const what = joinWords([...new Set(matches.map((m) => `pods/${m.request.subresource ?? ''}`))]);
      ctx.report({
        messageId: create.length > 0 ? 'exec' : 'getOnly',
        ...(create.length > 0 ? {} : { severity: 'medium' as const }),
        resource: risk.binding.entry,
        pointer: subjectPointer(risk),
        data: { ...grantData(risk, matches), what: create.length > 0 ? `create ${what}` : what },
      });
    }
  },
});
