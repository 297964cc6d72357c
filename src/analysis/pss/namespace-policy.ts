import { isPssLevel, compareLevels } from './levels.js';
import type { PssPolicy } from './evaluate.js';
import { LATEST, parsePolicyVersion } from './policy-version.js';

/** The modes a namespace's labels set: enforce rejects pods, audit annotates audit events, warn warns the client. */
export const PSS_MODES = ['enforce', 'audit', 'warn'] as const;

export type PssMode = (typeof PSS_MODES)[number];

export const PSS_LABEL_PREFIX = 'pod-security.kubernetes.io/';

/** `pod-security.kubernetes.io/enforce`, `…/enforce-version`, and the same for audit and warn. */
export function levelLabel(mode: PssMode): string {
  return `${PSS_LABEL_PREFIX}${mode}`;
}

export function versionLabel(mode: PssMode): string {
  return `${PSS_LABEL_PREFIX}${mode}-version`;
}

/** A policy per mode. */
export type ModePolicies = Readonly<Record<PssMode, PssPolicy>>;

/** What the admission controller uses when nothing is configured: privileged:latest for every mode. */
export const PRIVILEGED_DEFAULTS: ModePolicies = {
  enforce: { level: 'privileged', version: LATEST },
  audit: { level: 'privileged', version: LATEST },
  warn: { level: 'privileged', version: LATEST },
};

/** An invalid label, as the API server reports it (field `metadata.labels[<label>]`). */
export interface LabelError {
  readonly label: string;
  readonly value: string;
  readonly message: string;
}

/** `metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "x": must be one of privileged, baseline, restricted` */
export function formatLabelError(error: LabelError): string {
  return `metadata.labels[${error.label}]: Invalid value: ${JSON.stringify(error.value)}: ${error.message}`;
}

/** A namespace's effective policy per mode, with how each came about. */
export interface NamespacePolicy extends ModePolicies {
  readonly errors: readonly LabelError[];
  /** Modes whose level or version label is present on the namespace. */
  readonly labelled: Readonly<Record<PssMode, boolean>>;
  /** Enforce, audit and warn are all privileged: the controller does not evaluate pods at all. */
  readonly fullyPrivileged: boolean;
}

const LEVEL_MESSAGE = 'must be one of privileged, baseline, restricted';
const VERSION_MESSAGE = 'must be "latest" or "v1.x"';

/**
 * Resolve a namespace's labels against the configured defaults, as the admission controller does
 * (k8s.io/pod-security-admission/api PolicyToEvaluate): each valid label overrides its default; an
 * invalid enforce level fails closed (restricted), an invalid audit or warn level fails open
 * (privileged), an invalid version means latest; and when there is no warn label, warn follows a
 * valid enforce level that is stricter than it.
 */
export function namespacePolicy(labels: Readonly<Record<string, string>>, defaults: ModePolicies = PRIVILEGED_DEFAULTS): NamespacePolicy {
  const errors: LabelError[] = [];
  const policies: Record<PssMode, PssPolicy> = { ...defaults };
  const present = (label: string): string | undefined => (Object.hasOwn(labels, label) ? labels[label] : undefined);
  let enforceLevelValid = false;
  for (const mode of PSS_MODES) {
    let { level, version } = policies[mode];
    const levelValue = present(levelLabel(mode));
    if (levelValue !== undefined) {
      if (isPssLevel(levelValue)) {
        level = levelValue;
        if (mode === 'enforce') enforceLevelValid = true;
      } else {
        errors.push({ label: levelLabel(mode), value: levelValue, message: LEVEL_MESSAGE });
        level = mode === 'enforce' ? 'restricted' : 'privileged';
      }
    }
    const versionValue = present(versionLabel(mode));
    if (versionValue !== undefined) {
      const parsed = parsePolicyVersion(versionValue);
      if (parsed === undefined) errors.push({ label: versionLabel(mode), value: versionValue, message: VERSION_MESSAGE });
      version = parsed ?? LATEST;
    }
    policies[mode] = { level, version };
  }
  const hasWarnLevel = present(levelLabel('warn')) !== undefined;
  const hasWarnVersion = present(versionLabel('warn')) !== undefined;
  if (!hasWarnLevel && enforceLevelValid && compareLevels(policies.enforce.level, policies.warn.level) > 0) {
    policies.warn = { level: policies.enforce.level, version: hasWarnVersion ? policies.warn.version : policies.enforce.version };
  }
  const labelled = Object.fromEntries(
    PSS_MODES.map((mode) => [mode, present(levelLabel(mode)) !== undefined || present(versionLabel(mode)) !== undefined]),
  ) as Record<PssMode, boolean>;
  return {
    ...policies,
    errors,
    labelled,
    fullyPrivileged: PSS_MODES.every((mode) => policies[mode].level === 'privileged'),
  };
}
