/**
 * `vigil netpol reach|matrix|exposure`, run in-process through runCli.
 */
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { runCli } from '../src/cli/program.js';
import { REPO_ROOT } from './support/shared.js';

const fixtures = join(REPO_ROOT, 'test', 'fixtures', 'netpol');
const apache = join(fixtures, 'apache.yaml');
const cluster = join(fixtures, 'cluster-list.json');

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env: {},
    cwd: fixtures,
  });
  return { code, stdout, stderr };
}

async function reachJson(...args: string[]): Promise<Record<string, unknown>> {
  const result = await run('netpol', 'reach', ...args, '--format', 'json');
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe('vigil netpol reach: the allow-apache-access example', () => {
  it('lets a pod labelled access: "true" reach apache, naming the policy and rule', async () => {
    const answer = await reachJson(apache, '--from', 'web/client', '--to', 'web/apache', '--port', '80');
    expect(answer).toMatchObject({
      from: 'web/client',
      to: 'web/apache',
      protocol: 'TCP',
      port: 80,
      allowed: true,
      egress: { allowed: true, isolated: false, reason: 'not-isolated', policies: [] },
      ingress: {
        allowed: true,
        isolated: true,
        reason: 'allowed-by-rule',
        policies: [
          { policy: 'web/allow-apache-access', verdict: 'allowed-by-rule', rule: 0, pointer: '/spec/ingress/0', file: apache, line: 56 },
        ],
      },
    });
  });

  it('denies any other pod, and says why', async () => {
    const answer = await reachJson(apache, '--from', 'web/stranger', '--to', 'web/apache', '--port', '80/TCP');
    expect(answer).toMatchObject({
      allowed: false,
      ingress: {
        allowed: false,
        isolated: true,
        reason: 'no-rule-allows',
        policies: [{ policy: 'web/allow-apache-access', verdict: 'selected-peer-not-matched' }],
      },
    });
    const text = await run('netpol', 'reach', apache, '--from', 'web/stranger', '--to', 'web/apache', '--port', '80');
    expect(text.stdout).toBe(
      [
        'web/stranger → web/apache TCP/80: DENIED',
        '  egress (web/stranger): allowed: no NetworkPolicy selects it for egress',
        '  ingress (web/apache): DENIED: 1 policy selects it for ingress',
        `    web/allow-apache-access (${apache}:46): no rule matches the other end`,
        '',
      ].join('\n'),
    );
  });

  it('denies addresses outside the cluster, and leaves apache free to connect out', async () => {
    expect((await reachJson(apache, '--from', '198.51.100.1', '--to', 'web/apache', '--port', '80')).allowed).toBe(false);
    expect((await reachJson(apache, '--from', 'web/apache', '--to', '198.51.100.1', '--port', '443')).allowed).toBe(true);
  });

  it('matches a bare IP to the pod that has it', async () => {
    const answer = await reachJson(apache, '--from', '10.1.0.5', '--to', 'web/apache', '--port', '80');
    expect(answer).toMatchObject({ from: '10.1.0.5', allowed: true, source: { type: 'pod', id: 'web/client', ips: ['10.1.0.5'] } });
  });

  it('resolves a port name on the destination and answers with its number', async () => {
    const answer = await reachJson(apache, '--from', 'web/client', '--to', 'web/apache', '--port', 'http');
    expect(answer).toMatchObject({ port: 80, portName: 'http', allowed: true });
  });
});

describe('vigil netpol reach --queries', () => {
  it('answers every query in order, in one run, errors inline, and exits 2 when one could not be asked', async () => {
    const result = await run('netpol', 'reach', cluster, '--queries', 'queries.json');
    expect(result.code).toBe(2);
    const answers = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(answers.map((a) => [a.from, a.to, a.port, a.allowed])).toEqual([
      ['shop/api-1', 'shop/db-0', 5432, true],
      ['shop/api-1', 'shop/db-0', 5433, false],
      ['10.3.0.20', 'shop/db-0', 9187, true],
      ['203.0.113.9', '10.2.0.10', 5432, true],
      ['monitoring/node-exporter-abcde', 'shop/db-0', 5432, null],
      ['shop/nope', 'shop/db-0', 5432, null],
      ['shop/api-1', 'shop/db-0', 0, null],
    ]);
    // Named port `pg` in the policy is queried by its number, 5432.
    expect(answers[0]).toMatchObject({
      ingress: {
        policies: [
          { policy: 'shop/db-from-api', rule: 0 },
          { policy: 'shop/default-deny', verdict: 'selected-no-rules' },
        ],
      },
    });
    expect(answers[0]).toMatchObject({
      egress: { policies: [{ policy: 'shop/api-egress', verdict: 'allowed-by-rule' }, { policy: 'shop/default-deny' }] },
    });
    expect(answers[1]).toMatchObject({
      ingress: {
        policies: [{ policy: 'shop/db-from-api', verdict: 'selected-ports-not-matched', rule: 0 }, { policy: 'shop/default-deny' }],
      },
    });
    expect(answers[3]).toMatchObject({
      source: { type: 'external' },
      egress: { reason: 'external' },
      ingress: { policies: [{ rule: 2 }, {}] },
    });
    expect(answers[4]).toMatchObject({ outOfScope: expect.stringContaining('host network') as unknown, egress: null, ingress: null });
    expect(answers[5]).toMatchObject({
      error: 'from: no pod or workload "nope" in namespace "shop"',
      hint: expect.stringContaining('shop/db-0') as unknown,
    });
    expect(answers[6]).toMatchObject({ error: 'query 6: protocol must be TCP, UDP or SCTP' });
  });

  it('reads folders and kind: List documents, and says what it could not read', async () => {
    const result = await run(
      'netpol',
      'reach',
      fixtures,
      '--from',
      'shop/api-1',
      '--to',
      'shop/db-0',
      '--port',
      '5432',
      '--format',
      'json',
    );
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { allowed: boolean }).allowed).toBe(true);
    // The queries file in the same folder is not a manifest: said, not silently dropped.
    expect(result.stderr).toMatch(/queries\.json:1:1: document is a list, not a Kubernetes object/);
  });

  it('reports a bad queries file as a usage error', async () => {
    const result = await run('netpol', 'reach', cluster, '--queries', 'apache.yaml');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/apache\.yaml: not valid JSON/);
  });

  it('needs --from, --to and --port, or --queries', async () => {
    const result = await run('netpol', 'reach', cluster, '--from', 'shop/api-1');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('reach needs --from, --to and --port');
  });
});

describe('vigil netpol matrix', () => {
  it('prints the table of a namespace', async () => {
    const result = await run('netpol', 'matrix', cluster, '--namespace', 'shop', '--no-external');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').slice(0, 3)).toEqual([
      'FROM \\ TO   shop/api-1  shop/db-0',
      'shop/api-1  ·           TCP 5432',
      'shop/db-0   -           ·',
    ]);
  });

  it('prints JSON nodes and edges, with outside addresses and out-of-scope pods', async () => {
    const result = await run('netpol', 'matrix', cluster, '--format', 'json');
    const view = JSON.parse(result.stdout) as {
      nodes: { id: string }[];
      edges: { from: string; to: string; connections: unknown }[];
      outOfScope: { id: string }[];
    };
    expect(view.nodes.map((n) => n.id)).toEqual([
      'monitoring/prometheus-0',
      'shop/api-1',
      'shop/db-0',
      'external:0.0.0.0-203.0.112.255,203.0.114.0-255.255.255.255,::/0',
      'external:203.0.113.0/24',
    ]);
    expect(view.edges).toContainEqual({ from: 'external:203.0.113.0/24', to: 'shop/db-0', connections: { TCP: [5432] } });
    expect(view.edges).toContainEqual({ from: 'monitoring/prometheus-0', to: 'shop/db-0', connections: { TCP: [9187] } });
    expect(view.edges.filter((e) => e.to === 'shop/db-0').map((e) => e.from)).toEqual([
      'monitoring/prometheus-0',
      'shop/api-1',
      'external:203.0.113.0/24',
    ]);
    expect(view.outOfScope.map((o) => o.id)).toEqual(['monitoring/node-exporter-abcde']);
  });

  it('draws Graphviz and Mermaid graphs, filtered by port', async () => {
    const dot = await run('netpol', 'matrix', cluster, '--format', 'dot', '--port', '5432');
    expect(dot.stdout).toContain('"shop/api-1" -> "shop/db-0";');
    expect(dot.stdout).not.toContain('"monitoring/prometheus-0" -> "shop/db-0"');
    const mermaid = await run('netpol', 'matrix', cluster, '--format', 'mermaid', '--namespace', 'shop', '--no-external');
    expect(mermaid.stdout).toBe(
      ['flowchart LR', '  subgraph ns0["shop"]', '    p0["api-1"]', '    p1["db-0"]', '  end', '  p0 -->|"TCP 5432"| p1', ''].join('\n'),
    );
  });

  it('refuses a namespace without pods', async () => {
    const result = await run('netpol', 'matrix', cluster, '--namespace', 'nowhere');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no pods or workloads in namespace "nowhere"');
  });
});

describe('vigil netpol exposure', () => {
  it('lists everything that can reach a pod, with the rules on both sides', async () => {
    const result = await run('netpol', 'exposure', cluster, 'shop/db-0', '--format', 'json');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as {
      isolated: boolean;
      policies: string[];
      sources: Record<string, unknown>[];
      unreachablePods: number;
    };
    expect(json.isolated).toBe(true);
    expect(json.policies).toEqual(['shop/db-from-api', 'shop/default-deny']);
    expect(json.unreachablePods).toBe(0);
    expect(json.sources.map((s) => [s.from, s.connections])).toEqual([
      ['monitoring/prometheus-0', { TCP: [9187] }],
      ['shop/api-1', { TCP: [5432] }],
      ['203.0.113.0/24', { TCP: [5432] }],
    ]);
    expect(json.sources[1]).toMatchObject({
      ingress: { isolated: true, rules: [{ policy: 'shop/db-from-api', rule: 0 }] },
      egress: { isolated: true, rules: [{ policy: 'shop/api-egress', rule: 0 }] },
    });
  });

  it('answers a hostNetwork pod as out of scope', async () => {
    const result = await run('netpol', 'exposure', cluster, 'monitoring/node-exporter-abcde');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^monitoring\/node-exporter-abcde: out of scope: it uses the host network/);
  });

  it('prints a readable summary', async () => {
    const result = await run('netpol', 'exposure', apache, 'web/apache');
    expect(result.stdout.split('\n').slice(0, 2)).toEqual([
      'web/apache (Deployment) can be reached by 1 of 2 other pods and from 0 range(s) of outside addresses.',
      'Isolated for ingress by: web/allow-apache-access.',
    ]);
  });
});
