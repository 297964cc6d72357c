import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { runCli } from '../../src/cli/program.js';

function io(cwd: string) {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: { write: (t: string) => (out.stdout += t) },
      stderr: { write: (t: string) => (out.stderr += t) },
      env: {},
      cwd,
    },
  };
}

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-posture-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: nginx:1.25
`;

const TRIVY = JSON.stringify({
  SchemaVersion: 2,
  ArtifactName: 'nginx:1.25',
  ArtifactType: 'container_image',
  Results: [
    {
      Target: 'nginx:1.25 (debian 12)',
      Vulnerabilities: [
        { VulnerabilityID: 'CVE-2024-0001', PkgName: 'openssl', InstalledVersion: '3.0.1', FixedVersion: '3.0.2', Severity: 'CRITICAL' },
      ],
    },
  ],
});

describe('vigil scan (posture additions)', () => {
  it('maps a Trivy report onto the workloads that run the image with --vulns', async () => {
    const dir = workspace({ 'web.yaml': DEPLOYMENT, 'trivy.json': TRIVY });
    const { out, io: cliIo } = io(dir);
    const code = await runCli(
      ['scan', join(dir, 'web.yaml'), '--vulns', join(dir, 'trivy.json'), '--only', 'images/known-vulnerabilities', '--format', 'json'],
      cliIo,
    );
    expect(code).toBe(0);
    const findings = (JSON.parse(out.stdout) as { findings: { checkId: string; severity: string; resource: { name: string } }[] }).findings;
    expect(findings.map((f) => [f.checkId, f.severity, f.resource.name])).toEqual([['images/known-vulnerabilities', 'critical', 'web']]);
  });

  it('reports an unreadable vulnerability report as an input error, and still scans', async () => {
    const dir = workspace({ 'web.yaml': DEPLOYMENT, 'bad.json': '{"kind":"Deployment"}' });
    const { out, io: cliIo } = io(dir);
    const code = await runCli(['scan', join(dir, 'web.yaml'), '--vulns', join(dir, 'bad.json'), '--format', 'json'], cliIo);
    expect(code).toBe(0);
    const document = JSON.parse(out.stdout) as { summary: { inputErrors: number }; problems: { message: string }[] };
    expect(document.summary.inputErrors).toBe(1);
    expect(document.problems[0]?.message).toContain('neither a Trivy report');
  });

  it('reads control-plane flags files and prints a CIS compliance report with a score', async () => {
    const dir = workspace({ 'apiserver.args': 'kube-apiserver --anonymous-auth=true --authorization-mode=Node,RBAC\n' });
    const { out, io: cliIo } = io(dir);
    const code = await runCli(['scan', '--control-plane-flags', join(dir, 'apiserver.args'), '--framework', 'cis', '--no-color'], cliIo);
    expect(code).toBe(0);
    expect(out.stdout).toMatch(/FAIL {3}1\.2\.1 /);
    expect(out.stdout).toMatch(/PASS {3}1\.2\.6 /);
    expect(out.stdout).toMatch(/CIS: score \d+(\.\d)?% — \d+ pass, \d+ fail/);
  });

  it('prints compliance as JSON, and refuses formats compliance has no form for', async () => {
    const dir = workspace({ 'web.yaml': DEPLOYMENT });
    const json = io(dir);
    expect(await runCli(['scan', join(dir, 'web.yaml'), '--framework', 'nsa', '--format', 'json'], json.io)).toBe(0);
    const document = JSON.parse(json.out.stdout) as {
      framework: { id: string };
      summary: { controls: number };
      controls: { id: string; status: string }[];
    };
    expect(document.framework.id).toBe('nsa');
    expect(document.controls.find((c) => c.id === 'Resource policies')?.status).toBe('fail');
    const sarif = io(dir);
    expect(await runCli(['scan', join(dir, 'web.yaml'), '--framework', 'cis', '--format', 'sarif'], sarif.io)).toBe(2);
    expect(sarif.out.stderr).toContain('--framework reports as table, json, markdown');
  });

  it('asks for something to scan', async () => {
    const { out, io: cliIo } = io(tmpdir());
    expect(await runCli(['scan'], cliIo)).toBe(2);
    expect(out.stderr).toContain('nothing to scan');
  });
});
