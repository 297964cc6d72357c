import { podTemplateOf } from '../../k8s/pod-templates.js';
import type { KubeObject } from '../../k8s/types.js';
import type { ControlId, ControlOutcome, ViolationField } from './control.js';
import type { CheckLevel, PssLevel } from './levels.js';
import { isPssLevel } from './levels.js';
import { parsePolicyVersion, type PolicyVersion, LATEST } from './policy-version.js';
import { preparePod, type PodInput, type PreparedPod, type PrepareOptions } from './pod-view.js';
import { activeControls, controlById, NEWEST_MINOR, ruleAt } from './registry.js';

/** A level at a version: what a namespace label pair, or a `--level/--version` choice, names. */
export interface PssPolicy {
  readonly level: PssLevel;
  readonly version: PolicyVersion;
}

/** Parse a level and version as the admission controller does, or undefined when either is invalid. */
export function parsePolicy(level: string, version = 'latest'): PssPolicy | undefined {
  const parsed = parsePolicyVersion(version);
  return isPssLevel(level) && parsed !== undefined ? { level, version: parsed } : undefined;
}

/** `restricted:latest`, `baseline:v1.30`: how upstream names a policy in messages (version as written). */
export function policyText(policy: PssPolicy): string {
  return `${policy.level}:${policy.version.text}`;
}

/** One control that forbids the pod. */
export interface PssViolation extends ControlOutcome {
  /** Upstream check id (`runAsNonRoot`, `capabilities_restricted`). */
  readonly control: ControlId;
  /** The level the control belongs to. */
  readonly level: CheckLevel;
}

/** The verdict on one pod at one policy. */
export interface PssResult {
  readonly allowed: boolean;
  readonly policy: PssPolicy;
  /** The version the rules were taken from: `latest` and newer versions are capped to the newest known. */
  readonly evaluatedVersion: string;
  /** Forbidding controls in upstream order (baseline ids sorted, then restricted ids sorted). */
  readonly violations: readonly PssViolation[];
}

export interface EvaluateOptions extends PrepareOptions {
  /**
   * Cap on the policy minor version, like an API server emulating an older version: `latest` and
   * newer versions evaluate as this one. Defaults to the newest version Vigil knows.
   */
  readonly maxMinor?: number;
}

/** The minor version whose rules apply to `version`. */
export function effectiveMinor(version: PolicyVersion, maxMinor: number = NEWEST_MINOR): number {
  return Math.min(version.minor, maxMinor, NEWEST_MINOR);
}

/** Judge a pod that is already prepared (share one preparation across levels and versions). */
export function evaluatePrepared(pod: PreparedPod, policy: PssPolicy, options: EvaluateOptions = {}): PssResult {
  const minor = effectiveMinor(policy.version, options.maxMinor);
  const violations: PssViolation[] = [];
  for (const { control, rule } of activeControls(policy.level, minor)) {
    const outcome = rule(pod);
    if (outcome !== undefined) violations.push({ control: control.id, level: control.level, ...outcome });
  }
  return { allowed: violations.length === 0, policy, evaluatedVersion: `v1.${minor}`, violations };
}

/** Judge a pod's metadata and spec at a policy, exactly as the PodSecurity admission controller would. */
export function evaluatePod(pod: PodInput, policy: PssPolicy, options: EvaluateOptions = {}): PssResult {
  return evaluatePrepared(preparePod(pod, options), policy, options);
}

/**
 * Judge one object: a Pod, or the pod template of a workload (Deployment, CronJob, …). Field pointers
 * point into the object. Undefined for kinds without a pod template.
 */
export function evaluateObject(object: KubeObject, policy: PssPolicy, options: EvaluateOptions = {}): PssResult | undefined {
  const template = podTemplateOf(object);
  return template === undefined ? undefined : evaluatePod(template, policy, options);
}

/** What one control says about a pod at a version. */
export type ControlVerdict =
  { readonly status: 'absent' } | { readonly status: 'allowed' } | { readonly status: 'forbidden'; readonly outcome: ControlOutcome };

/**
 * Run a single control at a version, whatever level it belongs to (no overrides apply). Used by the
 * per-control checks; `absent` when the control does not exist at that version.
 */
export function evaluateControl(pod: PreparedPod, control: ControlId, version: PolicyVersion = LATEST, maxMinor?: number): ControlVerdict {
  const at = ruleAt(controlById(control), effectiveMinor(version, maxMinor));
  if (at === undefined) return { status: 'absent' };
  const outcome = at.rule(pod);
  return outcome === undefined ? { status: 'allowed' } : { status: 'forbidden', outcome };
}

/** Reasons joined by `, `: what a namespace dry-run warning shows. */
export function reasonsText(violations: readonly PssViolation[]): string {
  return violations.map((v) => v.reason).join(', ');
}

/** `reason (detail), reason (detail)`: what enforce errors, warnings and audit annotations show. */
export function detailsText(violations: readonly PssViolation[]): string {
  return violations.map((v) => (v.detail === '' ? v.reason : `${v.reason} (${v.detail})`)).join(', ');
}

/** The enforce denial: `pods "x" is forbidden: violates PodSecurity "restricted:latest": …`. */
export function forbiddenMessage(podName: string, result: PssResult): string {
  const subject = podName === '' ? 'pods' : `pods "${podName}"`;
  return `${subject} is forbidden: violates PodSecurity "${policyText(result.policy)}": ${detailsText(result.violations)}`;
}

/** The warning (and audit annotation value): `would violate PodSecurity "baseline:v1.30": …`. */
export function warningMessage(result: PssResult): string {
  return `would violate PodSecurity "${policyText(result.policy)}": ${detailsText(result.violations)}`;
}

/** The first field of a violation (the one a single path should name). */
export function primaryField(violation: PssViolation): ViolationField | undefined {
  return violation.fields[0];
}
