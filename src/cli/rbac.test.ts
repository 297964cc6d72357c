import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { CliIo } from './io.js';
import { runCli } from './program.js';
import { parseQuery, parseTarget } from './rbac.js';

const MANIFESTS = `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: pod-reader, namespace: shop }
rules:
  - { apiGroups: [''], resources: [pods, pods/log], verbs: [get, list] }
  - { apiGroups: [''], resources: [configmaps], resourceNames: [app-config], verbs: [get] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: readers, namespace: shop }
subjects: [{ kind: User, name: jane }, { kind: ServiceAccount, name: api }]
roleRef: { kind: Role, name: pod-reader, apiGroup: rbac.authorization.k8s.io }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: deployer }
rules:
  - { apiGroups: [apps], resources: [deployments, deployments/scale], verbs: [get, create, update] }
  - { apiGroups: [''], resources: [nodes], verbs: [get] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: deployers, namespace: shop }
subjects: [{ kind: Group, name: ci }]
roleRef: { kind: ClusterRole, name: deployer, apiGroup: rbac.authorization.k8s.io }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: ops }
subjects: [{ kind: Group, name: ops }]
roleRef: { kind: ClusterRole, name: cluster-admin, apiGroup: rbac.authorization.k8s.io }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: version-reader }
rules: [{ nonResourceURLs: [/version, /healthz/*], verbs: [get] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: anonymous-version }
subjects: [{ kind: Group, name: system:unauthenticated }]
roleRef: { kind: ClusterRole, name: version-reader, apiGroup: rbac.authorization.k8s.io }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: sa-reader }
rules: [{ apiGroups: [''], resources: [services], verbs: [list] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: all-shop-sas, namespace: shop }
subjects: [{ kind: Group, name: system:serviceaccounts:shop }]
roleRef: { kind: ClusterRole, name: sa-reader, apiGroup: rbac.authorization.k8s.io }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: dangling, namespace: shop }
subjects: [{ kind: User, name: jane }]
roleRef: { kind: Role, name: not-yet, apiGroup: rbac.authorization.k8s.io }
`;

let dir = '';
let manifests = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-rbac-'));
  manifests = join(dir, 'rbac.yaml');
  writeFileSync(manifests, MANIFESTS);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[], stdin?: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    env: {},
    cwd: dir,
    ...(stdin === undefined ? {} : { readStdin: () => Promise.resolve(stdin) }),
  };
  const code = await runCli(args, io);
  return { code, out, err };
}

describe('vigil rbac can', () => {
  it.each([
    [['--as', 'jane', 'get', 'pods', '-n', 'shop'], 'yes', 0],
    [['--as', 'jane', 'delete', 'pods', '-n', 'shop'], 'no', 1],
    [['--as', 'jane', 'get', 'pods'], 'no', 1], // default namespace is "default", like kubectl
    [['--as', 'jane', 'get', 'pods/log', '-n', 'shop'], 'yes', 0],
    [['--as', 'jane', 'get', 'pods', '--subresource', 'log', '-n', 'shop'], 'yes', 0],
    [['--as', 'jane', 'get', 'pods/exec', '-n', 'shop'], 'no', 1],
    [['--as', 'jane', 'get', 'configmaps', '-n', 'shop', '--name', 'app-config'], 'yes', 0],
    [['--as', 'jane', 'get', 'configmaps', '-n', 'shop'], 'no', 1],
    [['--as', 'bob', '--as-group', 'ci', 'create', 'deployments', '-n', 'shop'], 'yes', 0], // bare type resolved to apps
    [['--as', 'bob', '--as-group', 'ci', 'update', 'deployments.apps/scale', '-n', 'shop'], 'yes', 0],
    [['--as', 'bob', '--as-group', 'ci', 'create', 'deployments.extensions', '-n', 'shop'], 'no', 1],
    [['--as', 'bob', '--as-group', 'ci', 'get', 'nodes'], 'no', 1], // cluster-scoped: no namespace, RoleBinding does not apply
    [['--as', 'bob', '--as-group', 'ops', 'get', 'nodes'], 'yes', 0],
    [['--as', 'bob', '--as-group', 'ci', 'create', 'deployments', '-A'], 'no', 1],
    [['--as', 'system:anonymous', 'get', '/version'], 'yes', 0],
    [['--as', 'system:anonymous', 'get', '/healthz/etcd'], 'yes', 0],
    [['--as', 'jane', 'get', '/version'], 'no', 1],
    [['--as', 'system:serviceaccount:shop:api', 'get', 'pods', '-n', 'shop'], 'yes', 0],
    [['--as', 'system:serviceaccount:shop:web', 'list', 'services', '-n', 'shop'], 'yes', 0],
    [['--as', 'system:serviceaccount:prod:web', 'list', 'services', '-n', 'shop'], 'no', 1],
    [['--as', 'root', '--as-group', 'system:masters', 'delete', 'nodes'], 'yes', 0],
  ])('%j → %s', async (args, answer, code) => {
    const result = await run(['rbac', 'can', manifests, ...args]);
    expect(result.out).toBe(`${answer}\n`);
    expect(result.code).toBe(code);
  });

  it('explains a yes with its grant path', async () => {
    const { out } = await run(['rbac', 'can', manifests, '--as', 'jane', 'get', 'pods', '-n', 'shop', '--explain']);
    expect(out).toContain('granted by RoleBinding shop/readers for User jane → Role shop/pod-reader rules[0]');
    expect(out).toContain('as User jane (groups: system:authenticated)');
  });

  it('explains a no, naming bindings whose role is missing', async () => {
    const { out } = await run(['rbac', 'can', manifests, '--as', 'jane', 'delete', 'secrets', '-n', 'shop', '--explain']);
    expect(out).toMatch(/^no\n/);
    expect(out).toContain('RoleBinding shop/dangling would apply, but grants nothing: Role shop/not-yet does not exist');
  });

  it('warns like kubectl about a namespace on a cluster-scoped resource', async () => {
    const { err } = await run(['rbac', 'can', manifests, '--as', 'bob', '--as-group', 'ci', 'get', 'nodes', '-n', 'shop']);
    expect(err).toContain("Warning: resource 'nodes' is not namespace scoped");
  });

  it('prints JSON with the grants, the identity and the request', async () => {
    const { out, code } = await run([
      'rbac',
      'can',
      manifests,
      '--as',
      'system:serviceaccount:shop:api',
      'get',
      'pods',
      '-n',
      'shop',
      '-f',
      'json',
    ]);
    expect(code).toBe(0);
    const data = JSON.parse(out) as Record<string, unknown>;
    expect(data).toMatchObject({
      allowed: true,
      user: {
        name: 'system:serviceaccount:shop:api',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:shop', 'system:authenticated'],
      },
      request: { verb: 'get', apiGroup: '', resource: 'pods', subresource: '', namespace: 'shop', name: '' },
      grants: [
        {
          via: 'rbac',
          binding: { kind: 'RoleBinding', name: 'readers', namespace: 'shop' },
          subject: { kind: 'ServiceAccount', name: 'api', namespace: 'shop' },
          role: { kind: 'Role', name: 'pod-reader', namespace: 'shop' },
          rule: { index: 0, verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'pods/log'] },
        },
      ],
    });
  });

  it('is quiet with -q and answers with the exit code', async () => {
    const result = await run(['rbac', 'can', manifests, '--as', 'jane', 'delete', 'pods', '-n', 'shop', '-q']);
    expect(result).toMatchObject({ out: '', code: 1 });
  });

  it('--list prints everything the user may do in the namespace, like kubectl auth can-i --list', async () => {
    const { out, code } = await run(['rbac', 'can', manifests, '--as', 'bob', '--as-group', 'ci', '--list', '-n', 'shop']);
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/);
    expect(out).toContain('deployments.apps, deployments/scale.apps');
    expect(out).toContain('nodes ');
    const json = JSON.parse(
      (await run(['rbac', 'can', manifests, '--as', 'system:serviceaccount:shop:web', '--list', '-n', 'shop', '-f', 'json'])).out,
    ) as {
      namespace: string;
      grants: { binding: { name: string } }[];
    };
    expect(json.namespace).toBe('shop');
    expect(json.grants.map((g) => g.binding.name)).toEqual(['all-shop-sas']);
  });

  it('rejects missing --as and missing arguments (exit 2)', async () => {
    expect((await run(['rbac', 'can', manifests, 'get', 'pods'])).code).toBe(2);
    expect((await run(['rbac', 'can', manifests, '--as', 'jane', 'get'])).code).toBe(2);
    expect((await run(['rbac', 'can', join(dir, 'missing.yaml'), '--as', 'jane', 'get', 'pods'])).code).toBe(2);
  });
});

describe('vigil rbac can --queries', () => {
  const queries = [
    { user: 'jane', verb: 'get', resource: 'pods', namespace: 'shop' },
    // Implicit service-account groups are added even though groups are given.
    { user: 'system:serviceaccount:shop:web', groups: ['team-a'], verb: 'list', resource: 'services', namespace: 'shop' },
    { user: 'system:anonymous', verb: 'get', path: '/version' },
    // A user named like an SA but not one gets no SA groups.
    { user: 'jane', groups: ['system:serviceaccounts:shop'], verb: 'list', resource: 'services', namespace: 'shop' },
    { user: 'bob', groups: ['ci'], verb: 'create', resource: 'deployments', apiGroup: 'apps', namespace: 'shop' },
    // apiGroup is literal: absent means the core group.
    { user: 'bob', groups: ['ci'], verb: 'create', resource: 'deployments', namespace: 'shop' },
    { user: 'jane', verb: 'get', resource: 'pods/log', namespace: 'shop', name: 'web-0' },
    { user: 'jane', verb: 'get', resource: 'pods' }, // no namespace: cluster-wide
  ];

  it('answers every query in order, as JSON', async () => {
    const file = join(dir, 'queries.json');
    writeFileSync(file, JSON.stringify(queries));
    const { out, code } = await run(['rbac', 'can', manifests, '--queries', file, '--format', 'json']);
    expect(code).toBe(0);
    const answers = JSON.parse(out) as { allowed: boolean; grants: unknown[] }[];
    expect(answers.map((a) => a.allowed)).toEqual([true, true, true, true, true, false, true, false]);
    expect(answers.map((a) => Object.keys(a).sort())).toEqual(queries.map(() => ['allowed', 'grants']));
    expect(answers[2]?.grants).toEqual([
      expect.objectContaining({
        via: 'rbac',
        binding: { kind: 'ClusterRoleBinding', name: 'anonymous-version', source: expect.anything() as unknown },
      }),
    ]);
  });

  it('reads queries from stdin and reports bad ones without stopping the rest (exit 2)', async () => {
    const input = JSON.stringify([
      { verb: 'get', resource: 'pods' },
      queries[0],
      { user: 'x', verb: 'get' },
      { user: 'x', verb: 'get', resourse: 'pods' },
    ]);
    const { out, err, code } = await run(['rbac', 'can', manifests, '--queries', '-', '-f', 'json'], input);
    expect(code).toBe(2);
    const answers = JSON.parse(out) as { allowed: boolean; error?: string }[];
    expect(answers.map((a) => [a.allowed, a.error])).toEqual([
      [false, '"user" is required'],
      [true, undefined],
      [false, 'give "resource" (a resource request) or "path" (a non-resource request)'],
      [false, 'unknown field "resourse"'],
    ]);
    expect(err).toContain('query 0: "user" is required');
  });

  it('refuses a file that is not a JSON array', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{"user": "jane"}');
    const { code, err } = await run(['rbac', 'can', manifests, '--queries', file]);
    expect(code).toBe(2);
    expect(err).toContain('must hold a JSON array');
  });
});

describe('vigil rbac who-can', () => {
  it('lists the subjects with their grants in a namespace', async () => {
    const { out, code } = await run(['rbac', 'who-can', manifests, 'get', 'pods', '-n', 'shop']);
    expect(code).toBe(0);
    expect(out.split('\n').filter((l) => /^ {2}\S/.test(l))).toEqual([
      '  User jane',
      '  Group ops',
      '  Group system:masters',
      '  ServiceAccount shop/api',
    ]);
  });

  it('with -A, includes RoleBindings of every namespace', async () => {
    const { out } = await run(['rbac', 'who-can', manifests, 'create', 'deployments', '-A', '-f', 'json']);
    const data = JSON.parse(out) as { scope: string; subjects: { subject: { kind: string; name: string } }[] };
    expect(data.scope).toBe('any-namespace');
    expect(data.subjects.map((s) => `${s.subject.kind}/${s.subject.name}`)).toEqual(['Group/ci', 'Group/ops', 'Group/system:masters']);
  });

  it('without a namespace, a cluster-scoped resource is granted only cluster-wide', async () => {
    const { out } = await run(['rbac', 'who-can', manifests, 'get', 'nodes', '-f', 'json']);
    const data = JSON.parse(out) as { subjects: { subject: { name: string } }[] };
    expect(data.subjects.map((s) => s.subject.name)).toEqual(['ops', 'system:masters']);
  });

  it('answers non-resource URLs', async () => {
    const { out } = await run(['rbac', 'who-can', manifests, 'get', '/version']);
    expect(out).toContain('Group system:unauthenticated');
  });
});

describe('vigil rbac subjects and graph', () => {
  it('lists every subject with its bindings and risks', async () => {
    const { out, code } = await run(['rbac', 'subjects', manifests, '-f', 'json']);
    expect(code).toBe(0);
    const data = JSON.parse(out) as {
      subjects: {
        subject: { kind: string; name: string };
        system: boolean;
        risks: { id: string }[];
        bindings: { via: string; unresolved?: string }[];
      }[];
    };
    const ops = data.subjects.find((s) => s.subject.name === 'ops');
    expect(ops?.risks.map((r) => r.id)).toEqual(['cluster-admin']);
    const ci = data.subjects.find((s) => s.subject.name === 'ci');
    expect(ci?.risks.map((r) => r.id)).toEqual(['create-pods']);
    const jane = data.subjects.find((s) => s.subject.name === 'jane');
    expect(jane?.bindings.map((b) => [b.via, b.unresolved])).toEqual([
      ['direct', undefined],
      ['direct', 'Role shop/not-yet does not exist'],
    ]);
    expect(data.subjects.find((s) => s.subject.name === 'system:unauthenticated')?.system).toBe(false);
  });

  it('--risky keeps only subjects with a risky permission', async () => {
    const { out } = await run(['rbac', 'subjects', manifests, '--risky']);
    expect(out).toContain('Group ops');
    expect(out).not.toContain('User jane');
  });

  it('draws DOT and Mermaid', async () => {
    const dot = (await run(['rbac', 'graph', manifests])).out;
    expect(dot).toMatch(/^digraph rbac \{/);
    expect(dot).toContain('"subject:User::jane" -> "binding:RoleBinding:shop:readers"');
    expect(dot).toContain('[label="Role not-yet (missing)", shape=octagon, color=red]');
    const mermaid = (await run(['rbac', 'graph', manifests, '--format', 'mermaid'])).out;
    expect(mermaid).toMatch(/^flowchart LR\n/);
    expect(mermaid).toContain('(["User jane"])');
  });
});

describe('argument parsing', () => {
  it.each([
    ['pods', undefined, { resource: 'pods', subresource: '', apiGroup: '', known: true }],
    ['Pods/Log', undefined, { resource: 'pods', subresource: 'log', apiGroup: '' }],
    ['deployments', 'scale', { resource: 'deployments', subresource: 'scale', apiGroup: 'apps' }],
    [
      'certificatesigningrequests.certificates.k8s.io/approval',
      undefined,
      { resource: 'certificatesigningrequests', subresource: 'approval', apiGroup: 'certificates.k8s.io', known: true },
    ],
    ['widgets.example.com', undefined, { resource: 'widgets', apiGroup: 'example.com', known: false }],
    ['*', undefined, { resource: '*', apiGroup: '' }],
  ])('%s (--subresource %s)', (arg, sub, expected) => {
    expect(parseTarget(arg, sub)).toMatchObject({ kind: 'resource', ...expected });
  });

  it('parses URLs and rejects conflicting subresources', () => {
    expect(parseTarget('/healthz', undefined)).toEqual({ kind: 'nonResource', path: '/healthz' });
    expect(() => parseTarget('pods/log', 'exec')).toThrow(/names subresource "log"/);
  });

  it('reads queries literally, with implicit groups', () => {
    expect(parseQuery({ user: 'system:anonymous', verb: 'get', path: '/healthz' })).toEqual({
      user: { name: 'system:anonymous', groups: ['system:unauthenticated'] },
      request: { kind: 'nonResource', verb: 'get', path: '/healthz' },
    });
    expect(parseQuery({ user: 'u', verb: 'get', resource: 'pods', path: '/x' })).toEqual({
      error: '"path" and "resource" cannot both be given',
    });
    expect(parseQuery({ user: 'u', verb: 'get', resource: 'pods', groups: 'admins' })).toEqual({
      error: '"groups" must be a list of strings',
    });
  });
});
