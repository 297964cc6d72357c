import { readFileSync } from 'node:fs';

import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';

import { expandInputs } from '../src/sources/file-inputs.js';
import { scanJsonSchema, type ScanJson } from './support/json-contract.js';
import { cli } from './support/run-cli.js';
import { sharedPath, SHARED_AVAILABLE } from './support/shared.js';

const corpus = sharedPath('corpus', 'real-world');

describe.runIf(SHARED_AVAILABLE)('scanning the real-world corpus', () => {
  let code: number;
  let report: ScanJson;
  let stderr: string;

  beforeAll(async () => {
    const run = await cli(['scan', corpus, '--format', 'json']);
    code = run.code;
    stderr = run.stderr;
    report = JSON.parse(run.stdout) as ScanJson;
  }, 120_000);

  it('exits 0 or 1, never crashing', () => {
    expect([0, 1]).toContain(code);
    expect(stderr).not.toContain('unexpected error');
    expect(report.checkErrors).toEqual([]);
  });

  it('prints JSON that validates against the contract', () => {
    const result = scanJsonSchema.safeParse(report);
    expect(result.success ? [] : result.error.issues.slice(0, 5)).toEqual([]);
  });

  it('reads (almost) every document as an object', () => {
    expect(report.summary.objects).toBeGreaterThan(3500);
    expect(report.summary.skippedDocuments).toBeLessThan(20);
  });

  it('reports every document the YAML library cannot parse, with file and line', async () => {
    // An independent reading: every file in which the plain YAML parser finds an error must have an
    // error problem at that file, with a line.
    const files = expandInputs([corpus]).targets.flatMap((t) => (t.kind === 'file' && !t.path.endsWith('.json') ? [t.path] : []));
    const broken: string[] = [];
    for (const [i, file] of files.entries()) {
      const docs = parseAllDocuments(readFileSync(file, 'utf8'));
      if (Array.isArray(docs) && docs.some((d) => d.errors.length > 0)) broken.push(file);
      // Keep the worker responsive to the test runner during this long loop.
      if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(broken.length).toBeGreaterThan(0);
    const reported = new Set(report.problems.filter((p) => p.level === 'error').map((p) => p.location.file));
    for (const file of broken) expect(reported, file).toContain(file);
    for (const problem of report.problems.filter((p) => p.level === 'error')) {
      expect(problem.location.line, `${problem.location.file}: ${problem.message}`).toBeGreaterThan(0);
    }
  });

  it('gives every finding from a file its line', () => {
    // Findings about objects that exist only by implication (a namespace no manifest defines) have no file.
    for (const f of report.findings.filter((x) => x.location.file !== undefined)) {
      expect(f.location.line, `${f.checkId} ${f.location.file ?? ''}`).toBeGreaterThan(0);
    }
  });
});
