import type { Finding } from '../core/finding.js';

/**
 * Limits on what goes back to the API server. Kubernetes asks webhooks to keep each warning short:
 * "Individual warning messages over 256 characters may be truncated by the API server before being
 * returned to clients. If more than 4096 characters of warning messages are added (from all
 * sources), additional warning messages are ignored." (Dynamic Admission Control, "Response").
 */
export const MAX_WARNING_CHARS = 256;
/** Our share of the 4096 characters, leaving room for other webhooks and the API server itself. */
export const WARNINGS_BUDGET = 3072;
/** Findings listed one by one in a denial; the rest are counted. */
export const MAX_DENIAL_LINES = 20;
/** Longest value of one audit annotation (the audit event carries them all). */
export const MAX_ANNOTATION_CHARS = 1024;

/** Cut text to `max` characters, ending with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** `[check-id] field.path: message` — the check, the field and (in the message) the fix. */
export function findingLine(finding: Finding): string {
  const path = finding.location.path === '' ? '(the object)' : finding.location.path;
  return `[${finding.checkId}] ${path}: ${finding.message}`;
}

/**
 * Warnings for kubectl: one per finding, each at most 256 characters, and no more than the budget
 * in total; what does not fit is counted in a last warning instead of being dropped silently.
 */
export function warningsOf(lines: readonly string[], budget = WARNINGS_BUDGET): string[] {
  const out: string[] = [];
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    const warning = truncate(lines[i] ?? '', MAX_WARNING_CHARS);
    const remaining = lines.length - i;
    // Keep room for the summary line if this is not the last one.
    const reserve = remaining > 1 ? 120 : 0;
    if (used + warning.length + reserve > budget) {
      out.push(`…and ${remaining} more Vigil warning(s); \`vigil scan\` on the manifest lists them all`);
      return out;
    }
    out.push(warning);
    used += warning.length;
  }
  return out;
}

/** The message of a denial: what was denied under which policy, then each finding with its fix. */
export function denialMessage(subject: string, policy: string, findings: readonly Finding[], extra: readonly string[] = []): string {
  const lines = findings.slice(0, MAX_DENIAL_LINES).map((f) => `- ${findingLine(f)} Fix: ${f.remediation}`);
  if (findings.length > MAX_DENIAL_LINES) lines.push(`- …and ${findings.length - MAX_DENIAL_LINES} more (\`vigil scan\` lists them all)`);
  const count = findings.length + extra.length;
  return [`${subject} violates ${count} Vigil check(s) this namespace enforces (${policy}):`, ...extra.map((e) => `- ${e}`), ...lines].join(
    '\n',
  );
}

/** `check-id@field.path, …` for an audit annotation, bounded. */
export function annotationList(findings: readonly Finding[]): string {
  const items = findings.map((f) => `${f.checkId}@${f.location.path === '' ? '.' : f.location.path}`);
  let text = '';
  for (let i = 0; i < items.length; i++) {
    const next = text === '' ? (items[i] ?? '') : `${text}, ${items[i] ?? ''}`;
    if (next.length > MAX_ANNOTATION_CHARS - 24) return `${text}, …(+${items.length - i} more)`;
    text = next;
  }
  return text;
}
