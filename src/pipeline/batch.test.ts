import { describe, expect, it } from 'vitest';

import { toAuditEvent, type AuditEvent } from '../audit/event.js';
import {
  BatchAssembler,
  formatBatchPart,
  formatPositions,
  parseBatchPart,
  parsePositions,
  type BatchPart,
  type StreamPart,
} from './batch.js';

function event(id: string): AuditEvent {
  const e = toAuditEvent({ auditID: id, verb: 'get', stage: 'ResponseComplete', user: { username: 'u' } });
  if ('error' in e) throw new Error(e.error);
  return e;
}

const ids = (events: readonly AuditEvent[]): string[] => events.map((e) => e.auditID);

/** A message of batch `id` holding the batch's events at `positions` (event ids `<id>:<position>`). */
function part(seq: number, time: number, batch: BatchPart | undefined, positions: number[]): StreamPart<number> {
  const events = positions.map((p) => event(`${batch?.id ?? `m${seq}`}:${p}`));
  return { seq, time, batch, positions: batch === undefined ? undefined : positions, events, handle: seq };
}

describe('batch headers', () => {
  it('round-trips batch parts and positions as ranges', () => {
    expect(formatBatchPart({ id: 'abc123', part: 2, parts: 5 })).toBe('abc123/2/5');
    expect(parseBatchPart('abc123/2/5')).toEqual({ id: 'abc123', part: 2, parts: 5 });
    expect(formatPositions([0, 1, 2, 3, 7, 9, 10, 11, 12])).toBe('0-3,7,9-12');
    expect(formatPositions([4])).toBe('4');
    expect(formatPositions([])).toBe('');
    expect(parsePositions('0-3,7,9-12', 9)).toEqual([0, 1, 2, 3, 7, 9, 10, 11, 12]);
  });

  it('refuses malformed headers instead of guessing', () => {
    expect(parseBatchPart(undefined)).toBeUndefined();
    expect(parseBatchPart('abc/5/5')).toBeUndefined();
    expect(parseBatchPart('abc/1')).toBeUndefined();
    expect(parseBatchPart('a.b/0/1')).toBeUndefined();
    expect(parsePositions('0-3', 3)).toBeUndefined();
    expect(parsePositions('3-1', 3)).toBeUndefined();
    expect(parsePositions('x', 1)).toBeUndefined();
    expect(parsePositions(undefined, 1)).toBeUndefined();
  });
});

describe('BatchAssembler', () => {
  it('puts a batch back in the API server’s order once every part is there', () => {
    const a = new BatchAssembler<number>();
    expect(a.push(part(1, 0, { id: 'A', part: 1, parts: 2 }, [1, 3, 4]))).toEqual([]);
    expect(a.waiting).toBe(1);
    const [ready, ...more] = a.push(part(2, 5, { id: 'A', part: 0, parts: 2 }, [0, 2, 5]));
    expect(more).toEqual([]);
    expect(ready?.complete).toBe(true);
    expect(ids(ready?.events ?? [])).toEqual(['A:0', 'A:1', 'A:2', 'A:3', 'A:4', 'A:5']);
    expect(a.acknowledgeable()).toBe(2);
    expect(a.acknowledgeable()).toBeUndefined();
  });

  it('lets batches out in the order of their first message, and acknowledges only what is processed', () => {
    const a = new BatchAssembler<number>();
    // X1, Y1, X2, Z (a message without batch headers: a batch of its own), Y2.
    expect(a.push(part(10, 0, { id: 'X', part: 0, parts: 2 }, [0]))).toEqual([]);
    expect(a.push(part(11, 1, { id: 'Y', part: 0, parts: 2 }, [0]))).toEqual([]);
    const x = a.push(part(12, 2, { id: 'X', part: 1, parts: 2 }, [1]));
    expect(x.map((b) => ids(b.events))).toEqual([['X:0', 'X:1']]);
    // Y (first message 11) still waits, so only 10 may be acknowledged.
    expect(a.acknowledgeable()).toBe(10);
    // Z is complete but must wait behind Y.
    expect(a.push(part(13, 3, undefined, [0]))).toEqual([]);
    expect(a.acknowledgeable()).toBeUndefined();
    const rest = a.push(part(14, 4, { id: 'Y', part: 1, parts: 2 }, [1]));
    expect(rest.map((b) => ids(b.events))).toEqual([['Y:0', 'Y:1'], ['m13:0']]);
    expect(a.acknowledgeable()).toBe(14);
    expect(a.waiting).toBe(0);
  });

  it('lets an incomplete batch through once the stream is past its wait, and counts it', () => {
    const a = new BatchAssembler<number>(120_000);
    a.push(part(1, 1000, { id: 'L', part: 0, parts: 3 }, [0, 2]));
    expect(a.push(part(2, 60_000, { id: 'M', part: 0, parts: 1 }, [0]))).toEqual([]);
    // Exactly at the limit it still waits; past it the batch goes with what it has, then M.
    expect(a.push(part(3, 121_000, { id: 'N', part: 0, parts: 2 }, [0]))).toEqual([]);
    const out = a.push(part(4, 121_001, { id: 'N', part: 1, parts: 2 }, [1]));
    expect(out.map((b) => [ids(b.events), b.complete])).toEqual([
      [['L:0', 'L:2'], false],
      [['M:0'], true],
      [['N:0', 'N:1'], true],
    ]);
    expect(a.incomplete).toBe(1);
  });

  it('lets an incomplete batch through once enough messages came after it', () => {
    const a = new BatchAssembler<number>(120_000, 3);
    a.push(part(1, 0, { id: 'L', part: 0, parts: 2 }, [0]));
    expect(a.push(part(2, 0, undefined, [0]))).toEqual([]);
    expect(a.push(part(3, 0, undefined, [0]))).toEqual([]);
    const out = a.push(part(4, 0, undefined, [0]));
    expect(out.map((b) => [ids(b.events), b.complete])).toEqual([
      [['L:0'], false],
      [['m2:0'], true],
      [['m3:0'], true],
      [['m4:0'], true],
    ]);
  });

  it('skips a part stored twice, and falls back to part order without positions', () => {
    const a = new BatchAssembler<number>();
    a.push(part(1, 0, { id: 'D', part: 0, parts: 2 }, [0, 1]));
    a.push(part(2, 0, { id: 'D', part: 0, parts: 2 }, [0, 1]));
    expect(a.repeatedParts).toBe(1);
    const last: StreamPart<number> = { ...part(3, 0, { id: 'D', part: 1, parts: 2 }, [2]), positions: undefined };
    expect(a.push(last).map((b) => ids(b.events))).toEqual([['D:0', 'D:1', 'D:2']]);
  });

  it('carries a batch across a take-over: replayed parts wait, live parts complete it', () => {
    // The previous owner acknowledged up to 10: X1 (10) is before the floor, X2 (12) after it.
    const a = new BatchAssembler<string>();
    a.push({ ...part(10, 0, { id: 'X', part: 0, parts: 2 }, [0]), handle: 'replayed' });
    a.forgetUnacknowledged();
    expect(a.push({ ...part(11, 1, { id: 'Y', part: 0, parts: 1 }, [0]), handle: 'live-11' })).toEqual([]);
    const out = a.push({ ...part(12, 2, { id: 'X', part: 1, parts: 2 }, [1]), handle: 'live-12' });
    expect(out.map((b) => ids(b.events))).toEqual([['X:0', 'X:1'], ['Y:0']]);
    // Never the replayed message's handle: it belongs to a consumer that is gone.
    expect(a.acknowledgeable()).toBe('live-12');
  });
});
