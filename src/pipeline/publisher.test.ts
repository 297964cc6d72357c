import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';

import { toAuditEvent, type AuditEvent } from '../audit/event.js';
import {
  BATCH_HEADER,
  BATCH_START_HEADER,
  BatchAssembler,
  parseBatchPart,
  parsePositions,
  POSITIONS_HEADER,
  type StreamPart,
} from './batch.js';
import { partitionOf, subjectOf } from './partition.js';
import { AuditPublisher } from './publisher.js';

interface Published {
  subject: string;
  json: string;
  msgID: string;
  headers: MsgHdrs;
}

/** Just enough of a JetStream client: records each publication and acknowledges it. */
function fakeJetStream(out: Published[]): JetStreamClient {
  const client = {
    publish: (subject: string, data: string, options: { msgID: string; headers: MsgHdrs }): Promise<PubAck> => {
      out.push({ subject, json: data, msgID: options.msgID, headers: options.headers });
      return Promise.resolve({ stream: 'VIGIL_AUDIT', seq: out.length, duplicate: false } as PubAck);
    },
  };
  return client as unknown as JetStreamClient;
}

function event(n: number, user: string, time: number | undefined): AuditEvent {
  const e = toAuditEvent({
    auditID: `e-${n}`,
    verb: 'get',
    stage: 'ResponseComplete',
    user: { username: user, groups: [] },
    ...(time === undefined ? {} : { stageTimestamp: new Date(time).toISOString() }),
  });
  if ('error' in e) throw new Error(e.error);
  return e;
}

const users = ['alice', 'bob', 'carol', 'dave', 'erin'];
const T = Date.UTC(2026, 0, 1);

describe('AuditPublisher', () => {
  it('groups a batch by partition, and says where each event stood so the batch can be put back together', async () => {
    const out: Published[] = [];
    const publisher = new AuditPublisher(fakeJetStream(out), 'prod', 4);
    // The first event has no time: the batch starts at the first timed one.
    const batch = Array.from({ length: 40 }, (_, i) => event(i, users[(i * 7) % users.length] as string, i === 0 ? undefined : T + i));
    await publisher.publish(batch);

    const partitions = new Set(batch.map((e) => partitionOf(e.actor.username, 4)));
    expect(out).toHaveLength(partitions.size);
    const parts = out.map((m) => parseBatchPart(m.headers.get(BATCH_HEADER)));
    expect(new Set(parts.map((p) => p?.id)).size).toBe(1);
    expect(parts.map((p) => p?.part).sort()).toEqual(out.map((_, i) => i));
    expect(parts.every((p) => p?.parts === out.length)).toBe(true);
    for (const m of out) {
      const items = JSON.parse(m.json) as { auditID: string; user: { username: string } }[];
      expect(new Set(items.map((i) => subjectOf('prod', partitionOf(i.user.username, 4))))).toEqual(new Set([m.subject]));
      const positions = parsePositions(m.headers.get(POSITIONS_HEADER), items.length) as number[];
      // Each event's position is its place in the batch; within a message they increase.
      expect(items.map((i) => i.auditID)).toEqual(positions.map((p) => `e-${p}`));
      expect(m.headers.get(BATCH_START_HEADER)).toBe(String(T + 1));
    }

    // In whatever order the stream stored the parts, the batch comes back in the API server's order.
    const assembler = new BatchAssembler<number>();
    const reassembled = [...out].reverse().flatMap((m, seq): AuditEvent[][] => {
      const items = JSON.parse(m.json) as unknown[];
      const part: StreamPart<number> = {
        seq,
        time: T,
        batch: parseBatchPart(m.headers.get(BATCH_HEADER)),
        positions: parsePositions(m.headers.get(POSITIONS_HEADER), items.length),
        events: items.map((i) => toAuditEvent(i) as AuditEvent),
        handle: seq,
      };
      return assembler.push(part).map((b) => b.events);
    });
    expect(reassembled.map((b) => b.map((e) => e.auditID))).toEqual([batch.map((e) => e.auditID)]);

    // Re-sent by the API server: the same batch id and the same message ids (JetStream drops them).
    const again: Published[] = [];
    await new AuditPublisher(fakeJetStream(again), 'prod', 4).publish(batch);
    expect(again.map((m) => [m.msgID, m.headers.get(BATCH_HEADER)])).toEqual(out.map((m) => [m.msgID, m.headers.get(BATCH_HEADER)]));
  });
});
