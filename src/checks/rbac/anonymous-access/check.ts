import { describeObject, describeRule, describeSubject } from '../../../analysis/rbac/describe.js';
import { RbacIndex, subjectRefOf } from '../../../analysis/rbac/rbac-index.js';
import { ANONYMOUS_USER, UNAUTHENTICATED_GROUP } from '../../../analysis/rbac/user-info.js';
import { defineCheck } from '../../define-check.js';
import { RBAC_INDEX_READS } from '../../reads.js';
import { whereBindingHolds } from '../risks.js';

/** What the bootstrap policy's system:public-info-viewer lets anyone read: health and version. */
const PUBLIC_INFO = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/']);

/** `public` (health/version only), `discovery` (read-only non-resource URLs) or `more`. */
function exposure(
  rules: readonly { rule: { verbs: readonly string[]; nonResourceURLs: readonly string[]; resources: readonly string[] } }[],
): 'public' | 'discovery' | 'more' {
  let level: 'public' | 'discovery' = 'public';
  for (const { rule } of rules) {
    if (rule.resources.length > 0 || rule.verbs.some((v) => v !== 'get' && v !== 'head')) return 'more';
    if (rule.nonResourceURLs.some((url) => !PUBLIC_INFO.has(url))) level = 'discovery';
  }
  return level;
}

export default defineCheck({
  id: 'rbac/anonymous-access',
  target: 'Cluster',
  reads: RBAC_INDEX_READS,
  meta: {
    title: 'Grant to anonymous or unauthenticated requests',
    area: 'rbac',
    defaultSeverity: 'critical',
    frameworks: { nsa: ['Authentication and authorization'], mitre: ['T1078.001'] },
    description:
      'A binding to the user system:anonymous or the group system:unauthenticated grants its role to every request that carries no credentials — anyone who can reach the API server, when anonymous authentication is on (the default).',
    remediation:
      'Remove system:anonymous and system:unauthenticated from bindings; for health checks, keep only the default system:public-info-viewer binding, or turn anonymous authentication off.',
  },
  messages: {
    grant: '{{subject}} is bound by {{binding}} to {{role}} {{where}}: anyone who can reach the API server gets {{rules}}.',
    discovery:
      '{{subject}} is bound by {{binding}} to {{role}}: requests without credentials can read {{rules}} (API discovery reveals what runs in the cluster).',
    publicInfo:
      '{{subject}} is bound by {{binding}} to {{role}}: requests without credentials can read the health and version endpoints ({{rules}}).',
    unresolved:
      '{{subject}} is bound by {{binding}} to {{role}}, which does not exist: whoever creates it grants its rules to anyone who can reach the API server.',
  },
  run({ inventory }, ctx) {
    const index = RbacIndex.of(inventory);
    for (const binding of index.bindings) {
      for (const subject of binding.subjects) {
        const ref = subjectRefOf(subject, binding);
        if (ref === undefined) continue;
        const anonymous =
          (ref.kind === 'User' && ref.name === ANONYMOUS_USER) || (ref.kind === 'Group' && ref.name === UNAUTHENTICATED_GROUP);
        if (!anonymous) continue;
        const roleName = binding.roleRef === undefined ? 'no role' : `${binding.roleRef.kind} ${binding.roleRef.name}`;
        const base = { subject: describeSubject(ref), binding: describeObject(binding), role: roleName, where: whereBindingHolds(binding) };
        const pointer = `/subjects/${subject.index}`;
        const resolved = index.resolveRole(binding);
        if (!('role' in resolved)) {
          // The bootstrap policy's role may simply not be in the input: judge it by what it is everywhere.
          if (binding.roleRef?.kind === 'ClusterRole' && binding.roleRef.name === 'system:public-info-viewer') {
            ctx.report({
              messageId: 'publicInfo',
              severity: 'low',
              resource: binding.entry,
              pointer,
              data: { ...base, rules: 'get /healthz, /livez, /readyz, /version' },
            });
          } else {
            ctx.report({ messageId: 'unresolved', severity: 'medium', resource: binding.entry, pointer, data: base });
          }
          continue;
        }
        const rules = index.effectiveRules(resolved.role);
        if (rules.length === 0) continue;
        const text = rules.map((r) => describeRule(r.rule)).join('; ');
        const level = exposure(rules);
        if (level === 'public')
          ctx.report({ messageId: 'publicInfo', severity: 'low', resource: binding.entry, pointer, data: { ...base, rules: text } });
        else if (level === 'discovery')
          ctx.report({ messageId: 'discovery', severity: 'medium', resource: binding.entry, pointer, data: { ...base, rules: text } });
        else ctx.report({ messageId: 'grant', resource: binding.entry, pointer, data: { ...base, rules: text } });
      }
    }
  },
});
