import type { AuditLevel, AuditStage, GroupResources } from '../analysis/audit-policy/types.js';
import type { AlertSource } from '../core/alert.js';
import type { InputProblem } from '../core/errors.js';
import type { Severity } from '../core/severity.js';
import type { AuditEvent } from './event.js';

/**
 * The declarative part of a rule that the engine indexes on: which requests it can ever match. It has
 * the shape of an audit Policy rule (and the same matching semantics: `pods/*`, `*\/exec`, group `*`)
 * so that `vigil audit policy coverage` can ask the policy about it directly. Empty lists match anything.
 */
export interface EventMatch {
  readonly verbs: readonly string[];
  readonly resources: readonly GroupResources[];
  readonly namespaces: readonly string[];
  readonly nonResourceURLs: readonly string[];
  readonly users: readonly string[];
  readonly userGroups: readonly string[];
  /** Stages the rule looks at (default ResponseComplete). */
  readonly stages: readonly AuditStage[];
  /** Response codes the event must have (empty: any). */
  readonly codes: readonly number[];
  /** Only requests that succeeded: a response code from 100 to 399 (so not denied, failed, or still running). */
  readonly succeeded: boolean;
  /** Only requests made by impersonation. */
  readonly impersonated: boolean;
}

/** What a condition sees besides the event: earlier steps of a sequence. */
export interface StepContext {
  /** Events of the earlier steps of a sequence, in order. */
  readonly previous: readonly AuditEvent[];
}

/**
 * A compiled condition. Returns true/false, or an Error when evaluation failed (counted per rule and
 * treated as no match, as the Kubernetes CEL admission evaluators treat errors as configured).
 */
export type CompiledCondition = (event: AuditEvent, context: StepContext) => boolean | Error;

/** One step of a rule: single-event rules have one, sequences several. */
export interface RuleStep {
  readonly match: EventMatch;
  readonly condition?: CompiledCondition;
  /** Fields whose values tie the steps of a sequence together (same key across steps). */
  readonly by: readonly string[];
}

/** Raise an alert when `count` matching events (or distinct values of `distinct`) happen within `withinMs`, per key. */
export interface WindowState {
  readonly kind: 'window';
  readonly count: number;
  readonly withinMs: number;
  readonly by: readonly string[];
  readonly distinct?: string;
}

/** Raise an alert the first time a key is seen, after a learning period in which keys are only recorded. */
export interface FirstSeenState {
  readonly kind: 'first-seen';
  readonly by: readonly string[];
  readonly learningMs: number;
}

/** Raise an alert when the steps happen in order, with the same key, within `withinMs` of the first. */
export interface SequenceState {
  readonly kind: 'sequence';
  readonly withinMs: number;
}

export type RuleState = WindowState | FirstSeenState | SequenceState;

/**
 * A detection rule, whatever language it was written in. The engine indexes `steps[].match`, runs the
 * compiled conditions of the candidates, keeps the state, de-duplicates and throttles. A second rule
 * language (Falco k8saudit rules) plugs in by producing these.
 */
export interface DetectionRule {
  readonly id: string;
  readonly source: AlertSource;
  readonly title: string;
  readonly description: string;
  readonly severity: Severity;
  readonly mitre: readonly string[];
  readonly tags: readonly string[];
  readonly steps: readonly RuleStep[];
  readonly state?: RuleState;
  /** Render the alert text for the event that completed the rule (stateful rules pass `count`, `distinct`, `events`). */
  readonly output: (event: AuditEvent, extra?: Readonly<Record<string, string | number>>) => string;
  /** At most one alert per rule and throttle key within `windowMs` (0: no throttle, only exact de-duplication). */
  readonly throttle: { readonly windowMs: number; readonly by: readonly string[] };
  /** What the audit policy must record for this rule to see its events. */
  readonly requires: { readonly level: AuditLevel };
  /** Where the rule was defined. */
  readonly origin: { readonly file: string; readonly line?: number };
  /** Whether the rule is on (a disabled rule is loaded, listed, and never run). */
  readonly enabled: boolean;
  /** The rule's own priority name when its language has one (Falco's `Warning`, `Notice`, …), put on its alerts. */
  readonly priority?: string;
  /**
   * First-match group (Falco's `rule_matching: first`): of the stateless rules with this flag, only
   * the first in rule order whose condition matches an event raises an alert for it.
   */
  readonly firstMatch?: boolean;
  /** Extra alert fields computed from the event that raised it (Falco's `output_fields`). */
  readonly outputFields?: (event: AuditEvent) => Readonly<Record<string, string>>;
}

/** A rule language: turns rule files into detection rules, reporting problems with file and line. */
export interface RuleSource {
  readonly name: AlertSource;
  load(text: string, file: string): { readonly rules: DetectionRule[]; readonly problems: InputProblem[] };
}

/** Every stage in `match.stages` when none is given: detection looks at completed requests (Falco's `kevt`). */
export const DEFAULT_STAGES: readonly AuditStage[] = ['ResponseComplete'];
