import { RbacIndex } from '../../../analysis/rbac/rbac-index.js';
import { defineCheck } from '../../define-check.js';
import { RBAC_INDEX_READS } from '../../reads.js';
import { grantData, subjectPointer } from '../grant-messages.js';
import { judgedSubjects, subjectOptions } from '../judged-subjects.js';
import { riskyBindingSubjects, RISKS } from '../risks.js';

export default defineCheck({
  id: 'rbac/pods-port-forward',
  target: 'Cluster',
  reads: RBAC_INDEX_READS,
  meta: {
    title: 'Subject can port-forward to pods',
    area: 'rbac',
    defaultSeverity: 'medium',
    frameworks: { nsa: ['Network separation and hardening'], mitre: ['T1090'] },
    description:
      'pods/portforward opens a tunnel from the client to any port of any pod in scope, past NetworkPolicies, Services and ingress authentication: databases and admin ports become reachable from a laptop.',
    remediation: 'Remove pods/portforward from roles that do not need it; grant it per namespace to the people who debug there.',
  },
  messages: {
    portForward:
      '{{subject}} can {{verb}} pods/portforward {{where}} through {{binding}} ({{via}}): it can reach any port of any pod there, past NetworkPolicies.',
  },
  options: subjectOptions,
  run({ inventory }, ctx) {
    const index = RbacIndex.of(inventory);
    for (const risk of riskyBindingSubjects(index, RISKS.podsPortForward, judgedSubjects(ctx.options))) {
      const create = risk.matches.filter((m) => m.request.verb === 'create');
      ctx.report({
        messageId: 'portForward',
        ...(create.length > 0 ? {} : { severity: 'low' as const }),
        resource: risk.binding.entry,
        pointer: subjectPointer(risk),
        data: { ...grantData(risk, create.length > 0 ? create : risk.matches), verb: create.length > 0 ? 'create' : 'get' },
      });
    }
  },
});
