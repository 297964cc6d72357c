import { parsePointer } from '../core/json-pointer.js';
import type { LineIndex } from './line-index.js';

/**
 * Source offsets of the fields of parsed objects, kept beside the objects rather than inside them
 * (so checks see plain data). For a mapping the entry alternates key and offset of the key; for a
 * sequence it holds the offset of each item.
 */
const offsets = new WeakMap<object, (string | number)[]>();

/** Record the offsets of an object's fields (called by the parser as it builds each object). */
export function recordOffsets(container: object, entries: (string | number)[]): void {
  offsets.set(container, entries);
}

function offsetOf(container: object, token: string): number | undefined {
  const entries = offsets.get(container);
  if (entries === undefined) return undefined;
  if (Array.isArray(container)) {
    const value = entries[Number(token)];
    return typeof value === 'number' ? value : undefined;
  }
  for (let i = 0; i < entries.length; i += 2) {
    if (entries[i] === token) return entries[i + 1] as number;
  }
  return undefined;
}

/** A parsed document's tree plus what is needed to turn a pointer into a line and column. */
export interface PositionIndex {
  /** Line and column of the field at `pointer` (or the deepest part of it that exists). */
  locate(pointer: string): { line: number; column: number } | undefined;
}

/** Positions for a tree whose objects were built with `recordOffsets`. */
export function treePositions(root: unknown, rootOffset: number, lines: LineIndex): PositionIndex {
  return {
    locate(pointer) {
      let best = rootOffset;
      let current: unknown = root;
      for (const token of parsePointer(pointer)) {
        if (current === null || typeof current !== 'object') break;
        const offset = offsetOf(current, token);
        if (offset === undefined) break;
        best = offset;
        current = (current as Record<string, unknown>)[token];
      }
      return lines.position(best);
    },
  };
}

/** Positions that are computed on first use (JSON documents are parsed fast and located only when needed). */
export function lazyPositions(build: () => PositionIndex | undefined): PositionIndex {
  let built: PositionIndex | undefined | null = null;
  return {
    locate(pointer) {
      if (built === null) built = build();
      return built?.locate(pointer);
    },
  };
}

/** Prefix every lookup with a pointer (items of a List live under `/items/N`). */
export function prefixedPositions(index: PositionIndex, prefix: string): PositionIndex {
  if (prefix === '') return index;
  return { locate: (pointer) => index.locate(prefix + pointer) };
}
