import type { Finding } from '../core/finding.js';
import { apiGroupOf } from '../core/resource-ref.js';
import type { Check } from '../checks/define-check.js';
import type { ExceptionMatcher } from '../checks/exceptions.js';
import { evaluate, type ActiveCheck, type CheckError } from '../checks/run-checks.js';
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

/** A matcher for `kinds`/`reads` lists: plain kinds match any group, `group/Kind` only that group, `*` anything. */
function kindListMatcher(kinds: readonly string[] | undefined): ((apiVersion: string, kind: string) => boolean) | undefined {
  if (kinds === undefined) return undefined;
  if (kinds.includes(ALL)) return () => true;
  const plain = new Set(kinds.filter((k) => !k.includes('/')));
  const qualified = new Set(kinds.filter((k) => k.includes('/')));
  return (apiVersion, kind) => plain.has(kind) || qualified.has(`${apiGroupOf(apiVersion)}/${kind}`);
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

/**
 * Keeps the findings of an Inventory current as objects change, re-running only what a change can
 * affect:
 *
 * - object-scoped checks (PodSpec, Container, Object) on the changed object, and on the objects it
 *   controls: whether a Pod or ReplicaSet is judged on its own depends on its controller being present
 *   (`Inventory.podTemplates`), so adding or removing a Deployment re-judges its ReplicaSets;
 * - object-scoped checks that declare `reads` of the changed kind, on every subject;
 * - Cluster checks whose `reads` include the changed kind, and Cluster checks without `reads`.
 *
 * Findings are kept per unit (check × subject, or check for Cluster checks), so replacing a unit's
 * findings after a re-run gives exactly what a full evaluation would, which the tests verify.
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
  private readonly objectChecks: ActiveCheck[];
  private readonly clusterChecks: ActiveCheck[];
  private readonly readers: { active: ActiveCheck; reads: (apiVersion: string, kind: string) => boolean }[];

  constructor(
    private readonly inventory: Inventory,
    private readonly checks: readonly ActiveCheck[],
    private readonly exceptions?: ExceptionMatcher,
  ) {
    this.objectChecks = checks.filter((c) => isObjectScoped(c.check));
    this.clusterChecks = checks.filter((c) => !isObjectScoped(c.check));
    this.readers = checks.flatMap((active) => {
      const reads = kindListMatcher(active.check.reads);
      return reads === undefined ? [] : [{ active, reads }];
    });
    for (const entry of inventory.all()) this.indexOwners(entry.key, undefined, entry.object);
  }

  /** Every current finding, in no particular order (one per fingerprint). */
  current(): Finding[] {
    return [...this.present.values()].map((p) => p.finding);
  }

  get size(): number {
    return this.present.size;
  }

  /** Evaluate everything from scratch (start-up, re-sync). */
  full(): FindingsDelta {
    const before = new Map(this.present);
    this.units.clear();
    this.unitsByCheck.clear();
    this.present.clear();
    const result = this.run(this.checks, undefined);
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
    const cluster = new Set<ActiveCheck>();
    for (const change of changes) {
      this.indexOwners(change.key, change.before, change.after);
      subjects.add(change.key);
      for (const child of this.children.get(change.key) ?? []) subjects.add(child);
      for (const { active, reads } of this.readers) if (reads(change.apiVersion, change.kind)) everywhere.add(active);
      for (const active of this.clusterChecks) if (active.check.reads === undefined) cluster.add(active);
    }
    for (const active of everywhere) if (!isObjectScoped(active.check)) cluster.add(active);

    const touched = new Map<string, number>();
    const note = (fingerprint: string): void => {
      if (!touched.has(fingerprint)) touched.set(fingerprint, this.present.get(fingerprint)?.count ?? 0);
    };
    const errors: CheckError[] = [];
    let checksRun = 0;

    const objectWide = this.objectChecks.filter((c) => everywhere.has(c));
    const objectLocal = this.objectChecks.filter((c) => !everywhere.has(c));
    if (objectLocal.length > 0 && subjects.size > 0) {
      errors.push(...this.run(objectLocal, subjects, note).errors);
      checksRun += objectLocal.length;
    }
    const whole = [...objectWide, ...cluster];
    if (whole.length > 0) {
      errors.push(...this.run(whole, undefined, note).errors);
      checksRun += whole.length;
    }

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

  /**
   * Run checks on some subjects (or all) and replace the findings of the units they cover.
   * `note` hears every fingerprint whose unit is cleared or filled, before its count changes.
   */
  private run(
    checks: readonly ActiveCheck[],
    subjects: ReadonlySet<string> | undefined,
    note?: (fingerprint: string) => void,
  ): { errors: CheckError[] } {
    // Clear the units about to be recomputed.
    for (const active of checks) {
      const id = active.check.id;
      const units = this.unitsByCheck.get(id);
      if (units === undefined) continue;
      const targets = subjects === undefined || !isObjectScoped(active.check) ? [...units] : [...subjects].map((s) => `${id}\u0000${s}`);
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
      onFinding: (finding, subjectKey) => {
        const unit = `${finding.checkId}\u0000${subjectKey ?? ''}`;
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
        if (held === undefined) this.present.set(finding.fingerprint, { count: 1, finding });
        else this.present.set(finding.fingerprint, { count: held.count + 1, finding });
      },
    });
    return { errors: result.errors };
  }

  private release(finding: Finding, note?: (fingerprint: string) => void): void {
    note?.(finding.fingerprint);
    const held = this.present.get(finding.fingerprint);
    if (held === undefined) return;
    if (held.count <= 1) {
      this.present.delete(finding.fingerprint);
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
