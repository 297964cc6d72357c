import { createHash } from 'node:crypto';

import type { JetStreamClient } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';

import type { AuditEvent } from '../audit/event.js';
import { BATCH_HEADER, BATCH_START_HEADER, formatBatchPart, formatPositions, POSITIONS_HEADER } from './batch.js';
import { partitionOf, subjectOf } from './partition.js';

/** Header naming how many events a message holds. */
export const EVENTS_HEADER = 'Vigil-Events';

/** Largest payload Vigil puts in one message: under nats-server's default max_payload (1 MiB). */
export const MAX_MESSAGE_BYTES = 900 * 1024;

export interface PublishStats {
  /** Messages published and acknowledged by JetStream. */
  messages: number;
  /** Events in those messages. */
  events: number;
  /** Messages JetStream recognised as re-publications (same id within the duplicate window) and kept once. */
  duplicates: number;
  /** Batches whose publication failed (the API server was told to retry). */
  failedBatches: number;
}

/**
 * Publishes accepted audit batches to JetStream: the events of a batch are grouped by partition (a
 * hash of the acting identity, order kept within each group), each group goes out as one message of
 * the (redacted) events as JSON, and the call resolves only when JetStream has acknowledged every
 * message, so a batch the API server got a 200 for is stored in the stream. Each message's id is a
 * hash of its events' audit IDs: when the API server re-sends a batch (a timeout, a 503), JetStream's
 * duplicate window drops the copy instead of storing it twice.
 *
 * Each message also says which batch it is part of, which part, and where its events stood in the
 * batch (headers, see `batch.ts`), so that the global lane can put the batch back together in the API
 * server's order; and the time of the batch's first event, where learning periods start.
 */
export class AuditPublisher {
  readonly stats: PublishStats = { messages: 0, events: 0, duplicates: 0, failedBatches: 0 };

  constructor(
    private readonly js: JetStreamClient,
    private readonly cluster: string,
    private readonly partitions: number,
    private readonly timeoutMs = 10_000,
  ) {}

  /** Publish one accepted batch; rejects if any part of it was not acknowledged. */
  async publish(events: readonly AuditEvent[]): Promise<void> {
    const groups = new Map<number, { events: AuditEvent[]; positions: number[] }>();
    const batchId = createHash('sha256').update(this.cluster);
    let start = Number.NaN;
    events.forEach((event, position) => {
      const p = partitionOf(event.actor.username, this.partitions);
      let group = groups.get(p);
      if (group === undefined) {
        group = { events: [], positions: [] };
        groups.set(p, group);
      }
      group.events.push(event);
      group.positions.push(position);
      batchId.update('\u0000').update(event.auditID);
      if (Number.isNaN(start)) start = event.time;
    });
    const split = [...groups].map(([partition, group]) => ({ partition, chunks: chunks(group.events, group.positions) }));
    const parts = split.reduce((n, g) => n + g.chunks.length, 0);
    // Same events, same batch id: a batch the API server re-sends is the same batch.
    const id = batchId.digest('hex').slice(0, 32);
    let part = 0;
    // Partitions in parallel; the chunks of one partition one after the other, so that the stream
    // keeps each partition's events in the API server's order.
    const pending = split.map(async ({ partition, chunks: list }) => {
      const numbered = list.map((chunk) => ({ chunk, batch: formatBatchPart({ id, part: part++, parts }) }));
      for (const { chunk, batch } of numbered) await this.publishChunk(partition, chunk, batch, start);
    });
    const results = await Promise.allSettled(pending);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) {
      this.stats.failedBatches++;
      throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    }
  }

  private async publishChunk(partition: number, chunk: Chunk, batch: string, start: number): Promise<void> {
    const id = createHash('sha256').update(this.cluster).update('\u0000').update(String(partition));
    for (const e of chunk.events) id.update('\u0000').update(e.auditID);
    const h = headers();
    h.set(EVENTS_HEADER, String(chunk.events.length));
    h.set(BATCH_HEADER, batch);
    h.set(POSITIONS_HEADER, formatPositions(chunk.positions));
    if (Number.isFinite(start)) h.set(BATCH_START_HEADER, String(start));
    const ack = await this.js.publish(subjectOf(this.cluster, partition), chunk.json, {
      msgID: id.digest('hex').slice(0, 40),
      headers: h,
      timeout: this.timeoutMs,
    });
    if (ack.duplicate) this.stats.duplicates++;
    else {
      this.stats.messages++;
      this.stats.events += chunk.events.length;
    }
  }
}

interface Chunk {
  readonly events: AuditEvent[];
  /** Where each event stood in the batch. */
  readonly positions: number[];
  readonly json: string;
}

/** Split a partition's events into messages under MAX_MESSAGE_BYTES (a single larger event goes alone). */
function chunks(events: readonly AuditEvent[], positions: readonly number[]): Chunk[] {
  const out: Chunk[] = [];
  let current: AuditEvent[] = [];
  let at: number[] = [];
  let parts: string[] = [];
  let size = 2;
  events.forEach((event, i) => {
    const json = JSON.stringify(event.raw);
    if (current.length > 0 && size + json.length + 1 > MAX_MESSAGE_BYTES) {
      out.push({ events: current, positions: at, json: `[${parts.join(',')}]` });
      current = [];
      at = [];
      parts = [];
      size = 2;
    }
    current.push(event);
    at.push(positions[i] as number);
    parts.push(json);
    size += json.length + 1;
  });
  if (current.length > 0) out.push({ events: current, positions: at, json: `[${parts.join(',')}]` });
  return out;
}
