import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterEach, describe, expect, it } from 'vitest';

import { selfSignedCert } from '../../test/support/self-signed-cert.js';
import { FakeKubeApiServer } from './fake-kube-api-server.js';
import { podObject } from './kube-fixtures.js';

const servers: FakeKubeApiServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function start(options: Parameters<typeof FakeKubeApiServer.start>[0] = {}): Promise<FakeKubeApiServer> {
  const server = await FakeKubeApiServer.start(options);
  servers.push(server);
  return server;
}

/** Open a raw watch and collect its event lines. */
function watch(url: string): {
  events: { type: string; object: { metadata?: { name?: string; resourceVersion?: string }; code?: number } }[];
  closed: Promise<void>;
  request: http.ClientRequest;
} {
  const events: { type: string; object: { metadata?: { name?: string; resourceVersion?: string }; code?: number } }[] = [];
  let buffer = '';
  let request!: http.ClientRequest;
  const closed = new Promise<void>((resolve) => {
    request = http.get(url, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let nl;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buffer.slice(0, nl)) as (typeof events)[number]);
          buffer = buffer.slice(nl + 1);
        }
      });
      res.on('close', () => {
        resolve();
      });
    });
    request.on('error', () => {
      resolve();
    });
  });
  return { events, closed, request };
}

const until = async (predicate: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !predicate(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('FakeKubeApiServer watch protocol', () => {
  it('streams events after a resourceVersion, then live ADDED/MODIFIED/DELETED and BOOKMARK', async () => {
    const server = await start({ objects: [podObject('a', 'old')] });
    const from = server.resourceVersion;
    server.apply(podObject('a', 'missed-while-away'));
    const w = watch(`${server.url}/api/v1/pods?watch=1&resourceVersion=${from}&allowWatchBookmarks=true`);
    await until(() => server.openWatches === 1);
    server.apply({ ...podObject('a', 'old'), metadata: { ...podObject('a', 'old').metadata, labels: { v: '2' } } });
    server.delete('v1', 'Pod', 'a', 'old');
    server.bookmark();
    await until(() => w.events.length === 4);
    expect(w.events.map((e) => `${e.type}:${e.object.metadata?.name ?? ''}`)).toEqual([
      'ADDED:missed-while-away',
      'MODIFIED:old',
      'DELETED:old',
      'BOOKMARK:',
    ]);
    expect(w.events[3]?.object.metadata?.resourceVersion).toBe(server.resourceVersion);
    expect(server.dropWatches()).toBe(1);
    await w.closed;
  });

  it('answers a watch from a compacted resourceVersion with an ERROR event carrying 410', async () => {
    const server = await start({ objects: [podObject('a', 'x')] });
    const from = server.resourceVersion;
    server.apply(podObject('a', 'y'));
    server.compact();
    const w = watch(`${server.url}/api/v1/pods?watch=1&resourceVersion=${from}`);
    await w.closed;
    expect(w.events).toEqual([expect.objectContaining({ type: 'ERROR', object: expect.objectContaining({ code: 410 }) })]);
  });

  it('can refuse with HTTP 410 instead', async () => {
    const server = await start({ gone: 'status', objects: [podObject('a', 'x')] });
    const from = server.resourceVersion;
    server.apply(podObject('a', 'y'));
    server.compact();
    const status = await new Promise<number>((resolve) =>
      http.get(`${server.url}/api/v1/pods?watch=1&resourceVersion=${from}`, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }),
    );
    expect(status).toBe(410);
  });
});

const run = promisify(execFile);
const kubectl = await run('kubectl', ['version', '--client']).then(
  () => true,
  () => false,
);
if (!kubectl) console.warn('fake-kube-api-server.test: kubectl is not installed; the kubectl compatibility test is skipped');

describe.runIf(kubectl)('FakeKubeApiServer with the real kubectl', () => {
  it('serves discovery and chunked lists that kubectl reads over HTTPS with a token', async () => {
    const server = await start({
      tls: selfSignedCert(),
      token: 't0k3n',
      objects: Array.from({ length: 5 }, (_, i) => podObject(`ns${i % 2}`, `pod-${i}`)),
    });
    const dir = mkdtempSync(join(tmpdir(), 'vigil-kubectl-'));
    try {
      writeFileSync(join(dir, 'config'), server.kubeconfig());
      const { stdout } = await run('kubectl', ['--kubeconfig', join(dir, 'config'), 'get', 'pods', '-A', '-o', 'json', '--chunk-size=2'], {
        env: { ...process.env, KUBECACHEDIR: join(dir, 'cache'), HOME: dir },
      });
      const list = JSON.parse(stdout) as { items: { metadata: { name: string } }[] };
      expect(list.items.map((i) => i.metadata.name).sort()).toEqual(['pod-0', 'pod-1', 'pod-2', 'pod-3', 'pod-4']);
      expect(server.requests.filter((r) => r.path === '/api/v1/pods' && r.query.continue !== undefined).length).toBeGreaterThanOrEqual(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
