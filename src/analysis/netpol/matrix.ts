import { ConnectionSet } from './connection-set.js';
import { ConnectionSetTable } from './connection-set-table.js';
import { fullRange, rangeContains, type IpAddress, type IpFamily, type IpRange } from './ip.js';
import type { ModelPod, NetworkModel } from './model.js';
import { PodIndex } from './pod-index.js';
import type { CompiledPolicy, Peer, Rule } from './policy.js';

/**
 * The whole reachability matrix, computed on equivalence classes.
 *
 * Two pods are equivalent when every policy treats them alike: the same policies select them, they
 * match the same peers (selector and ipBlock "atoms", interned across policies), and the port names
 * that policies use resolve to the same numbers on them. Addresses outside the cluster are cut into
 * intervals at every ipBlock boundary and grouped the same way. The matrix is then K×K over classes
 * (K is usually far below the number of pods), each cell an interned connection-set id, so the full
 * pod-to-pod-per-port answer costs K² set operations, not pods² × policies.
 *
 * One policy added, changed or removed is applied incrementally: classes that the new policy tells
 * apart are split (never merged, which is still exact), and only the ingress columns and egress rows
 * of classes that the old or new policy selects are recomputed.
 */

interface Atom {
  readonly key: string;
  readonly peer: Peer;
}

interface Interval {
  readonly family: IpFamily;
  readonly start: bigint;
  readonly end: bigint;
  cls: number;
}

/** One equivalence class: in-cluster pods, or external address intervals. */
interface MatrixClass {
  readonly id: number;
  readonly external: boolean;
  pods: number[];
  intervals: Interval[];
  /** Policy slots whose podSelector selects the class (pods only). */
  readonly selectedBy: Set<number>;
  readonly atoms: Set<number>;
  /** `name/PROTOCOL` → port numbers, for the port names that policies use. */
  readonly named: Map<string, number[]>;
}

/** An external class as callers see it. */
export interface ExternalClass {
  readonly id: number;
  readonly ranges: readonly IpRange[];
}

export interface MatrixStats {
  readonly pods: number;
  readonly classes: number;
  readonly podClasses: number;
  readonly externalClasses: number;
  readonly connectionSets: number;
  readonly policies: number;
}

/** What one incremental update did. */
export interface UpdateStats {
  readonly splitClasses: number;
  readonly recomputedColumns: number;
  readonly recomputedRows: number;
}

type SlotPolicy = CompiledPolicy | undefined;

const FAMILIES: readonly IpFamily[] = [4, 6];

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function bigintCompare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class ReachabilityMatrix {
  readonly sets = new ConnectionSetTable();
  private readonly index: PodIndex;
  private readonly slots: SlotPolicy[] = [];
  private readonly slotById = new Map<string, number>();
  /** Atom ids of each rule's peers (undefined: the rule matches every endpoint). */
  private readonly ruleAtoms = new Map<Rule, number[] | undefined>();
  private readonly atoms: Atom[] = [];
  private readonly atomByKey = new Map<string, number>();
  private readonly atomClasses = new Map<number, number[]>();
  private readonly namesInUse = new Set<string>();
  private readonly classes: MatrixClass[] = [];
  /** Model pod index → class id (-1 for pods out of scope). */
  private readonly classOfPod: Int32Array;
  private readonly intervals = new Map<IpFamily, Interval[]>();
  private stride = 0;
  /** ing[d * stride + s]: what d's ingress admits from s. */
  private ing: Uint32Array = new Uint32Array(0);
  /** eg[s * stride + d]: what s's egress lets out to d. */
  private eg: Uint32Array = new Uint32Array(0);
  /** res[s * stride + d]: both together (R5). */
  private res: Uint32Array = new Uint32Array(0);

  private constructor(readonly model: NetworkModel) {
    this.index = new PodIndex(model);
    this.classOfPod = new Int32Array(model.pods.length).fill(-1);
  }

  /** Build the matrix of a model. */
  static build(model: NetworkModel): ReachabilityMatrix {
    const matrix = new ReachabilityMatrix(model);
    matrix.initialise();
    return matrix;
  }

  // ---- construction -------------------------------------------------------------------------

  private initialise(): void {
    for (const policy of this.model.policies) {
      this.slotById.set(policy.id, this.slots.length);
      this.slots.push(policy);
      this.registerRules(policy);
      for (const name of this.namesOf(policy)) this.namesInUse.add(name);
    }
    this.buildIntervals();
    // Members: in-scope pods first (by position in the index), then external intervals.
    const pods = this.index.pods;
    const intervals = [...this.intervals.values()].flat();
    const memberOfPod = new Int32Array(this.model.pods.length);
    for (const [i, pod] of pods.entries()) memberOfPod[pod.index] = i;
    const features: { apply: (cls: MatrixClass) => void; members: number[] }[] = [];
    for (const [slot, policy] of this.slots.entries()) {
      if (policy === undefined) continue;
      const members = this.index.podsSelectedBy(policy.podSelector, policy.namespace).map((p) => memberOfPod[p.index] as number);
      features.push({ apply: (cls) => cls.selectedBy.add(slot), members });
    }
    const intervalMember = new Map(intervals.map((interval, i) => [interval, pods.length + i]));
    for (const [id, atom] of this.atoms.entries()) {
      const members = this.index.podsOfPeer(atom.peer).map((p) => memberOfPod[p.index] as number);
      if (atom.peer.kind === 'ipBlock') {
        for (const interval of this.intervalsOfBlock(atom.peer.cidr, atom.peer.except))
          members.push(intervalMember.get(interval) as number);
      }
      features.push({ apply: (cls) => cls.atoms.add(id), members });
    }
    const named = new Map<string, Set<number>>();
    for (const [i, pod] of pods.entries()) {
      for (const token of this.namedTokens(pod, this.namesInUse)) {
        let set = named.get(token);
        if (set === undefined) {
          set = new Set();
          named.set(token, set);
        }
        set.add(i);
      }
    }
    for (const [token, members] of named)
      features.push({
        apply: (cls) => {
          this.applyTokens(cls, [token]);
        },
        members: [...members],
      });

    // Partition refinement: start from "all pods" and "all addresses", split by each feature in turn.
    const classOf = new Int32Array(pods.length + intervals.length);
    const size: number[] = [];
    const external: boolean[] = [];
    if (pods.length > 0) {
      size.push(pods.length);
      external.push(false);
    }
    const firstExternal = size.length;
    size.push(intervals.length);
    external.push(true);
    classOf.fill(firstExternal, pods.length);
    const touched = new Map<number, number>();
    const splitTo = new Map<number, number>();
    for (const { members } of features) {
      touched.clear();
      splitTo.clear();
      for (const m of members) {
        const c = classOf[m] as number;
        touched.set(c, (touched.get(c) ?? 0) + 1);
      }
      for (const [c, n] of touched) {
        if (n === size[c]) continue;
        splitTo.set(c, size.length);
        size.push(n);
        external.push(external[c] as boolean);
        size[c] = (size[c] as number) - n;
      }
      if (splitTo.size === 0) continue;
      for (const m of members) {
        const next = splitTo.get(classOf[m] as number);
        if (next !== undefined) classOf[m] = next;
      }
    }
    for (const isExternal of external) this.newClass(isExternal);
    for (const [i, pod] of pods.entries()) {
      const cls = classOf[i] as number;
      (this.classes[cls] as MatrixClass).pods.push(pod.index);
      this.classOfPod[pod.index] = cls;
    }
    for (const [i, interval] of intervals.entries()) {
      const cls = classOf[pods.length + i] as number;
      (this.classes[cls] as MatrixClass).intervals.push(interval);
      interval.cls = cls;
    }
    // Every member of a class shares its features: record each feature once per class.
    const stamp = new Int32Array(this.classes.length).fill(-1);
    for (const [f, { apply, members }] of features.entries()) {
      for (const m of members) {
        const c = classOf[m] as number;
        if (stamp[c] === f) continue;
        stamp[c] = f;
        apply(this.classes[c] as MatrixClass);
      }
    }
    for (const cls of this.classes) for (const atom of cls.atoms) push(this.atomClasses, atom, cls.id);
    // Room for classes that later updates split off, so that most updates do not reallocate.
    this.ensureCapacity(Math.ceil(this.classes.length * 1.25) + 64);
    for (const cls of this.classes) this.computeIngressColumn(cls.id);
    for (const cls of this.classes) this.computeEgressRow(cls.id);
    for (const cls of this.classes) this.combineRow(cls.id);
  }

  private newClass(external: boolean): MatrixClass {
    const cls: MatrixClass = {
      id: this.classes.length,
      external,
      pods: [],
      intervals: [],
      selectedBy: new Set(),
      atoms: new Set(),
      named: new Map(),
    };
    this.classes.push(cls);
    return cls;
  }

  private applyTokens(cls: MatrixClass, tokens: readonly string[]): void {
    for (const token of tokens) {
      if (token.startsWith('s')) cls.selectedBy.add(Number(token.slice(1)));
      else if (token.startsWith('a')) cls.atoms.add(Number(token.slice(1)));
      else if (token.startsWith('n')) {
        const eq = token.indexOf('=');
        push(cls.named, token.slice(1, eq), Number(token.slice(eq + 1)));
      }
    }
  }

  /** Intern the atoms of a policy's rules and remember the port names it uses; returns atoms new to the matrix. */
  private registerRules(policy: CompiledPolicy): number[] {
    const created: number[] = [];
    for (const rule of [...policy.ingress, ...policy.egress]) {
      if (rule.peers === undefined) {
        this.ruleAtoms.set(rule, undefined);
      } else {
        const ids: number[] = [];
        for (const peer of rule.peers) {
          let id = this.atomByKey.get(peer.key);
          if (id === undefined) {
            id = this.atoms.length;
            this.atoms.push({ key: peer.key, peer });
            this.atomByKey.set(peer.key, id);
            created.push(id);
          }
          ids.push(id);
        }
        this.ruleAtoms.set(rule, ids);
      }
    }
    return created;
  }

  private namesOf(policy: CompiledPolicy): Set<string> {
    const names = new Set<string>();
    for (const rule of [...policy.ingress, ...policy.egress]) for (const n of rule.namedPorts) names.add(`${n.name}/${n.protocol}`);
    return names;
  }

  private namedTokens(pod: ModelPod, names: ReadonlySet<string>): string[] {
    const out: string[] = [];
    for (const port of pod.ports) {
      if (port.name === undefined) continue;
      const key = `${port.name}/${port.protocol}`;
      if (names.has(key)) out.push(`n${key}=${port.port}`);
    }
    return out;
  }

  private buildIntervals(): void {
    const cuts = new Map<IpFamily, Set<bigint>>();
    for (const family of FAMILIES) cuts.set(family, new Set([0n]));
    for (const atom of this.atoms) {
      if (atom.peer.kind !== 'ipBlock') continue;
      for (const block of [atom.peer.cidr, ...atom.peer.except]) {
        const set = cuts.get(block.family) as Set<bigint>;
        set.add(block.start);
        set.add(block.end + 1n);
      }
    }
    for (const family of FAMILIES) {
      const end = fullRange(family).end;
      const points = [...(cuts.get(family) as Set<bigint>)].filter((p) => p <= end).sort(bigintCompare);
      this.intervals.set(
        family,
        points.map((start, i) => ({ family, start, end: i + 1 < points.length ? (points[i + 1] as bigint) - 1n : end, cls: -1 })),
      );
    }
  }

  /** Index of the interval that contains `value` (intervals cover the whole family). */
  private intervalAt(family: IpFamily, value: bigint): number {
    const list = this.intervals.get(family) as Interval[];
    let lo = 0;
    let hi = list.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((list[mid] as Interval).start <= value) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Intervals inside the block and outside its exceptions (block boundaries are always interval boundaries). */
  private intervalsOfBlock(cidr: IpRange, except: readonly IpRange[]): Interval[] {
    const list = this.intervals.get(cidr.family) as Interval[];
    const out: Interval[] = [];
    for (let i = this.intervalAt(cidr.family, cidr.start); i < list.length; i++) {
      const interval = list[i] as Interval;
      if (interval.start > cidr.end) break;
      if (!except.some((e) => rangeContains(e, { family: interval.family, value: interval.start }))) out.push(interval);
    }
    return out;
  }

  /** Cut the intervals at a new point; both halves keep their class. */
  private cutAt(family: IpFamily, point: bigint): void {
    if (point > fullRange(family).end) return;
    const list = this.intervals.get(family) as Interval[];
    const i = this.intervalAt(family, point);
    const interval = list[i] as Interval;
    if (interval.start === point) return;
    const left: Interval = { family, start: interval.start, end: point - 1n, cls: interval.cls };
    const right: Interval = { family, start: point, end: interval.end, cls: interval.cls };
    list.splice(i, 1, left, right);
    const cls = this.classes[interval.cls] as MatrixClass;
    cls.intervals = cls.intervals.filter((x) => x !== interval);
    cls.intervals.push(left, right);
  }

  // ---- storage --------------------------------------------------------------------------------

  private ensureCapacity(count: number): void {
    if (count <= this.stride) return;
    const stride = Math.max(count + 8, Math.ceil(this.stride * 1.5));
    const grow = (old: Uint32Array): Uint32Array => {
      const next = new Uint32Array(stride * stride);
      for (let r = 0; r < this.stride; r++) next.set(old.subarray(r * this.stride, r * this.stride + this.stride), r * stride);
      return next;
    };
    this.ing = grow(this.ing);
    this.eg = grow(this.eg);
    this.res = grow(this.res);
    this.stride = stride;
  }

  /** Give a new class the row and column of the class it split from. */
  private copyClass(parent: number, child: number): void {
    const n = this.stride;
    for (const m of [this.ing, this.eg, this.res]) {
      m.copyWithin(child * n, parent * n, parent * n + n);
      for (let r = 0; r < this.classes.length; r++) m[r * n + child] = m[r * n + parent] as number;
    }
  }

  // ---- evaluation -----------------------------------------------------------------------------

  private portsFor(rule: Rule, destination: MatrixClass): number {
    if (rule.namedPorts.length === 0) return this.sets.id(rule.staticPorts);
    let set = rule.staticPorts;
    if (!destination.external) {
      for (const named of rule.namedPorts) {
        for (const port of destination.named.get(`${named.name}/${named.protocol}`) ?? []) {
          set = set.union(ConnectionSet.ports(named.protocol, port, port));
        }
      }
    }
    return this.sets.id(set);
  }

  private policiesOf(cls: MatrixClass, direction: 'ingress' | 'egress'): CompiledPolicy[] {
    const out: CompiledPolicy[] = [];
    for (const slot of cls.selectedBy) {
      const policy = this.slots[slot];
      if (policy !== undefined && (direction === 'ingress' ? policy.affectsIngress : policy.affectsEgress)) out.push(policy);
    }
    return out;
  }

  /** Calls `fn` for each class a rule's peers match (possibly more than once: union is idempotent). */
  private forEachPeerClass(rule: Rule, fn: (cls: number) => void): void {
    const atoms = this.ruleAtoms.get(rule);
    if (atoms === undefined) {
      for (let c = 0; c < this.classes.length; c++) fn(c);
      return;
    }
    for (const atom of atoms) for (const c of this.atomClasses.get(atom) ?? []) fn(c);
  }

  private computeIngressColumn(d: number): void {
    const n = this.stride;
    const k = this.classes.length;
    const base = d * n;
    const cls = this.classes[d] as MatrixClass;
    const policies = cls.external ? [] : this.policiesOf(cls, 'ingress');
    if (policies.length === 0) {
      this.ing.fill(ConnectionSetTable.ALL, base, base + k);
      return;
    }
    const ing = this.ing;
    const sets = this.sets;
    ing.fill(ConnectionSetTable.NONE, base, base + k);
    for (const policy of policies) {
      for (const rule of policy.ingress) {
        const ports = this.portsFor(rule, cls);
        if (ports === ConnectionSetTable.NONE) continue;
        const atoms = this.ruleAtoms.get(rule);
        if (atoms === undefined) {
          for (let s = 0; s < k; s++) ing[base + s] = sets.union(ing[base + s] as number, ports);
          continue;
        }
        for (const atom of atoms) {
          for (const s of this.atomClasses.get(atom) ?? []) ing[base + s] = sets.union(ing[base + s] as number, ports);
        }
      }
    }
  }

  private computeEgressRow(s: number): void {
    const n = this.stride;
    const k = this.classes.length;
    const base = s * n;
    const cls = this.classes[s] as MatrixClass;
    const policies = cls.external ? [] : this.policiesOf(cls, 'egress');
    if (policies.length === 0) {
      this.eg.fill(ConnectionSetTable.ALL, base, base + k);
      return;
    }
    const eg = this.eg;
    const sets = this.sets;
    eg.fill(ConnectionSetTable.NONE, base, base + k);
    for (const policy of policies) {
      for (const rule of policy.egress) {
        const fixed = rule.namedPorts.length === 0 ? sets.id(rule.staticPorts) : -1;
        if (fixed === ConnectionSetTable.NONE) continue;
        const add = (d: number): void => {
          const ports = fixed >= 0 ? fixed : this.portsFor(rule, this.classes[d] as MatrixClass);
          eg[base + d] = sets.union(eg[base + d] as number, ports);
        };
        const atoms = this.ruleAtoms.get(rule);
        if (atoms === undefined) {
          for (let d = 0; d < k; d++) add(d);
          continue;
        }
        for (const atom of atoms) for (const d of this.atomClasses.get(atom) ?? []) add(d);
      }
    }
  }

  private combineRow(s: number): void {
    const n = this.stride;
    const k = this.classes.length;
    const sourceExternal = (this.classes[s] as MatrixClass).external;
    const { eg, ing, res, sets } = this;
    const base = s * n;
    for (let d = 0; d < k; d++) {
      const out = eg[base + d] as number;
      const inn = ing[d * n + s] as number;
      // Address to address is outside NetworkPolicy: nothing is claimed.
      if (sourceExternal && (this.classes[d] as MatrixClass).external) res[base + d] = ConnectionSetTable.NONE;
      else
        res[base + d] =
          out === inn || inn === ConnectionSetTable.ALL ? out : out === ConnectionSetTable.ALL ? inn : sets.intersect(out, inn);
    }
  }

  private combineColumn(d: number): void {
    const n = this.stride;
    const destinationExternal = (this.classes[d] as MatrixClass).external;
    const { eg, ing, res, sets } = this;
    for (let s = 0; s < this.classes.length; s++) {
      if (destinationExternal && (this.classes[s] as MatrixClass).external) res[s * n + d] = ConnectionSetTable.NONE;
      else res[s * n + d] = sets.intersect(eg[s * n + d] as number, ing[d * n + s] as number);
    }
  }

  // ---- incremental update ---------------------------------------------------------------------

  /**
   * Add a policy, or replace the one with the same namespace/name. A policy the API server would
   * reject (`valid: false`) removes the old one, as it could never be stored.
   */
  applyPolicy(policy: CompiledPolicy): UpdateStats {
    return this.update(policy.id, policy.valid ? policy : undefined);
  }

  /** Remove a policy by `namespace/name` (nothing happens when there is none). */
  removePolicy(id: string): UpdateStats {
    return this.update(id, undefined);
  }

  private update(id: string, policy: CompiledPolicy | undefined): UpdateStats {
    const existing = this.slotById.get(id);
    const slot = existing ?? this.slots.length;
    const old = existing === undefined ? undefined : this.slots[existing];
    if (existing === undefined) {
      if (policy === undefined) return { splitClasses: 0, recomputedColumns: 0, recomputedRows: 0 };
      this.slots.push(undefined);
      this.slotById.set(id, slot);
    }
    const oldSelected = this.classes.filter((c) => c.selectedBy.has(slot)).map((c) => c.id);
    for (const c of oldSelected) (this.classes[c] as MatrixClass).selectedBy.delete(slot);
    this.slots[slot] = policy;

    // What the new policy can tell apart: its selection, atoms new to the matrix, port names new to it.
    const tokens = new Map<number, string[]>(); // pod index → tokens
    const intervalTokens = new Map<Interval, string[]>();
    let createdAtoms: number[] = [];
    if (policy !== undefined) {
      createdAtoms = this.registerRules(policy);
      const add = (pod: ModelPod, token: string): void => {
        const list = tokens.get(pod.index);
        if (list === undefined) tokens.set(pod.index, [token]);
        else list.push(token);
      };
      for (const pod of this.index.podsSelectedBy(policy.podSelector, policy.namespace)) add(pod, `s${slot}`);
      for (const atom of createdAtoms) {
        const peer = (this.atoms[atom] as Atom).peer;
        for (const pod of this.index.podsOfPeer(peer)) add(pod, `a${atom}`);
        if (peer.kind === 'ipBlock') {
          for (const block of [peer.cidr, ...peer.except]) {
            this.cutAt(block.family, block.start);
            this.cutAt(block.family, block.end + 1n);
          }
        }
      }
      for (const atom of createdAtoms) {
        const peer = (this.atoms[atom] as Atom).peer;
        if (peer.kind !== 'ipBlock') continue;
        for (const interval of this.intervalsOfBlock(peer.cidr, peer.except)) {
          const list = intervalTokens.get(interval);
          if (list === undefined) intervalTokens.set(interval, [`a${atom}`]);
          else list.push(`a${atom}`);
        }
      }
      const newNames = new Set([...this.namesOf(policy)].filter((n) => !this.namesInUse.has(n)));
      if (newNames.size > 0) {
        for (const name of newNames) this.namesInUse.add(name);
        for (const pod of this.index.pods) for (const token of this.namedTokens(pod, newNames)) add(pod, token);
      }
    }

    // Split classes whose members the new policy tells apart.
    const groups = new Map<number, Map<string, { pods: number[]; intervals: Interval[]; tokens: string[] }>>();
    const groupOf = (cls: number, tokenList: string[]): { pods: number[]; intervals: Interval[]; tokens: string[] } => {
      const key = [...tokenList].sort().join('|');
      let byKey = groups.get(cls);
      if (byKey === undefined) {
        byKey = new Map();
        groups.set(cls, byKey);
      }
      let group = byKey.get(key);
      if (group === undefined) {
        group = { pods: [], intervals: [], tokens: tokenList };
        byKey.set(key, group);
      }
      return group;
    };
    for (const [pod, tokenList] of tokens) groupOf(this.classOfPod[pod] as number, tokenList).pods.push(pod);
    for (const [interval, tokenList] of intervalTokens) groupOf(interval.cls, tokenList).intervals.push(interval);
    const splits: [parent: number, child: number][] = [];
    for (const [clsId, byKey] of groups) {
      const cls = this.classes[clsId] as MatrixClass;
      // What every member shared before this update; children start from it.
      const base = { selectedBy: [...cls.selectedBy], atoms: [...cls.atoms], named: [...cls.named].map(([k, v]) => [k, [...v]] as const) };
      const covered = [...byKey.values()].reduce((n, g) => n + g.pods.length + g.intervals.length, 0);
      const untouched = cls.pods.length + cls.intervals.length - covered;
      const list = [...byKey.values()];
      // The class keeps the untouched members, or else the first group; every other group is a new class.
      const keeper = untouched > 0 ? undefined : list.shift();
      if (keeper !== undefined) this.applyTokens(cls, keeper.tokens);
      for (const group of list) {
        const child = this.newClass(cls.external);
        for (const slotId of base.selectedBy) child.selectedBy.add(slotId);
        for (const atom of base.atoms) {
          child.atoms.add(atom);
          push(this.atomClasses, atom, child.id);
        }
        for (const [name, ports] of base.named) child.named.set(name, [...ports]);
        this.applyTokens(child, group.tokens);
        const moved = new Set<number>(group.pods);
        const movedIntervals = new Set(group.intervals);
        cls.pods = cls.pods.filter((p) => !moved.has(p));
        cls.intervals = cls.intervals.filter((x) => !movedIntervals.has(x));
        child.pods = group.pods;
        child.intervals = group.intervals;
        for (const pod of group.pods) this.classOfPod[pod] = child.id;
        for (const interval of group.intervals) interval.cls = child.id;
        this.ensureCapacity(this.classes.length);
        this.copyClass(clsId, child.id);
        splits.push([clsId, child.id]);
      }
    }
    for (const atom of createdAtoms) {
      for (const cls of this.classes) if (cls.atoms.has(atom)) push(this.atomClasses, atom, cls.id);
    }

    // Recompute what the old or the new policy can affect; a class split from one the old policy
    // selected was selected too.
    const newSelected = this.classes.filter((c) => c.selectedBy.has(slot)).map((c) => c.id);
    const oldSelectedAll = new Set(oldSelected);
    for (const [parent, child] of splits) if (oldSelectedAll.has(parent)) oldSelectedAll.add(child);
    const columns = new Set<number>();
    const rows = new Set<number>();
    if (old?.affectsIngress === true) for (const c of oldSelectedAll) columns.add(c);
    if (old?.affectsEgress === true) for (const c of oldSelectedAll) rows.add(c);
    if (policy?.affectsIngress === true) for (const c of newSelected) columns.add(c);
    if (policy?.affectsEgress === true) for (const c of newSelected) rows.add(c);
    for (const d of columns) this.computeIngressColumn(d);
    for (const s of rows) this.computeEgressRow(s);
    for (const s of rows) this.combineRow(s);
    for (const d of columns) this.combineColumn(d);
    if (policy === undefined) this.slotById.delete(id);
    return { splitClasses: splits.length, recomputedColumns: columns.size, recomputedRows: rows.size };
  }

  // ---- queries --------------------------------------------------------------------------------

  stats(): MatrixStats {
    const external = this.classes.filter((c) => c.external).length;
    return {
      pods: this.index.pods.length,
      classes: this.classes.length,
      podClasses: this.classes.length - external,
      externalClasses: external,
      connectionSets: this.sets.size,
      policies: this.slots.filter((p) => p !== undefined).length,
    };
  }

  /** In-scope pods (what the matrix covers). */
  get pods(): readonly ModelPod[] {
    return this.index.pods;
  }

  /** The class of an in-scope pod. */
  classOf(pod: ModelPod): number {
    return this.classOfPod[pod.index] ?? -1;
  }

  /** Pods of a class, as model pods. */
  podsOfClass(cls: number): ModelPod[] {
    return (this.classes[cls]?.pods ?? []).map((i) => this.model.pods[i] as ModelPod);
  }

  /** Classes of addresses outside the cluster, each with its ranges in address order. */
  externalClasses(): ExternalClass[] {
    return this.classes
      .filter((c) => c.external)
      .map((c) => ({
        id: c.id,
        ranges: mergeRanges(c.intervals),
      }));
  }

  /** The class of an address outside the cluster. */
  classOfAddress(address: IpAddress): number {
    const list = this.intervals.get(address.family) as Interval[];
    return (list[this.intervalAt(address.family, address.value)] as Interval).cls;
  }

  /** The connection-set id allowed from class `s` to class `d`. */
  cell(s: number, d: number): number {
    return this.res[s * this.stride + d] as number;
  }

  /** Ids of every class (pods first, then addresses, in creation order). */
  classIds(): number[] {
    return this.classes.map((c) => c.id);
  }

  isExternalClass(cls: number): boolean {
    return this.classes[cls]?.external === true;
  }

  /** Every connection allowed between two in-scope pods (a pod may always reach itself). */
  podConnections(from: ModelPod, to: ModelPod): ConnectionSet | undefined {
    const s = this.classOf(from);
    const d = this.classOf(to);
    if (s < 0 || d < 0) return undefined;
    if (from === to) return ConnectionSet.ALL;
    return this.sets.get(this.cell(s, d));
  }

  /** Every connection allowed from a pod to an address outside the cluster. */
  toAddress(from: ModelPod, address: IpAddress): ConnectionSet | undefined {
    const s = this.classOf(from);
    return s < 0 ? undefined : this.sets.get(this.cell(s, this.classOfAddress(address)));
  }

  /** Every connection allowed from an address outside the cluster to a pod. */
  fromAddress(address: IpAddress, to: ModelPod): ConnectionSet | undefined {
    const d = this.classOf(to);
    return d < 0 ? undefined : this.sets.get(this.cell(this.classOfAddress(address), d));
  }

  /**
   * Ordered pairs of distinct in-scope pods with at least one allowed connection, counted from the
   * class matrix (|S|·|D| per class pair, |C|·(|C|−1) within a class).
   */
  countAllowedPodPairs(): number {
    let total = 0;
    const podClasses = this.classes.filter((c) => !c.external);
    for (const s of podClasses) {
      for (const d of podClasses) {
        if (this.cell(s.id, d.id) === ConnectionSetTable.NONE) continue;
        total += s === d ? s.pods.length * (s.pods.length - 1) : s.pods.length * d.pods.length;
      }
    }
    return total;
  }
}

function mergeRanges(intervals: readonly Interval[]): IpRange[] {
  const sorted = [...intervals].sort((a, b) => a.family - b.family || bigintCompare(a.start, b.start));
  const out: { family: IpFamily; start: bigint; end: bigint }[] = [];
  for (const interval of sorted) {
    const last = out.at(-1);
    if (last?.family === interval.family && last.end + 1n === interval.start) last.end = interval.end;
    else out.push({ family: interval.family, start: interval.start, end: interval.end });
  }
  return out;
}
