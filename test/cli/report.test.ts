// `vigil report` over a store two clusters were monitored into (the demo, and a copy of it where the
// privileged pod was fixed and the ops namespace removed): every cluster, one cluster, a comparison;
// text, markdown and JSON; exit codes for --fail-on and for bad input.
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ClusterDetailJson, ComparisonJson, FleetJson } from '../../src/server/api-types.js';
import { cli } from '../support/run-cli.js';
import { REPO_ROOT } from '../support/shared.js';

const DEMO = join(REPO_ROOT, 'examples', 'demo');

let dir: string;
let db: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-report-'));
  db = join(dir, 'vigil.db');
  const prod = await cli(['monitor', DEMO, '--once', '--cluster-name', 'prod', '--store', db, '--audit-log', join(DEMO, 'audit.log')]);
  expect(prod.code, prod.stderr).toBe(0);
  // staging starts as the demo, then its privileged debug pod is fixed and the ops namespace goes.
  const staging = join(dir, 'staging');
  cpSync(DEMO, staging, { recursive: true });
  rmSync(join(staging, 'audit.log'));
  expect((await cli(['monitor', staging, '--once', '--cluster-name', 'staging', '--store', db])).code).toBe(0);
  for (const file of readdirSync(staging).filter((f) => f.endsWith('.yaml'))) {
    const path = join(staging, file);
    writeFileSync(path, readFileSync(path, 'utf8').replace(/privileged: true/g, 'privileged: false'));
  }
  rmSync(join(staging, '40-ops.yaml'));
  expect((await cli(['monitor', staging, '--once', '--cluster-name', 'staging', '--store', db])).code).toBe(0);
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('vigil report', () => {
  it('lists every cluster with its open findings, changes and alerts', async () => {
    const json = await cli(['report', '--store', db, '-f', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const fleet = JSON.parse(json.stdout) as FleetJson;
    expect(fleet.clusters.map((c) => c.cluster)).toEqual(['prod', 'staging']);
    const [prod, staging] = fleet.clusters;
    // The demo's replayed audit log raised alerts in prod only.
    expect(prod?.alerts.total).toBeGreaterThan(0);
    expect(staging?.alerts.total).toBe(0);
    // Fixing and removing things resolved findings in staging.
    expect(staging?.changes.resolved).toBeGreaterThan(0);
    expect(staging?.open.total).toBeLessThan(prod?.open.total ?? 0);
    expect(staging?.open.bySeverity.critical).toBe(0);

    const text = await cli(['report', '--store', db]);
    expect(text.code).toBe(0);
    const line = (name: string): string => text.stdout.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';
    expect(line('prod')).toContain(String(prod?.open.bySeverity.medium));
    expect(line('staging')).toContain('sync ok');
    expect(text.stdout).toContain('Top checks');
  });

  it('shows one cluster in full', async () => {
    const run = await cli(['report', '--store', db, '--cluster', 'prod', '-f', 'json', '--limit', '5']);
    expect(run.code, run.stderr).toBe(0);
    const detail = JSON.parse(run.stdout) as ClusterDetailJson;
    expect(detail.summary.cluster).toBe('prod');
    expect(detail.findings.shown).toHaveLength(5);
    expect(detail.findings.total).toBe(detail.summary.open.total);
    expect(detail.findings.shown[0]?.severity).toBe('critical');
    expect(detail.alerts.shown.length).toBeGreaterThan(0);
    const text = await cli(['report', '--store', db, '--cluster', 'prod', '--limit', '5']);
    expect(text.stdout).toContain('Cluster prod');
    expect(text.stdout).toContain(`Open findings: ${detail.findings.total}, most severe first (first 5; --limit for more)`);
  });

  it('compares clusters finding by finding', async () => {
    const run = await cli(['report', '--store', db, '--compare', '-f', 'json', '--limit', '1000']);
    expect(run.code, run.stderr).toBe(0);
    const cmp = JSON.parse(run.stdout) as ComparisonJson;
    expect(cmp.clusters).toEqual(['prod', 'staging']);
    const privileged = cmp.drift.findings.find((d) => d.checkId === 'pod-security/baseline-privileged');
    // The debug pod lived in ops, which staging removed: its finding is resolved there.
    expect(privileged?.placement).toEqual({ prod: 'open', staging: 'resolved' });
    // Everything open in staging is open in prod too (staging only lost things).
    expect(cmp.drift.findings.every((d) => d.placement.prod === 'open')).toBe(true);
    expect(cmp.common).toBe(cmp.summaries.find((s) => s.cluster === 'staging')?.open.total);
    expect(cmp.drift.total).toBe((cmp.summaries[0]?.open.total ?? 0) - cmp.common);

    const md = await cli(['report', '--store', db, '--compare', '--cluster', 'prod,staging', '-f', 'markdown']);
    expect(md.stdout).toMatch(/^# Comparing prod, staging/);
    expect(md.stdout).toContain('| critical | **`pod-security/baseline-privileged`** | 1 | 0 |');
  });

  it('fails CI on --fail-on: open findings, or with --compare findings that differ', async () => {
    expect((await cli(['report', '--store', db, '--fail-on', 'critical'])).code).toBe(1);
    expect((await cli(['report', '--store', db, '--cluster', 'staging', '--fail-on', 'critical'])).code).toBe(0);
    expect((await cli(['report', '--store', db, '--cluster', 'staging', '--fail-on', 'high'])).code).toBe(1);
    expect((await cli(['report', '--store', db, '--compare', '--fail-on', 'critical'])).code).toBe(1);
    // none (the default) never fails.
    expect((await cli(['report', '--store', db, '--compare', '--fail-on', 'none'])).code).toBe(0);
  });

  it('writes a report file', async () => {
    const out = join(dir, 'fleet.md');
    expect((await cli(['report', '--store', db, '-f', 'markdown', '-o', out])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^# Vigil fleet report/);
  });

  it('says what is wrong with bad input, and never creates a store', async () => {
    const unknown = await cli(['report', '--store', db, '--cluster', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown cluster "nope"');
    expect(unknown.stderr).toContain('The store holds: prod, staging.');
    const one = await cli(['report', '--store', db, '--compare', '--cluster', 'prod']);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('--compare needs at least two clusters');
    const since = await cli(['report', '--store', db, '--since', 'last week']);
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('neither a duration nor a time');
    expect((await cli(['report', '--store', db, '--limit', '0'])).code).toBe(2);
    const missing = join(dir, 'typo.db');
    const none = await cli(['report', '--store', missing]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`no store at ${missing}`);
    expect(existsSync(missing)).toBe(false);
  });
});
