import type { DetectionRule } from '../audit/rule.js';
import type { Alert } from '../core/alert.js';
import { partitionOf } from './partition.js';

/**
 * A lane is a unit of work a worker holds a lease on: one partition of the audit stream (a number),
 * or the global lane, which reads every partition of a cluster in stream order for the rules whose
 * state is not keyed by the acting identity.
 */
export type Lane = number | 'global';

/** The lane that runs the rules that need the whole stream. */
export const GLOBAL_LANE = 'global';

/** A lane as a subject token, KV key part and metric label: `0`…`15`, `global`. */
export function laneName(lane: Lane): string {
  return String(lane);
}

/** Field names that read the acting identity: the impersonated user when there is one, else the user. */
const ACTOR_FIELDS = new Set(['actor.name']);
/** The authenticated user's name: the named field and the same value read as a path into the event. */
const USER_FIELDS = new Set(['user.name', 'user.username']);
/** The impersonated user's name (empty when the request was not impersonated). */
const IMPERSONATED_FIELDS = new Set(['impersonatedUser.name', 'impersonatedUser.username']);

/**
 * Whether a state key built from these fields pins the acting identity, so that every event sharing
 * a key value has the same actor — the value the pipeline partitions by (`actor.username`, see
 * `toAuditEvent`: `impersonatedUser ?? user`). True when the key holds `actor.name`, or both the
 * user and the impersonated user (the actor is the impersonated user when that is set, else the user).
 */
export function pinsActor(fields: readonly string[]): boolean {
  if (fields.some((f) => ACTOR_FIELDS.has(f))) return true;
  return fields.some((f) => USER_FIELDS.has(f)) && fields.some((f) => IMPERSONATED_FIELDS.has(f));
}

/** Where a rule runs in the pipeline, and why. */
export interface RuleScope {
  readonly scope: 'partition' | 'global';
  /** For global rules: the state whose key does not pin the actor (`window by [sourceIP]`). */
  readonly reason?: string;
}

/**
 * Classify a rule. A rule is partition-local when everything it remembers between events is keyed
 * by the acting identity: it is stateless, or its rate window / first-seen memory / sequence steps
 * and its throttle (when on) are keyed by fields that pin the actor. Such a rule sees every event
 * that can touch one of its keys in one partition, in order, and raises what one process would.
 * Any other rule is global: one key can collect events of several identities, hence of several
 * partitions, so it runs on the global lane, which reads the whole stream.
 */
export function ruleScope(rule: DetectionRule, options: { throttle?: boolean } = {}): RuleScope {
  const state = rule.state;
  const keyed = (what: string, by: readonly string[]): RuleScope | undefined =>
    pinsActor(by) ? undefined : { scope: 'global', reason: `${what} by [${by.join(', ')}]` };
  let global: RuleScope | undefined;
  if (state?.kind === 'window') global = keyed('window', state.by);
  else if (state?.kind === 'first-seen') global = keyed('firstSeen', state.by);
  else if (state?.kind === 'sequence') for (const [i, step] of rule.steps.entries()) global ??= keyed(`sequence step ${i + 1}`, step.by);
  if (global === undefined && (options.throttle ?? true) && rule.throttle.windowMs > 0) global = keyed('throttle', rule.throttle.by);
  return global ?? { scope: 'partition' };
}

/** The rules of a worker split into those each partition runs and those the global lane runs. */
export interface RuleSplit {
  readonly local: readonly DetectionRule[];
  readonly global: readonly DetectionRule[];
  /** Why each global rule is global, by rule id. */
  readonly reasons: ReadonlyMap<string, string>;
}

/**
 * Split rules by scope, keeping rule order in each part. The stateless rules of a first-match group
 * (Falco's `rule_matching: first`) decide together which one raises for an event, so the group stays
 * whole: if any of them is global, all of them are.
 */
export function splitRules(rules: readonly DetectionRule[], options: { throttle?: boolean } = {}): RuleSplit {
  const reasons = new Map<string, string>();
  const scopes = rules.map((r) => ruleScope(r, options));
  const groupGlobal = rules.some((r, i) => r.firstMatch === true && r.state === undefined && scopes[i]?.scope === 'global');
  const local: DetectionRule[] = [];
  const global: DetectionRule[] = [];
  rules.forEach((rule, i) => {
    const scope = scopes[i] as RuleScope;
    const inGroup = rule.firstMatch === true && rule.state === undefined;
    if (scope.scope === 'global' || (inGroup && groupGlobal)) {
      global.push(rule);
      reasons.set(rule.id, scope.reason ?? 'in a first-match group with a global rule');
    } else local.push(rule);
  });
  return { local, global, reasons };
}

/**
 * The lane whose owner notifies an alert: the global lane for a global rule's alert, else the
 * partition of its acting identity (a partition-local rule's alert is about one actor, the one its
 * events were partitioned by).
 */
export function laneOfAlert(alert: Alert, globalRules: ReadonlySet<string>, partitions: number): Lane {
  return globalRules.has(alert.rule) ? GLOBAL_LANE : partitionOf(alert.user ?? '', partitions);
}
