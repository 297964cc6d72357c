/**
 * Sets of connections: for each of TCP, UDP and SCTP (the protocols NetworkPolicy defines), a set of
 * destination ports 1–65535 held as sorted, disjoint, inclusive intervals. Immutable; every set has a
 * canonical `key`, so equal sets compare equal as strings and can be interned.
 */

export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const MIN_PORT = 1;
export const MAX_PORT = 65535;

export function isProtocol(value: unknown): value is Protocol {
  return value === 'TCP' || value === 'UDP' || value === 'SCTP';
}

/** Flat interval list `[lo0, hi0, lo1, hi1, …]`, sorted and disjoint, non-adjacent. */
type Intervals = readonly number[];

const EMPTY: Intervals = [];
const FULL: Intervals = [MIN_PORT, MAX_PORT];

function unionIntervals(a: Intervals, b: Intervals): Intervals {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const pairs: [number, number][] = [];
  for (let i = 0; i < a.length; i += 2) pairs.push([a[i] as number, a[i + 1] as number]);
  for (let i = 0; i < b.length; i += 2) pairs.push([b[i] as number, b[i + 1] as number]);
  pairs.sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const last = out.length - 1;
    if (last > 0 && lo <= (out[last] as number) + 1) {
      if (hi > (out[last] as number)) out[last] = hi;
    } else {
      out.push(lo, hi);
    }
  }
  return out;
}

function intersectIntervals(a: Intervals, b: Intervals): Intervals {
  if (a.length === 0 || b.length === 0) return EMPTY;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i] as number, b[j] as number);
    const hi = Math.min(a[i + 1] as number, b[j + 1] as number);
    if (lo <= hi) out.push(lo, hi);
    if ((a[i + 1] as number) < (b[j + 1] as number)) i += 2;
    else j += 2;
  }
  return out;
}

function subtractIntervals(a: Intervals, b: Intervals): Intervals {
  if (a.length === 0 || b.length === 0) return a;
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    let lo = a[i] as number;
    const hi = a[i + 1] as number;
    while (j < b.length && (b[j + 1] as number) < lo) j += 2;
    let k = j;
    while (k < b.length && (b[k] as number) <= hi && lo <= hi) {
      if ((b[k] as number) > lo) out.push(lo, (b[k] as number) - 1);
      lo = Math.max(lo, (b[k + 1] as number) + 1);
      k += 2;
    }
    if (lo <= hi) out.push(lo, hi);
  }
  return out;
}

function hasPort(intervals: Intervals, port: number): boolean {
  for (let i = 0; i < intervals.length; i += 2) {
    if (port < (intervals[i] as number)) return false;
    if (port <= (intervals[i + 1] as number)) return true;
  }
  return false;
}

function intervalsKey(intervals: Intervals): string {
  const parts: string[] = [];
  for (let i = 0; i < intervals.length; i += 2) {
    const lo = intervals[i] as number;
    const hi = intervals[i + 1] as number;
    parts.push(lo === hi ? String(lo) : `${lo}-${hi}`);
  }
  return parts.join(',');
}

/** The JSON form of one protocol's ports: numbers and `[lo, hi]` ranges. */
export type PortListJson = (number | [number, number])[];

/** The JSON form of a set: `"all"`, `"none"`, or ports per protocol (absent protocol: nothing). */
export type ConnectionSetJson = 'all' | 'none' | Partial<Record<Protocol, PortListJson>>;

export class ConnectionSet {
  static readonly NONE = new ConnectionSet(EMPTY, EMPTY, EMPTY);
  static readonly ALL = new ConnectionSet(FULL, FULL, FULL);

  /** Canonical text: equal sets have equal keys. */
  readonly key: string;

  private constructor(
    private readonly tcp: Intervals,
    private readonly udp: Intervals,
    private readonly sctp: Intervals,
  ) {
    this.key = `T${intervalsKey(tcp)}|U${intervalsKey(udp)}|S${intervalsKey(sctp)}`;
  }

  private static of(tcp: Intervals, udp: Intervals, sctp: Intervals): ConnectionSet {
    const set = new ConnectionSet(tcp, udp, sctp);
    if (set.key === ConnectionSet.NONE.key) return ConnectionSet.NONE;
    if (set.key === ConnectionSet.ALL.key) return ConnectionSet.ALL;
    return set;
  }

  private intervals(protocol: Protocol): Intervals {
    return protocol === 'TCP' ? this.tcp : protocol === 'UDP' ? this.udp : this.sctp;
  }

  /** Ports `lo..hi` (inclusive) of one protocol; every port when no range is given. */
  static ports(protocol: Protocol, lo: number = MIN_PORT, hi: number = MAX_PORT): ConnectionSet {
    const range: Intervals = lo <= hi ? [Math.max(lo, MIN_PORT), Math.min(hi, MAX_PORT)] : EMPTY;
    return ConnectionSet.of(protocol === 'TCP' ? range : EMPTY, protocol === 'UDP' ? range : EMPTY, protocol === 'SCTP' ? range : EMPTY);
  }

  /** Read the JSON form (as written by `toJSON`, and by the conformance data). */
  static fromJson(json: ConnectionSetJson): ConnectionSet {
    if (json === 'all') return ConnectionSet.ALL;
    if (json === 'none') return ConnectionSet.NONE;
    let set = ConnectionSet.NONE;
    for (const protocol of PROTOCOLS) {
      for (const item of json[protocol] ?? []) {
        set = set.union(
          typeof item === 'number' ? ConnectionSet.ports(protocol, item, item) : ConnectionSet.ports(protocol, item[0], item[1]),
        );
      }
    }
    return set;
  }

  get isEmpty(): boolean {
    return this === ConnectionSet.NONE;
  }

  get isAll(): boolean {
    return this === ConnectionSet.ALL;
  }

  has(protocol: Protocol, port: number): boolean {
    return hasPort(this.intervals(protocol), port);
  }

  /** The protocols with at least one port. */
  protocols(): Protocol[] {
    return PROTOCOLS.filter((p) => this.intervals(p).length > 0);
  }

  /** Inclusive `[lo, hi]` intervals of one protocol. */
  rangesOf(protocol: Protocol): [number, number][] {
    const iv = this.intervals(protocol);
    const out: [number, number][] = [];
    for (let i = 0; i < iv.length; i += 2) out.push([iv[i] as number, iv[i + 1] as number]);
    return out;
  }

  union(other: ConnectionSet): ConnectionSet {
    if (this === other || other.isEmpty || this.isAll) return this;
    if (this.isEmpty || other.isAll) return other;
    return ConnectionSet.of(
      unionIntervals(this.tcp, other.tcp),
      unionIntervals(this.udp, other.udp),
      unionIntervals(this.sctp, other.sctp),
    );
  }

  intersect(other: ConnectionSet): ConnectionSet {
    if (this === other || other.isAll || this.isEmpty) return this;
    if (this.isAll || other.isEmpty) return other;
    return ConnectionSet.of(
      intersectIntervals(this.tcp, other.tcp),
      intersectIntervals(this.udp, other.udp),
      intersectIntervals(this.sctp, other.sctp),
    );
  }

  subtract(other: ConnectionSet): ConnectionSet {
    if (other.isEmpty || this.isEmpty) return this;
    if (other.isAll || this === other) return ConnectionSet.NONE;
    return ConnectionSet.of(
      subtractIntervals(this.tcp, other.tcp),
      subtractIntervals(this.udp, other.udp),
      subtractIntervals(this.sctp, other.sctp),
    );
  }

  equals(other: ConnectionSet): boolean {
    return this.key === other.key;
  }

  toJSON(): ConnectionSetJson {
    if (this.isAll) return 'all';
    if (this.isEmpty) return 'none';
    const out: Partial<Record<Protocol, PortListJson>> = {};
    for (const protocol of PROTOCOLS) {
      const ranges = this.rangesOf(protocol);
      if (ranges.length > 0) out[protocol] = ranges.map(([lo, hi]) => (lo === hi ? lo : [lo, hi]));
    }
    return out;
  }

  /** `all connections`, `no connections`, or `TCP 80,8000-8010; UDP 53` (`TCP all` for a whole protocol). */
  toString(): string {
    if (this.isAll) return 'all connections';
    if (this.isEmpty) return 'no connections';
    return this.protocols()
      .map((protocol) => {
        const iv = this.intervals(protocol);
        return `${protocol} ${iv.length === 2 && iv[0] === MIN_PORT && iv[1] === MAX_PORT ? 'all' : intervalsKey(iv)}`;
      })
      .join('; ');
  }
}
