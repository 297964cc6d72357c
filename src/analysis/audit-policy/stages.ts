import { AUDIT_STAGES, type AuditStage } from './types.js';

/**
 * The union of two omitStages lists, duplicates dropped, in stage order. The checker replaces every
 * rule's omitStages by its union with the policy's when it is built (pkg/audit/policy/checker.go).
 */
export function unionStages(...lists: readonly (readonly AuditStage[] | undefined)[]): AuditStage[] {
  const present = new Set<AuditStage>();
  for (const list of lists) for (const stage of list ?? []) present.add(stage);
  return AUDIT_STAGES.filter((stage) => present.has(stage));
}

/** Every stage not in `stages` (pkg/audit/policy/util.go `InvertStages`). */
export function invertStages(stages: readonly AuditStage[]): AuditStage[] {
  const present = new Set(stages);
  return AUDIT_STAGES.filter((stage) => !present.has(stage));
}
