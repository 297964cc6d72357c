import { request } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { falcoAlert, runFalcoLoad } from '../../bench/falco-load.mjs';
import type { Alert } from '../../src/core/alert.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { RuntimeContext } from '../../src/runtime/context.js';
import { correlate } from '../../src/runtime/correlate.js';
import type { FalcoAlert } from '../../src/runtime/falco-alert.js';
import { FalcoReceiver } from '../../src/runtime/receiver.js';
import { readManifestText } from '../../src/sources/read-manifest-text.js';
import { makeTestPki, type TestPki } from '../audit/tls-support.js';

const TOKEN = 'falco-token-0123456789abcdef';
let pki: TestPki;

beforeAll(() => {
  pki = makeTestPki();
});

function post(
  port: number,
  body: string,
  options: { authorization?: string; cert?: Buffer; key?: Buffer; contentType?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/falco',
        method: 'POST',
        ca: pki.ca,
        ...(options.cert === undefined ? {} : { cert: options.cert, key: options.key }),
        headers: {
          'content-type': options.contentType ?? 'application/json',
          ...(options.authorization === undefined ? {} : { authorization: options.authorization }),
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

const basic = (token: string): string => `Basic ${Buffer.from(`vigil:${token}`).toString('base64')}`;

describe('FalcoReceiver', () => {
  const handled: FalcoAlert[] = [];
  let receiver: FalcoReceiver;
  let port = 0;

  beforeAll(async () => {
    receiver = new FalcoReceiver({
      port: 0,
      tls: { cert: pki.serverCert, key: pki.serverKey, clientCA: pki.ca },
      tokens: [TOKEN],
      handle: (alerts) => {
        handled.push(...alerts);
      },
    });
    port = (await receiver.listen()).port;
  });
  afterAll(async () => {
    await receiver.close();
  });

  const settle = async (n: number): Promise<void> => {
    for (let i = 0; i < 100 && receiver.stats.eventsProcessed < n; i++) await sleep(10);
  };

  it('accepts one alert per POST the three ways Falco and falcosidekick can authenticate', async () => {
    // falcosidekick webhook.customHeaders: Authorization: Bearer …
    expect((await post(port, JSON.stringify(falcoAlert(0)), { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    // Falco http_output url https://vigil:TOKEN@host/…: libcurl sends Basic credentials.
    expect((await post(port, JSON.stringify(falcoAlert(1)), { authorization: basic(TOKEN) })).status).toBe(200);
    // Falco http_output mtls: a client certificate.
    expect((await post(port, JSON.stringify(falcoAlert(2)), { cert: pki.clientCert, key: pki.clientKey })).status).toBe(200);
    await settle(3);
    expect(handled.map((a) => a.rule)).toEqual([
      'Terminal shell in container',
      'Read sensitive file untrusted',
      'Drop and execute new binary in container',
    ]);
  });

  it('counts malformed items of an array without losing the good ones', async () => {
    const res = await post(port, JSON.stringify([falcoAlert(3), { rule: 'no priority' }, falcoAlert(4)]), {
      authorization: `Bearer ${TOKEN}`,
    });
    expect(res.status).toBe(200);
    await settle(5);
    expect(receiver.stats).toMatchObject({ eventsAccepted: 5, eventsProcessed: 5, itemsMalformed: 1 });
  });

  it('refuses wrong credentials, and text output (json_output: false) with a hint', async () => {
    expect((await post(port, JSON.stringify(falcoAlert(5)))).status).toBe(401);
    expect((await post(port, JSON.stringify(falcoAlert(5)), { authorization: basic('wrong-token-0123456789abcd') })).status).toBe(401);
    const text = await post(port, '06:45:00.000000000: Notice A shell was spawned', {
      authorization: `Bearer ${TOKEN}`,
      contentType: 'text/plain',
    });
    expect(text.status).toBe(400);
    expect(text.body).toContain('json_output: true');
  });

  it('refuses plain HTTP off loopback, and no authentication', () => {
    expect(() => new FalcoReceiver({ host: '0.0.0.0', tokens: [TOKEN], handle: () => undefined })).toThrow(/plain HTTP/);
    expect(() => new FalcoReceiver({ handle: () => undefined })).toThrow(/authentication/);
  });
});

describe('FalcoReceiver under a bounded loopback load', () => {
  // The full run (60 s against the real `vigil runtime serve`) is bench/falco-receiver.bench.mjs;
  // this is the same shape for a few seconds. VIGIL_LOAD_TEST_SECONDS=60 runs the full length here.
  it('places every alert in context and delivers it: nothing lost, queue and memory flat', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    (globalThis as { gc?: () => void }).gc = gc;
    const cluster = readManifestText(readFileSync('examples/runtime/cluster.yaml', 'utf8'), 'cluster.yaml');
    const context = new RuntimeContext(Inventory.from(cluster.objects).inventory);
    const delivered = new Map<string, number>();
    let count = 0;
    const bySeverity: Record<string, number> = {};
    const receiver = new FalcoReceiver({
      port: 0,
      tokens: [TOKEN],
      // A bound well below the alerts sent: a full queue holds requests back (Falco does not retry a 429).
      queueCapacity: 1000,
      handle: (alerts) => {
        for (const falco of alerts) {
          const alert: Alert = correlate(falco, context);
          count++;
          bySeverity[alert.severity] = (bySeverity[alert.severity] ?? 0) + 1;
          delivered.set(alert.id, (delivered.get(alert.id) ?? 0) + 1);
        }
      },
    });
    const { port } = await receiver.listen();
    const seconds = Number(process.env.VIGIL_LOAD_TEST_SECONDS ?? 4);
    const rate = 500;
    const result = await runFalcoLoad({
      url: `http://127.0.0.1:${port}/v1/falco`,
      auth: { basic: TOKEN },
      rate,
      seconds,
      concurrency: 8,
      sampleEveryMs: 500,
    });
    await receiver.close();
    delete (globalThis as { gc?: () => void }).gc;

    expect(result).toMatchObject({ sent: rate * seconds, accepted: rate * seconds, refused: 0, errors: 0 });
    expect(receiver.stats).toMatchObject({ eventsAccepted: result.sent, eventsProcessed: result.sent, eventsFailed: 0, batchesBusy: 0 });
    expect(count).toBe(result.sent);
    // Every alert is distinct (its own id), and none was delivered twice.
    expect(delivered.size).toBe(result.sent);
    // The load mixes the privileged web pod (raised to critical), the sandbox (lowered) and an unknown pod (kept).
    expect(bySeverity.critical).toBeGreaterThan(0);
    expect(bySeverity.info).toBeGreaterThan(0);
    // Bounded: the queue stayed within its capacity and is empty at the end, and the heap after GC did not grow
    // with the number of alerts (first sample after a second of warm-up against the last one).
    // (Requests already past the capacity check when it filled may each add their one alert: 8 in flight.)
    expect(receiver.stats.maxQueued).toBeLessThanOrEqual(1000 + 8);
    expect(receiver.stats.queued).toBe(0);
    const warm = result.samples.find((s) => s.t >= 1) ?? result.samples[0]!;
    const end = result.samples.at(-1)!;
    expect(end.heapUsed - warm.heapUsed).toBeLessThan(16 * 1024 * 1024);
  }, 120_000);
});
