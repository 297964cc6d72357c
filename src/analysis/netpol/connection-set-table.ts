import { ConnectionSet } from './connection-set.js';

/**
 * Interned connection sets: each distinct set gets a small integer id, and unions and intersections
 * of ids are memoised. A reachability matrix stores ids, so comparing or combining two cells costs a
 * map lookup, not an interval walk. Id 0 is the empty set and id 1 is everything.
 */
export class ConnectionSetTable {
  static readonly NONE = 0;
  static readonly ALL = 1;

  private readonly sets: ConnectionSet[] = [ConnectionSet.NONE, ConnectionSet.ALL];
  private readonly byKey = new Map<string, number>([
    [ConnectionSet.NONE.key, 0],
    [ConnectionSet.ALL.key, 1],
  ]);
  private readonly unions = new Map<number, number>();
  private readonly intersections = new Map<number, number>();

  get size(): number {
    return this.sets.length;
  }

  id(set: ConnectionSet): number {
    const known = this.byKey.get(set.key);
    if (known !== undefined) return known;
    const id = this.sets.length;
    this.sets.push(set);
    this.byKey.set(set.key, id);
    return id;
  }

  get(id: number): ConnectionSet {
    const set = this.sets[id];
    if (set === undefined) throw new RangeError(`no connection set ${id}`);
    return set;
  }

  union(a: number, b: number): number {
    if (a === b || b === 0) return a;
    if (a === 0) return b;
    if (a === 1 || b === 1) return 1;
    const key = a < b ? a * 0x100000000 + b : b * 0x100000000 + a;
    let id = this.unions.get(key);
    if (id === undefined) {
      id = this.id(this.get(a).union(this.get(b)));
      this.unions.set(key, id);
    }
    return id;
  }

  intersect(a: number, b: number): number {
    if (a === b || b === 1) return a;
    if (a === 1) return b;
    if (a === 0 || b === 0) return 0;
    const key = a < b ? a * 0x100000000 + b : b * 0x100000000 + a;
    let id = this.intersections.get(key);
    if (id === undefined) {
      id = this.id(this.get(a).intersect(this.get(b)));
      this.intersections.set(key, id);
    }
    return id;
  }
}
