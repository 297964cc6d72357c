import { describe, expect, it } from 'vitest';

import type { AuditEvent } from '../../src/audit/event.js';
import { AuditReceiver } from '../../src/audit/receiver/receiver.js';

const TOKEN = 'accept-test-token-0123456789';

function eventList(ids: string[]): string {
  return JSON.stringify({
    kind: 'EventList',
    apiVersion: 'audit.k8s.io/v1',
    items: ids.map((auditID) => ({
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      auditID,
      stage: 'ResponseComplete',
      requestURI: '/api/v1/pods',
      verb: 'list',
      user: { username: 'alice' },
      stageTimestamp: '2026-01-01T00:00:00Z',
    })),
  });
}

describe('receiver hand-off before 200 (audit serve --publish)', () => {
  it('answers 200 only after accept resolved, and 503 with Retry-After when it rejects', async () => {
    const accepted: string[][] = [];
    let fail = true;
    const receiver = new AuditReceiver({
      port: 0,
      tokens: [TOKEN],
      accept: async (events: readonly AuditEvent[]) => {
        await new Promise((r) => setTimeout(r, 10));
        if (fail) throw new Error('JetStream unavailable');
        accepted.push(events.map((e) => e.auditID));
      },
      handle: () => undefined,
    });
    const { port } = await receiver.listen();
    const post = (body: string): Promise<Response> =>
      fetch(`http://127.0.0.1:${port}/v1/audit`, { method: 'POST', body, headers: { authorization: `Bearer ${TOKEN}` } });
    try {
      const refused = await post(eventList(['a', 'b']));
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(receiver.stats.batchesUnavailable).toBe(1);
      expect(receiver.stats.eventsAccepted).toBe(0);
      fail = false;
      const ok = await post(eventList(['a', 'b']));
      expect(ok.status).toBe(200);
      expect(accepted).toEqual([['a', 'b']]);
      expect(receiver.stats.eventsAccepted).toBe(2);
    } finally {
      await receiver.close();
    }
  });
});
