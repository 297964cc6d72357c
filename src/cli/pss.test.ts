import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { runCli } from './program.js';

const MANIFESTS = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/audit: restricted
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: app
          image: ghcr.io/acme/web:1.4.2
        - name: side
          image: ghcr.io/acme/side:1.0.0
          securityContext:
            privileged: true
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
  namespace: shop
spec:
  jobTemplate:
    spec:
      template:
        spec:
          securityContext:
            runAsNonRoot: true
            seccompProfile: { type: RuntimeDefault }
          containers:
            - name: report
              image: ghcr.io/acme/report:2.1.0
              securityContext:
                allowPrivilegeEscalation: false
                capabilities: { drop: [ALL] }
---
apiVersion: v1
kind: Pod
metadata:
  name: loose
spec:
  runtimeClassName: kata
  hostNetwork: true
  containers:
    - name: c
      image: ghcr.io/acme/c:1.0.0
`;

async function run(args: string[], stdin = MANIFESTS): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    readStdin: () => Promise.resolve(stdin),
    env: {},
    cwd: process.cwd(),
  });
  return { code, out, err };
}

describe('vigil pss', () => {
  it('prints the issue’s JSON shape, one entry per pod or pod template, at each namespace’s enforce level', async () => {
    const { code, out } = await run(['pss', '-', '--format', 'json']);
    expect(code).toBe(1);
    const entries = JSON.parse(out) as Record<string, unknown>[];
    expect(entries.map((e) => Object.keys(e).sort())).toEqual([
      ['allowed', 'level', 'resource', 'source', 'version', 'violations'],
      ['allowed', 'level', 'resource', 'source', 'version', 'violations'],
      ['allowed', 'level', 'resource', 'source', 'version', 'violations'],
    ]);
    expect(entries[0]).toEqual({
      resource: { kind: 'Deployment', namespace: 'shop', name: 'web' },
      source: { file: '-', line: 9 },
      level: 'baseline',
      version: 'latest',
      allowed: false,
      violations: [
        {
          control: 'privileged',
          reason: 'privileged',
          detail: 'container "side" must not set securityContext.privileged=true',
          path: 'spec.template.spec.containers[1].securityContext.privileged',
        },
      ],
    });
    expect(entries.map((e) => [e.allowed, e.level])).toEqual([
      [false, 'baseline'],
      [true, 'baseline'],
      // The Pod's namespace (default) has no labels: privileged:latest, as the controller's defaults.
      [true, 'privileged'],
    ]);
  });

  it('judges every pod at --level and --version when given', async () => {
    const { code, out } = await run(['pss', '-', '--level', 'restricted', '--version', 'v1.30', '--format', 'json']);
    expect(code).toBe(1);
    const entries = JSON.parse(out) as { level: string; version: string; allowed: boolean; violations: { control: string }[] }[];
    expect(entries.map((e) => [e.level, e.version, e.allowed])).toEqual([
      ['restricted', 'v1.30', false],
      ['restricted', 'v1.30', true],
      ['restricted', 'v1.30', false],
    ]);
    expect(entries[2]?.violations.map((v) => v.control)).toContain('hostNamespaces');
  });

  it('applies exemptions from a PodSecurityConfiguration, marking exempt entries', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-pss-'));
    writeFileSync(
      join(dir, 'admission.yaml'),
      'apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n  - name: PodSecurity\n    path: pss.yaml\n',
    );
    writeFileSync(
      join(dir, 'pss.yaml'),
      'apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\ndefaults:\n  enforce: baseline\nexemptions:\n  runtimeClasses: [kata]\n',
    );
    const { code, out } = await run(['pss', '-', '--format', 'json', '--exemptions', join(dir, 'admission.yaml')]);
    expect(code).toBe(1);
    const entries = JSON.parse(out) as { allowed: boolean; exempt?: string; level: string; violations: unknown[] }[];
    expect(entries[2]).toMatchObject({ allowed: true, exempt: 'runtimeClass', level: 'baseline' });
    expect(entries[2]?.violations.length).toBe(1);
  });

  it('prints a readable table with the fields at fault and their lines', async () => {
    const { out } = await run(['pss', '-', '--no-color']);
    expect(out).toContain('DENIED  Deployment shop/web  baseline:latest  -:9');
    expect(out).toContain('  - privileged (container "side" must not set securityContext.privileged=true)');
    expect(out).toContain('      at spec.template.spec.containers[1].securityContext.privileged  -:23');
    expect(out).toContain('3 pods and pod templates: 2 allowed, 1 denied');
  });

  it('prints each namespace’s modes, violators and the strictest level it could enforce', async () => {
    const { code, out } = await run(['pss', '-', '--namespaces', '--format', 'json']);
    expect(code).toBe(1);
    const reports = JSON.parse(out) as {
      namespace: string;
      modes: Record<string, { violators: unknown[]; level: string }>;
      strictestEnforceable: unknown;
    }[];
    expect(reports.map((r) => r.namespace)).toEqual(['default', 'shop']);
    const shop = reports[1];
    expect(shop?.modes['enforce']?.violators.length).toBe(1);
    expect(shop?.modes['warn']?.level).toBe('baseline');
    expect(shop?.strictestEnforceable).toEqual({ level: 'privileged', version: 'latest' });
    const table = await run(['pss', '-', '--namespaces', '--no-color']);
    expect(table.out).toMatch(/^shop +baseline:latest +restricted:latest +baseline:latest\* +2 +1\/1\/1 +privileged:latest$/m);
    expect(table.out).toContain('  audit restricted:latest: Deployment shop/web: privileged, allowPrivilegeEscalation != false');
  });

  it('refuses bad flags with exit 2', async () => {
    expect((await run(['pss', '-', '--version', '1.30'])).code).toBe(2);
    expect((await run(['pss', '-', '--level', 'strict'])).code).toBe(2);
    expect((await run(['pss', '-', '--namespaces', '--level', 'baseline'])).code).toBe(2);
    expect((await run(['pss', '-'], '')).code).toBe(2);
    const missing = await run(['pss', '-', '--exemptions', '/nonexistent/pss.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('cannot read /nonexistent/pss.yaml');
  });

  it('exits 0 when every pod is allowed', async () => {
    const { code } = await run(['pss', '-', '--level', 'privileged']);
    expect(code).toBe(0);
  });
});
