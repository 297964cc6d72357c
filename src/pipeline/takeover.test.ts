import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';

import { auditStream } from '../../bench/audit-stream.mjs';
import { builtinRuleFiles } from '../audit/builtin-rules.js';
import { DetectionEngine } from '../audit/engine.js';
import { toAuditEvent, type AuditEvent } from '../audit/event.js';
import { loadVigilRules } from '../audit/vigil-rules.js';
import type { Alert } from '../core/alert.js';
import { BATCH_HEADER, BatchAssembler, parseBatchPart, parsePositions, POSITIONS_HEADER, type StreamPart } from './batch.js';
import { splitRules } from './lanes.js';
import { AuditPublisher } from './publisher.js';

/**
 * The global lane's take-over protocol, without NATS: an owner that processes the stream up to any
 * message and acknowledges what the assembler allows, then a new owner that replays up to the
 * acknowledgement floor (alerts discarded) and goes on from there, together raise exactly the
 * alerts of one owner that never stopped — which are those of one engine over the batches in the
 * order of their first message, each in the API server's order.
 */
async function streamOf(): Promise<StreamPart<number>[]> {
  const items = auditStream(7000, { burstEvery: 250 });
  const published: { json: string; headers: MsgHdrs }[] = [];
  const js = {
    publish: (_subject: string, json: string, options: { headers: MsgHdrs }): Promise<PubAck> => {
      published.push({ json, headers: options.headers });
      return Promise.resolve({ duplicate: false } as PubAck);
    },
  } as unknown as JetStreamClient;
  const publisher = new AuditPublisher(js, 'c', 16);
  const lanes = [0, 1].map((l) => items.filter((s) => s.lane === l).map((s) => toAuditEvent(structuredClone(s.event)) as AuditEvent));
  let rng = 0x1234567;
  const random = (): number => {
    rng = (Math.imul(rng, 1103515245) + 12345) & 0x7fffffff;
    return rng / 0x7fffffff;
  };
  // The lanes' batches interleave; each batch's parts land in any order, and some parts of a batch
  // land among the next batches' (two receivers storing at once).
  const order: { json: string; headers: MsgHdrs }[] = [];
  const held: { json: string; headers: MsgHdrs }[] = [];
  const next = [0, 0];
  for (;;) {
    const open = [0, 1].filter((l) => (next[l] as number) < (lanes[l] as AuditEvent[]).length);
    if (open.length === 0) break;
    const lane = open.length === 1 ? (open[0] as number) : random() < 0.5 ? 0 : 1;
    const from = next[lane] as number;
    next[lane] = from + 300;
    const before = published.length;
    await publisher.publish((lanes[lane] as AuditEvent[]).slice(from, from + 300));
    held.push(...published.splice(before));
    held.sort(() => random() - 0.5);
    order.push(...held.splice(0, Math.ceil(held.length * 0.7)));
  }
  order.push(...held);
  return order.map((m, i): StreamPart<number> => {
    const raw = JSON.parse(m.json) as unknown[];
    return {
      seq: i + 1,
      time: i,
      batch: parseBatchPart(m.headers.get(BATCH_HEADER)),
      positions: parsePositions(m.headers.get(POSITIONS_HEADER), raw.length),
      events: raw.map((r) => toAuditEvent(r) as AuditEvent),
      handle: i + 1,
    };
  });
}

describe('global lane take-over', () => {
  const { rules, problems } = loadVigilRules(builtinRuleFiles());
  const global = splitRules(rules).global;

  it('raises the alerts of one uninterrupted owner, wherever the owner stops', async () => {
    expect(problems).toEqual([]);
    const messages = await streamOf();
    const feed = (assembler: BatchAssembler<number>, engine: DetectionEngine, from: number, to: number, out?: Alert[]): number => {
      let floor = 0;
      for (let i = from; i < to; i++) {
        for (const batch of assembler.push(messages[i] as StreamPart<number>))
          for (const event of batch.events) {
            const raised = engine.process(event);
            out?.push(...raised);
          }
        // Acknowledge after every fetch of 16 messages, as a worker does after storing.
        if ((i + 1) % 16 === 0 || i === to - 1) floor = assembler.acknowledgeable() ?? floor;
      }
      return floor;
    };
    const ids = (alerts: readonly Alert[]): string[] => [...new Set(alerts.map((a) => a.id))].sort();

    const reference: Alert[] = [];
    feed(new BatchAssembler<number>(), new DetectionEngine(global, {}), 0, messages.length, reference);
    // The stream has global alerts: surges from one IP over many identities, and a two-user sequence.
    expect(new Set(reference.map((a) => a.rule))).toEqual(new Set(['failed-requests-surge-by-source', 'pod-created-then-exec-by-other']));

    // One engine over the batches in the order of their first message, each in the API server's order.
    const firstSeen = new Map<string, number>();
    messages.forEach((m, i) => {
      if (m.batch !== undefined && !firstSeen.has(m.batch.id)) firstSeen.set(m.batch.id, i);
    });
    const assembled = new Map<string, { at: number; events: AuditEvent[] }>();
    for (const m of messages) {
      const id = m.batch?.id as string;
      const entry = assembled.get(id) ?? { at: firstSeen.get(id) as number, events: [] };
      m.events.forEach((e, k) => (entry.events[(m.positions as number[])[k] as number] = e));
      assembled.set(id, entry);
    }
    const single = new DetectionEngine(global, {});
    const singleAlerts = [...assembled.values()].sort((a, b) => a.at - b.at).flatMap((b) => b.events.flatMap((e) => single.process(e)));
    expect(ids(reference)).toEqual(ids(singleAlerts));

    let points = 0;
    for (let stop = 1; stop < messages.length; stop += 3) {
      const before: Alert[] = [];
      const floor = feed(new BatchAssembler<number>(), new DetectionEngine(global, {}), 0, stop, before);
      const assembler = new BatchAssembler<number>();
      const engine = new DetectionEngine(global, {});
      feed(assembler, engine, 0, floor);
      assembler.forgetUnacknowledged();
      const after: Alert[] = [];
      feed(assembler, engine, floor, messages.length, after);
      expect(ids([...before, ...after]), `stopped after message ${stop}, floor ${floor}`).toEqual(ids(reference));
      points++;
    }
    expect(points).toBeGreaterThan(50);
  });
});
