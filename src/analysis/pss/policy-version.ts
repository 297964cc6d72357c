/**
 * Policy versions: `latest` or `v1.<minor>`. The admission controller accepts exactly
 * `^v1\.(0|[1-9][0-9]*)$` (no leading zeros, no patch, no other major), see
 * k8s.io/pod-security-admission/api ParseVersion.
 */
export interface PolicyVersion {
  /** The version as written (`latest`, `v1.30`); messages keep it this way. */
  readonly text: string;
  /** The minor version; `Infinity` for `latest`, which is newer than any concrete version. */
  readonly minor: number;
}

const VERSION = /^v1\.(0|[1-9][0-9]*)$/;

export const LATEST: PolicyVersion = { text: 'latest', minor: Number.POSITIVE_INFINITY };

/** Parse a policy version, or undefined when the admission controller would reject it. */
export function parsePolicyVersion(text: string): PolicyVersion | undefined {
  if (text === 'latest') return LATEST;
  const match = VERSION.exec(text);
  if (match === null) return undefined;
  const minor = Number(match[1]);
  return Number.isSafeInteger(minor) ? { text, minor } : undefined;
}

/** True for a version the admission controller accepts. */
export function isPolicyVersion(text: unknown): text is string {
  return typeof text === 'string' && parsePolicyVersion(text) !== undefined;
}

/** `v1.<minor>` */
export function versionOfMinor(minor: number): PolicyVersion {
  return { text: `v1.${minor}`, minor };
}
