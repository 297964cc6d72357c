import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { scanJsonSchema } from './support/json-contract.js';
import { cli } from './support/run-cli.js';

const DEMO = ['examples/demo', '--config', 'examples/demo/.vigil.yaml'];

describe('vigil scan', () => {
  it('exits 0 by default, 1 with --fail-on at or below the worst finding, 0 above it', async () => {
    expect((await cli(['scan', ...DEMO])).code).toBe(0);
    expect((await cli(['scan', ...DEMO, '--fail-on', 'medium'])).code).toBe(1);
    expect((await cli(['scan', ...DEMO, '--fail-on', 'critical', '--only', 'images/*'])).code).toBe(0);
  });

  it('prints the JSON contract', async () => {
    const run = await cli(['scan', ...DEMO, '--format', 'json']);
    const parsed = scanJsonSchema.safeParse(JSON.parse(run.stdout));
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
  });

  it('writes to --output and puts the summary on stderr', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'vigil-cli-')), 'report.sarif');
    const run = await cli(['scan', ...DEMO, '--format', 'sarif', '-o', out, '--fail-on', 'critical']);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^vigil: \d+ findings .* → .*report\.sarif$/m);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ version: '2.1.0' });
    // The demo's RBAC mistakes (cluster-admin for the CI deployer, …) are high and critical.
    expect(run.code).toBe(1);
  });

  it('reads standard input', async () => {
    const stdin = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: "nginx:latest"}]\n';
    const run = await cli(['scan', '-', '--format', 'json', '--only', 'images/latest-tag'], { stdin });
    const report = JSON.parse(run.stdout) as { findings: { location: { file: string; line: number } }[] };
    expect(report.findings).toEqual([expect.objectContaining({ location: expect.objectContaining({ file: '-', line: 5 }) })]);
  });

  it('honours annotation exceptions unless told not to', async () => {
    const count = async (extra: string[]) =>
      (JSON.parse((await cli(['scan', ...DEMO, '--format', 'json', ...extra])).stdout) as { summary: { suppressed: number } }).summary
        .suppressed;
    expect(await count([])).toBe(2);
    expect(await count(['--no-annotation-exceptions'])).toBe(1);
  });

  it('audits exceptions, exiting 1 when one is stale', async () => {
    const run = await cli(['scan', ...DEMO, '--audit-exceptions']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Stale exceptions (1)');
    expect(run.stdout).toContain('images/latest-tag');
  });

  it('treats bad flags and unknown checks as usage errors (exit 2)', async () => {
    expect((await cli(['scan', ...DEMO, '--format', 'xml'])).code).toBe(2);
    expect((await cli(['scan', ...DEMO, '--fail-on', 'urgent'])).code).toBe(2);
    const unknown = await cli(['scan', ...DEMO, '--only', 'images/nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--only: no check matches "images/nope"');
    expect((await cli(['scan'])).code).toBe(2);
    expect((await cli(['frobnicate'])).code).toBe(2);
  });

  it('reports a broken config with its line, exit 2', async () => {
    const run = await cli(['scan', 'examples/demo', '--config', 'src/checks/images/latest-tag/fixtures/fail.latest.yaml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/fail\.latest\.yaml:1: invalid configuration/);
  });
});

describe('vigil checks and explain', () => {
  it('lists the catalog as a table and as JSON', async () => {
    const table = await cli(['checks']);
    expect(table.stdout).toMatch(/^ID +AREA +SEVERITY +FRAMEWORKS +TITLE$/m);
    expect(table.stdout).toMatch(/^images\/latest-tag +images +medium /m);
    const json = JSON.parse((await cli(['checks', '--format', 'json', '--area', 'images'])).stdout) as { id: string }[];
    expect(json.map((c) => c.id)).toEqual(expect.arrayContaining(['images/latest-tag', 'images/no-digest']));
    expect(json.every((c) => c.id.startsWith('images/'))).toBe(true);
    expect((await cli(['checks', '--area', 'nope'])).code).toBe(2);
  });

  it('explains a check, and suggests the right id for a typo', async () => {
    const run = await cli(['explain', 'images/latest-tag']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^images\/latest-tag — Image uses the latest tag or no tag$/m);
    expect(run.stdout).toContain('## Why it matters');
    const typo = await cli(['explain', 'images/latst-tag']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Did you mean images/latest-tag?');
  });

  it('prints help and version with exit 0', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('vigil scan k8s/');
    expect((await cli(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
