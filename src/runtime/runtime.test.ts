import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { Inventory } from '../inventory/inventory.js';
import { readManifestText } from '../sources/read-manifest-text.js';
import { RuntimeContext } from './context.js';
import { correlate, targetOf } from './correlate.js';
import { parsePriority, toFalcoAlert, type FalcoAlert } from './falco-alert.js';
import { parseFalcoLine, type FalcoReadItem } from './read-alerts.js';
import { redactCommandLine } from './redact.js';

const example = (name: string): string => fileURLToPath(new URL(`../../examples/runtime/${name}`, import.meta.url));

function inventoryOf(text: string, file = 'cluster.yaml'): Inventory {
  const read = readManifestText(text, file);
  return Inventory.from(read.objects).inventory;
}

function alertsOf(text: string): { alerts: FalcoAlert[]; problems: FalcoReadItem[] } {
  const out: FalcoReadItem[] = [];
  text.split('\n').forEach((line, i) => {
    parseFalcoLine(line, 'falco.jsonl', i + 1, out);
  });
  return {
    alerts: out.flatMap((i) => (i.kind === 'alert' ? [i.alert] : [])),
    problems: out.filter((i) => i.kind === 'problem'),
  };
}

const cluster = inventoryOf(readFileSync(example('cluster.yaml'), 'utf8'));
const { alerts, problems } = alertsOf(readFileSync(example('falco.jsonl'), 'utf8'));
const context = new RuntimeContext(cluster);
const [webShell, debugShell, webShadow, hostProcess] = alerts as [FalcoAlert, FalcoAlert, FalcoAlert, FalcoAlert];

describe('Falco alert shapes', () => {
  it('reads Falco JSON output lines and counts the text line as malformed', () => {
    expect(alerts).toHaveLength(4);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      kind: 'problem',
      problem: { code: 'json-syntax', location: { file: 'falco.jsonl', line: 5 }, hint: expect.stringContaining('json_output: true') },
    });
    expect(webShell).toMatchObject({
      rule: 'Terminal shell in container',
      priority: 'Notice',
      source: 'syscall',
      hostname: 'worker-1',
      timeMs: Date.parse('2026-11-26T06:41:12.103Z'),
    });
    expect(targetOf(webShell)).toEqual({
      namespace: 'shop',
      pod: 'web-7d9c5b6f4-x2kqz',
      containerId: '3ad7b26ded6d',
      containerName: 'web',
      image: 'registry.example.com/shop/web:1.4.2',
    });
    // A process on the host: Falco sends null for unresolved k8s fields and "host" as the container id.
    expect(targetOf(hostProcess)).toEqual({});
  });

  it.each([
    [{}, /no "rule"/],
    [{ rule: 'r', priority: 'Loud', time: '2024-01-01T00:00:00Z' }, /unknown priority "Loud"/],
    [{ rule: 'r', priority: 'Notice', time: 'yesterday' }, /not an ISO 8601 time/],
    [{ rule: 'r', priority: 'Notice', time: '2024-01-01T00:00:00Z', output_fields: [] }, /output_fields/],
    [{ rule: 'r', priority: 'Notice', time: '2024-01-01T00:00:00Z', tags: [1] }, /tags/],
    ['text', /expected a Falco alert object/],
  ])('refuses %j', (value, error) => {
    const result = toFalcoAlert(value);
    expect('error' in result && result.error).toMatch(error);
  });

  it('accepts what falcosidekick forwards: uuid, RFC 3339 time without nanoseconds, Info as Informational', () => {
    const result = toFalcoAlert({
      uuid: '4c2b5f8e-2d1a-4c1e-9f3b-0a6b7c8d9e0f',
      output: 'x',
      priority: 'info',
      rule: 'Test rule',
      time: '2026-11-26T06:41:12.1038+01:00',
      output_fields: { 'proc.name': 'falcosidekick', nested: { a: 1 } },
      source: 'debug',
      hostname: 'falcosidekick-5d8c',
    });
    expect(result).toMatchObject({
      uuid: '4c2b5f8e-2d1a-4c1e-9f3b-0a6b7c8d9e0f',
      priority: 'Informational',
      timeMs: Date.parse('2026-11-26T05:41:12.103Z'),
      outputFields: { 'proc.name': 'falcosidekick', nested: '{"a":1}' },
      tags: [],
    });
    expect(parsePriority('CRITICAL')).toBe('Critical');
  });
});

describe('a shell in a privileged, exposed workload', () => {
  const alert = correlate(webShell, context, { cluster: 'prod' });

  it('finds the Deployment from the pod name and gathers its posture', () => {
    expect(alert.resource).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' });
    const workload = alert.context?.workload as Record<string, unknown>;
    expect(workload).toMatchObject({
      kind: 'Deployment',
      name: 'web',
      match: 'pod-name',
      pss: { level: 'privileged', violations: ['hostPathVolumes', 'privileged'] },
      privilegedContainers: ['web'],
      hostPaths: ['/var/run/docker.sock'],
      exposure: { isolated: false, fromAnywhere: true, publishedBy: ['Service shop/web (LoadBalancer)'], hostNetwork: false },
      serviceAccount: { namespace: 'shop', name: 'web', tokenMounted: true },
      execBy: ['User alice@example.com'],
      secrets: ['db-credentials'],
    });
    expect(workload.riskyGrants).toEqual([
      {
        risk: 'secrets-read',
        text: 'read secrets (get secrets, in every namespace)',
        clusterWide: true,
        binding: 'ClusterRoleBinding "web-secret-reader"',
      },
    ]);
    const checkIds = (workload.findings as { checkId: string }[]).map((f) => f.checkId);
    expect(checkIds).toEqual(
      expect.arrayContaining(['pod-security/baseline-privileged', 'network/unisolated-ingress', 'rbac/workload-token-risky-permissions']),
    );
  });

  it('raises Falco’s Notice (low) three steps to critical, with every reason listed', () => {
    expect(alert).toMatchObject({
      source: 'runtime',
      rule: 'Terminal shell in container',
      originalSeverity: 'low',
      severity: 'critical',
      title: 'Terminal shell in container in Deployment shop/web',
      mitre: ['T1059'],
      cluster: 'prod',
      time: '2026-11-26T06:41:12.103Z',
    });
    expect(alert.reasons).toEqual([
      { effect: 'raise', reason: 'privileged pod (container web)' },
      { effect: 'raise', reason: 'mounts host path /var/run/docker.sock' },
      { effect: 'raise', reason: 'reachable from 0.0.0.0/0: no NetworkPolicy isolates it for ingress' },
      { effect: 'raise', reason: 'published outside the cluster by Service shop/web (LoadBalancer)' },
      { effect: 'raise', reason: 'service account shop/web can read secrets (get secrets, in every namespace)' },
    ]);
    expect(alert.fields).toMatchObject({
      workload: 'Deployment shop/web',
      'pss.level': 'privileged',
      'k8s.pod.name': 'web-7d9c5b6f4-x2kqz',
      'proc.cmdline': 'bash -il',
      'falco.priority': 'Notice',
    });
  });

  it('raises a Warning on the same workload to critical too (capped)', () => {
    expect(correlate(webShadow, context)).toMatchObject({ originalSeverity: 'medium', severity: 'critical' });
  });

  it('gives the same id for the same alert, and a different one for another', () => {
    expect(correlate(webShell, context).id).toBe(alert.id);
    expect(correlate(webShadow, context).id).not.toBe(alert.id);
  });
});

describe('a shell in a sandboxed workload', () => {
  const alert = correlate(debugShell, context);

  it('lowers Falco’s Notice (low) to info, saying why it is contained', () => {
    expect(alert).toMatchObject({
      resource: { kind: 'Deployment', namespace: 'sandbox', name: 'debug' },
      originalSeverity: 'low',
      severity: 'info',
    });
    expect(alert.reasons).toEqual([
      { effect: 'lower', reason: 'meets the restricted Pod Security Standard' },
      { effect: 'lower', reason: 'isolated for ingress: not reachable from outside the cluster' },
      { effect: 'lower', reason: 'no service-account token mounted' },
      { effect: 'lower', reason: 'mounts no secrets' },
    ]);
    expect(alert.context?.workload).toMatchObject({
      pss: { level: 'restricted', violations: [] },
      exposure: { isolated: true, fromAnywhere: false, publishedBy: [] },
      serviceAccount: { name: 'debug', tokenMounted: false },
      riskyGrants: [],
      execBy: [],
      secrets: [],
    });
  });
});

describe('alerts that cannot be placed', () => {
  it('keeps Falco’s priority for a host process, and redacts the bearer token in its command line', () => {
    const alert = correlate(hostProcess, context);
    expect(alert).toMatchObject({ severity: 'low', originalSeverity: 'low', context: { workload: null } });
    expect(alert.resource).toBeUndefined();
    expect(alert.reasons?.[0]?.reason).toMatch(/no k8s.ns.name/);
    expect(JSON.stringify(alert)).not.toContain('eyJhbGciOiJSUzI1NiIsImtpZCI6');
    expect(alert.fields?.['proc.cmdline']).toBe("sh -c curl -H 'Authorization: Bearer <redacted>' https://198.51.100.23/x");
  });

  it('keeps Falco’s priority for a pod that matches nothing, and without an inventory', () => {
    const stray = toFalcoAlert({
      ...JSON.parse(JSON.stringify({ rule: 'r', priority: 'Error', time: '2026-01-01T00:00:00Z' })),
      output_fields: { 'k8s.ns.name': 'shop', 'k8s.pod.name': 'other-0' },
    }) as FalcoAlert;
    expect(correlate(stray, context)).toMatchObject({
      severity: 'high',
      resource: { kind: 'Pod', namespace: 'shop', name: 'other-0' },
      reasons: [{ effect: 'keep', reason: expect.stringContaining('matches no workload') }],
    });
    expect(correlate(webShell, undefined)).toMatchObject({ severity: 'low', context: { workload: null } });
  });
});

describe('live clusters: pods with ownerReferences', () => {
  it('follows Pod → ReplicaSet → Deployment', () => {
    const live = inventoryOf(`${readFileSync(example('cluster.yaml'), 'utf8')}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-7d9c5b6f4
  namespace: shop
  ownerReferences: [{ apiVersion: apps/v1, kind: Deployment, name: web, uid: u1, controller: true }]
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: x }] }
---
apiVersion: v1
kind: Pod
metadata:
  name: web-renamed-by-hand
  namespace: shop
  labels: { app: web }
  ownerReferences: [{ apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9c5b6f4, uid: u2, controller: true }]
spec:
  containers: [{ name: web, image: x }]
`);
    const renamed = toFalcoAlert({
      rule: 'Terminal shell in container',
      priority: 'Notice',
      time: '2026-11-26T06:41:12Z',
      output_fields: { 'k8s.ns.name': 'shop', 'k8s.pod.name': 'web-renamed-by-hand' },
    }) as FalcoAlert;
    const alert = correlate(renamed, new RuntimeContext(live));
    expect(alert.resource).toMatchObject({ kind: 'Deployment', name: 'web' });
    expect(alert.context?.workload).toMatchObject({ match: 'owner-references' });
    expect(alert.severity).toBe('critical');
  });
});

describe('redaction', () => {
  it.each([
    ['mysql --password=hunter2 -h db', 'mysql --password=<redacted> -h db'],
    ['app --api-key abc123', 'app --api-key <redacted>'],
    ['env MYSQL_ROOT_PASSWORD=hunter2 run', 'env MYSQL_ROOT_PASSWORD=<redacted> run'],
    ['curl https://bob:s3cret@example.com/x', 'curl https://bob:<redacted>@example.com/x'],
    ['ls -la /tmp', 'ls -la /tmp'],
  ])('%s', (input, expected) => {
    expect(redactCommandLine(input)).toBe(expected);
  });
});
