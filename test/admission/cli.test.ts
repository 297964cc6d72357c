// `vigil admission` end to end: review (offline answers), manifests, and serve as a real process.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

import { createServingCertificate } from '../../src/admission/x509.js';
import { cli } from '../support/run-cli.js';
import { REPO_ROOT } from '../support/shared.js';
import { httpsCall } from './https-client.js';

const fixtures = join(REPO_ROOT, 'test', 'fixtures', 'admission');
const fixture = (name: string): string => join(fixtures, `${name}.json`);
const dir = mkdtempSync(join(tmpdir(), 'vigil-admission-cli-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Review {
  response: { uid: string; allowed: boolean; status?: { code: number; message: string }; patch?: string; warnings?: string[] };
}

describe('vigil admission review', () => {
  it('prints the AdmissionReview answer; exit 1 when denied, 0 when allowed', async () => {
    const denied = await cli(['admission', 'review', fixture('pod-create-privileged')]);
    expect(denied.code).toBe(1);
    const review = JSON.parse(denied.stdout) as Review;
    expect(review.response.allowed).toBe(false);
    expect(review.response.status?.code).toBe(403);
    const warned = await cli(['admission', 'review', fixture('deployment-create')]);
    expect(warned.code).toBe(0);
    expect((JSON.parse(warned.stdout) as Review).response.warnings?.length).toBe(4);
  });

  it('takes the namespace label and the mutating webhook as flags, and reads stdin', async () => {
    const strict = await cli(['admission', 'review', '--label', 'restricted', '-'], {
      stdin: readFileSync(fixture('deployment-create'), 'utf8'),
    });
    expect(strict.code).toBe(1);
    const mutated = await cli(['admission', 'review', '--mutate', fixture('pod-create-by-replicaset')]);
    expect(mutated.code).toBe(0);
    expect((JSON.parse(mutated.stdout) as Review).response.patch).toBeDefined();
    const bad = await cli(['admission', 'review', '--label', 'strictest', fixture('deployment-create')]);
    expect(bad.code).toBe(2);
  });

  it('answers input that is not an AdmissionReview with a refusal review and exit 2', async () => {
    const run = await cli(['admission', 'review', '-'], { stdin: '{"kind": "Pod"' });
    expect(run.code).toBe(2);
    expect((JSON.parse(run.stdout) as Review).response).toMatchObject({ allowed: false, status: { code: 400 } });
  });

  it('applies the configuration, and names file and line of a bad one', async () => {
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'admission:\n  policy:\n    enforce: restricted\n');
    expect((await cli(['admission', 'review', '-c', good, fixture('deployment-create')])).code).toBe(1);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'admission:\n  policy:\n    enforce: strictest\n');
    const run = await cli(['admission', 'review', '-c', bad, fixture('deployment-create')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${bad}:3: invalid configuration at admission.policy.enforce`);
  });
});

describe('vigil admission manifests', () => {
  it('prints apply-ready YAML and warns that it holds a private key', async () => {
    const run = await cli(['admission', 'manifests', '--namespace', 'security']);
    expect(run.code).toBe(0);
    const kinds = parseAllDocuments(run.stdout).map((d) => (d.toJS() as { kind: string }).kind);
    expect(kinds).toContain('ValidatingWebhookConfiguration');
    expect(run.stdout).toContain('namespace: security');
    expect(run.stderr).toContain("holds the serving certificate's private key");
  });

  it('writes the file readable by its owner only', async () => {
    const out = join(dir, 'webhook.yaml');
    const run = await cli(['admission', 'manifests', '--cert-manager', '--failure-policy', 'Ignore', '-o', out]);
    expect(run.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readFileSync(out, 'utf8')).toContain('failurePolicy: Ignore');
  });
});

describe('vigil admission serve', () => {
  it('binds to loopback by default, answers reviews over HTTPS, and stops cleanly on SIGTERM', async () => {
    const pair = createServingCertificate({ hosts: ['127.0.0.1'] });
    writeFileSync(join(dir, 'tls.crt'), pair.cert);
    writeFileSync(join(dir, 'tls.key'), pair.key, { mode: 0o600 });
    const child = spawn(
      process.execPath,
      [
        join(REPO_ROOT, 'dist', 'cli', 'main.js'),
        'admission',
        'serve',
        '--listen',
        ':0',
        '--tls-cert',
        join(dir, 'tls.crt'),
        '--tls-key',
        join(dir, 'tls.key'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      let url: string | undefined;
      for (let i = 0; i < 400 && url === undefined; i++) {
        url = /admission webhook on (https:\/\/\S+) /.exec(stderr)?.[1];
        if (url === undefined) await new Promise((r) => setTimeout(r, 25));
      }
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(stderr).toContain('default policy: enforce baseline (from the default policy), warn restricted');
      const answer = await httpsCall({
        url: `${url ?? ''}/validate`,
        body: readFileSync(fixture('pod-create-privileged')),
        ca: pair.caCert,
      });
      expect((answer.json as Review).response.allowed).toBe(false);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    // The default decision log: one JSON line per denial, naming checks and fields, never values.
    const line = JSON.parse(stdout.trim().split('\n')[0] ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({ webhook: 'validate', outcome: 'denied', operation: 'CREATE', kind: 'Pod', namespace: 'shop' });
    expect(stdout).not.toContain('securityContext":{');
  });
});
