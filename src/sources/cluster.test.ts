import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { selfSignedCert } from '../../test/support/self-signed-cert.js';
import { FakeKubeApiServer } from '../testing/fake-kube-api-server.js';
import { namespaceObject, podObject, secretObject } from '../testing/kube-fixtures.js';
import { CLUSTER_KINDS, selectKinds } from './cluster-kinds.js';
import { clusterObjectOf, listKind, METADATA_LIST_ACCEPT, readCluster } from './cluster.js';
import { KubeApi, loadKubeConfig } from './kube-api.js';

const servers: FakeKubeApiServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function fake(
  options: Parameters<typeof FakeKubeApiServer.start>[0] = {},
): Promise<{ server: FakeKubeApiServer; api: KubeApi; file: string }> {
  const server = await FakeKubeApiServer.start(options);
  servers.push(server);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-kubeconfig-'));
  dirs.push(dir);
  const file = join(dir, 'config');
  writeFileSync(file, server.kubeconfig());
  return { server, api: new KubeApi(loadKubeConfig({ kubeconfig: file })), file };
}

const podKind = selectKinds(['pods'])[0]!;
const secretKind = selectKinds(['secrets'])[0]!;

describe('listKind', () => {
  it('follows continue tokens and returns one consistent list with its resourceVersion', async () => {
    const pods = Array.from({ length: 7 }, (_, i) => podObject('shop', `web-${i}`));
    const { server, api } = await fake({ objects: pods });
    const { objects, outcome } = await listKind(api, podKind, { pageSize: 3 });
    expect(objects.map((o) => o.metadata.name)).toEqual(pods.map((p) => p.metadata.name).sort());
    expect(objects.every((o) => o.apiVersion === 'v1' && o.kind === 'Pod')).toBe(true);
    expect(outcome).toMatchObject({ status: 'listed', count: 7, pages: 3, resourceVersion: server.resourceVersion });
    const lists = server.requests.filter((r) => r.path === '/api/v1/pods');
    expect(lists.map((r) => r.query.limit)).toEqual(['3', '3', '3']);
    expect(lists.slice(1).every((r) => r.query.continue !== undefined)).toBe(true);
  });

  it('starts again when a continue token expires (410) and still returns every object', async () => {
    const { server, api } = await fake({ objects: Array.from({ length: 5 }, (_, i) => podObject('shop', `p${i}`)) });
    let compacted = false;
    const original = api.get.bind(api);
    api.get = async (path, options) => {
      if (!compacted && path.includes('continue=')) {
        compacted = true;
        server.apply(podObject('shop', 'late'));
        server.compact();
      }
      return original(path, options);
    };
    const { objects, outcome } = await listKind(api, podKind, { pageSize: 2 });
    expect(compacted).toBe(true);
    expect(objects).toHaveLength(6);
    expect(outcome.status).toBe('listed');
  });

  it('reads one namespace through the namespaced path', async () => {
    const { server, api } = await fake({ objects: [podObject('a', 'one'), podObject('b', 'two')] });
    const { objects } = await listKind(api, podKind, { namespace: 'b' });
    expect(objects.map((o) => o.metadata.name)).toEqual(['two']);
    expect(server.requests.at(-1)?.path).toBe('/api/v1/namespaces/b/pods');
  });
});

describe('Secrets are read as metadata only', () => {
  it('asks for PartialObjectMetadata and never holds a value, even from the last-applied annotation', async () => {
    const { server, api } = await fake({ objects: [secretObject('shop', 'db', { password: 'aHVudGVyMg==' })] });
    const { objects } = await listKind(api, secretKind);
    const request = server.requests.find((r) => r.path === '/api/v1/secrets');
    expect(request?.accept).toBe(METADATA_LIST_ACCEPT);
    expect(objects).toHaveLength(1);
    expect(objects[0]).toMatchObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop' } });
    const text = JSON.stringify(objects);
    expect(text).not.toContain('aHVudGVyMg==');
    expect(text).not.toContain('last-applied-configuration');
    expect(objects[0]).not.toHaveProperty('data');
  });

  it('drops values even when a server ignores the metadata-only media type', () => {
    const full = secretObject('shop', 'db', { token: 'c2VjcmV0' });
    const kept = clusterObjectOf({ ...full, metadata: { ...full.metadata, managedFields: [{ manager: 'kubectl' }] } }, secretKind);
    expect(JSON.stringify(kept)).not.toContain('c2VjcmV0');
    expect(kept?.metadata).not.toHaveProperty('managedFields');
  });
});

describe('readCluster', () => {
  it('reads every kind, reports forbidden ones and keeps the rest', async () => {
    const { api } = await fake({
      forbidden: ['secrets', 'clusterroles.rbac.authorization.k8s.io'],
      objects: [namespaceObject('shop'), podObject('shop', 'web')],
    });
    const result = await readCluster(api);
    expect(result.objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`).sort()).toEqual(['Namespace/shop', 'Pod/web']);
    const forbidden = result.problems.filter((p) => p.code === 'forbidden').map((p) => p.message);
    expect(forbidden).toHaveLength(2);
    expect(forbidden[0]).toContain('secrets');
    expect(result.kinds.filter((k) => k.outcome.status === 'listed')).toHaveLength(CLUSTER_KINDS.length - 2);
  });

  it('notes optional add-on kinds the server does not serve as warnings', async () => {
    const { api } = await fake({ kinds: CLUSTER_KINDS.filter((k) => k.optional !== true) });
    const result = await readCluster(api);
    const notServed = result.problems.filter((p) => p.code === 'not-served');
    expect(notServed.length).toBe(CLUSTER_KINDS.filter((k) => k.optional === true).length);
    expect(notServed.every((p) => p.level === 'warning')).toBe(true);
  });

  it('stops with a clear error when the credentials are rejected', async () => {
    const { server } = await fake({ token: 'right' });
    const dir = mkdtempSync(join(tmpdir(), 'vigil-kubeconfig-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'config'), server.kubeconfig({ token: 'wrong' }));
    const api = new KubeApi(loadKubeConfig({ kubeconfig: join(dir, 'config') }));
    await expect(readCluster(api)).rejects.toThrow(/401 Unauthorized/);
  });

  it('talks HTTPS with a bearer token and the kubeconfig CA through client-node', async () => {
    const { api, server } = await fake({ tls: selfSignedCert(), token: 's3cret', objects: [podObject('shop', 'web')] });
    expect(server.url.startsWith('https://')).toBe(true);
    const result = await readCluster(api, { kinds: selectKinds(['pods']) });
    expect(result.objects).toHaveLength(1);
  });

  it('uses the context named by --context', async () => {
    const { server } = await fake();
    const dir = mkdtempSync(join(tmpdir(), 'vigil-kubeconfig-'));
    dirs.push(dir);
    writeFileSync(
      join(dir, 'config'),
      server.kubeconfig({ context: 'staging' }).replace('current-context: staging', 'current-context: nowhere'),
    );
    expect(() => loadKubeConfig({ kubeconfig: join(dir, 'config'), context: 'prod' })).toThrow(/no context "prod"/);
    expect(new KubeApi(loadKubeConfig({ kubeconfig: join(dir, 'config'), context: 'staging' })).server).toBe(server.url);
  });

  it('fails clearly when the API server cannot be reached', async () => {
    const { api, server } = await fake();
    await server.close();
    servers.length = 0;
    await expect(readCluster(api)).rejects.toThrow(/cannot reach the API server/);
  });
});
