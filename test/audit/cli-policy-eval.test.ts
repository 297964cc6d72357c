import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { run } from './cli-support.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-policy-'));
const policy = join(dir, 'policy.yaml');
writeFileSync(
  policy,
  `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: None
  nonResourceURLs: ["/healthz*", /version]
- level: RequestResponse
  resources:
  - group: rbac.authorization.k8s.io
    resources: [clusterroles, clusterrolebindings]
- level: Request
  users: [alice]
  resources: [{resources: ["pods/exec"]}]
- level: Metadata
  userGroups: [system:authenticated]
  omitStages: [ResponseStarted]
`,
);

describe('vigil audit policy eval', () => {
  it('prints level, stages and the deciding rule for flags', async () => {
    const r = await run([
      'audit',
      'policy',
      'eval',
      policy,
      '--user',
      'alice',
      '--group',
      'system:authenticated',
      '--verb',
      'create',
      '--resource',
      'pods/exec',
      '-n',
      'shop',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('level:       Request');
    expect(r.stdout).toContain('decided by:  rules[2]');
    expect(r.stdout).toContain('policy.yaml:11');
  });

  it('reads kubectl-style group resources', async () => {
    const r = await run([
      'audit',
      'policy',
      'eval',
      policy,
      '--user',
      'bob',
      '--verb',
      'update',
      '--resource',
      'clusterroles.rbac.authorization.k8s.io',
      '--format',
      'json',
    ]);
    expect(JSON.parse(r.stdout)).toEqual({ level: 'RequestResponse', omitStages: ['RequestReceived'], rule: 1 });
  });

  it('evaluates a requests file in order, with non-resource and user-less requests', async () => {
    const requests = join(dir, 'requests.json');
    writeFileSync(
      requests,
      JSON.stringify([
        { user: 'bob', groups: ['system:authenticated'], verb: 'get', resource: 'pods', namespace: 'shop' },
        { verb: 'get', path: '/healthz/ready' },
        { verb: 'get', resource: 'pods', namespace: 'shop' },
        { user: 'bob', groups: ['system:authenticated'], verb: 'get', path: '/apis' },
      ]),
    );
    const r = await run(['audit', 'policy', 'eval', policy, '--requests', requests, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { level: 'Metadata', omitStages: ['RequestReceived', 'ResponseStarted'], rule: 3 },
      { level: 'None', omitStages: ['RequestReceived'], rule: 0 },
      { level: 'None', omitStages: ['RequestReceived'], rule: null },
      { level: 'Metadata', omitStages: ['RequestReceived', 'ResponseStarted'], rule: 3 },
    ]);
  });

  it('exits 2 with a located error for a policy the API server would refuse', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Loud\n');
    const r = await run(['audit', 'policy', 'eval', bad, '--verb', 'get', '--path', '/']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.yaml:4:3: error: level "Loud" is not supported');
  });

  it('exits 2 for flags that do not describe a request', async () => {
    expect((await run(['audit', 'policy', 'eval', policy, '--verb', 'get'])).code).toBe(2);
    expect((await run(['audit', 'policy', 'eval', policy, '--verb', 'get', '--path', '/x', '--resource', 'pods'])).code).toBe(2);
    expect((await run(['audit', 'policy', 'eval', policy, '--group', 'g', '--verb', 'get', '--path', '/x'])).code).toBe(2);
  });
});
