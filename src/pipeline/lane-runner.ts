import { AckPolicy, DeliverPolicy, type Consumer, type JsMsg } from '@nats-io/jetstream';

import type { DetectionEngine } from '../audit/engine.js';
import { toAuditEvent, type AuditEvent } from '../audit/event.js';
import type { Alert } from '../core/alert.js';
import { describeError } from '../core/errors.js';
import { BATCH_HEADER, BatchAssembler, DEFAULT_MAX_BEHIND, parseBatchPart, parsePositions, POSITIONS_HEADER } from './batch.js';
import { GLOBAL_LANE, laneName } from './lanes.js';
import { AUDIT_STREAM } from './nats.js';
import { LaneOutbox } from './outbox.js';
import type { AuditWorker, LaneSpec, WorkerStats } from './worker.js';

/** A message's audit events (a JSON array of redacted events), with their positions in the batch when the receiver gave them. */
function partOf(msg: JsMsg, stats: Pick<WorkerStats, 'malformed'>): { events: AuditEvent[]; positions: number[] | undefined } {
  let value: unknown;
  try {
    value = msg.json<unknown>();
  } catch {
    stats.malformed++;
    return { events: [], positions: undefined };
  }
  const items = Array.isArray(value) ? value : [value];
  const given = parsePositions(msg.headers?.get(POSITIONS_HEADER), items.length);
  const events: AuditEvent[] = [];
  const positions: number[] = [];
  items.forEach((item: unknown, i) => {
    const event = toAuditEvent(item);
    if ('error' in event) stats.malformed++;
    else {
      events.push(event);
      if (given !== undefined) positions.push(given[i] as number);
    }
  });
  return { events, positions: given === undefined ? undefined : positions };
}

/**
 * One lane on one worker: its engine, its durable consumer, its processing loop, its outbox. A
 * partition lane runs each message's events as they come (they are one identity's events in the
 * order the API server sent them); the global lane reads every partition of the cluster in stream
 * order and puts each batch back together first (BatchAssembler), so its rules see the events in the
 * order one process would.
 */
export class LaneRunner {
  /** Revision of the lease key (0 until created). */
  leaseRevision = 0;
  releasing = false;
  /** The lease was lost: someone else owns the lane now, leave its key alone. */
  lost = false;
  /** Settles when the lane is let go (lease deleted unless lost). */
  done: Promise<void> = Promise.resolve();
  private stopped = false;
  private engine: DetectionEngine | undefined;
  private loop: Promise<void> | undefined;
  private consumer: Consumer | undefined;
  /** Highest stream sequence processed: a redelivered copy of an older message is skipped. */
  private lastSeq = 0;
  private readonly global: boolean;
  private readonly assembler: BatchAssembler<JsMsg> | undefined;
  private readonly outbox: LaneOutbox;

  constructor(
    private readonly worker: AuditWorker,
    private readonly spec: LaneSpec,
  ) {
    this.global = spec.lane === GLOBAL_LANE;
    this.assembler = this.global ? new BatchAssembler<JsMsg>(worker.options.batchWaitMs) : undefined;
    this.outbox = new LaneOutbox(
      worker.options.store,
      worker.options.sinks ?? [],
      worker.stats,
      (alert) => worker.alertBelongsTo(alert, spec.lane),
      worker.options.cluster,
      worker.outboxSweepMs,
      (line) => {
        worker.log(`lane ${laneName(spec.lane)}: ${line}`);
      },
    );
  }

  /** Settles when the processing loop ends. */
  async finished(): Promise<void> {
    await this.loop;
  }

  /**
   * The lane's engine, made when the first event is in hand: a lane whose rules learn (first-seen)
   * starts its learning period where the cluster's stream starts, which needs the stream to hold
   * something.
   */
  private async engineFor(): Promise<DetectionEngine> {
    if (this.engine === undefined) {
      const learns = this.spec.rules.some((r) => r.state?.kind === 'first-seen');
      const start = learns ? await this.worker.learningStart() : undefined;
      this.engine ??= this.worker.options.engine(this.spec.rules, start);
    }
    return this.engine;
  }

  async takeOver(): Promise<void> {
    const { js, jsm } = this.worker;
    const durable = this.worker.durableName(this.spec.lane);
    let ackFloor = 0;
    let inFlight = 0;
    try {
      const info = await jsm.consumers.info(AUDIT_STREAM, durable);
      ackFloor = info.ack_floor.stream_seq;
      inFlight = info.num_ack_pending;
      await jsm.consumers.delete(AUDIT_STREAM, durable);
    } catch {
      // No consumer yet: a new lane, everything in the stream is new to it.
    }
    if (ackFloor > 0) await this.replay(ackFloor);
    if (this.stopped) throw new Error('let go while taking over');
    this.lastSeq = ackFloor;
    this.worker.stats.reprocessed += inFlight;
    await jsm.consumers.add(AUDIT_STREAM, {
      durable_name: durable,
      filter_subject: this.spec.subject,
      ack_policy: AckPolicy.All,
      ...(ackFloor > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: ackFloor + 1 }
        : { deliver_policy: DeliverPolicy.All }),
      ack_wait: 60_000_000_000,
      // The global lane may hold up to DEFAULT_MAX_BEHIND messages behind a batch it waits for.
      max_ack_pending: this.global ? DEFAULT_MAX_BEHIND + 4096 : 4096,
      max_deliver: -1,
    });
    this.consumer = await js.consumers.get(AUDIT_STREAM, durable);
    this.loop = this.run();
  }

  /** Rebuild the engine's state from the lane's history up to the acknowledgement floor. */
  private async replay(ackFloor: number): Promise<void> {
    const { js, jsm } = this.worker;
    let start: { deliver_policy: DeliverPolicy; opt_start_time?: string } = { deliver_policy: DeliverPolicy.All };
    if (Number.isFinite(this.spec.horizonMs)) {
      const floor = await jsm.streams.getMessage(AUDIT_STREAM, { seq: ackFloor }).catch(() => null);
      if (floor !== null)
        start = {
          deliver_policy: DeliverPolicy.StartTime,
          opt_start_time: new Date(floor.time.getTime() - this.spec.horizonMs).toISOString(),
        };
    }
    const ordered = await js.consumers.get(AUDIT_STREAM, { filter_subjects: this.spec.subject, ...start });
    let misses = 0;
    let reached = 0;
    try {
      for (;;) {
        const msg = await ordered.next({ expires: 2000 });
        if (this.stopped) break;
        if (msg === null) {
          // The floor was acknowledged, so there is something to reach: nothing in time means a busy
          // server, not the end. Ask again; give up (and say so) only after several tries.
          if (++misses < 5) continue;
          this.worker.log(
            `lane ${laneName(this.spec.lane)}: replay stopped at stream sequence ${reached}, before ${ackFloor}: the rebuilt state may lack events`,
          );
          break;
        }
        misses = 0;
        if (msg.seq > ackFloor) break;
        reached = msg.seq;
        this.consume(msg, await this.engineFor(), undefined);
        if (msg.seq === ackFloor || msg.info.pending === 0) break;
      }
    } finally {
      await ordered.delete().catch(() => undefined);
    }
    // Replayed messages were acknowledged by the previous owner; batches still waiting for parts
    // (their first parts before the floor) stay waiting, and complete from the live messages.
    this.assembler?.forgetUnacknowledged();
  }

  /** Run one message's events through the rules; `alerts` undefined: a replay (alerts discarded, nothing counted twice). */
  private consume(msg: JsMsg, engine: DetectionEngine, alerts: Alert[] | undefined): void {
    const stats = this.worker.stats;
    const { events, positions } = partOf(msg, alerts === undefined ? { malformed: 0 } : stats);
    let batches: readonly (readonly AuditEvent[])[] = [events];
    if (this.assembler !== undefined) {
      const before = this.assembler.incomplete;
      batches = this.assembler
        .push({
          seq: msg.seq,
          time: msg.time.getTime(),
          batch: parseBatchPart(msg.headers?.get(BATCH_HEADER)),
          positions,
          events,
          handle: msg,
        })
        .map((b) => b.events);
      if (alerts !== undefined) stats.incompleteBatches += this.assembler.incomplete - before;
    }
    for (const batch of batches)
      for (const event of batch) {
        if (alerts === undefined) {
          stats.replayedEvents++;
          engine.process(event);
          continue;
        }
        if (this.global) stats.globalEvents++;
        else stats.events++;
        const raised = engine.process(event);
        if (raised.length > 0) alerts.push(...raised);
      }
  }

  private async run(): Promise<void> {
    const consumer = this.consumer as Consumer;
    const stats = this.worker.stats;
    const batchSize = this.worker.options.batch ?? 64;
    const stillOwner = (): boolean => !this.isStopped();
    while (!this.stopped) {
      // Left-over alerts of this lane (an earlier owner stopped between storing and notifying) and
      // retries of failed deliveries: before new work, so that nothing re-raised is sent twice.
      await this.outbox.tick(stillOwner);
      if (this.isStopped()) break;
      let messages;
      try {
        messages = await consumer.fetch({ max_messages: batchSize, expires: 1000 });
      } catch (err: unknown) {
        if (!this.isStopped()) this.worker.log(`lane ${laneName(this.spec.lane)}: fetch failed: ${describeError(err)}`);
        return;
      }
      const alerts: Alert[] = [];
      let last: JsMsg | undefined;
      try {
        for await (const msg of messages) {
          last = msg;
          if (msg.redelivered) stats.redeliveries++;
          if (msg.seq <= this.lastSeq) continue;
          const engine = this.engine ?? (await this.engineFor());
          this.lastSeq = msg.seq;
          if (this.global) stats.globalMessages++;
          else stats.messages++;
          this.consume(msg, engine, alerts);
        }
      } catch {
        // The fetch broke off (consumer re-created by a new owner, connection lost): handle what came.
      }
      if (last === undefined) continue;
      stats.alertsRaised += alerts.length;
      const stored = await this.worker.storeAlerts(alerts, stillOwner);
      // Not stored: acknowledge nothing; the next owner re-processes these events.
      if (stored === undefined) return;
      // AckAll: acknowledges this message and every one before it on the consumer. The global lane
      // acknowledges only up to the batches it has processed whole.
      const ack = this.assembler === undefined ? last : this.assembler.acknowledgeable();
      if (ack !== undefined) {
        ack.ack();
        await this.worker.options.nc.flush().catch(() => undefined);
      }
      await this.outbox.afterStore(alerts, stored);
    }
  }

  isStopped(): boolean {
    return this.stopped;
  }

  /** Finish the batch in hand (stored, acknowledged, notified), then stop. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}
