// A fleet: two `vigil monitor` processes, one per (fake) cluster, started at the same moment into one
// PostgreSQL store (so their schema migrations race), then the dashboard API over that store lists both
// clusters and keeps each one's findings apart.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ComparisonJson, FindingsPageJson, FleetJson, MetaJson } from '../../src/server/api-types.js';
import { buildDashboardApp } from '../../src/server/dashboard-app.js';
import { openStore } from '../../src/store/open-store.js';
import { FakeKubeApiServer } from '../../src/testing/fake-kube-api-server.js';
import { namespaceObject, podObject } from '../../src/testing/kube-fixtures.js';
import { freshDatabase, POSTGRES_URL } from '../support/postgres.js';
import { REPO_ROOT } from '../support/shared.js';

const run = promisify(execFile);
const MAIN = join(REPO_ROOT, 'dist', 'cli', 'main.js');

describe.skipIf(POSTGRES_URL === undefined)('fleet: several monitors into one PostgreSQL store', () => {
  let dir: string;
  let east: FakeKubeApiServer;
  let west: FakeKubeApiServer;
  let db: { url: string; drop: () => Promise<void> };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-fleet-'));
    db = await freshDatabase();
    east = await FakeKubeApiServer.start({
      objects: [
        namespaceObject('shop'),
        podObject('shop', 'east-web', { image: 'nginx:latest' }),
        namespaceObject('shared'),
        podObject('shared', 'same', { image: 'redis:latest' }),
      ],
    });
    west = await FakeKubeApiServer.start({
      objects: [
        namespaceObject('ops'),
        podObject('ops', 'west-tool', { image: 'busybox:latest' }),
        namespaceObject('shared'),
        podObject('shared', 'same', { image: 'redis:latest' }),
      ],
    });
    writeFileSync(join(dir, 'east.kubeconfig'), east.kubeconfig({ context: 'kind-east' }));
    writeFileSync(join(dir, 'west.kubeconfig'), west.kubeconfig({ context: 'kind-west' }));
  });

  afterAll(async () => {
    await east.close();
    await west.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores both clusters under their names and the dashboard API lists and separates them', async () => {
    expect(existsSync(MAIN), 'run `npm run build` first (npm test does)').toBe(true);
    // Both start at once on an empty database: the advisory lock lets one migrate, the other waits.
    const [a, b] = await Promise.all([
      // The cluster name defaults to the kubeconfig context …
      run(process.execPath, [MAIN, 'monitor', '--once', '--kubeconfig', join(dir, 'east.kubeconfig'), '--store', db.url], { cwd: dir }),
      // … or is given.
      run(
        process.execPath,
        [MAIN, 'monitor', '--once', '--kubeconfig', join(dir, 'west.kubeconfig'), '--cluster-name', 'west-prod', '--store', db.url],
        { cwd: dir },
      ),
    ]);
    expect(a.stdout).toContain('"cluster":"kind-east"');
    expect(b.stdout).toContain('"cluster":"west-prod"');

    const store = await openStore(db.url, { dataDir: dir });
    const app = buildDashboardApp({ store, mode: 'store' });
    try {
      const meta = (await app.inject({ method: 'GET', url: '/api/meta' })).json<MetaJson>();
      expect([...meta.clusters].sort()).toEqual(['kind-east', 'west-prod']);
      const page = async (cluster: string): Promise<FindingsPageJson> =>
        (await app.inject({ method: 'GET', url: `/api/findings?cluster=${cluster}&status=all` })).json<FindingsPageJson>();
      const eastNames = new Set((await page('kind-east')).findings.map((f) => f.resource.name));
      const westNames = new Set((await page('west-prod')).findings.map((f) => f.resource.name));
      expect(eastNames.has('east-web')).toBe(true);
      expect(eastNames.has('west-tool')).toBe(false);
      expect(westNames.has('west-tool')).toBe(true);
      expect(westNames.has('east-web')).toBe(false);
      // Scan runs carry the cluster too.
      expect(new Set((await store.runs()).map((r) => r.cluster))).toEqual(new Set(['kind-east', 'west-prod']));
      // The fleet API and `vigil report` compare them: the pod both run is common, each one's own pod is drift.
      const fleet = (await app.inject({ method: 'GET', url: '/api/fleet' })).json<FleetJson>();
      expect(fleet.clusters.map((c) => c.cluster)).toEqual(['kind-east', 'west-prod']);
      const report = await run(process.execPath, [MAIN, 'report', '--store', db.url, '--compare', '-f', 'json', '--limit', '1000'], {
        cwd: dir,
      });
      const cmp = JSON.parse(report.stdout) as ComparisonJson;
      expect(cmp.clusters).toEqual(['kind-east', 'west-prod']);
      const drift = (name: string): ComparisonJson['drift']['findings'] => cmp.drift.findings.filter((d) => d.resource.name === name);
      expect(drift('east-web').length).toBeGreaterThan(0);
      expect(drift('east-web').every((d) => d.placement['kind-east'] === 'open' && d.placement['west-prod'] === 'unknown')).toBe(true);
      expect(drift('west-tool').every((d) => d.placement['west-prod'] === 'open' && d.placement['kind-east'] === 'unknown')).toBe(true);
      expect(drift('same')).toEqual([]);
      expect(cmp.common).toBeGreaterThan(0);
      const text = await run(process.execPath, [MAIN, 'report', '--store', db.url], { cwd: dir });
      expect(text.stdout).toMatch(/^kind-east +sync ok/m);
      expect(text.stdout).toMatch(/^west-prod +sync ok/m);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
