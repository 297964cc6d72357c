import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';

import type { DetectionEngine } from '../audit/engine.js';
import type { DetectionRule } from '../audit/rule.js';
import type { Alert, AlertSink } from '../core/alert.js';
import { describeError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { LaneRunner } from './lane-runner.js';
import { GLOBAL_LANE, laneName, laneOfAlert, splitRules, type Lane, type RuleSplit } from './lanes.js';
import { clusterSubjects, findLearningStart } from './learning.js';
import { AUDIT_STREAM, ensureAuditStream, type StreamLimits } from './nats.js';
import type { OutboxStats } from './outbox.js';
import { ownerOf, subjectOf, subjectToken } from './partition.js';

/** The KV bucket where workers announce themselves and hold lane leases. */
export const WORKERS_BUCKET = 'vigil-workers';

/** Default lease: a dead worker's lanes move after at most this long. */
export const DEFAULT_LEASE_MS = 10_000;

export interface WorkerOptions {
  readonly nc: NatsConnection;
  readonly cluster: string;
  readonly partitions: number;
  /**
   * A new engine for a lane: the lane's rules, and when first-seen learning periods start (the
   * cluster stream's first event; undefined when none of the lane's rules learns).
   */
  readonly engine: (rules: readonly DetectionRule[], learningStart: number | undefined) => DetectionEngine;
  readonly rules: readonly DetectionRule[];
  /** Whether the engines throttle alerts (default true): throttle keys then count as rule state. */
  readonly throttle?: boolean;
  /** Where alerts are stored; an alert id already stored is not stored again (the idempotency key). */
  readonly store: Store;
  /** Further destinations, notified from the store's outbox (see LaneOutbox): once in effect. */
  readonly sinks?: readonly AlertSink[];
  readonly workerId?: string;
  /** Lease and membership time-to-live (ms); all workers sharing the bucket must agree. */
  readonly leaseMs?: number;
  /** KV bucket for membership and leases (default `vigil-workers`); its time-to-live is the lease. */
  readonly bucket?: string;
  /** How far back (ms of stream time) a moved lane is replayed; Infinity replays all that is retained. */
  readonly replayHorizonMs?: number;
  /** Messages per fetch. */
  readonly batch?: number;
  /** How long (ms of stream time) the global lane waits for the missing parts of a batch (default 2 min). */
  readonly batchWaitMs?: number;
  /** How often each lane looks in the store for alerts left un-notified by an earlier owner (default: 3 leases, at least 30 s). */
  readonly outboxSweepMs?: number;
  readonly stream?: StreamLimits;
  readonly log?: (line: string) => void;
}

/** Per-lane figures (for metrics). */
export interface PartitionStats {
  /** Messages in the stream not yet acknowledged by this lane's consumer (pending + in flight). */
  lag: number;
  /** The worker holding the lane's lease, as last seen ('' when none). */
  owner: string;
}

/** What a worker has done; exported as Prometheus metrics by `vigil audit work`. */
export interface WorkerStats extends OutboxStats {
  messages: number;
  /** Events the partition lanes ran through their rules. */
  events: number;
  /** Messages and events the global lane ran through the global rules (every event of the cluster). */
  globalMessages: number;
  globalEvents: number;
  /** Batches the global lane let through with parts missing (the API server gave up on them). */
  incompleteBatches: number;
  /** Events that were not audit events (counted, acknowledged, never retried). */
  malformed: number;
  /** Alerts the engines raised (including ones already stored by an earlier owner). */
  alertsRaised: number;
  /** Alerts newly stored. */
  alertsStored: number;
  /** Raised alerts the store already held (a redelivered or re-processed event): kept once by their id. */
  alertsDuplicate: number;
  /** Messages JetStream delivered again (ack wait expired, or re-sent after a take-over). */
  redeliveries: number;
  /** Messages re-processed after a take-over (delivered to the previous owner, not acknowledged by it). */
  reprocessed: number;
  /** Events replayed to rebuild the state of lanes this worker took over (no alerts raised). */
  replayedEvents: number;
  takeovers: number;
  releases: number;
  leasesLost: number;
  storeFailures: number;
  /** Where first-seen learning periods start (ms since the epoch), once known. */
  learningStart?: number;
  /** Rules run by every partition, and by the global lane. */
  localRules: number;
  globalRules: number;
  /** Lanes this worker holds now (`0`…, `global`). */
  owned: string[];
  /** By lane name. */
  partitions: Record<string, PartitionStats>;
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * The longest span of state any rule keeps (windows, sequences, throttles): replaying that much of a
 * moved lane's history rebuilds its state exactly. First-seen memory has no span, so with such
 * rules the whole retained stream is replayed.
 */
export function replayHorizonOf(rules: readonly DetectionRule[]): number {
  let span = 0;
  for (const rule of rules) {
    const state = rule.state;
    if (state?.kind === 'first-seen') return Number.POSITIVE_INFINITY;
    if (state?.kind === 'window' || state?.kind === 'sequence') span = Math.max(span, state.withinMs);
    span = Math.max(span, rule.throttle.windowMs);
  }
  // Stream time is publication time; events reach the receiver after the API server batched them.
  return span + 5 * 60_000;
}

/** What a lane runs: its rules, how far back a take-over replays, and which alerts it notifies. */
export interface LaneSpec {
  readonly lane: Lane;
  readonly rules: readonly DetectionRule[];
  readonly horizonMs: number;
  /** The subject (filter) the lane's durable consumer reads. */
  readonly subject: string;
}

/**
 * A detection worker of the audit pipeline. Workers announce themselves in a JetStream KV bucket with
 * a time-to-live, and each computes the same lane → worker map from the live members (rendezvous
 * hashing). The lanes are the cluster's partitions, plus the global lane when some rule's state is not
 * keyed by the acting identity (see `splitRules`). A worker processes a lane only while it holds the
 * lane's lease (a KV key created with compare-and-set and renewed by revision), so one lane never
 * has two live owners: its rate windows, first-seen memory and sequences stay whole. When a worker
 * joins, the lanes it wins are released by their holders; when one dies, its leases expire and the
 * lanes' new owners take them over.
 *
 * Taking a lane over: the durable consumer's acknowledgement floor is where the previous owner got
 * to. The new owner replays the stream before it (up to the rules' longest span) into a fresh engine
 * with alerts discarded, which rebuilds the window state exactly, then re-creates the durable
 * consumer from the floor so that the messages the previous owner had in flight come again, in order.
 * Events are acknowledged (AckAll, in order) only after their alerts are stored; an alert's id is a
 * hash of its rule and events, so re-processed events never store an alert twice. The other sinks are
 * notified from the store's outbox (LaneOutbox), so an alert is sent once whoever stored it.
 */
export class AuditWorker {
  readonly id: string;
  readonly stats: WorkerStats = {
    messages: 0,
    events: 0,
    globalMessages: 0,
    globalEvents: 0,
    incompleteBatches: 0,
    malformed: 0,
    alertsRaised: 0,
    alertsStored: 0,
    alertsDuplicate: 0,
    alertsNotified: 0,
    alertsNotifiedLeftOver: 0,
    notifyFailures: 0,
    redeliveries: 0,
    reprocessed: 0,
    replayedEvents: 0,
    takeovers: 0,
    releases: 0,
    leasesLost: 0,
    storeFailures: 0,
    localRules: 0,
    globalRules: 0,
    owned: [],
    partitions: {},
  };
  /** The rules each partition runs and those the global lane runs. */
  readonly split: RuleSplit;
  readonly lanes: readonly LaneSpec[];
  private leaseMs: number;
  private readonly clusterToken: string;
  private readonly globalRuleIds: ReadonlySet<string>;
  private readonly runners = new Map<string, LaneRunner>();
  js!: JetStreamClient;
  jsm!: JetStreamManager;
  private kv!: KV;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private observer: Promise<void> | undefined;
  private learning: Promise<number | undefined> | undefined;
  readonly log: (line: string) => void;

  constructor(readonly options: WorkerOptions) {
    this.id = options.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.clusterToken = subjectToken(options.cluster);
    this.log = options.log ?? (() => undefined);
    this.split = splitRules(options.rules, { throttle: options.throttle ?? true });
    this.globalRuleIds = new Set(this.split.global.map((r) => r.id));
    this.stats.localRules = this.split.local.length;
    this.stats.globalRules = this.split.global.length;
    const horizon = (rules: readonly DetectionRule[]): number => options.replayHorizonMs ?? replayHorizonOf(rules);
    const lanes: LaneSpec[] = [];
    for (let p = 0; p < options.partitions; p++)
      lanes.push({ lane: p, rules: this.split.local, horizonMs: horizon(this.split.local), subject: subjectOf(options.cluster, p) });
    // Only when some rule needs the whole stream: otherwise no one reads it twice.
    if (this.split.global.length > 0)
      lanes.push({
        lane: GLOBAL_LANE,
        rules: this.split.global,
        horizonMs: horizon(this.split.global),
        subject: clusterSubjects(options.cluster),
      });
    this.lanes = lanes;
    for (const l of lanes) this.stats.partitions[laneName(l.lane)] = { lag: 0, owner: '' };
  }

  /** Join the group and start taking lanes. */
  async start(): Promise<void> {
    this.js = jetstream(this.options.nc);
    this.jsm = await jetstreamManager(this.options.nc);
    await ensureAuditStream(this.jsm, this.options.stream);
    const bucket = this.options.bucket ?? WORKERS_BUCKET;
    this.kv = await new Kvm(this.js).create(bucket, { ttl: this.leaseMs, history: 1 });
    // The bucket's time-to-live is the lease, fixed by whoever created the bucket: follow it, or
    // renewals would come too late (or needlessly often).
    const ttl = (await this.kv.status()).ttl;
    if (ttl > 0 && ttl !== this.leaseMs) {
      this.log(`the ${bucket} bucket keeps leases for ${ttl} ms, not ${this.leaseMs} ms: using ${ttl} ms`);
      this.leaseMs = ttl;
    }
    await this.tick();
    this.loop = this.run();
  }

  /** Leave the group: finish and acknowledge what is in hand, release every lease. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    await this.observer;
    for (const name of [...this.runners.keys()]) this.release(name);
    await Promise.all([...this.runners.values()].map((r) => r.done));
    await this.kv.delete(this.memberKey()).catch(() => undefined);
  }

  isStopping(): boolean {
    return this.stopping;
  }

  private memberKey(id = this.id): string {
    return `member.${this.clusterToken}.${subjectToken(id)}`;
  }

  private ownerKey(lane: Lane): string {
    return `owner.${this.clusterToken}.${laneName(lane)}`;
  }

  /** Durable consumer name of a lane: `vigil-work-<cluster>-<partition>` or `…-global`. */
  durableName(lane: Lane): string {
    return `vigil-work-${this.clusterToken}-${laneName(lane)}`;
  }

  /** How often a lane sweeps the outbox for alerts left by an earlier owner. */
  get outboxSweepMs(): number {
    return this.options.outboxSweepMs ?? Math.max(30_000, 3 * this.leaseMs);
  }

  /** Whether a stored alert is for this lane to notify. */
  alertBelongsTo(alert: Alert, lane: Lane): boolean {
    return alert.cluster === this.options.cluster && laneOfAlert(alert, this.globalRuleIds, this.options.partitions) === lane;
  }

  /**
   * When first-seen learning periods start: the cluster stream's first event (see
   * `findLearningStart`), looked up once and shared by every lane of this worker.
   */
  async learningStart(): Promise<number | undefined> {
    if (this.stats.learningStart !== undefined) return this.stats.learningStart;
    this.learning ??= (async () => {
      try {
        const found = await findLearningStart(this.js, this.jsm, this.options.cluster);
        if (found === undefined) return undefined;
        this.stats.learningStart = found.time;
        this.log(
          `first-seen learning periods start at ${new Date(found.time).toISOString()} (${found.from === 'recorded' ? 'recorded' : 'the first event the stream holds'})` +
            (found.truncated ? '; the stream has dropped old messages, so this may be later than the cluster’s first event' : ''),
        );
        return found.time;
      } catch (err: unknown) {
        this.log(`cannot find where learning periods start (each lane starts at its first event): ${describeError(err)}`);
        return undefined;
      } finally {
        this.learning = undefined;
      }
    })();
    return this.learning;
  }

  private async run(): Promise<void> {
    const every = Math.max(100, Math.floor(this.leaseMs / 4));
    this.observer = this.observeLoop();
    while (!this.stopping) {
      await sleep(every);
      // Read through a call: the flag changes while this loop awaits.
      if (this.isStopping()) break;
      try {
        await this.tick();
      } catch (err: unknown) {
        this.log(`ownership check failed: ${describeError(err)}`);
      }
    }
  }

  private async observeLoop(): Promise<void> {
    while (!this.isStopping()) {
      await sleep(Math.max(1000, this.leaseMs));
      await this.observe().catch(() => undefined);
    }
  }

  /**
   * One round: announce, look at the members, renew every lease held, and start releases and
   * take-overs. Releases and take-overs run on their own (a replay can take a while) so that the
   * heartbeat and the renewals of the other lanes are never held up by them.
   */
  private async tick(): Promise<void> {
    const runsGlobal = this.split.global.length > 0;
    await this.kv.put(this.memberKey(), JSON.stringify({ id: this.id, host: hostname(), pid: process.pid, global: runsGlobal }));
    const members: string[] = [];
    // The global lane goes only to workers that have global rules (workers should share one rule set;
    // this keeps the lane from going to one that would not run it).
    const globalMembers: string[] = [];
    const prefix = `member.${this.clusterToken}.`;
    for await (const key of await this.kv.keys(`${prefix}*`)) {
      const entry = await this.kv.get(key);
      if (entry?.operation !== 'PUT') continue;
      const value = entry.json<{ id?: unknown; global?: unknown }>();
      if (typeof value.id !== 'string') continue;
      members.push(value.id);
      if (value.global === true) globalMembers.push(value.id);
    }
    if (!members.includes(this.id)) members.push(this.id);
    if (runsGlobal && !globalMembers.includes(this.id)) globalMembers.push(this.id);
    const renewals: Promise<void>[] = [];
    for (const spec of this.lanes) {
      const name = laneName(spec.lane);
      const desired = ownerOf(name, spec.lane === GLOBAL_LANE ? globalMembers : members);
      const runner = this.runners.get(name);
      if (runner !== undefined) {
        // Held (running, starting or being released): keep the lease until it is let go.
        renewals.push(this.renew(spec.lane, runner));
        if (desired !== this.id && !runner.releasing) this.release(name);
      } else if (desired === this.id) this.take(spec);
    }
    await Promise.all(renewals);
  }

  private async renew(lane: Lane, runner: LaneRunner): Promise<void> {
    if (runner.leaseRevision === 0) return; // Still being created.
    try {
      runner.leaseRevision = await this.kv.update(this.ownerKey(lane), this.id, runner.leaseRevision);
    } catch (err: unknown) {
      if (this.runners.get(laneName(lane)) !== runner) return; // Let go in the meantime.
      // Someone else holds it now (our lease expired): stop at once, acknowledge nothing more.
      this.stats.leasesLost++;
      this.log(`lost the lease of lane ${laneName(lane)}: ${describeError(err)}`);
      this.runners.delete(laneName(lane));
      runner.lost = true;
      // Not awaited: the other lanes' renewals must not wait for this one's batch to end.
      void runner.stop();
    }
  }

  private take(spec: LaneSpec): void {
    const name = laneName(spec.lane);
    const runner = new LaneRunner(this, spec);
    this.runners.set(name, runner);
    runner.done = (async () => {
      try {
        runner.leaseRevision = await this.kv.create(this.ownerKey(spec.lane), this.id);
      } catch {
        // Still held by another worker: it releases it, or its lease expires.
        this.runners.delete(name);
        return;
      }
      try {
        await runner.takeOver();
        this.stats.takeovers++;
        this.log(`took lane ${name}`);
        await runner.finished();
      } catch (err: unknown) {
        this.log(`could not take lane ${name}: ${describeError(err)}`);
        await runner.stop();
      }
      if (this.runners.get(name) === runner) this.runners.delete(name);
      if (!runner.lost) await this.kv.delete(this.ownerKey(spec.lane), { previousSeq: runner.leaseRevision }).catch(() => undefined);
    })();
  }

  /** Hand a lane back: finish the batch in hand (stored, acknowledged, notified), then the lease is deleted. */
  private release(name: string): void {
    const runner = this.runners.get(name);
    if (runner === undefined || runner.releasing) return;
    runner.releasing = true;
    this.stats.releases++;
    this.log(`releasing lane ${name}`);
    void runner.stop();
  }

  /** Lag and ownership of every lane, for metrics. */
  private async observe(): Promise<void> {
    this.stats.owned = this.lanes.map((l) => laneName(l.lane)).filter((n) => this.runners.has(n));
    for (const spec of this.lanes) {
      const name = laneName(spec.lane);
      const stats = this.stats.partitions[name] as PartitionStats;
      const owner = await this.kv.get(this.ownerKey(spec.lane)).catch(() => null);
      stats.owner = owner !== null && owner.operation === 'PUT' ? owner.string() : '';
      if (!this.runners.has(name)) continue;
      try {
        const info = await this.jsm.consumers.info(AUDIT_STREAM, this.durableName(spec.lane));
        stats.lag = info.num_pending + info.num_ack_pending;
      } catch {
        // The consumer is being re-created; keep the last figure.
      }
    }
  }

  /**
   * Store the alerts of a processed batch, retrying until stored or the lane is let go. Returns how
   * many were new, or undefined when they were not stored (acknowledge nothing then). With other
   * sinks they go into the store's outbox, from which the lane notifies them.
   */
  async storeAlerts(alerts: readonly Alert[], stillOwner: () => boolean): Promise<number | undefined> {
    if (alerts.length === 0) return 0;
    const outbox = (this.options.sinks ?? []).length > 0;
    for (let attempt = 0; ; attempt++) {
      try {
        const stored = await this.options.store.recordAlerts(alerts, new Date().toISOString(), { outbox });
        this.stats.alertsStored += stored;
        this.stats.alertsDuplicate += alerts.length - stored;
        return stored;
      } catch (err: unknown) {
        this.stats.storeFailures++;
        this.log(`storing ${alerts.length} alerts failed (attempt ${attempt + 1}): ${describeError(err)}`);
        if (!stillOwner() || this.stopping) return undefined;
        await sleep(Math.min(5000, 200 * 2 ** attempt));
      }
    }
  }
}
