import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { SHARED_AVAILABLE, sharedPath } from '../support/shared.js';
import { run } from './cli-support.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-audit-scan-'));

const event = (id: string, extra: Record<string, unknown> = {}): string =>
  `${JSON.stringify({
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: id,
    stage: 'ResponseStarted',
    requestURI: '/api/v1/namespaces/shop/pods/web-0/exec?command=sh&container=web',
    verb: 'create',
    user: { username: 'mallory', groups: ['system:authenticated'] },
    sourceIPs: ['203.0.113.9'],
    objectRef: { resource: 'pods', subresource: 'exec', namespace: 'shop', name: 'web-0', apiVersion: 'v1' },
    responseStatus: { code: 101 },
    requestReceivedTimestamp: '2024-05-01T10:00:00.000000Z',
    stageTimestamp: '2024-05-01T10:00:00.100000Z',
    ...extra,
  })}\n`;

const execLog = join(dir, 'exec.log');
writeFileSync(execLog, event('a1') + 'garbage\n' + event('a2', { user: { username: 'bob', groups: [] } }));

describe('vigil audit scan', () => {
  it('prints one JSON alert per line with the contract fields, and exits 0', async () => {
    const r = await run(['audit', 'scan', execLog, '--format', 'json']);
    expect(r.code).toBe(0);
    const alerts = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(alerts.map((a) => [a.rule, a.user, a.auditID])).toEqual([
      ['pod-exec', 'mallory', 'a1'],
      ['pod-exec', 'bob', 'a2'],
    ]);
    for (const a of alerts) {
      expect(a).toMatchObject({ severity: 'medium', mitre: ['T1609'] });
      expect(typeof a.output).toBe('string');
    }
    expect(r.stderr).toContain('exec.log:2: malformed JSON');
    expect(r.stderr).toContain('2 events from 1 file(s), 1 unreadable line(s) skipped; 2 alert(s)');
  });

  it('exits 1 with --fail-on at or below the alerts, 0 above them', async () => {
    expect((await run(['audit', 'scan', execLog, '--fail-on', 'medium'])).code).toBe(1);
    expect((await run(['audit', 'scan', execLog, '--fail-on', 'high'])).code).toBe(0);
  });

  it('exits 2 when the input holds no readable event, or a path is missing', async () => {
    const junk = join(dir, 'junk.log');
    writeFileSync(junk, 'not json\n{"kind":"Pod"}\n');
    const r = await run(['audit', 'scan', junk]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no readable audit event');
    expect((await run(['audit', 'scan', join(dir, 'missing.log'), execLog])).code).toBe(2);
    expect((await run(['audit', 'scan', execLog, '--follow', execLog])).code).toBe(2);
  });

  it('reads stdin, user rule files, and --only', async () => {
    const rules = join(dir, 'rules.yaml');
    writeFileSync(
      rules,
      `rules:
  - id: mallory-anything
    title: Mallory did something
    severity: critical
    mitre: [T1078]
    match: { users: [mallory], stages: [ResponseStarted] }
    output: 'mallory {verb} {target}'
`,
    );
    const r = await run(['audit', 'scan', '-', '--rules', rules, '--only', 'mallory-*', '--format', 'json', '--fail-on', 'critical'], {
      stdin: event('s1'),
    });
    expect(r.code).toBe(1);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { rule: string }).rule),
    ).toEqual(['mallory-anything']);
  });

  it('writes JSON lines and Prometheus counters when asked', async () => {
    const jsonl = join(dir, 'alerts.jsonl');
    const metrics = join(dir, 'metrics.prom');
    const r = await run(['audit', 'scan', execLog, '--jsonl', jsonl, '--metrics-file', metrics]);
    expect(r.code).toBe(0);
    expect(readFileSync(jsonl, 'utf8').trim().split('\n')).toHaveLength(2);
    expect(readFileSync(metrics, 'utf8')).toContain('vigil_alerts_total{rule="pod-exec",severity="medium",source="vigil"} 2');
  });

  it('posts alerts to a webhook with the bearer token from the environment', async () => {
    const bodies: { auth: string | undefined; body: { alerts: { rule: string }[] } }[] = [];
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        bodies.push({ auth: req.headers.authorization, body: JSON.parse(text) as { alerts: { rule: string }[] } });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const { runCli } = await import('../../src/cli/program.js');
      let stderr = '';
      const code = await runCli(['audit', 'scan', execLog, '--webhook', `http://127.0.0.1:${port}/hook`], {
        stdout: { write: () => true },
        stderr: { write: (t: string) => (stderr += t) },
        env: { VIGIL_WEBHOOK_TOKEN: 's3cret' },
        cwd: dir,
      });
      expect(code, stderr).toBe(0);
    } finally {
      server.close();
    }
    expect(bodies).toHaveLength(1);
    expect(bodies[0]?.auth).toBe('Bearer s3cret');
    expect(bodies[0]?.body.alerts.map((a) => a.rule)).toEqual(['pod-exec', 'pod-exec']);
  });

  it('never prints secret values, even when a rule template asks for them', async () => {
    const log = join(dir, 'secret.log');
    writeFileSync(
      log,
      event('sec', {
        stage: 'ResponseComplete',
        objectRef: { resource: 'secrets', namespace: 'shop', name: 'db', apiVersion: 'v1' },
        responseStatus: { code: 201 },
        requestObject: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, data: { password: 'aHVudGVyMg==' } },
      }),
    );
    const rules = join(dir, 'leaky.yaml');
    writeFileSync(
      rules,
      "rules:\n  - id: leaky\n    title: Leaky\n    severity: low\n    match: { resources: [{ resources: [secrets] }] }\n    output: 'password={requestObject.data.password} object={requestObject}'\n",
    );
    const r = await run(['audit', 'scan', log, '--rules', rules, '--only', 'leaky', '--format', 'json']);
    expect(r.stdout).toContain('password=<redacted>');
    expect(r.stdout + r.stderr).not.toContain('aHVudGVyMg==');
  });
});

describe.skipIf(!SHARED_AVAILABLE)('vigil audit scan on the shared samples', () => {
  it('runs clean over the audit2rbac log and the Falco events', async () => {
    const a = await run(['audit', 'scan', sharedPath('conformance', 'audit-logs', 'audit2rbac-demo.log'), '--format', 'json']);
    expect(a.code).toBe(0);
    expect(a.stderr).not.toContain('condition evaluation error');
    const f = await run(['audit', 'scan', sharedPath('conformance', 'falco-k8saudit', 'events'), '--format', 'json', '--no-throttle']);
    expect(f.code).toBe(0);
    expect(f.stderr).not.toContain('condition evaluation error');
    const rules = new Set(
      f.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { rule: string }).rule),
    );
    for (const expected of [
      'pod-exec',
      'pod-attach',
      'privileged-container',
      'sensitive-host-path-mount',
      'host-network-pod',
      'wildcard-role',
      'cluster-admin-binding',
      'anonymous-request-allowed',
      'configmap-credentials',
    ])
      expect(rules.has(expected), expected).toBe(true);
  });
});
