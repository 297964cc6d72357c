import { ruleKey, type PolicyRule } from './policy-rule.js';
import type { RoleRecord } from './rbac-objects.js';

/** A rule a role grants, with where it is written. */
export interface EffectiveRule {
  readonly rule: PolicyRule;
  /** Position in the role's effective rule list. */
  readonly index: number;
  /** The role whose `rules` hold it: the role itself, or for an aggregated ClusterRole the ClusterRole it came from. */
  readonly source: RoleRecord;
  /** Position in the source role's `rules`. */
  readonly sourceIndex: number;
}

function ownRules(role: RoleRecord): EffectiveRule[] {
  return role.rules.map((rule, index) => ({ rule, index, source: role, sourceIndex: index }));
}

function byName(a: RoleRecord, b: RoleRecord): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Effective rules of every role. A ClusterRole with an `aggregationRule` gets what the
 * clusterrole-aggregation controller gives it (pkg/controller/clusterroleaggregation): for each
 * selector in order, the ClusterRoles it selects sorted by name, skipping itself, their rules appended
 * unless an equal rule is already there. Its own `rules` are replaced, as the controller replaces them.
 * Aggregated roles can select aggregated roles; the controller converges, and so does this fixed
 * point (rule sets only grow, starting from empty).
 *
 * `clusterRoles` must hold one role per name (the one the API server would have).
 */
export function resolveEffectiveRules(roles: readonly RoleRecord[], clusterRoles: readonly RoleRecord[]): Map<RoleRecord, EffectiveRule[]> {
  const effective = new Map<RoleRecord, EffectiveRule[]>();
  for (const role of roles) effective.set(role, ownRules(role));
  const aggregated: RoleRecord[] = [];
  for (const role of clusterRoles) {
    if (role.aggregationSelectors === undefined) effective.set(role, ownRules(role));
    else {
      effective.set(role, []);
      aggregated.push(role);
    }
  }
  if (aggregated.length === 0) return effective;
  const sorted = [...clusterRoles].sort(byName);
  aggregated.sort(byName);
  // Each pass can only add rules, and there are finitely many, so this ends; the bound is a guard.
  for (let pass = 0; pass <= aggregated.length + 1; pass++) {
    let changed = false;
    for (const role of aggregated) {
      const out: EffectiveRule[] = [];
      const seen = new Set<string>();
      for (const selector of role.aggregationSelectors ?? []) {
        if (!selector.valid) continue;
        for (const candidate of sorted) {
          if (candidate.name === role.name || !selector.matches(candidate.labels)) continue;
          for (const r of effective.get(candidate) ?? []) {
            const key = ruleKey(r.rule);
            if (seen.has(key)) continue;
            seen.add(key);
            out.push({ rule: r.rule, index: out.length, source: r.source, sourceIndex: r.sourceIndex });
          }
        }
      }
      if (out.length !== (effective.get(role) ?? []).length) {
        effective.set(role, out);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return effective;
}
