import { request } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runLoad, loadEvent } from '../../bench/audit-load.mjs';
import type { AuditEvent } from '../../src/audit/event.js';
import { AuditReceiver } from '../../src/audit/receiver/receiver.js';
import { makeTestPki, type TestPki } from './tls-support.js';

const TOKEN = 'test-token-0123456789abcdef';
let pki: TestPki;

beforeAll(() => {
  pki = makeTestPki();
});

function post(
  port: number,
  body: string,
  options: { token?: string; cert?: Buffer; key?: Buffer; path?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: options.path ?? '/v1/audit',
        method: 'POST',
        ca: pki.ca,
        ...(options.cert === undefined ? {} : { cert: options.cert, key: options.key }),
        headers: {
          'content-type': 'application/json',
          ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: text });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const eventList = (from: number, count: number, extra: unknown[] = []): string =>
  JSON.stringify({
    kind: 'EventList',
    apiVersion: 'audit.k8s.io/v1',
    items: [...Array.from({ length: count }, (_, i) => loadEvent(from + i)), ...extra],
  });

describe('AuditReceiver', () => {
  const handled: AuditEvent[] = [];
  let receiver: AuditReceiver;
  let port = 0;

  beforeAll(async () => {
    receiver = new AuditReceiver({
      port: 0,
      tls: { cert: pki.serverCert, key: pki.serverKey, clientCA: pki.ca },
      tokens: [TOKEN],
      handle: (events) => {
        handled.push(...events);
      },
    });
    port = (await receiver.listen()).port;
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('accepts an EventList with a bearer token and processes every event, counting malformed items', async () => {
    const res = await post(port, eventList(0, 10, [{ kind: 'Pod' }]), { token: TOKEN });
    expect(res.status).toBe(200);
    for (let i = 0; i < 50 && receiver.stats.eventsProcessed < 10; i++) await sleep(10);
    expect(receiver.stats).toMatchObject({ batchesAccepted: 1, eventsAccepted: 10, eventsProcessed: 10, itemsMalformed: 1 });
    expect(handled.map((e) => e.auditID).slice(0, 3)).toEqual(['load-0', 'load-1', 'load-2']);
  });

  it('accepts a client certificate signed by the client CA', async () => {
    expect((await post(port, eventList(100, 1), { cert: pki.clientCert, key: pki.clientKey })).status).toBe(200);
  });

  it('refuses requests without valid credentials, and bad bodies', async () => {
    expect((await post(port, eventList(0, 1))).status).toBe(401);
    expect((await post(port, eventList(0, 1), { token: 'wrong-token-0123456789abcdef' })).status).toBe(401);
    expect((await post(port, 'not json', { token: TOKEN })).status).toBe(400);
    expect((await post(port, eventList(0, 1), { token: TOKEN, path: '/other' })).status).toBe(404);
    expect(receiver.stats.unauthorized).toBe(2);
  });

  it('refuses plain HTTP off loopback, and no authentication at all', () => {
    expect(() => new AuditReceiver({ host: '0.0.0.0', tokens: [TOKEN], handle: () => undefined })).toThrow(/plain HTTP/);
    expect(() => new AuditReceiver({ tls: { cert: pki.serverCert, key: pki.serverKey }, handle: () => undefined })).toThrow(
      /authentication/,
    );
  });
});

describe('AuditReceiver under load', () => {
  it('holds back and refuses with 429 when the queue is full, and loses nothing', async () => {
    let processed = 0;
    const slow = new AuditReceiver({
      port: 0,
      tls: { cert: pki.serverCert, key: pki.serverKey },
      tokens: [TOKEN],
      queueCapacity: 200,
      backpressureWaitMs: 50,
      handle: async (events) => {
        await sleep(20);
        processed += events.length;
      },
    });
    const { port } = await slow.listen();
    const result = await runLoad({
      url: `https://127.0.0.1:${port}/v1/audit`,
      token: TOKEN,
      ca: pki.ca,
      rate: 10_000,
      seconds: 1,
      batch: 200,
      concurrency: 4,
      retryWaitMs: 50,
    });
    await slow.close();
    expect(result.failed).toBe(0);
    expect(slow.stats.batchesBusy).toBeGreaterThan(0);
    expect(result.retries).toBe(slow.stats.batchesBusy);
    expect(slow.stats.eventsAccepted).toBe(result.sent);
    expect(processed).toBe(result.sent);
  });

  // The full run (5,000 events/s for 60 s, memory sampled) is bench/audit-receiver.bench.mjs; this is
  // the same load for a few seconds. VIGIL_LOAD_TEST_SECONDS=60 runs the full length here too.
  it('takes 5,000 events/s with every event processed', async () => {
    let processed = 0;
    const receiver = new AuditReceiver({
      port: 0,
      tls: { cert: pki.serverCert, key: pki.serverKey },
      tokens: [TOKEN],
      handle: (events) => {
        processed += events.length;
      },
    });
    const { port } = await receiver.listen();
    const seconds = Number(process.env.VIGIL_LOAD_TEST_SECONDS ?? 3);
    const result = await runLoad({ url: `https://127.0.0.1:${port}/v1/audit`, token: TOKEN, ca: pki.ca, rate: 5000, seconds });
    await receiver.close();
    expect(result.sent).toBe(5000 * seconds);
    expect(result.failed).toBe(0);
    expect(receiver.stats.eventsAccepted).toBe(result.sent);
    expect(processed).toBe(result.sent);
  }, 120_000);
});
