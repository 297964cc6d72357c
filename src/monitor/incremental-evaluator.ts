import type { Finding } from '../core/finding.js';
import { apiGroupOf } from '../core/resource-ref.js';
import type { Check } from '../checks/define-check.js';
import type { ExceptionMatcher } from '../checks/exceptions.js';
import { evaluate, namespaceOfResource, type ActiveCheck, type CheckError } from '../checks/run-checks.js';
import type { Area } from '../core/area.js';
import type { Severity } from '../core/severity.js';
import type { Inventory } from '../inventory/inventory.js';
import { isRecord } from '../k8s/guards.js';
import type { KubeObject } from '../k8s/types.js';

/** An object that changed: its identity key, kind, and the object before and after (absent when created or deleted). */
export interface ObjectChange {
  readonly key: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly before?: KubeObject;
  readonly after?: KubeObject;
}

/** What an evaluation changed in the set of current findings (by fingerprint). */
export interface FindingsDelta {
  /** Fingerprints that appeared. */
  readonly opened: Finding[];
  /** Fingerprints that disappeared (the finding as it last was). */
  readonly resolved: Finding[];
  /** Fingerprints still present in the re-evaluated scope (possibly with a new message or severity). */
  readonly kept: Finding[];
  readonly errors: CheckError[];
  /** Checks × subjects actually run, for metrics. */
  readonly checksRun: number;
  readonly subjects: number;
}

const ALL = '*';

type KindMatcher = (group: string, kind: string) => boolean;

/** A matcher for `kinds`/`reads` lists: plain kinds match any group, `group/Kind` only that group, `*` anything. */
function kindListMatcher(kinds: readonly string[] | undefined): KindMatcher | undefined {
  if (kinds === undefined) return undefined;
  if (kinds.includes(ALL)) return () => true;
  const plain = new Set(kinds.filter((k) => !k.includes('/')));
  const qualified = new Set(kinds.filter((k) => k.includes('/')));
  return (group, kind) => plain.has(kind) || qualified.has(`${group}/${kind}`);
}

/** Whether a change to an object of this kind, in this namespace (undefined: cluster-scoped), can matter to a check. */
type ReadMatcher = (group: string, kind: string, namespace: string | undefined) => boolean;

/** A matcher for `reads`, honouring `readsNamespaces`. */
function readsMatcher(check: Check): ReadMatcher | undefined {
  const reads = check.reads;
  if (reads === undefined) return undefined;
  const only = check.readsNamespaces ?? {};
  const open = kindListMatcher(reads.filter((k) => !Object.hasOwn(only, k)));
  const restricted = Object.entries(only)
    .filter(([kind]) => reads.includes(kind))
    .map(([kind, namespaces]) => ({ matches: kindListMatcher([kind]) as KindMatcher, namespaces: new Set(namespaces) }));
  return (group, kind, namespace) =>
    open?.(group, kind) === true ||
    restricted.some((r) => r.matches(group, kind) && (namespace === undefined || r.namespaces.has(namespace)));
}

function isObjectScoped(check: Check): boolean {
  return check.target !== 'Cluster';
}

/** Identity keys of the controllers an object names in ownerReferences (same namespace, by API rules). */
function controllerKeysOf(object: KubeObject | undefined, defaultNamespace: string): string[] {
  const owners = object?.metadata.ownerReferences;
  if (!Array.isArray(owners)) return [];
  const keys: string[] = [];
  for (const owner of owners as unknown[]) {
    if (!isRecord(owner) || owner.controller !== true) continue;
    if (typeof owner.apiVersion !== 'string' || typeof owner.kind !== 'string' || typeof owner.name !== 'string') continue;
    keys.push(`${apiGroupOf(owner.apiVersion)}/${owner.kind}/${object?.metadata.namespace ?? defaultNamespace}/${owner.name}`);
  }
  return keys;
}

/** An identity key (`group/kind/namespace/name`) taken apart. */
interface KeyParts {
  readonly group: string;
  readonly kind: string;
  /** The namespace the object matters to for `localReads`: its own, or the one a Namespace names. */
  readonly namespace: string | undefined;
  /** The namespace it lives in (undefined for cluster-scoped objects). */
  readonly home: string | undefined;
}

function partsOf(key: string): KeyParts {
  const slash1 = key.indexOf('/');
  const slash2 = key.indexOf('/', slash1 + 1);
  const slash3 = key.indexOf('/', slash2 + 1);
  const group = key.slice(0, slash1);
  const kind = key.slice(slash1 + 1, slash2);
  const namespace = key.slice(slash2 + 1, slash3);
  if (namespace !== '') return { group, kind, namespace, home: namespace };
  return { group, kind, namespace: group === '' && kind === 'Namespace' ? key.slice(slash3 + 1) : undefined, home: undefined };
}

/** The identity key of the Namespace object of a namespace. */
function namespaceKey(namespace: string): string {
  return `/Namespace//${namespace}`;
}

/** What a re-run covers (see `IncrementalEvaluator.run`). */
interface Scope {
  readonly subjects?: ReadonlySet<string>;
  readonly namespaces?: ReadonlySet<string>;
}

/** Open findings of one severity, area and namespace. */
export interface FindingTally {
  readonly severity: Severity;
  readonly area: Area;
  readonly namespace: string;
  readonly n: number;
}

/** A tally as the evaluator keeps it up to date. */
type RunningTally = { -readonly [K in keyof FindingTally]: FindingTally[K] };

const SUPPRESSED = '\u0000suppressed';

/** What a check reads, as the evaluator matches changes against it. */
interface Reader {
  readonly active: ActiveCheck;
  readonly reads: ReadMatcher;
  readonly local: KindMatcher | undefined;
}

/**
 * Keeps the findings of an Inventory current as objects change, re-running only what a change can
 * affect:
 *
 * - object-scoped checks (PodSpec, Container, Object) on the changed object, and on the objects it
 *   controls: whether a Pod or ReplicaSet is judged on its own depends on its controller being present
 *   (`Inventory.podTemplates`), so adding or removing a Deployment re-judges its ReplicaSets;
 * - object-scoped checks that declare `reads` of the changed kind, on every subject, or, when the
 *   kind is among their `localReads`, on the subjects in the changed object's namespace;
 * - Cluster checks whose `reads` include the changed kind (for the changed object's namespace only
 *   when the kind is among their `localReads`), and Cluster checks without `reads`.
 *
 * A change to an object of a kind the check looks up in some namespaces only (`readsNamespaces`)
 * matters only in those namespaces. A change to a controller also counts as a change of the kinds it
 * controls (whether a Pod stands on its own, and which workload it belongs to, depends on its
 * controller).
 *
 * Findings are kept per unit (check × subject; check × namespace for Cluster checks with
 * `localReads`; check for other Cluster checks), so replacing a unit's findings after a re-run gives
 * exactly what a full evaluation would, which the tests verify.
 */
export class IncrementalEvaluator {
  /** Findings per unit. */
  private readonly units = new Map<string, Finding[]>();
  private readonly unitsByCheck = new Map<string, Set<string>>();
  /** How many units hold each fingerprint, and the latest finding for it. */
  private readonly present = new Map<string, { count: number; finding: Finding }>();
  /** controller key → keys of the objects it controls. */
  private readonly children = new Map<string, Set<string>>();
  /** Findings whose fingerprint left the present set during the current `apply`. */
  private readonly lastRemoved = new Map<string, Finding>();
  /** Open findings (not suppressed) by severity, area and namespace, kept as findings come and go. */
  private readonly tally = new Map<string, RunningTally>();
  private readonly objectChecks: ActiveCheck[];
  private readonly clusterChecks: ActiveCheck[];
  private readonly readers: Reader[];
  /** Cluster checks whose findings are kept per namespace (they declare `localReads`). */
  private readonly partitioned = new Set<string>();

  constructor(
    private readonly inventory: Inventory,
    private readonly checks: readonly ActiveCheck[],
    private readonly exceptions?: ExceptionMatcher,
  ) {
    this.objectChecks = checks.filter((c) => isObjectScoped(c.check));
    this.clusterChecks = checks.filter((c) => !isObjectScoped(c.check));
    this.readers = checks.flatMap((active) => {
      const reads = readsMatcher(active.check);
      return reads === undefined ? [] : [{ active, reads, local: kindListMatcher(active.check.localReads) }];
    });
    for (const active of this.clusterChecks) if (active.check.localReads !== undefined) this.partitioned.add(active.check.id);
    for (const entry of inventory.all()) this.indexOwners(entry.key, undefined, entry.object);
  }

  /** Every current finding, in no particular order (one per fingerprint). */
  current(): Finding[] {
    return [...this.present.values()].map((p) => p.finding);
  }

  get size(): number {
    return this.present.size;
  }

  /**
   * Open findings counted by severity, area and namespace (`''` for cluster-scoped objects), and the
   * number of suppressed ones: what the findings gauges show, kept current without walking every finding.
   */
  tallies(): { counts: FindingTally[]; suppressed: number } {
    const counts: FindingTally[] = [];
    let suppressed = 0;
    for (const [key, tally] of this.tally) {
      if (key === SUPPRESSED) suppressed = tally.n;
      else counts.push({ ...tally });
    }
    return { counts, suppressed };
  }

  /** Evaluate everything from scratch (start-up, re-sync). */
  full(): FindingsDelta {
    const before = new Map(this.present);
    this.units.clear();
    this.unitsByCheck.clear();
    this.present.clear();
    this.tally.clear();
    const result = this.run(this.checks, {});
    const opened: Finding[] = [];
    const kept: Finding[] = [];
    for (const [fingerprint, { finding }] of this.present) (before.has(fingerprint) ? kept : opened).push(finding);
    const resolved = [...before].filter(([fp]) => !this.present.has(fp)).map(([, p]) => p.finding);
    return { opened, resolved, kept, errors: result.errors, checksRun: this.checks.length, subjects: this.inventory.size };
  }

  /**
   * Re-evaluate after changes already applied to the Inventory. Returns what opened, resolved and
   * stayed within the re-evaluated scope.
   */
  apply(changes: readonly ObjectChange[]): FindingsDelta {
    const subjects = new Set<string>();
    const everywhere = new Set<ActiveCheck>();
    /** Checks to re-run for some namespaces only (a kind among their `localReads` changed there). */
    const local = new Map<ActiveCheck, Set<string>>();
    const touch = (parts: KeyParts): void => {
      for (const { active, reads, local: isLocal } of this.readers) {
        if (everywhere.has(active) || !reads(parts.group, parts.kind, parts.home)) continue;
        if (parts.namespace !== undefined && isLocal?.(parts.group, parts.kind) === true) {
          let namespaces = local.get(active);
          if (namespaces === undefined) {
            namespaces = new Set();
            local.set(active, namespaces);
          }
          namespaces.add(parts.namespace);
        } else everywhere.add(active);
      }
    };
    for (const change of changes) {
      this.indexOwners(change.key, change.before, change.after);
      subjects.add(change.key);
      touch(partsOf(change.key));
      // Whether the objects it controls stand on their own (and which workload they belong to) depends on it.
      for (const child of this.children.get(change.key) ?? []) {
        subjects.add(child);
        touch(partsOf(child));
      }
    }
    if (changes.length > 0) for (const active of this.clusterChecks) if (active.check.reads === undefined) everywhere.add(active);
    for (const active of everywhere) local.delete(active);

    const touched = new Map<string, number>();
    const note = (fingerprint: string): void => {
      if (!touched.has(fingerprint)) touched.set(fingerprint, this.present.get(fingerprint)?.count ?? 0);
    };
    const errors: CheckError[] = [];
    let checksRun = 0;
    const runPart = (checks: readonly ActiveCheck[], scope: Scope): void => {
      if (checks.length === 0) return;
      errors.push(...this.run(checks, scope, note).errors);
      checksRun += checks.length;
    };

    // Object-scoped checks on the changed subjects, plus the subjects of the namespaces a local read
    // changed in (grouped, so that checks with the same namespaces run together).
    const groups = new Map<string, { namespaces: string[]; checks: ActiveCheck[] }>();
    for (const active of this.objectChecks) {
      if (everywhere.has(active)) continue;
      const namespaces = [...(local.get(active) ?? [])].sort();
      const id = namespaces.join('\u0000');
      const group = groups.get(id);
      if (group === undefined) groups.set(id, { namespaces, checks: [active] });
      else group.checks.push(active);
    }
    for (const { namespaces, checks } of groups.values()) {
      const scope = new Set(subjects);
      for (const namespace of namespaces) {
        scope.add(namespaceKey(namespace));
        for (const entry of this.inventory.inNamespace(namespace)) scope.add(entry.key);
      }
      if (scope.size > 0) runPart(checks, { subjects: scope });
    }
    // Cluster checks for the namespaces a local read changed in, grouped the same way.
    const clusterGroups = new Map<string, { namespaces: Set<string>; checks: ActiveCheck[] }>();
    for (const [active, namespaces] of local) {
      if (isObjectScoped(active.check)) continue;
      const id = [...namespaces].sort().join('\u0000');
      const group = clusterGroups.get(id);
      if (group === undefined) clusterGroups.set(id, { namespaces, checks: [active] });
      else group.checks.push(active);
    }
    for (const { namespaces, checks } of clusterGroups.values()) runPart(checks, { namespaces });
    runPart([...everywhere], {});

    const opened: Finding[] = [];
    const resolved: Finding[] = [];
    const kept: Finding[] = [];
    for (const [fingerprint, countBefore] of touched) {
      const now = this.present.get(fingerprint);
      if (now === undefined) {
        const last = this.lastRemoved.get(fingerprint);
        if (countBefore > 0 && last !== undefined) resolved.push(last);
      } else if (countBefore === 0) opened.push(now.finding);
      else kept.push(now.finding);
    }
    this.lastRemoved.clear();
    return { opened, resolved, kept, errors, checksRun, subjects: subjects.size };
  }

  /** The unit a finding belongs to. */
  private unitOf(finding: Finding, subjectKey: string | undefined): string {
    if (subjectKey !== undefined) return `${finding.checkId}\u0000${subjectKey}`;
    if (!this.partitioned.has(finding.checkId)) return `${finding.checkId}\u0000`;
    return `${finding.checkId}\u0000\u0001${namespaceOfResource(finding.resource) ?? ''}`;
  }

  /**
   * Run checks on a scope and replace the findings of the units it covers: object-scoped checks on
   * `subjects` (all when absent); Cluster checks with `localReads` for `namespaces` (all when absent);
   * other Cluster checks wholly. `note` hears every fingerprint whose unit is cleared or filled, before
   * its count changes.
   */
  private run(checks: readonly ActiveCheck[], scope: Scope, note?: (fingerprint: string) => void): { errors: CheckError[] } {
    const { subjects, namespaces } = scope;
    // Clear the units about to be recomputed.
    for (const active of checks) {
      const id = active.check.id;
      const units = this.unitsByCheck.get(id);
      if (units === undefined) continue;
      let targets: string[];
      if (isObjectScoped(active.check)) targets = subjects === undefined ? [...units] : [...subjects].map((s) => `${id}\u0000${s}`);
      else if (namespaces !== undefined && this.partitioned.has(id)) targets = [...namespaces].map((n) => `${id}\u0000\u0001${n}`);
      else targets = [...units];
      for (const unit of targets) {
        const findings = this.units.get(unit);
        if (findings === undefined) continue;
        for (const finding of findings) this.release(finding, note);
        this.units.delete(unit);
        units.delete(unit);
      }
    }
    const result = evaluate(this.inventory, checks, {
      ...(this.exceptions === undefined ? {} : { exceptions: this.exceptions }),
      ...(subjects === undefined ? {} : { subjects }),
      ...(namespaces === undefined ? {} : { namespaces }),
      onFinding: (finding, subjectKey) => {
        const unit = this.unitOf(finding, subjectKey);
        let findings = this.units.get(unit);
        if (findings === undefined) {
          findings = [];
          this.units.set(unit, findings);
          let units = this.unitsByCheck.get(finding.checkId);
          if (units === undefined) {
            units = new Set();
            this.unitsByCheck.set(finding.checkId, units);
          }
          units.add(unit);
        }
        findings.push(finding);
        note?.(finding.fingerprint);
        const held = this.present.get(finding.fingerprint);
        if (held === undefined) {
          this.present.set(finding.fingerprint, { count: 1, finding });
          this.count(finding, 1);
        } else {
          this.present.set(finding.fingerprint, { count: held.count + 1, finding });
          this.count(held.finding, -1);
          this.count(finding, 1);
        }
      },
    });
    return { errors: result.errors };
  }

  private count(finding: Finding, by: 1 | -1): void {
    const key =
      finding.suppression !== undefined ? SUPPRESSED : `${finding.severity}\u0000${finding.area}\u0000${finding.resource.namespace ?? ''}`;
    const tally = this.tally.get(key);
    if (tally === undefined) {
      this.tally.set(key, { severity: finding.severity, area: finding.area, namespace: finding.resource.namespace ?? '', n: by });
      return;
    }
    tally.n += by;
    if (tally.n === 0) this.tally.delete(key);
  }

  private release(finding: Finding, note?: (fingerprint: string) => void): void {
    note?.(finding.fingerprint);
    const held = this.present.get(finding.fingerprint);
    if (held === undefined) return;
    if (held.count <= 1) {
      this.present.delete(finding.fingerprint);
      this.count(held.finding, -1);
      this.lastRemoved.set(finding.fingerprint, held.finding);
    } else this.present.set(finding.fingerprint, { count: held.count - 1, finding: held.finding });
  }

  private indexOwners(key: string, before: KubeObject | undefined, after: KubeObject | undefined): void {
    for (const owner of controllerKeysOf(before, this.inventory.defaultNamespace)) this.children.get(owner)?.delete(key);
    for (const owner of controllerKeysOf(after, this.inventory.defaultNamespace)) {
      let set = this.children.get(owner);
      if (set === undefined) {
        set = new Set();
        this.children.set(owner, set);
      }
      set.add(key);
    }
  }
}
