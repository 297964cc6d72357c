import { createHash } from 'node:crypto';

import type { JetStreamClient } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';

import type { AuditEvent } from '../audit/event.js';
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
    const groups = new Map<number, AuditEvent[]>();
    for (const event of events) {
      const p = partitionOf(event.actor.username, this.partitions);
      let group = groups.get(p);
      if (group === undefined) {
        group = [];
        groups.set(p, group);
      }
      group.push(event);
    }
    const pending: Promise<void>[] = [];
    for (const [partition, group] of groups) {
      for (const chunk of chunks(group)) pending.push(this.publishChunk(partition, chunk));
    }
    const results = await Promise.allSettled(pending);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) {
      this.stats.failedBatches++;
      throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    }
  }

  private async publishChunk(partition: number, chunk: { events: AuditEvent[]; json: string }): Promise<void> {
    const id = createHash('sha256').update(this.cluster).update('\u0000').update(String(partition));
    for (const e of chunk.events) id.update('\u0000').update(e.auditID);
    const h = headers();
    h.set(EVENTS_HEADER, String(chunk.events.length));
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

/** Split a partition's events into messages under MAX_MESSAGE_BYTES (a single larger event goes alone). */
function* chunks(events: readonly AuditEvent[]): Generator<{ events: AuditEvent[]; json: string }> {
  let current: AuditEvent[] = [];
  let parts: string[] = [];
  let size = 2;
  for (const event of events) {
    const json = JSON.stringify(event.raw);
    if (current.length > 0 && size + json.length + 1 > MAX_MESSAGE_BYTES) {
      yield { events: current, json: `[${parts.join(',')}]` };
      current = [];
      parts = [];
      size = 2;
    }
    current.push(event);
    parts.push(json);
    size += json.length + 1;
  }
  if (current.length > 0) yield { events: current, json: `[${parts.join(',')}]` };
}
