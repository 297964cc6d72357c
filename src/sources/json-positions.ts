import type { LineIndex } from './line-index.js';
import { recordOffsets, treePositions, type PositionIndex } from './positions.js';

/**
 * Field positions of a JSON text. JSON input is parsed with the native parser for speed; this
 * second, position-recording pass runs only when a finding needs a line number. It expects text that
 * `JSON.parse` already accepted.
 */
export function jsonPositions(text: string, lines: LineIndex): PositionIndex {
  let at = 0;

  const skipSpace = (): void => {
    for (;;) {
      const c = text.charCodeAt(at);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) at++;
      else return;
    }
  };

  const readString = (): string => {
    // at points at the opening quote.
    const start = at;
    at++;
    let escaped = false;
    for (;;) {
      const c = text.charCodeAt(at);
      if (Number.isNaN(c)) throw new SyntaxError('unterminated string');
      if (c === 0x5c) {
        escaped = true;
        at += 2;
        continue;
      }
      at++;
      if (c === 0x22) break;
    }
    const raw = text.slice(start, at);
    return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  };

  const skipScalar = (): void => {
    while (at < text.length) {
      const c = text.charCodeAt(at);
      if (c === 0x2c || c === 0x7d || c === 0x5d || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) return;
      at++;
    }
  };

  // Builds only containers: scalar values are not needed to locate fields.
  const value = (): unknown => {
    skipSpace();
    const c = text.charCodeAt(at);
    if (c === 0x7b) {
      at++;
      const out: Record<string, unknown> = {};
      const entries: (string | number)[] = [];
      skipSpace();
      if (text.charCodeAt(at) === 0x7d) {
        at++;
      } else {
        for (;;) {
          skipSpace();
          const keyOffset = at;
          const key = readString();
          skipSpace();
          at++; // ':'
          const v = value();
          if (key !== '__proto__') out[key] = v;
          entries.push(key, keyOffset);
          skipSpace();
          const next = text.charCodeAt(at++);
          if (next === 0x7d) break;
        }
      }
      recordOffsets(out, entries);
      return out;
    }
    if (c === 0x5b) {
      at++;
      const out: unknown[] = [];
      const entries: number[] = [];
      skipSpace();
      if (text.charCodeAt(at) === 0x5d) {
        at++;
      } else {
        for (;;) {
          skipSpace();
          entries.push(at);
          out.push(value());
          skipSpace();
          const next = text.charCodeAt(at++);
          if (next === 0x5d) break;
        }
      }
      recordOffsets(out, entries);
      return out;
    }
    if (c === 0x22) {
      readString();
      return null;
    }
    skipScalar();
    return null;
  };

  skipSpace();
  const rootOffset = at;
  const root = value();
  return treePositions(root, rootOffset, lines);
}
