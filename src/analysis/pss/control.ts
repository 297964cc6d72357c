import type { CheckLevel } from './levels.js';
import type { PreparedPod } from './pod-view.js';

/**
 * The upstream check ids of the PodSecurity admission controller (k8s.io/pod-security-admission/policy).
 * They name the controls of the Pod Security Standards in Vigil's output, so users recognise them.
 */
export const CONTROL_IDS = [
  'allowPrivilegeEscalation',
  'appArmorProfile',
  'capabilities_baseline',
  'capabilities_restricted',
  'hostNamespaces',
  'hostPathVolumes',
  'hostPorts',
  'hostProbesAndHostLifecycle',
  'privileged',
  'procMount',
  'procMount_restricted',
  'restrictedVolumes',
  'runAsNonRoot',
  'runAsUser',
  'seLinuxOptions',
  'seccompProfile_baseline',
  'seccompProfile_restricted',
  'sysctls',
  'windowsHostProcess',
] as const;

export type ControlId = (typeof CONTROL_IDS)[number];

export function isControlId(value: unknown): value is ControlId {
  return typeof value === 'string' && (CONTROL_IDS as readonly string[]).includes(value);
}

/**
 * One field at fault. `problem` reads like upstream's detail narrowed to this one field
 * (`container "web" must not set securityContext.privileged=true`).
 */
export interface ViolationField {
  /** JSON Pointer inside the original object (a Deployment's fields are under `/spec/template/…`). */
  readonly pointer: string;
  /** The container the field belongs to, when it belongs to one. */
  readonly container?: string;
  readonly problem: string;
  /** True when the fault is that the field is not set (the fix is to add it). */
  readonly missing?: true;
}

/** What one control says about a pod it forbids: upstream's reason and detail, plus the fields. */
export interface ControlOutcome {
  readonly reason: string;
  readonly detail: string;
  readonly fields: readonly ViolationField[];
}

/** One control's rule at one policy version: undefined when it allows the pod. */
export type ControlRule = (pod: PreparedPod) => ControlOutcome | undefined;

/** A rule from a minimum policy version on; the newest one at or below the judged version applies. */
export interface VersionedRule {
  readonly minVersion: number;
  readonly rule: ControlRule;
  /** Baseline controls this (restricted) rule replaces at the restricted level while it is the active rule. */
  readonly overrides?: readonly ControlId[];
}

/** A control: its upstream id, its level and its rules by version (minimum versions strictly increase). */
export interface ControlDefinition {
  readonly id: ControlId;
  readonly level: CheckLevel;
  /** The control's name on the Pod Security Standards page. */
  readonly title: string;
  readonly versions: readonly VersionedRule[];
}
