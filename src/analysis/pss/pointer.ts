import { escapePointerToken } from '../../core/json-pointer.js';

const NEEDS_ESCAPE = /[~/]/;

/**
 * `base` extended by tokens, as `appendPointer` does, without escaping work for the plain tokens
 * (indexes and field names) that make up nearly every pointer the engine builds.
 */
export function childPointer(base: string, ...tokens: readonly (string | number)[]): string {
  let out = base;
  for (const token of tokens) out += `/${typeof token === 'number' || !NEEDS_ESCAPE.test(token) ? token : escapePointerToken(token)}`;
  return out;
}
