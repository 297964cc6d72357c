import { readPolicyRule, type RuleReadProblem } from '../../../analysis/rbac/policy-rule.js';
import { arrayOrEmpty, stringMap } from '../../../k8s/guards.js';
import { defineCheck } from '../../define-check.js';

/** Rule fields where `*` is a wildcard, in the order messages name them. */
const FIELDS = ['verbs', 'apiGroups', 'resources', 'nonResourceURLs'] as const;

/**
 * A resources entry that looks like a wildcard but is not one: the authorizer only expands `*` and
 * `*\/<subresource>`, so `pods/*`, `*\/*` or `secret*` match nothing (evaluation_helpers.go ResourceMatches).
 */
function isFalseWildcard(resource: string): boolean {
  if (!resource.includes('*') || resource === '*') return false;
  return !(resource.startsWith('*/') && resource.length > 2 && !resource.slice(2).includes('*'));
}

export default defineCheck({
  id: 'rbac/wildcard-rules',
  target: 'Object',
  kinds: ['rbac.authorization.k8s.io/Role', 'rbac.authorization.k8s.io/ClusterRole'],
  meta: {
    title: 'Role rule uses wildcards',
    area: 'rbac',
    defaultSeverity: 'medium',
    frameworks: { cis: ['5.1.3'], nsa: ['Authentication and authorization'], mitre: ['T1078'] },
    description:
      'A `*` in a rule’s verbs, resources or apiGroups grants everything that matches today and everything added later (new resources, custom resources, new verbs such as escalate or impersonate), which is rarely what was meant.',
    remediation: 'List the verbs, resources and API groups the subject needs instead of `*`.',
  },
  messages: {
    wildcard:
      '{{kind}} "{{name}}" rules[{{index}}] uses * in {{fields}}: it also grants whatever is added to the API later; list what is needed.',
    everything:
      '{{kind}} "{{name}}" rules[{{index}}] allows every verb on every resource of every API group{{scope}}: list what is needed.',
    falseWildcard:
      '{{kind}} "{{name}}" rules[{{index}}] lists resource "{{resource}}", which the API server does not expand (only "*" and "*/<subresource>" are wildcards): the entry grants nothing.',
  },
  run({ object }, ctx) {
    const labels = stringMap(object.metadata.labels);
    // The bootstrap policy's own roles (cluster-admin, admin, edit, system:*) are Kubernetes', not yours.
    if (labels['kubernetes.io/bootstrapping'] === 'rbac-defaults') return;
    // An aggregated ClusterRole's rules are written by the aggregation controller from other roles,
    // which are judged themselves.
    if (object.kind === 'ClusterRole' && object.aggregationRule !== undefined && object.aggregationRule !== null) return;
    const ignored: RuleReadProblem[] = [];
    arrayOrEmpty(object.rules).forEach((value, index) => {
      const rule = readPolicyRule(value, `/rules/${index}`, ignored);
      const data = { kind: object.kind, name: object.metadata.name, index };
      const wild = FIELDS.filter((field) => rule[field].includes('*'));
      if (rule.verbs.includes('*') && rule.resources.includes('*') && rule.apiGroups.includes('*')) {
        ctx.report({
          messageId: 'everything',
          severity: 'high',
          pointer: `/rules/${index}/verbs/${rule.verbs.indexOf('*')}`,
          data: { ...data, scope: object.kind === 'Role' ? ` in namespace ${object.metadata.namespace ?? 'default'}` : '' },
        });
      } else if (wild.length > 0) {
        const first = wild[0] as (typeof FIELDS)[number];
        ctx.report({
          messageId: 'wildcard',
          pointer: `/rules/${index}/${first}/${rule[first].indexOf('*')}`,
          data: { ...data, fields: wild.join(', ') },
        });
      }
      rule.resources.forEach((resource, i) => {
        if (isFalseWildcard(resource)) {
          ctx.report({
            messageId: 'falseWildcard',
            severity: 'low',
            pointer: `/rules/${index}/resources/${i}`,
            data: { ...data, resource },
          });
        }
      });
    });
  },
});
