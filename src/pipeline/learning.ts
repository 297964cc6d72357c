import { DeliverPolicy, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';

import { toAuditEvent } from '../audit/event.js';
import { BATCH_START_HEADER } from './batch.js';
import { AUDIT_STREAM } from './nats.js';
import { SUBJECT_PREFIX, subjectToken } from './partition.js';

/**
 * The KV bucket that keeps, per cluster, when the cluster's audit stream began: the start of every
 * first-seen learning period. No time-to-live: it must outlive the stream's retention.
 */
export const ANCHORS_BUCKET = 'vigil-audit-anchors';

/** Where learning periods start, and how that was found. */
export interface LearningStart {
  /** ms since the epoch. */
  readonly time: number;
  /** `recorded`: read from the KV bucket; `stream`: from the first message the stream holds (now recorded). */
  readonly from: 'recorded' | 'stream';
  /** The stream no longer holds its first message (retention): the start may be later than the cluster's first event. */
  readonly truncated: boolean;
}

/** Every partition subject of one cluster. */
export function clusterSubjects(cluster: string): string {
  return `${SUBJECT_PREFIX}.${subjectToken(cluster)}.*`;
}

/** The time a message's batch began: the receiver's header, else its first timed event, else when JetStream stored it. */
export function batchStartOf(msg: JsMsg): number {
  const header = msg.headers?.get(BATCH_START_HEADER);
  if (header !== undefined && header !== '' && Number.isFinite(Number(header))) return Number(header);
  try {
    const value = msg.json<unknown>();
    for (const item of Array.isArray(value) ? value : [value]) {
      const event = toAuditEvent(item);
      if (!('error' in event) && Number.isFinite(event.time)) return event.time;
    }
  } catch {
    // Not JSON: fall back to the stream's time.
  }
  return msg.time.getTime();
}

/**
 * When a cluster's learning periods start: the time of the first event of the first batch on the
 * cluster's subjects — what a single process reading the whole stream would have seen first. The
 * first worker to find it records it in the KV bucket (create: compare-and-set, so every worker ends
 * up with the same value) and everyone reads it from there afterwards, so the start survives the
 * stream's retention dropping those messages. Undefined while the cluster has no message at all.
 */
export async function findLearningStart(js: JetStreamClient, jsm: JetStreamManager, cluster: string): Promise<LearningStart | undefined> {
  const kv = await new Kvm(js).create(ANCHORS_BUCKET, { history: 1 });
  const key = `learning.${subjectToken(cluster)}`;
  const recorded = async (): Promise<number | undefined> => {
    const entry = await kv.get(key);
    const value = entry?.operation === 'PUT' ? Number(entry.string()) : Number.NaN;
    return Number.isFinite(value) ? value : undefined;
  };
  const known = await recorded();
  if (known !== undefined) return { time: known, from: 'recorded', truncated: false };
  const first = await js.consumers.get(AUDIT_STREAM, { filter_subjects: clusterSubjects(cluster), deliver_policy: DeliverPolicy.All });
  let msg: JsMsg | null = null;
  try {
    // Callers ask when they hold a message of the cluster, so nothing in time means a busy server: ask again.
    for (let attempt = 0; attempt < 3 && msg === null; attempt++) msg = await first.next({ expires: 2000 });
  } finally {
    await first.delete().catch(() => undefined);
  }
  if (msg === null) return undefined;
  const time = batchStartOf(msg);
  try {
    await kv.create(key, String(time));
  } catch {
    // Another worker recorded it first: theirs counts.
    const theirs = await recorded();
    if (theirs !== undefined) return { time: theirs, from: 'recorded', truncated: false };
  }
  const info = await jsm.streams.info(AUDIT_STREAM);
  // A stream that dropped messages (first_seq > 1) may have dropped this cluster's first ones.
  return { time, from: 'stream', truncated: info.state.first_seq > 1 };
}
