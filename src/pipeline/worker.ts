import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type Consumer,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';

import type { DetectionEngine } from '../audit/engine.js';
import { toAuditEvent, type AuditEvent } from '../audit/event.js';
import type { DetectionRule } from '../audit/rule.js';
import type { Alert, AlertSink } from '../core/alert.js';
import { describeError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { AUDIT_STREAM, ensureAuditStream, type StreamLimits } from './nats.js';
import { ownerOf, subjectOf, subjectToken } from './partition.js';

/** The KV bucket where workers announce themselves and hold partition leases. */
export const WORKERS_BUCKET = 'vigil-workers';

/** Default lease: a dead worker's partitions move after at most this long. */
export const DEFAULT_LEASE_MS = 10_000;

export interface WorkerOptions {
  readonly nc: NatsConnection;
  readonly cluster: string;
  readonly partitions: number;
  /** A new engine for a partition (rules, context holder, cluster stamp, throttle setting). */
  readonly engine: () => DetectionEngine;
  readonly rules: readonly DetectionRule[];
  /** Where alerts are stored; an alert id already stored is not stored again (the idempotency key). */
  readonly store: Store;
  /** Further destinations (at least once: after a take-over an alert may be sent again; the store keeps it once). */
  readonly sinks?: readonly AlertSink[];
  readonly workerId?: string;
  /** Lease and membership time-to-live (ms); all workers of a NATS account must agree. */
  readonly leaseMs?: number;
  /** How far back (ms of stream time) a moved partition is replayed; Infinity replays all that is retained. */
  readonly replayHorizonMs?: number;
  /** Messages per fetch. */
  readonly batch?: number;
  readonly stream?: StreamLimits;
  readonly log?: (line: string) => void;
}

/** Per-partition figures (for metrics). */
export interface PartitionStats {
  /** Messages in the stream not yet acknowledged by this partition's consumer (pending + in flight). */
  lag: number;
  /** The worker holding the partition's lease, as last seen ('' when none). */
  owner: string;
}

/** What a worker has done; exported as Prometheus metrics by `vigil audit work`. */
export interface WorkerStats {
  messages: number;
  events: number;
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
  /** Events replayed to rebuild the state of partitions this worker took over (no alerts raised). */
  replayedEvents: number;
  takeovers: number;
  releases: number;
  leasesLost: number;
  storeFailures: number;
  /** Partitions this worker holds now. */
  owned: number[];
  partitions: Record<number, PartitionStats>;
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * The longest span of state any rule keeps (windows, sequences, throttles): replaying that much of a
 * moved partition's history rebuilds its state exactly. First-seen memory has no span, so with such
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

/**
 * A detection worker of the audit pipeline. Workers announce themselves in a JetStream KV bucket with
 * a time-to-live, and each computes the same partition → worker map from the live members
 * (rendezvous hashing). A worker processes a partition only while it holds the partition's lease (a
 * KV key created with compare-and-set and renewed by revision), so one partition never has two live
 * owners: its rate windows, first-seen memory and sequences stay whole. When a worker joins, the
 * partitions it wins are released by their holders; when one dies, its leases expire and the
 * partitions' new owners take them over.
 *
 * Taking a partition over: the durable consumer's acknowledgement floor is where the previous owner
 * got to. The new owner replays the stream before it (up to the rules' longest span) into a fresh
 * engine with alerts discarded, which rebuilds the window state exactly, then re-creates the durable
 * consumer from the floor so that the messages the previous owner had in flight come again, in order.
 * Events are acknowledged (AckAll, in order) only after their alerts are stored; an alert's id is a
 * hash of its rule and events, so re-processed events never store an alert twice.
 */
export class AuditWorker {
  readonly id: string;
  readonly stats: WorkerStats = {
    messages: 0,
    events: 0,
    malformed: 0,
    alertsRaised: 0,
    alertsStored: 0,
    alertsDuplicate: 0,
    redeliveries: 0,
    reprocessed: 0,
    replayedEvents: 0,
    takeovers: 0,
    releases: 0,
    leasesLost: 0,
    storeFailures: 0,
    owned: [],
    partitions: {},
  };
  private leaseMs: number;
  private readonly horizonMs: number;
  private readonly clusterToken: string;
  private readonly runners = new Map<number, PartitionRunner>();
  private js!: JetStreamClient;
  private jsm!: JetStreamManager;
  private kv!: KV;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private observer: Promise<void> | undefined;
  private readonly log: (line: string) => void;

  constructor(readonly options: WorkerOptions) {
    this.id = options.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.horizonMs = options.replayHorizonMs ?? replayHorizonOf(options.rules);
    this.clusterToken = subjectToken(options.cluster);
    this.log = options.log ?? (() => undefined);
    for (let p = 0; p < options.partitions; p++) this.stats.partitions[p] = { lag: 0, owner: '' };
  }

  /** Join the group and start taking partitions. */
  async start(): Promise<void> {
    this.js = jetstream(this.options.nc);
    this.jsm = await jetstreamManager(this.options.nc);
    await ensureAuditStream(this.jsm, this.options.stream);
    this.kv = await new Kvm(this.js).create(WORKERS_BUCKET, { ttl: this.leaseMs, history: 1 });
    // The bucket's time-to-live is the lease, fixed by whoever created the bucket: follow it, or
    // renewals would come too late (or needlessly often).
    const ttl = (await this.kv.status()).ttl;
    if (ttl > 0 && ttl !== this.leaseMs) {
      this.log(`the ${WORKERS_BUCKET} bucket keeps leases for ${ttl} ms, not ${this.leaseMs} ms: using ${ttl} ms`);
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
    for (const p of [...this.runners.keys()]) this.release(p);
    await Promise.all([...this.runners.values()].map((r) => r.done));
    await this.kv.delete(this.memberKey()).catch(() => undefined);
  }

  isStopping(): boolean {
    return this.stopping;
  }

  private memberKey(id = this.id): string {
    return `member.${this.clusterToken}.${subjectToken(id)}`;
  }

  private ownerKey(partition: number): string {
    return `owner.${this.clusterToken}.${partition}`;
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
   * heartbeat and the renewals of the other partitions are never held up by them.
   */
  private async tick(): Promise<void> {
    await this.kv.put(this.memberKey(), JSON.stringify({ id: this.id, host: hostname(), pid: process.pid }));
    const members: string[] = [];
    const prefix = `member.${this.clusterToken}.`;
    for await (const key of await this.kv.keys(`${prefix}*`)) {
      const entry = await this.kv.get(key);
      if (entry?.operation !== 'PUT') continue;
      const value = entry.json<{ id?: unknown }>();
      if (typeof value.id === 'string') members.push(value.id);
    }
    if (!members.includes(this.id)) members.push(this.id);
    const renewals: Promise<void>[] = [];
    for (let p = 0; p < this.options.partitions; p++) {
      const desired = ownerOf(p, members);
      const runner = this.runners.get(p);
      if (runner !== undefined) {
        // Held (running, starting or being released): keep the lease until it is let go.
        renewals.push(this.renew(p, runner));
        if (desired !== this.id && !runner.releasing) this.release(p);
      } else if (desired === this.id) this.take(p);
    }
    await Promise.all(renewals);
  }

  private async renew(partition: number, runner: PartitionRunner): Promise<void> {
    if (runner.leaseRevision === 0) return; // Still being created.
    try {
      runner.leaseRevision = await this.kv.update(this.ownerKey(partition), this.id, runner.leaseRevision);
    } catch (err: unknown) {
      if (this.runners.get(partition) !== runner) return; // Let go in the meantime.
      // Someone else holds it now (our lease expired): stop at once, acknowledge nothing more.
      this.stats.leasesLost++;
      this.log(`lost the lease of partition ${partition}: ${describeError(err)}`);
      this.runners.delete(partition);
      runner.lost = true;
      // Not awaited: the other partitions' renewals must not wait for this one's batch to end.
      void runner.stop();
    }
  }

  private take(partition: number): void {
    const runner = new PartitionRunner(this, partition);
    this.runners.set(partition, runner);
    runner.done = (async () => {
      try {
        runner.leaseRevision = await this.kv.create(this.ownerKey(partition), this.id);
      } catch {
        // Still held by another worker: it releases it, or its lease expires.
        this.runners.delete(partition);
        return;
      }
      try {
        await runner.takeOver(this.js, this.jsm, this.horizonMs);
        this.stats.takeovers++;
        this.log(`took partition ${partition}`);
        await runner.finished();
      } catch (err: unknown) {
        this.log(`could not take partition ${partition}: ${describeError(err)}`);
        await runner.stop();
      }
      if (this.runners.get(partition) === runner) this.runners.delete(partition);
      if (!runner.lost) await this.kv.delete(this.ownerKey(partition), { previousSeq: runner.leaseRevision }).catch(() => undefined);
    })();
  }

  /** Hand a partition back: finish the batch in hand (stored, acknowledged), then the lease is deleted. */
  private release(partition: number): void {
    const runner = this.runners.get(partition);
    if (runner === undefined || runner.releasing) return;
    runner.releasing = true;
    this.stats.releases++;
    this.log(`releasing partition ${partition}`);
    void runner.stop();
  }

  /** Lag and ownership of every partition, for metrics. */
  private async observe(): Promise<void> {
    this.stats.owned = [...this.runners.keys()].sort((a, b) => a - b);
    for (let p = 0; p < this.options.partitions; p++) {
      const stats = this.stats.partitions[p] as PartitionStats;
      const owner = await this.kv.get(this.ownerKey(p)).catch(() => null);
      stats.owner = owner !== null && owner.operation === 'PUT' ? owner.string() : '';
      if (!this.runners.has(p)) continue;
      try {
        const info = await this.jsm.consumers.info(AUDIT_STREAM, this.durableName(p));
        stats.lag = info.num_pending + info.num_ack_pending;
      } catch {
        // The consumer is being re-created; keep the last figure.
      }
    }
  }

  /** Durable consumer name of a partition. */
  durableName(partition: number): string {
    return `vigil-work-${this.clusterToken}-${partition}`;
  }

  /** Handle the alerts of a processed batch: store (retrying until stored or stopped), then the sinks. */
  async deliver(alerts: readonly Alert[], stillOwner: () => boolean): Promise<boolean> {
    if (alerts.length === 0) return true;
    for (let attempt = 0; ; attempt++) {
      try {
        const stored = await this.options.store.recordAlerts(alerts, new Date().toISOString());
        this.stats.alertsStored += stored;
        this.stats.alertsDuplicate += alerts.length - stored;
        break;
      } catch (err: unknown) {
        this.stats.storeFailures++;
        this.log(`storing ${alerts.length} alerts failed (attempt ${attempt + 1}): ${describeError(err)}`);
        if (!stillOwner() || this.stopping) return false;
        await sleep(Math.min(5000, 200 * 2 ** attempt));
      }
    }
    for (const sink of this.options.sinks ?? []) {
      try {
        await sink.send(alerts);
      } catch (err: unknown) {
        this.log(`delivery failed: ${sink.name}: ${describeError(err)}`);
      }
    }
    return true;
  }
}

/** Parse a message's events (a JSON array of redacted audit events). */
function eventsOf(msg: JsMsg, stats: WorkerStats): AuditEvent[] {
  let value: unknown;
  try {
    value = msg.json<unknown>();
  } catch {
    stats.malformed++;
    return [];
  }
  const out: AuditEvent[] = [];
  for (const item of Array.isArray(value) ? value : [value]) {
    const event = toAuditEvent(item);
    if ('error' in event) stats.malformed++;
    else out.push(event);
  }
  return out;
}

/** One partition on one worker: its engine, its durable consumer, its processing loop. */
class PartitionRunner {
  /** Revision of the lease key (0 until created). */
  leaseRevision = 0;
  releasing = false;
  /** The lease was lost: someone else owns the partition now, leave its key alone. */
  lost = false;
  /** Settles when the partition is let go (lease deleted unless lost). */
  done: Promise<void> = Promise.resolve();
  private stopped = false;
  private engine: DetectionEngine;
  private loop: Promise<void> | undefined;
  private consumer: Consumer | undefined;
  /** Highest stream sequence processed: a redelivered copy of an older message is skipped. */
  private lastSeq = 0;

  constructor(
    private readonly worker: AuditWorker,
    private readonly partition: number,
  ) {
    this.engine = worker.options.engine();
  }

  /** Settles when the processing loop ends. */
  async finished(): Promise<void> {
    await this.loop;
  }

  private get subject(): string {
    return subjectOf(this.worker.options.cluster, this.partition);
  }

  async takeOver(js: JetStreamClient, jsm: JetStreamManager, horizonMs: number): Promise<void> {
    const durable = this.worker.durableName(this.partition);
    let ackFloor = 0;
    let inFlight = 0;
    try {
      const info = await jsm.consumers.info(AUDIT_STREAM, durable);
      ackFloor = info.ack_floor.stream_seq;
      inFlight = info.num_ack_pending;
      await jsm.consumers.delete(AUDIT_STREAM, durable);
    } catch {
      // No consumer yet: a new partition, everything in the stream is new to it.
    }
    if (ackFloor > 0) await this.replay(js, jsm, ackFloor, horizonMs);
    if (this.stopped) throw new Error('let go while taking over');
    this.lastSeq = ackFloor;
    this.worker.stats.reprocessed += inFlight;
    await jsm.consumers.add(AUDIT_STREAM, {
      durable_name: durable,
      filter_subject: this.subject,
      ack_policy: AckPolicy.All,
      ...(ackFloor > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: ackFloor + 1 }
        : { deliver_policy: DeliverPolicy.All }),
      ack_wait: 60_000_000_000,
      max_ack_pending: 4096,
      max_deliver: -1,
    });
    this.consumer = await js.consumers.get(AUDIT_STREAM, durable);
    this.loop = this.run();
  }

  /** Rebuild the engine's state from the partition's history up to the acknowledgement floor. */
  private async replay(js: JetStreamClient, jsm: JetStreamManager, ackFloor: number, horizonMs: number): Promise<void> {
    let start: { deliver_policy: DeliverPolicy; opt_start_time?: string } = { deliver_policy: DeliverPolicy.All };
    if (Number.isFinite(horizonMs)) {
      const floor = await jsm.streams.getMessage(AUDIT_STREAM, { seq: ackFloor }).catch(() => null);
      if (floor !== null)
        start = { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(floor.time.getTime() - horizonMs).toISOString() };
    }
    const ordered = await js.consumers.get(AUDIT_STREAM, { filter_subjects: this.subject, ...start });
    try {
      for (;;) {
        const msg = await ordered.next({ expires: 2000 });
        if (msg === null || msg.seq > ackFloor || this.stopped) break;
        for (const event of eventsOf(msg, { ...this.worker.stats })) {
          this.engine.process(event);
          this.worker.stats.replayedEvents++;
        }
        if (msg.seq === ackFloor || msg.info.pending === 0) break;
      }
    } finally {
      await ordered.delete().catch(() => undefined);
    }
  }

  private async run(): Promise<void> {
    const consumer = this.consumer as Consumer;
    const stats = this.worker.stats;
    const batchSize = this.worker.options.batch ?? 64;
    while (!this.stopped) {
      let messages;
      try {
        messages = await consumer.fetch({ max_messages: batchSize, expires: 1000 });
      } catch (err: unknown) {
        if (!this.isStopped()) this.worker.options.log?.(`partition ${this.partition}: fetch failed: ${describeError(err)}`);
        return;
      }
      const alerts: Alert[] = [];
      let last: JsMsg | undefined;
      try {
        for await (const msg of messages) {
          last = msg;
          if (msg.redelivered) stats.redeliveries++;
          if (msg.seq <= this.lastSeq) continue;
          this.lastSeq = msg.seq;
          stats.messages++;
          for (const event of eventsOf(msg, stats)) {
            stats.events++;
            const raised = this.engine.process(event);
            if (raised.length > 0) alerts.push(...raised);
          }
        }
      } catch {
        // The fetch broke off (consumer re-created by a new owner, connection lost): handle what came.
      }
      if (last === undefined) continue;
      stats.alertsRaised += alerts.length;
      if (!(await this.worker.deliver(alerts, () => !this.stopped))) {
        // Not stored: acknowledge nothing; the next owner re-processes these events.
        return;
      }
      // AckAll: acknowledges this message and every one before it on the consumer.
      last.ack();
      await this.worker.options.nc.flush().catch(() => undefined);
    }
  }

  isStopped(): boolean {
    return this.stopped;
  }

  /** Finish the batch in hand (stored and acknowledged), then stop. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}
