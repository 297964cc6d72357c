import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { run } from '../audit/cli-support.js';

const falco = 'examples/runtime/falco.jsonl';
const manifests = 'examples/runtime/cluster.yaml';

describe('vigil runtime scan', () => {
  it('prints each alert with its workload, reasons and posture, and a summary', async () => {
    const { code, stdout, stderr } = await run(['runtime', 'scan', falco, '--manifests', manifests, '--no-color']);
    expect(code).toBe(0);
    expect(stdout).toContain('critical Terminal shell in container (Falco Notice: low → critical)');
    expect(stdout).toContain('  where:    Deployment shop/web · pod web-7d9c5b6f4-x2kqz · container web');
    expect(stdout).toContain('  raised:   service account shop/web can read secrets (get secrets, in every namespace)');
    expect(stdout).toContain('  exec by:  User alice@example.com');
    expect(stdout).toContain('info     Terminal shell in container (Falco Notice: low → info)');
    expect(stdout).toContain('  lowered:  meets the restricted Pod Security Standard');
    expect(stdout).not.toContain('eyJhbGciOiJSUzI1NiIsImtpZCI6');
    expect(stderr).toContain('falco.jsonl:5: not JSON');
    expect(stderr).toContain(
      'vigil: 4 Falco alert(s) from 1 file(s), 1 malformed line(s) skipped (2 critical, 1 low, 1 info); 3 placed in a workload; severity raised on 2, lowered on 1, kept on 1',
    );
  });

  it('writes one JSON document with the context and reasons of every alert', async () => {
    const { code, stdout } = await run(['runtime', 'scan', falco, '--manifests', manifests, '--format', 'json']);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.summary).toMatchObject({ alerts: 4, malformed: 1, placed: 3, raised: 2, lowered: 1, kept: 1 });
    expect(doc.problems).toHaveLength(1);
    const [web, debug] = doc.alerts;
    expect(web).toMatchObject({ source: 'runtime', severity: 'critical', originalSeverity: 'low', mitre: ['T1059'] });
    expect(web.context.workload.exposure.publishedBy).toEqual(['Service shop/web (LoadBalancer)']);
    expect(debug).toMatchObject({ severity: 'info', reasons: expect.arrayContaining([{ effect: 'lower', reason: 'mounts no secrets' }]) });
  });

  it('reads stdin, keeps Falco’s priority without manifests, and fails on --fail-on', async () => {
    const text = readFileSync(falco, 'utf8');
    const bare = await run(['runtime', 'scan', '-', '--format', 'json', '--fail-on', 'high'], { stdin: text });
    expect(bare.code).toBe(0);
    expect(bare.stderr).toContain('alerts keep Falco’s priority');
    expect((JSON.parse(bare.stdout) as { alerts: { severity: string }[] }).alerts.map((a) => a.severity)).toEqual([
      'low',
      'low',
      'medium',
      'low',
    ]);
    const gated = await run(['runtime', 'scan', falco, '--manifests', manifests, '--fail-on', 'critical']);
    expect(gated.code).toBe(1);
  });

  it('exits 2 on input without any Falco alert, and on a missing file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-runtime-'));
    writeFileSync(join(dir, 'text.log'), '06:45:00.000000000: Notice A shell was spawned\n');
    const text = await run(['runtime', 'scan', join(dir, 'text.log')]);
    expect(text.code).toBe(2);
    expect(text.stderr).toContain('json_output: true');
    expect((await run(['runtime', 'scan', join(dir, 'missing.json')])).code).toBe(2);
  });

  it('refuses an unsafe receiver configuration', async () => {
    const plain = await run(['runtime', 'serve', '--host', '0.0.0.0', '--insecure-http', '--token-file', manifests]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/plain HTTP is refused|at least 16/);
    const noAuth = await run(['runtime', 'serve', '--insecure-http']);
    expect(noAuth.code).toBe(2);
    expect(noAuth.stderr).toContain('needs authentication');
  });
});
