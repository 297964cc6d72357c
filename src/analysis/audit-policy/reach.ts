import { pathMatches, resourcePatternMatches } from './evaluate.js';
import { unionStages } from './stages.js';
import type { AuditLevel, AuditPolicy, AuditStage, PolicyRule } from './types.js';

/**
 * A kind of request, with the parts the question leaves open (who asks, in which namespace, on which
 * object) unknown: "a create of pods/exec", "a get of /healthz".
 */
export interface RequestShape {
  readonly verb: string;
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource: string;
  readonly isResourceRequest: boolean;
  readonly path: string;
}

/** A rule that may decide requests of a shape: for all of them, or only for some users, namespaces or names. */
export interface ReachStep {
  /** Index of the rule; undefined for the default (no rule matched: None). */
  readonly rule: number | undefined;
  readonly level: AuditLevel;
  readonly omitStages: readonly AuditStage[];
  /** Why it applies only to some requests of the shape (empty when it applies to all the rest). */
  readonly only: readonly string[];
}

function shapeMatches(rule: PolicyRule, shape: RequestShape): boolean {
  if (rule.verbs.length > 0 && !rule.verbs.includes(shape.verb)) return false;
  if (rule.namespaces.length > 0 || rule.resources.length > 0) {
    if (!shape.isResourceRequest) return false;
    if (rule.resources.length === 0) return true;
    const combined = shape.subresource === '' ? shape.resource : `${shape.resource}/${shape.subresource}`;
    return rule.resources.some(
      (gr) =>
        (gr.group === shape.apiGroup || gr.group === '*') &&
        (gr.resources.length === 0 || gr.resources.some((p) => resourcePatternMatches(p, shape.resource, shape.subresource, combined))),
    );
  }
  if (rule.nonResourceURLs.length > 0)
    return !shape.isResourceRequest && rule.nonResourceURLs.some((spec) => pathMatches(shape.path, spec));
  return true;
}

/** The constraints of a rule that a shape leaves open. */
function openConditions(rule: PolicyRule, shape: RequestShape): string[] {
  const only: string[] = [];
  if (rule.users.length > 0) only.push(`users ${rule.users.join(', ')}`);
  if (rule.userGroups.length > 0) only.push(`groups ${rule.userGroups.join(', ')}`);
  if (rule.namespaces.length > 0) only.push(`namespaces ${rule.namespaces.map((n) => (n === '' ? '"" (cluster-scoped)' : n)).join(', ')}`);
  const combined = shape.subresource === '' ? shape.resource : `${shape.resource}/${shape.subresource}`;
  const named = rule.resources.filter(
    (gr) =>
      gr.resourceNames.length > 0 &&
      (gr.group === shape.apiGroup || gr.group === '*') &&
      gr.resources.some((p) => resourcePatternMatches(p, shape.resource, shape.subresource, combined)),
  );
  // A shape is matched by the name-restricted entry only if no unrestricted entry of the rule matches it.
  const unrestricted = rule.resources.some(
    (gr) =>
      gr.resourceNames.length === 0 &&
      (gr.group === shape.apiGroup || gr.group === '*') &&
      (gr.resources.length === 0 || gr.resources.some((p) => resourcePatternMatches(p, shape.resource, shape.subresource, combined))),
  );
  if (named.length > 0 && !unrestricted && rule.resources.length > 0)
    only.push(`names ${named.flatMap((gr) => gr.resourceNames).join(', ')}`);
  return only;
}

/**
 * Every rule that may decide requests of this shape, in order, up to the first that decides all the
 * rest (or the default None). The first matching rule decides (k8s.io/apiserver policy checker), so
 * a rule that applies only to some users shadows the later ones for those users only.
 */
export function reach(policy: AuditPolicy, shape: RequestShape): ReachStep[] {
  const steps: ReachStep[] = [];
  for (let i = 0; i < policy.rules.length; i++) {
    const rule = policy.rules[i] as PolicyRule;
    if (!shapeMatches(rule, shape)) continue;
    const only = openConditions(rule, shape);
    steps.push({ rule: i, level: rule.level, omitStages: unionStages(policy.omitStages, rule.omitStages), only });
    if (only.length === 0) return steps;
  }
  steps.push({ rule: undefined, level: 'None', omitStages: unionStages(policy.omitStages), only: [] });
  return steps;
}
