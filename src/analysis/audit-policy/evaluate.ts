import { unionStages } from './stages.js';
import type { AuditDecision, AuditPolicy, AuditStage, PolicyRule, RequestAttributes } from './types.js';

/**
 * Decides the audit level of requests exactly as the API server's policy checker does
 * (k8s.io/apiserver pkg/audit/policy/checker.go): the first rule that matches decides; each rule's
 * omitStages are unioned with the policy's once, when the checker is built.
 */
export class PolicyChecker {
  private readonly rules: readonly { readonly rule: PolicyRule; readonly omitStages: readonly AuditStage[] }[];
  private readonly policyOmitStages: readonly AuditStage[];

  constructor(readonly policy: AuditPolicy) {
    this.policyOmitStages = unionStages(policy.omitStages);
    this.rules = policy.rules.map((rule) => ({ rule, omitStages: unionStages(policy.omitStages, rule.omitStages) }));
  }

  /** The level, stages and managed-fields setting for a request, and the index of the rule that decided. */
  evaluate(attributes: RequestAttributes): AuditDecision {
    for (let i = 0; i < this.rules.length; i++) {
      const entry = this.rules[i] as (typeof this.rules)[number];
      if (ruleMatches(entry.rule, attributes)) {
        return {
          level: entry.rule.level,
          omitStages: entry.omitStages,
          omitManagedFields: entry.rule.omitManagedFields ?? this.policy.omitManagedFields,
          rule: i,
        };
      }
    }
    return { level: 'None', omitStages: this.policyOmitStages, omitManagedFields: this.policy.omitManagedFields, rule: undefined };
  }
}

/** True when `rule` applies to the request (every field that is set matches). */
export function ruleMatches(rule: PolicyRule, attributes: RequestAttributes): boolean {
  const user = attributes.user;
  if (rule.users.length > 0 && (user === undefined || !rule.users.includes(user.name))) return false;
  if (rule.userGroups.length > 0 && user?.groups.some((g) => rule.userGroups.includes(g)) !== true) return false;
  if (rule.verbs.length > 0 && !rule.verbs.includes(attributes.verb)) return false;
  if (rule.namespaces.length > 0 || rule.resources.length > 0) return ruleMatchesResource(rule, attributes);
  if (rule.nonResourceURLs.length > 0) return ruleMatchesNonResource(rule, attributes);
  // Neither resources nor URLs: a catch-all for both kinds of request.
  return true;
}

function ruleMatchesNonResource(rule: PolicyRule, attributes: RequestAttributes): boolean {
  if (attributes.isResourceRequest) return false;
  return rule.nonResourceURLs.some((spec) => pathMatches(attributes.path, spec));
}

/**
 * `*` matches every path; otherwise an exact match, or a plain string prefix when the pattern ends in
 * `*` (so `/logs*` also matches `/logsfoo`, as upstream's strings.HasPrefix does).
 */
export function pathMatches(path: string, spec: string): boolean {
  if (spec === '*' || spec === path) return true;
  if (!spec.endsWith('*')) return false;
  let end = spec.length;
  while (end > 0 && spec.charCodeAt(end - 1) === 42 /* * */) end--;
  return path.startsWith(spec.slice(0, end));
}

function ruleMatchesResource(rule: PolicyRule, attributes: RequestAttributes): boolean {
  if (!attributes.isResourceRequest) return false;
  if (rule.namespaces.length > 0 && !rule.namespaces.includes(attributes.namespace)) return false;
  if (rule.resources.length === 0) return true;
  const { apiGroup, resource, subresource, name } = attributes;
  const combined = subresource === '' ? resource : `${resource}/${subresource}`;
  for (const gr of rule.resources) {
    if (gr.group !== apiGroup && gr.group !== '*') continue;
    if (gr.resources.length === 0) return true;
    // resourceNames narrows every pattern of the entry, `*` included.
    if (gr.resourceNames.length > 0 && !gr.resourceNames.includes(name)) continue;
    for (const pattern of gr.resources) {
      if (resourcePatternMatches(pattern, resource, subresource, combined)) return true;
    }
  }
  return false;
}

/**
 * One `resources` pattern: `*` (everything, subresources too), an exact `resource` or
 * `resource/subresource`, `*\/sub` (any resource's `sub`), or `resource/*` (the resource with any
 * subresource or none: upstream's TrimSuffix comparison also matches the bare resource).
 */
export function resourcePatternMatches(pattern: string, resource: string, subresource: string, combined: string): boolean {
  if (pattern === '*' || pattern === combined) return true;
  if (subresource !== '' && pattern.startsWith('*/') && pattern.slice(2) === subresource) return true;
  return pattern.endsWith('/*') && pattern.slice(0, -2) === resource;
}
