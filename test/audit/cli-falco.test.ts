// `vigil audit scan --falco-rules`: Falco's own k8saudit rules and Falco's regression events, read in
// place from ../shared/conformance/falco-k8saudit, run through the CLI in-process.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { SHARED_AVAILABLE, sharedPath } from '../support/shared.js';
import { run } from './cli-support.js';

const falco = (...p: string[]): string => sharedPath('conformance', 'falco-k8saudit', ...p);
const RULES = falco('rules', 'k8s_audit_rules.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'vigil-falco-cli-'));

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe.skipIf(!SHARED_AVAILABLE)('vigil audit scan --falco-rules', () => {
  it('prints one JSON alert per line with rule, priority, severity, output, auditID and source', async () => {
    const r = await run(['audit', 'scan', falco('events', 'create_nginx_pod_privileged.json'), '--falco-rules', RULES, '--format', 'json']);
    expect(r.code).toBe(0);
    const alerts = jsonLines(r.stdout);
    const fromFalco = alerts.filter((a) => a.source === 'falco');
    expect(fromFalco).toHaveLength(1);
    const [a] = fromFalco as [Record<string, unknown>];
    expect(a).toMatchObject({
      rule: 'Create Privileged Pod',
      priority: 'Warning',
      severity: 'medium',
      source: 'falco',
      auditID: 'a362d22b-db3c-4590-9505-23782f12925f',
    });
    expect(a.output).toMatch(
      /^Pod started with privileged container \(user=system:serviceaccount:kube-system:replicaset-controller pod=nginx-/,
    );
    // The built-in rules run beside them, and say so in their own lines.
    const vigil = alerts.filter((x) => x.source === 'vigil');
    expect(vigil.length).toBeGreaterThan(0);
    for (const x of vigil) expect(x).toHaveProperty('priority');
    expect(r.stderr).toContain('48 k8s_audit rule(s) (48 enabled) from 1 file(s), 18 list(s), 45 macro(s); rule matching: all');
  });

  it('--rule-matching first raises only the first matching rule per event; all (the default) raises every match', async () => {
    const events = falco('events', 'create_cluster_role_wildcard_resources.json');
    const args = ['audit', 'scan', events, '--no-builtin-rules', '--falco-rules', RULES, '--format', 'json'];
    const first = jsonLines((await run([...args, '--rule-matching', 'first'])).stdout).map((a) => a.rule);
    const all = jsonLines((await run(args)).stdout).map((a) => a.rule);
    expect(first).toEqual(['ClusterRole With Wildcard Created']);
    expect(all).toEqual(expect.arrayContaining(['ClusterRole With Wildcard Created', 'K8s ClusterRole Created']));
    expect(all.length).toBeGreaterThan(first.length);
  });

  it('applies override files in order (append to a list, replace a macro)', async () => {
    const events = falco('events', 'some-user_creates_namespace_foo.json');
    const base = ['audit', 'scan', events, '--no-builtin-rules', '--rule-matching', 'first', '--format', 'json', '--falco-rules', RULES];
    const before = jsonLines((await run([...base, '--falco-rules', falco('overrides', 'allow_namespace_foo.yaml')])).stdout);
    expect(before.map((a) => a.rule)).toEqual(['Disallowed K8s User']);
    const after = await run([
      ...base,
      '--falco-rules',
      falco('overrides', 'allow_namespace_foo.yaml'),
      '--falco-rules',
      falco('overrides', 'allow_user_some-user.yaml'),
      '--falco-rules',
      falco('overrides', 'disallow_kactivity.yaml'),
    ]);
    expect(after.code).toBe(0);
    expect(after.stdout).toBe('');
  });

  it('reports the deliberately invalid input with file and line, and goes on with the next file', async () => {
    const r = await run([
      'audit',
      'scan',
      falco('events', 'fal_01_003.json'),
      falco('events', 'create_nginx_pod_privileged.json'),
      '--no-builtin-rules',
      '--falco-rules',
      RULES,
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${falco('events', 'fal_01_003.json')}:1: data not recognized as a k8s audit event`);
    expect(r.stderr).toContain('1 unreadable line(s) skipped');
    expect(jsonLines(r.stdout).map((a) => a.rule)).toEqual(['Create Privileged Pod']);
  });

  it('selects Falco rules by name with --only and --skip', async () => {
    const events = falco('events', 'create_cluster_role_wildcard_resources.json');
    const args = ['audit', 'scan', events, '--no-builtin-rules', '--falco-rules', RULES, '--format', 'json'];
    const only = jsonLines((await run([...args, '--only', 'K8s ClusterRole*'])).stdout).map((a) => a.rule);
    expect(only).toEqual(['K8s ClusterRole Created']);
    const skip = jsonLines((await run([...args, '--skip', 'K8s ClusterRole*'])).stdout).map((a) => a.rule);
    expect(skip).toEqual(['ClusterRole With Wildcard Created']);
  });

  it('stops with exit 2 and names file, line, column and rule when a condition does not parse', async () => {
    const bad = join(tmp, 'bad.yaml');
    writeFileSync(
      bad,
      '- rule: Broken\n  desc: d\n  condition: ka.verb = create andx ka.user.name = x\n  output: "%ka.verb"\n  priority: WARNING\n  source: k8s_audit\n',
    );
    const r = await run(['audit', 'scan', falco('events', 'create_nginx_pod_privileged.json'), '--falco-rules', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+: error: rule 'Broken': expected blank or '\\(' after 'and'`),
    );
    expect(r.stderr).toContain('no rule was run');
  });

  it('reports a rules file that cannot be read, with exit 2', async () => {
    const r = await run(['audit', 'scan', falco('events', 'create_nginx_pod_privileged.json'), '--falco-rules', join(tmp, 'missing.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot read Falco rules');
  });

  it('runs in vigil monitor too: --audit-log with --falco-rules stores and sends the Falco alerts', async () => {
    const dataDir = mkdtempSync(join(tmp, 'monitor-'));
    const r = await run([
      'monitor',
      'examples/demo',
      '--once',
      '--data-dir',
      dataDir,
      '--audit-log',
      falco('events', 'create_cluster_role_wildcard_resources.json'),
      '--falco-rules',
      RULES,
      '--rule-matching',
      'first',
      '--alerts-stdout',
    ]);
    expect(r.code).toBe(0);
    const alerts = jsonLines(r.stdout).filter((a) => a.source === 'falco');
    expect(alerts.map((a) => [a.rule, a.priority])).toEqual([['ClusterRole With Wildcard Created', 'Warning']]);
    expect(r.stderr).toContain('rule matching: first');
    const without = await run(['monitor', 'examples/demo', '--once', '--data-dir', dataDir, '--falco-rules', RULES]);
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('--falco-rules needs an audit input');
  });

  it('refuses an unknown --rule-matching', async () => {
    const r = await run([
      'audit',
      'scan',
      falco('events', 'create_nginx_pod_privileged.json'),
      '--falco-rules',
      RULES,
      '--rule-matching',
      'some',
    ]);
    expect(r.code).toBe(2);
  });
});
