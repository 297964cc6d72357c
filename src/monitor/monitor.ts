import type { Alert, AlertSink } from '../core/alert.js';
import { describeError } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import { apiGroupOf } from '../core/resource-ref.js';
import type { Severity } from '../core/severity.js';
import type { ExceptionMatcher } from '../checks/exceptions.js';
import type { ActiveCheck } from '../checks/run-checks.js';
import { Inventory } from '../inventory/inventory.js';
import type { KubeObject } from '../k8s/types.js';
import type { SourcedObject } from '../sources/manifest-objects.js';
import type { Store } from '../store/store.js';
import { alertable, alertOfFinding, deliver } from './finding-alerts.js';
import { IncrementalEvaluator, type FindingsDelta, type ObjectChange } from './incremental-evaluator.js';
import type { MonitorMetrics } from './metrics.js';

export interface MonitorOptions {
  /** Name of the cluster in the store and in alerts. */
  readonly cluster: string;
  readonly checks: readonly ActiveCheck[];
  readonly exceptions?: ExceptionMatcher;
  readonly store: Store;
  readonly sinks?: readonly AlertSink[];
  /** Alert on new and reopened findings at or above this severity (default high). */
  readonly alertMinSeverity?: Severity;
  /**
   * Alert on the findings of the very first evaluation of a cluster the store has never seen (default
   * false: the first evaluation is the baseline, and only changes from it are news).
   */
  readonly alertOnBaseline?: boolean;
  /** Changes arriving within this many ms are evaluated together (default 50). */
  readonly batchMs?: number;
  readonly metrics?: MonitorMetrics;
  readonly log?: (message: string) => void;
  readonly now?: () => Date;
  readonly defaultNamespace?: string;
  /** After a failed store write, evaluate and record everything again after this many ms (default 5000). */
  readonly retryMs?: number;
}

/** What one evaluation did, for listeners (benchmarks, logs, the dashboard later). */
export interface EvaluationReport {
  readonly mode: 'full' | 'incremental';
  /** Evaluation time (checks only). */
  readonly ms: number;
  /** Time to record the outcome in the store. */
  readonly storeMs: number;
  readonly changes: number;
  readonly opened: number;
  readonly reopened: number;
  readonly resolved: number;
  readonly findings: number;
}

/** A kind as the monitor groups objects: `apps/Deployment`, `/Pod`. */
export function kindKeyOf(apiVersion: string, kind: string): string {
  return `${apiGroupOf(apiVersion)}/${kind}`;
}

/**
 * The monitoring loop's core, independent of where objects come from (a cluster watch, files):
 * sources feed it full lists (`sync`) and single changes (`upsert`, `remove`); it keeps an Inventory
 * current, re-evaluates only what changes can affect (batched over `batchMs`), records each finding's
 * life in the Store, raises alerts for new and reopened findings, and keeps the metrics current.
 * Nothing is evaluated until every expected source has delivered its first list, so the first
 * evaluation sees the whole cluster.
 */
export class Monitor {
  readonly inventory: Inventory;
  private readonly evaluator: IncrementalEvaluator;
  private readonly pending = new Map<string, ObjectChange>();
  private readonly expected = new Set<string>();
  private readonly synced = new Set<string>();
  private readonly listeners: ((report: EvaluationReport) => void)[] = [];
  /** Objects held per kind, kept as changes arrive (for `vigil_inventory_objects`). */
  private readonly kindCounts = new Map<string, number>();
  private started = false;
  private needsCompleteRecord = false;
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private busy = 0;
  private stopped = false;
  private baseline: boolean | undefined;
  private status = { ready: false, reason: 'waiting for the first list of every resource' };

  constructor(private readonly options: MonitorOptions) {
    this.inventory = new Inventory(options.defaultNamespace === undefined ? {} : { defaultNamespace: options.defaultNamespace });
    this.evaluator = new IncrementalEvaluator(this.inventory, options.checks, options.exceptions);
  }

  /** Ready once the first full evaluation is stored; the reason says what it waits for otherwise. */
  get readiness(): { ready: boolean; reason: string } {
    return this.status;
  }

  /** Findings open now (in memory, one per fingerprint). */
  currentFindings(): Finding[] {
    return this.evaluator.current();
  }

  onEvaluation(listener: (report: EvaluationReport) => void): void {
    this.listeners.push(listener);
  }

  /** Sources whose first full list must arrive before the first evaluation (kind keys, or any name a source uses). */
  expect(sources: Iterable<string>): void {
    for (const source of sources) this.expected.add(source);
  }

  /** A source that cannot deliver (a forbidden kind) counts as delivered-empty, so it does not hold up the rest. */
  giveUp(source: string): void {
    if (this.synced.has(source)) return;
    this.synced.add(source);
    this.schedule();
  }

  /**
   * A full list of a kind (`kindKey`), or of everything a source holds (`'*'`): objects not in it
   * are removed, changed ones replaced, unchanged ones left alone.
   */
  sync(source: string, objects: readonly SourcedObject[]): void {
    const kindKey = source === '*' ? undefined : source;
    const existing = new Map<string, KubeObject>();
    for (const entry of this.inventory.all()) {
      if (kindKey === undefined || kindKeyOf(entry.ref.apiVersion, entry.ref.kind) === kindKey) existing.set(entry.key, entry.object);
    }
    const seen = new Set<string>();
    for (const sourced of objects) {
      const key = this.inventory.keyOf(sourced.object);
      seen.add(key);
      const before = existing.get(key);
      if (before !== undefined && sameObject(before, sourced.object)) continue;
      this.apply(key, sourced, before);
    }
    for (const [key, before] of existing) if (!seen.has(key)) this.apply(key, undefined, before);
    this.synced.add(source);
    this.schedule();
  }

  upsert(object: KubeObject): void {
    const key = this.inventory.keyOf(object);
    const before = this.lookup(key);
    if (before !== undefined && sameObject(before, object)) return;
    this.apply(key, { object }, before);
    this.schedule();
  }

  remove(object: KubeObject): void {
    const key = this.inventory.keyOf(object);
    const before = this.lookup(key);
    if (before === undefined) return;
    this.apply(key, undefined, before);
    this.schedule();
  }

  /** Evaluate everything again and record it as complete (periodic re-sync; catches anything a check's `reads` missed). */
  resync(): Promise<void> {
    return this.enqueue(() => this.fullEvaluation('resync'));
  }

  /** Resolves when nothing is pending or running. */
  async whenIdle(): Promise<void> {
    for (;;) {
      await this.chain;
      if (this.timer === undefined && this.busy === 0 && (this.pending.size === 0 || !this.started)) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.timer = undefined;
    await this.chain;
  }

  private lookup(key: string): KubeObject | undefined {
    const slash1 = key.indexOf('/');
    const slash2 = key.indexOf('/', slash1 + 1);
    const slash3 = key.indexOf('/', slash2 + 1);
    const namespace = key.slice(slash2 + 1, slash3);
    return this.inventory.get(
      key.slice(0, slash1),
      key.slice(slash1 + 1, slash2),
      namespace === '' ? undefined : namespace,
      key.slice(slash3 + 1),
    )?.object;
  }

  private apply(key: string, after: SourcedObject | undefined, before: KubeObject | undefined): void {
    if (after === undefined) this.inventory.remove(key);
    else this.inventory.upsert(after);
    if (before !== undefined) this.kindCounts.set(before.kind, (this.kindCounts.get(before.kind) ?? 1) - 1);
    if (after !== undefined) this.kindCounts.set(after.object.kind, (this.kindCounts.get(after.object.kind) ?? 0) + 1);
    if (!this.started) return;
    const object = after?.object ?? before;
    if (object === undefined) return;
    const previous = this.pending.get(key);
    const first = previous === undefined ? before : previous.before;
    this.pending.set(key, {
      key,
      apiVersion: object.apiVersion,
      kind: object.kind,
      ...(first === undefined ? {} : { before: first }),
      ...(after === undefined ? {} : { after: after.object }),
    });
  }

  private schedule(): void {
    if (this.timer !== undefined || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.enqueue(() => this.flush());
    }, this.options.batchMs ?? 50);
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.busy++;
    const run = this.chain.then(task).catch((err: unknown) => {
      this.log(`monitor: ${describeError(err)}`);
    });
    this.chain = run.finally(() => {
      this.busy--;
    });
    return this.chain;
  }

  private log(message: string): void {
    this.options.log?.(message);
  }

  private now(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }

  private async flush(): Promise<void> {
    if (this.stopped) return;
    if (!this.started) {
      const waiting = [...this.expected].filter((s) => !this.synced.has(s));
      if (waiting.length > 0) {
        this.status = {
          ready: false,
          reason: `waiting for the first list of ${waiting.slice(0, 5).join(', ')}${waiting.length > 5 ? ', …' : ''}`,
        };
        return;
      }
      await this.fullEvaluation('sync');
      return;
    }
    if (this.needsCompleteRecord) {
      this.pending.clear();
      await this.fullEvaluation('resync');
      return;
    }
    if (this.pending.size === 0) return;
    const changes = [...this.pending.values()];
    this.pending.clear();
    const started = performance.now();
    const delta = this.evaluator.apply(changes);
    const ms = performance.now() - started;
    this.options.metrics?.evaluationSeconds.observe({ mode: 'incremental' }, ms / 1000);
    await this.record(delta, 'incremental', ms, changes.length);
  }

  private async fullEvaluation(kind: 'sync' | 'resync'): Promise<void> {
    const at = this.now();
    const store = this.options.store;
    this.baseline ??= (await store.runs({ cluster: this.options.cluster, limit: 1 })).length === 0;
    const runId = await store.startRun(this.options.cluster, kind, at);
    const started = performance.now();
    const delta = this.evaluator.full();
    const ms = performance.now() - started;
    this.started = true;
    this.pending.clear();
    this.options.metrics?.evaluationSeconds.observe({ mode: 'full' }, ms / 1000);
    try {
      await this.record(delta, 'full', ms, this.inventory.size, runId);
      await store.finishRun(runId, { at: this.now(), status: 'ok', objects: this.inventory.size, findings: this.evaluator.size });
    } catch (err: unknown) {
      await store
        .finishRun(runId, { at: this.now(), status: 'failed', objects: this.inventory.size, findings: 0, error: describeError(err) })
        .catch(() => undefined);
      throw err;
    }
    if (!this.status.ready) this.log(`monitor: first evaluation stored: ${this.inventory.size} objects, ${this.evaluator.size} findings`);
    this.status = { ready: true, reason: 'ok' };
    this.options.metrics?.ready.set(1);
  }

  /** Store an evaluation's outcome, then alert and update metrics. */
  private async record(delta: FindingsDelta, mode: 'full' | 'incremental', ms: number, changes: number, runId?: number): Promise<void> {
    const metrics = this.options.metrics;
    if (delta.errors.length > 0) {
      metrics?.checkErrors.inc(delta.errors.length);
      for (const e of delta.errors.slice(0, 5)) this.log(`monitor: check ${e.checkId} failed: ${e.message}`);
    }
    const at = this.now();
    const complete = mode === 'full' || this.needsCompleteRecord;
    let transitions;
    const storeStarted = performance.now();
    try {
      transitions = await this.options.store.recordFindings({
        cluster: this.options.cluster,
        at,
        present: complete ? this.evaluator.current() : [...delta.opened, ...delta.kept],
        ...(complete ? { complete: true } : { absent: delta.resolved.map((f) => f.fingerprint) }),
        ...(runId === undefined ? {} : { runId }),
      });
      this.needsCompleteRecord = false;
    } catch (err: unknown) {
      // Keep going from memory; the next evaluation records the whole picture.
      this.needsCompleteRecord = true;
      this.retryTimer ??= setTimeout(() => {
        this.retryTimer = undefined;
        this.schedule();
      }, this.options.retryMs ?? 5000);
      metrics?.storeFailures.inc();
      this.log(`monitor: could not record findings in the store (${describeError(err)}); will retry with the next evaluation`);
      if (mode === 'full') throw err;
      return;
    }
    const storeMs = performance.now() - storeStarted;
    metrics?.storeSeconds.observe(storeMs / 1000);
    metrics?.transitions.inc({ transition: 'opened' }, transitions.opened.length);
    metrics?.transitions.inc({ transition: 'reopened' }, transitions.reopened.length);
    metrics?.transitions.inc({ transition: 'resolved' }, transitions.resolved.length);
    metrics?.lastEvaluation.set(Date.parse(at) / 1000);
    if (metrics !== undefined) {
      const { counts, suppressed } = this.evaluator.tallies();
      metrics.setFindingCounts(counts, suppressed);
    }
    for (const [kind, n] of this.kindCounts) metrics?.objects.set({ kind }, n);
    const quiet = mode === 'full' && this.baseline === true && this.options.alertOnBaseline !== true && !this.status.ready;
    if (!quiet) await this.alert(transitions.opened, transitions.reopened, at);
    const report: EvaluationReport = {
      mode,
      ms,
      storeMs,
      changes,
      opened: transitions.opened.length,
      reopened: transitions.reopened.length,
      resolved: transitions.resolved.length,
      findings: this.evaluator.size,
    };
    for (const listener of this.listeners) listener(report);
  }

  private async alert(opened: readonly Finding[], reopened: readonly Finding[], at: string): Promise<void> {
    const min = this.options.alertMinSeverity ?? 'high';
    const alerts: Alert[] = [
      ...alertable(opened, min).map((f) => alertOfFinding(f, 'opened', at, this.options.cluster)),
      ...alertable(reopened, min).map((f) => alertOfFinding(f, 'reopened', at, this.options.cluster)),
    ];
    if (alerts.length === 0) return;
    try {
      await this.options.store.recordAlerts(alerts, at);
    } catch (err: unknown) {
      this.options.metrics?.storeFailures.inc();
      this.log(`monitor: could not record ${alerts.length} alert(s) in the store: ${describeError(err)}`);
    }
    for (const alert of alerts) this.options.metrics?.alerts.inc({ rule: alert.rule, severity: alert.severity, source: alert.source });
    await deliver(this.options.sinks ?? [], alerts, (sink, message) => {
      this.options.metrics?.alertFailures.inc({ sink });
      this.log(`monitor: alert sink ${sink} failed: ${message}`);
    });
  }
}

/** Same object: same resourceVersion when both have one (the API server's word), else same content. */
function sameObject(a: KubeObject, b: KubeObject): boolean {
  const ra = a.metadata.resourceVersion;
  const rb = b.metadata.resourceVersion;
  if (typeof ra === 'string' && typeof rb === 'string' && ra !== '' && rb !== '') return ra === rb;
  return JSON.stringify(a) === JSON.stringify(b);
}
