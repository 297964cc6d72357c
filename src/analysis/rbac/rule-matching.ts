import type { PolicyRule } from './policy-rule.js';
import type { AccessRequest } from './request.js';

// Rule matching exactly as the RBAC authorizer does it (k8s.io/kubernetes pkg/apis/rbac/v1
// evaluation_helpers.go and plugin/pkg/auth/authorizer/rbac RuleAllows). Comparisons are exact and
// case-sensitive. The only wildcards are `*` (a whole entry) for verbs, apiGroups, resources and
// nonResourceURLs, `*/<subresource>` for resources, and a trailing `*` for nonResourceURLs.
// `pods/*` is NOT a wildcard: it matches only a request for the literal subresource "*".

/** `*` or the exact verb. */
export function verbMatches(rule: PolicyRule, verb: string): boolean {
  for (const v of rule.verbs) if (v === '*' || v === verb) return true;
  return false;
}

/** `*` or the exact API group (`''` is core). */
export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  for (const g of rule.apiGroups) if (g === '*' || g === group) return true;
  return false;
}

/**
 * `*` (every resource and every subresource), the exact `resource` or `resource/subresource`, or
 * `*\/subresource` when the request is for that subresource of any resource.
 */
export function resourceMatches(rule: PolicyRule, combinedResource: string, subresource: string): boolean {
  for (const r of rule.resources) {
    if (r === '*' || r === combinedResource) return true;
    if (subresource !== '' && r.length === subresource.length + 2 && r.startsWith('*/') && r.endsWith(subresource)) return true;
  }
  return false;
}

/** An empty resourceNames list allows every name (and no name); otherwise the exact name is needed. */
export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  if (rule.resourceNames.length === 0) return true;
  return rule.resourceNames.includes(name);
}

/** `*`, the exact path, or a prefix match when the entry ends in `*` (every trailing `*` is dropped). */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const url of rule.nonResourceURLs) {
    if (url === '*' || url === path) return true;
    if (url.endsWith('*') && path.startsWith(url.replace(/\*+$/, ''))) return true;
  }
  return false;
}

/** `resource` or `resource/subresource`, as rules name it. */
export function combinedResourceOf(resource: string, subresource: string): string {
  return subresource === '' ? resource : `${resource}/${subresource}`;
}

/** Whether one rule allows one request (the authorizer's RuleAllows). */
export function ruleAllows(rule: PolicyRule, request: AccessRequest): boolean {
  if (request.kind === 'nonResource') return verbMatches(rule, request.verb) && nonResourceURLMatches(rule, request.path);
  return (
    verbMatches(rule, request.verb) &&
    apiGroupMatches(rule, request.apiGroup) &&
    resourceMatches(rule, combinedResourceOf(request.resource, request.subresource), request.subresource) &&
    resourceNameMatches(rule, request.name)
  );
}

/** Whether a rule allows a request for some object name: like `ruleAllows`, with resourceNames ignored. */
export function ruleAllowsSomeName(rule: PolicyRule, request: AccessRequest): boolean {
  if (request.kind === 'nonResource') return ruleAllows(rule, request);
  return (
    verbMatches(rule, request.verb) &&
    apiGroupMatches(rule, request.apiGroup) &&
    resourceMatches(rule, combinedResourceOf(request.resource, request.subresource), request.subresource)
  );
}
