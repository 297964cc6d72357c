import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { SHARED_AVAILABLE, sharedPath } from '../support/shared.js';
import { run } from './cli-support.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-policy-tools-'));
const bad = join(dir, 'bad.yaml');
writeFileSync(
  bad,
  `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: RequestResponse
  resources: [{ group: "", resources: [secrets] }]
- level: None
  resources: [{ group: "", resources: [pods/exec] }]
`,
);

describe('vigil audit policy lint / coverage / cost', () => {
  it('lint reports with file and line, and --fail-on decides the exit code', async () => {
    const r = await run(['audit', 'policy', 'lint', bad, '--fail-on', 'high']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${bad}:4: high: sensitive-bodies-logged`);
    expect(r.stdout).toContain('pods/exec are not logged at all');
    const json = await run(['audit', 'policy', 'lint', bad, '--format', 'json']);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as { id: string }[]).map((f) => f.id)).toContain('no-catch-all');
  });

  it('coverage names the built-in rules the policy blinds', async () => {
    const r = await run(['audit', 'policy', 'coverage', bad, '--format', 'json', '--fail-on-blind']);
    expect(r.code).toBe(1);
    const results = JSON.parse(r.stdout) as { id: string; status: string }[];
    expect(results.find((x) => x.id === 'pod-exec')?.status).toBe('blind');
    expect(results.length).toBeGreaterThanOrEqual(30);
  });

  it.skipIf(!SHARED_AVAILABLE)('cost replays a log through a policy', async () => {
    const r = await run([
      'audit',
      'policy',
      'cost',
      sharedPath('conformance', 'audit-logs', 'audit2rbac-demo-policy.yaml'),
      sharedPath('conformance', 'audit-logs', 'audit2rbac-demo.log'),
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const cost = JSON.parse(r.stdout) as {
      logged: { events: number };
      projected: { events: number; byLevel: { Metadata: { requests: number } } };
    };
    expect(cost.logged.events).toBe(37);
    // The demo policy logs exactly what the demo log holds: the same 37 requests at Metadata.
    expect(cost.projected.byLevel.Metadata.requests).toBe(37);
    expect(cost.projected.events).toBe(37);
  });
});
