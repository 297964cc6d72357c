/** Narrowing helpers for untrusted object trees: they never throw, whatever the input holds. */

export type JsonRecord = Readonly<Record<string, unknown>>;

export function isRecord(value: unknown): value is JsonRecord {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The value when it is an object, otherwise undefined. */
export function recordOrUndefined(value: unknown): JsonRecord | undefined {
  return isRecord(value) ? value : undefined;
}

/** The elements of an array paired with their index, or nothing when it is not an array. */
export function arrayOrEmpty(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

export function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A label or annotation map with only its string values (the API rejects others). */
export function stringMap(value: unknown): Readonly<Record<string, string>> {
  if (!isRecord(value)) return {};
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) if (typeof v === 'string') out[key] = v;
  return out;
}
