/**
 * Pod Security Standards levels (https://kubernetes.io/docs/concepts/security/pod-security-standards/),
 * ordered from least to most strict: privileged < baseline < restricted.
 */
export const PSS_LEVELS = ['privileged', 'baseline', 'restricted'] as const;

export type PssLevel = (typeof PSS_LEVELS)[number];

/** The levels a check belongs to (`privileged` has no checks). */
export type CheckLevel = Exclude<PssLevel, 'privileged'>;

const RANK: Readonly<Record<PssLevel, number>> = { privileged: 0, baseline: 1, restricted: 2 };

/** True for exactly `privileged`, `baseline` or `restricted` (case-sensitive, as the admission controller parses labels). */
export function isPssLevel(value: unknown): value is PssLevel {
  return value === 'privileged' || value === 'baseline' || value === 'restricted';
}

/** Negative when `a` is less strict than `b`, zero when equal, positive when stricter. */
export function compareLevels(a: PssLevel, b: PssLevel): number {
  return RANK[a] - RANK[b];
}

/** The stricter of two levels. */
export function stricterLevel(a: PssLevel, b: PssLevel): PssLevel {
  return compareLevels(a, b) >= 0 ? a : b;
}
