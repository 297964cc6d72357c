import type { AuditEvent } from '../audit/event.js';

/**
 * Which part of which accepted batch a stream message holds: `<batch id>/<part>/<parts>`. A receiver
 * splits each EventList batch into one message per partition (more when large); the global lane
 * puts the parts back together so that its rules see the batch's events in the order the API server
 * sent them, as a single process would.
 */
export const BATCH_HEADER = 'Vigil-Batch';

/** Positions of the message's events in their batch (0-based), as ranges: `0-3,7,9-12`. */
export const POSITIONS_HEADER = 'Vigil-Positions';

/**
 * Time (ms since the epoch) of the first timed event of the batch, in the order the API server sent
 * them. The first message of a cluster's stream carries the time a single process would have seen
 * first, whichever part of the first batch JetStream stored first: learning periods start there.
 */
export const BATCH_START_HEADER = 'Vigil-Batch-Start';

/** Where a message belongs in its batch. */
export interface BatchPart {
  readonly id: string;
  readonly part: number;
  readonly parts: number;
}

export function formatBatchPart(part: BatchPart): string {
  return `${part.id}/${part.part}/${part.parts}`;
}

/** Parse a `Vigil-Batch` header; undefined when missing or malformed (the message is then a batch of its own). */
export function parseBatchPart(text: string | undefined): BatchPart | undefined {
  if (text === undefined) return undefined;
  const match = /^([A-Za-z0-9_-]{1,64})\/(\d{1,6})\/(\d{1,6})$/.exec(text);
  if (match === null) return undefined;
  const part = Number(match[2]);
  const parts = Number(match[3]);
  return part < parts ? { id: match[1] as string, part, parts } : undefined;
}

/** Increasing positions as ranges (`0-3,7`). */
export function formatPositions(positions: readonly number[]): string {
  let out = '';
  for (let i = 0; i < positions.length;) {
    const start = positions[i] as number;
    let end = start;
    while (i + 1 < positions.length && positions[i + 1] === end + 1) {
      end++;
      i++;
    }
    i++;
    out += `${out === '' ? '' : ','}${start === end ? start : `${start}-${end}`}`;
  }
  return out;
}

/** Parse positions; undefined when malformed or not as many as `count`. */
export function parsePositions(text: string | undefined, count: number): number[] | undefined {
  if (text === undefined) return undefined;
  const out: number[] = [];
  for (const range of text.split(',')) {
    const match = /^(\d{1,7})(?:-(\d{1,7}))?$/.exec(range);
    if (match === null) return undefined;
    const start = Number(match[1]);
    const end = match[2] === undefined ? start : Number(match[2]);
    if (end < start || out.length + end - start + 1 > count) return undefined;
    for (let p = start; p <= end; p++) out.push(p);
  }
  return out.length === count ? out : undefined;
}

/** How long (ms of stream time) a batch waits for its missing parts: the stream's duplicate window. */
export const DEFAULT_BATCH_WAIT_MS = 120_000;

/** How many messages may come after a batch's first part before it goes without its missing parts. */
export const DEFAULT_MAX_BEHIND = 10_000;

/** One stream message as the assembler sees it. */
export interface StreamPart<M> {
  /** Stream sequence. */
  readonly seq: number;
  /** When JetStream stored it (ms since the epoch). */
  readonly time: number;
  readonly batch: BatchPart | undefined;
  /** Positions of `events` in the batch (undefined: in message order after the earlier parts). */
  readonly positions: readonly number[] | undefined;
  readonly events: readonly AuditEvent[];
  /** What to acknowledge once everything up to this message is processed. */
  readonly handle: M;
}

interface PendingBatch {
  readonly key: string;
  readonly firstSeq: number;
  readonly firstTime: number;
  /** How many messages the assembler had taken before this batch's first part. */
  readonly firstIndex: number;
  readonly parts: number;
  readonly got: Map<number, { positions: readonly number[] | undefined; events: readonly AuditEvent[] }>;
}

/** A batch put back together, ready for the rules. */
export interface AssembledBatch {
  readonly events: AuditEvent[];
  /** False when it was let through with parts missing (see `BatchAssembler`). */
  readonly complete: boolean;
}

/**
 * Puts accepted batches back together from the stream, for the global lane. Batches come out in the
 * order of their first message in the stream (the order their receivers began storing them), each
 * one whole and in the API server's order, so the global lane runs its rules over exactly the event
 * order of a single process that received the same batches in that order.
 *
 * A batch waits until all its parts are there. Receivers store every part before answering 200 and
 * the API server re-sends a batch that got no 200, so parts go missing only when the API server gave
 * up on a batch; such a batch is let through incomplete once the stream has moved `maxWaitMs` past
 * its first part (default: the stream's 2-minute duplicate window, after which a re-sent part would
 * be stored again anyway), or once `maxBehind` messages came after its first part (so that the
 * messages waiting behind it never exceed what the consumer may leave unacknowledged). These rules
 * depend only on the stream's contents, so a worker replaying the stream after a take-over makes the
 * same decisions as the worker before it.
 *
 * Acknowledgement: everything up to the message before the oldest waiting batch's first part is
 * processed, so that is what may be acknowledged (AckAll); a worker taking over replays the
 * waiting batches' earlier parts from the stream (they lie before the acknowledgement floor).
 */
export class BatchAssembler<M> {
  private readonly queue: PendingBatch[] = [];
  private readonly byKey = new Map<string, PendingBatch>();
  private readonly unacked: { seq: number; handle: M }[] = [];
  /** Batches let through with parts missing. */
  incomplete = 0;
  /** Parts stored twice (a batch re-sent after the duplicate window while the first copy waited): the copy is skipped. */
  repeatedParts = 0;
  /** Messages taken so far. */
  private pushed = 0;

  constructor(
    private readonly maxWaitMs = DEFAULT_BATCH_WAIT_MS,
    private readonly maxBehind = DEFAULT_MAX_BEHIND,
  ) {}

  /** Batches waiting for parts. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Add the next stream message; returns the batches now ready, in order. */
  push(message: StreamPart<M>): AssembledBatch[] {
    this.unacked.push({ seq: message.seq, handle: message.handle });
    const index = this.pushed++;
    const batch = message.batch;
    const key = batch === undefined ? `#${message.seq}` : batch.id;
    let pending = this.byKey.get(key);
    if (pending === undefined) {
      pending = { key, firstSeq: message.seq, firstTime: message.time, firstIndex: index, parts: batch?.parts ?? 1, got: new Map() };
      this.byKey.set(key, pending);
      this.queue.push(pending);
    }
    const part = batch?.part ?? 0;
    if (pending.got.has(part)) this.repeatedParts++;
    else pending.got.set(part, { positions: message.positions, events: message.events });
    const ready: AssembledBatch[] = [];
    for (;;) {
      const head = this.queue[0];
      if (head === undefined) break;
      const complete = head.got.size >= head.parts;
      if (!complete && message.time - head.firstTime <= this.maxWaitMs && index - head.firstIndex < this.maxBehind) break;
      this.queue.shift();
      this.byKey.delete(head.key);
      if (!complete) this.incomplete++;
      ready.push({ events: assemble(head), complete });
    }
    return ready;
  }

  /**
   * The handle of the newest message that may be acknowledged now (everything up to it is
   * processed), or undefined when nothing more may be.
   */
  acknowledgeable(): M | undefined {
    const limit = this.queue[0]?.firstSeq ?? Number.POSITIVE_INFINITY;
    let last: M | undefined;
    let n = 0;
    while (n < this.unacked.length && (this.unacked[n] as { seq: number }).seq < limit) {
      last = (this.unacked[n] as { handle: M }).handle;
      n++;
    }
    if (n > 0) this.unacked.splice(0, n);
    return last;
  }

  /** Forget the messages seen so far as far as acknowledgement goes (they were replayed, already acknowledged). */
  forgetUnacknowledged(): void {
    this.unacked.length = 0;
  }
}

/** A batch's events in batch order: by position when every part has them, else part by part. */
function assemble(batch: PendingBatch): AuditEvent[] {
  const parts = [...batch.got.entries()].sort((a, b) => a[0] - b[0]);
  if (parts.length === 1) return [...(parts[0]?.[1].events ?? [])];
  if (parts.some(([, p]) => p.positions === undefined)) return parts.flatMap(([, p]) => p.events);
  const placed: { position: number; event: AuditEvent }[] = [];
  for (const [, p] of parts)
    p.events.forEach((event, i) => placed.push({ position: (p.positions as readonly number[])[i] as number, event }));
  placed.sort((a, b) => a.position - b.position);
  return placed.map((p) => p.event);
}
