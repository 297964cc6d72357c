import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import type { InputProblem } from '../src/core/errors.js';
import { cli } from './support/run-cli.js';

const pod = (name: string): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: t\nspec:\n  containers:\n    - name: c\n      image: nginx:latest\n`;

function aliasBomb(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  const names = 'bcdefghi'.split('');
  let previous = 'a';
  for (const name of names) {
    lines.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${previous}`).join(', ')}]`);
    previous = name;
  }
  return `${lines.join('\n')}\n`;
}

interface Report {
  summary: { objects: number; skippedDocuments: number; inputErrors: number; files: number };
  findings: { resource: { name: string }; location: { file: string } }[];
  problems: InputProblem[];
}

describe('broken inputs beside good ones', () => {
  let dir: string;
  let report: Report;
  let code: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-broken-'));
    writeFileSync(join(dir, 'a-good.yaml'), pod('good-a'));
    writeFileSync(join(dir, 'b-syntax.yaml'), `${pod('before-error')}---\nkind: Pod\nmetadata: {name: [oops\n---\n${pod('after-error')}`);
    writeFileSync(join(dir, 'c-alias-bomb.yaml'), `${aliasBomb()}---\n${pod('after-bomb')}`);
    writeFileSync(join(dir, 'd-binary.yaml'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]));
    writeFileSync(join(dir, 'e-empty.yaml'), '');
    writeFileSync(join(dir, 'f-values.yaml'), 'replicaCount: 3\nimage:\n  repository: nginx\n');
    writeFileSync(
      join(dir, 'g-huge.yaml'),
      `${pod('before-huge')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge\ndata:\n  blob: "${'x'.repeat(50 * 1024 * 1024)}"\n---\n${pod('after-huge')}`,
    );
    writeFileSync(
      join(dir, 'h-latin1.yaml'),
      Buffer.concat([Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
    );
    writeFileSync(join(dir, 'i-no-kind.yaml'), 'apiVersion: v1\nmetadata:\n  name: nameless\n');
    writeFileSync(join(dir, 'j-no-name.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  labels: {a: b}\nspec: {}\n');
    const run = await cli(['scan', dir, '--format', 'json']);
    code = run.code;
    report = JSON.parse(run.stdout) as Report;
  });

  const problemIn = (file: string): InputProblem[] => report.problems.filter((p) => p.location.file.endsWith(file));

  it('still scans every good document', () => {
    const names = new Set(report.findings.map((f) => f.resource.name));
    for (const name of ['good-a', 'before-error', 'after-error', 'after-bomb', 'before-huge', 'after-huge']) expect(names).toContain(name);
    expect(report.summary.objects).toBe(6);
    expect(code).toBe(0);
  });

  it('reports a YAML syntax error with its document and line', () => {
    const [problem] = problemIn('b-syntax.yaml');
    expect(problem).toMatchObject({ code: 'yaml-syntax', level: 'error', location: { documentIndex: 1 } });
    expect(problem?.location.line).toBeGreaterThanOrEqual(11);
    expect(problem?.hint).toBeTruthy();
  });

  it('refuses an alias bomb', () => {
    expect(problemIn('c-alias-bomb.yaml')).toEqual([
      expect.objectContaining({ code: 'alias-limit', level: 'error', location: expect.objectContaining({ line: 1, documentIndex: 0 }) }),
    ]);
  });

  it('says a binary file is binary', () => {
    expect(problemIn('d-binary.yaml')).toEqual([expect.objectContaining({ code: 'binary', message: expect.stringContaining('binary') })]);
  });

  it('notes an empty file', () => {
    expect(problemIn('e-empty.yaml')).toEqual([expect.objectContaining({ code: 'empty', level: 'warning' })]);
  });

  it('skips YAML that is not a Kubernetes object, saying so', () => {
    expect(problemIn('f-values.yaml')).toEqual([
      expect.objectContaining({ code: 'not-kubernetes', location: expect.objectContaining({ line: 1 }) }),
    ]);
    expect(problemIn('i-no-kind.yaml')).toEqual([
      expect.objectContaining({ code: 'not-kubernetes', message: expect.stringContaining('kind') }),
    ]);
  });

  it('refuses a 50 MB document with a hint, reading its neighbours', () => {
    const [problem] = problemIn('g-huge.yaml');
    expect(problem).toMatchObject({ code: 'too-large', level: 'error', location: { documentIndex: 1, line: 10 } });
    expect(problem?.message).toMatch(/50\.\d MiB/);
    expect(problem?.hint).toContain('--max-document-size');
  });

  it('says a file that is not UTF-8 is not text', () => {
    expect(problemIn('h-latin1.yaml')).toEqual([expect.objectContaining({ code: 'binary', message: expect.stringContaining('UTF-8') })]);
  });

  it('reports an object without a name', () => {
    expect(problemIn('j-no-name.yaml')).toEqual([
      expect.objectContaining({
        code: 'missing-field',
        message: 'Service has no metadata.name',
        location: expect.objectContaining({ line: 1 }),
      }),
    ]);
  });

  it('counts what it skipped', () => {
    expect(report.summary.files).toBe(10);
    expect(report.summary.inputErrors).toBe(report.problems.filter((p) => p.level === 'error').length);
    expect(report.summary.skippedDocuments).toBe(6);
  });

  it('exits 2 under --strict when any document was unreadable', async () => {
    const run = await cli(['scan', dir, '--format', 'json', '--strict']);
    expect(run.code).toBe(2);
  });

  it('exits 2 for a path that does not exist, after scanning the others', async () => {
    const run = await cli(['scan', join(dir, 'a-good.yaml'), join(dir, 'missing.yaml')]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('missing.yaml: error: no such file or folder');
    expect(run.stdout).toContain('Pod t/good-a');
  });

  it('exits 2 and says so when the input holds no Kubernetes object at all', async () => {
    const run = await cli(['scan', join(dir, 'f-values.yaml')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no Kubernetes objects found');
  });

  it('refuses files over --max-file-size', async () => {
    const run = await cli(['scan', join(dir, 'g-huge.yaml'), join(dir, 'a-good.yaml'), '--max-file-size', '1', '--format', 'json']);
    const r = JSON.parse(run.stdout) as Report;
    expect(r.problems).toEqual([expect.objectContaining({ code: 'too-large', message: expect.stringContaining('over the 1 MiB limit') })]);
    expect(r.summary.objects).toBe(1);
  });
});
