// The cluster-facing commands, in-process through runCli, against the fake API server:
// `scan --cluster`, `snapshot --cluster` then an offline scan, `kubectl get -o json` output, and
// `monitor` (once, and as a long-running process serving its endpoints until SIGINT).
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { runCli } from '../../src/cli/program.js';
import { openStore } from '../../src/store/open-store.js';
import { FakeKubeApiServer } from '../../src/testing/fake-kube-api-server.js';
import { namespaceObject, podObject, secretObject, serviceObject } from '../../src/testing/kube-fixtures.js';
import { REPO_ROOT } from '../support/shared.js';

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], cwd: string): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env: {},
    cwd,
  });
  return { code, stdout, stderr };
}

let dir: string;
let server: FakeKubeApiServer;
let kubeconfig: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-cli-cluster-'));
  server = await FakeKubeApiServer.start({
    forbidden: ['clusterrolebindings.rbac.authorization.k8s.io'],
    objects: [
      namespaceObject('shop'),
      namespaceObject('ops'),
      podObject('shop', 'web', { image: 'nginx:latest' }),
      podObject('ops', 'tool', { image: 'busybox', limits: false }),
      serviceObject('shop', 'lb', 'LoadBalancer'),
      secretObject('shop', 'db', { password: 'bm90LWZvci15b3U=' }),
    ],
  });
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, server.kubeconfig());
});

afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

interface JsonReport {
  findings: { checkId: string; fingerprint: string; resource: { kind: string; name: string; namespace?: string } }[];
  problems: { code: string; message: string }[];
}

describe('vigil scan --cluster', () => {
  it('scans the live cluster and reports the kinds it may not list', async () => {
    const result = await cli(['scan', '--cluster', '--kubeconfig', kubeconfig, '--format', 'json'], dir);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.findings.map((f) => f.resource.name)).toEqual(expect.arrayContaining(['web', 'tool', 'lb']));
    expect(report.problems.filter((p) => p.code === 'forbidden').map((p) => p.message)).toEqual([
      expect.stringContaining('clusterrolebindings.rbac.authorization.k8s.io'),
    ]);
    expect(result.stdout).not.toContain('bm90LWZvci15b3U=');
  });

  it('reads one namespace with -n', async () => {
    const result = await cli(['scan', '--cluster', '--kubeconfig', kubeconfig, '-n', 'ops', '--format', 'json'], dir);
    const report = JSON.parse(result.stdout) as JsonReport;
    // Findings about ops (its pods, and its Namespace object) only; other objects were context.
    expect(new Set(report.findings.map((f) => f.resource.namespace ?? `${f.resource.kind}/${f.resource.name}`))).toEqual(
      new Set(['ops', 'Namespace/ops']),
    );
    expect(server.requests.some((r) => r.path === '/api/v1/namespaces/ops/pods')).toBe(true);
  });

  it('refuses paths together with --cluster, and no input at all', async () => {
    expect((await cli(['scan', '--cluster', 'x.yaml', '--kubeconfig', kubeconfig], dir)).code).toBe(2);
    const none = await cli(['scan'], dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('nothing to scan');
  });
});

describe('vigil snapshot --cluster', () => {
  it('writes a List that scans offline to the same findings', async () => {
    const snap = join(dir, 'snap.json');
    const taken = await cli(['snapshot', '--cluster', '--kubeconfig', kubeconfig, '-o', snap], dir);
    expect(taken.code).toBe(0);
    expect(taken.stderr).toContain('not allowed to list clusterrolebindings');
    const offline = JSON.parse((await cli(['scan', snap, '--format', 'json'], dir)).stdout) as JsonReport;
    const live = JSON.parse((await cli(['scan', '--cluster', '--kubeconfig', kubeconfig, '--format', 'json'], dir)).stdout) as JsonReport;
    expect(offline.findings.map((f) => f.fingerprint)).toEqual(live.findings.map((f) => f.fingerprint));
    expect(offline.findings.length).toBeGreaterThan(0);
  });

  it('needs --cluster', async () => {
    expect((await cli(['snapshot'], dir)).code).toBe(2);
  });
});

const run = promisify(execFile);
const hasKubectl = await run('kubectl', ['version', '--client']).then(
  () => true,
  () => false,
);
if (!hasKubectl) console.warn('cli-cluster.test: kubectl is not installed; the `kubectl get -o json` test is skipped');

describe.runIf(hasKubectl)('kubectl get -o json output', () => {
  it('scans as a List', async () => {
    const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, 'get', 'pods', '-A', '-o', 'json'], {
      env: { ...process.env, HOME: dir, KUBECACHEDIR: join(dir, 'cache') },
    });
    writeFileSync(join(dir, 'pods.json'), stdout);
    const report = JSON.parse((await cli(['scan', join(dir, 'pods.json'), '--format', 'json'], dir)).stdout) as JsonReport;
    // nginx:latest, and busybox with no tag at all (which means latest).
    expect(
      report.findings
        .filter((f) => f.checkId === 'images/latest-tag')
        .map((f) => f.resource.name)
        .sort(),
    ).toEqual(['tool', 'web']);
  });
});

describe('vigil monitor', () => {
  it('--once evaluates a cluster, stores it and prints a summary', async () => {
    const result = await cli(['monitor', '--once', '--kubeconfig', kubeconfig, '--data-dir', join(dir, 'data')], dir);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { cluster: string; objects: number; open: Record<string, number> };
    expect(summary).toMatchObject({ cluster: 'fake', objects: 6 });
    expect(summary.open.medium).toBeGreaterThan(0);
    const store = await openStore(undefined, { dataDir: join(dir, 'data') });
    try {
      expect((await store.findings({ cluster: 'fake' })).length).toBeGreaterThan(0);
      expect((await store.runs({ cluster: 'fake' }))[0]).toMatchObject({ kind: 'sync', status: 'ok', objects: 6 });
    } finally {
      await store.close();
    }
  });

  it('refuses to expose metrics beyond loopback without TLS and a token', async () => {
    const result = await cli(['monitor', '--kubeconfig', kubeconfig, '--data-dir', join(dir, 'data'), '--listen', '0.0.0.0:9464'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('without TLS and a token');
  });

  it('rejects a malformed --listen and --digest-at', async () => {
    expect((await cli(['monitor', '--kubeconfig', kubeconfig, '--listen', 'nope'], dir)).stderr).toContain('HOST:PORT');
    expect((await cli(['monitor', '--kubeconfig', kubeconfig, '--digest-at', '25:00'], dir)).stderr).toContain('HH:MM');
  });

  it('runs as a daemon on manifests: prints its loopback URLs, serves metrics, stops on SIGINT', async () => {
    const main = join(REPO_ROOT, 'dist', 'cli', 'main.js');
    expect(existsSync(main), 'run `npm run build` first (npm test does)').toBe(true);
    const manifests = join(dir, 'manifests');
    await cli(['snapshot', '--cluster', '--kubeconfig', kubeconfig, '-o', join(dir, 'snap.json')], dir);
    mkdirSync(manifests);
    renameSync(join(dir, 'snap.json'), join(manifests, 'snap.json'));
    const child = spawn(
      process.execPath,
      [main, 'monitor', manifests, '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'd'), '--poll', '0'],
      {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no metrics URL printed: ${stderr}`));
      }, 20_000);
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /metrics: (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(stderr);
        if (match !== null) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    let ready = await fetch(`${url}/readyz`);
    for (let i = 0; i < 100 && ready.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      ready = await fetch(`${url}/readyz`);
    }
    expect(ready.status).toBe(200);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/vigil_findings\{severity="medium",area="images",namespace="shop"\} 1/);
    expect(metrics).toContain('vigil_evaluation_duration_seconds_bucket');
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toContain('SIGINT: stopping');
  });
});
