/**
 * Every case of ../shared/conformance/pod-security (the upstream PodSecurity admission fixtures, one
 * Pod per file, for every level and version v1.0 … v1.37): `pass/` must be allowed and `fail/`
 * forbidden, with upstream's expected message substring. Each fixture is parsed once and then judged
 * as a Pod, as a Deployment's template and as a CronJob's template, which must agree.
 */
import { readdirSync, readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { isRecord } from '../../k8s/guards.js';
import type { KubeObject } from '../../k8s/types.js';
import { readManifestText } from '../../sources/read-manifest-text.js';
import { sharedPath } from '../../../test/support/shared.js';
import { detailsText, evaluateObject, evaluatePod, parsePolicy, type PssResult } from './evaluate.js';
import { NEWEST_MINOR } from './registry.js';

interface Case {
  readonly file: string;
  readonly level: 'baseline' | 'restricted';
  readonly version: string;
  readonly expect: 'allowed' | 'forbidden';
  readonly check: string | null;
  readonly messageContains?: string;
  readonly needsDefaulting?: string;
}

const root = sharedPath('conformance', 'pod-security');
const cases = JSON.parse(readFileSync(`${root}/cases.json`, 'utf8')) as Case[];

/**
 * Parse every fixture once, through the same reader `vigil` uses for files. Most files are identical
 * across versions (a few hundred distinct texts), so identical texts share one parse; the engine never
 * mutates what it judges.
 */
const pods = new Map<string, KubeObject>();

/** Frozen inputs prove the engine never writes to what it judges (defaulting works on a view). */
function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}

const byText = new Map<string, KubeObject>();
for (const c of cases) {
  const text = readFileSync(`${root}/${c.file}`, 'utf8');
  let object = byText.get(text);
  if (object === undefined) {
    const read = readManifestText(text, c.file, 'yaml', undefined, { withPositions: false });
    object = read.objects[0]?.object;
    if (read.objects.length !== 1 || object === undefined) throw new Error(`${c.file}: expected one object`);
    deepFreeze(object);
    byText.set(text, object);
  }
  pods.set(c.file, object);
}

function deploymentOf(pod: KubeObject): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: pod.metadata.name },
    spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: pod.metadata, spec: pod.spec } },
  };
}

function cronJobOf(pod: KubeObject): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: pod.metadata.name },
    spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { metadata: pod.metadata, spec: pod.spec } } } },
  };
}

/** The violations with pointers made relative to the template, so a Pod and a workload compare equal. */
function relative(result: PssResult | undefined, prefix: string): unknown {
  return result?.violations.map((v) => ({
    ...v,
    fields: v.fields.map((f) => ({ ...f, pointer: f.pointer.startsWith(prefix) ? f.pointer.slice(prefix.length) : `!${f.pointer}` })),
  }));
}

/** Everything wrong with one case, or [] when it conforms. */
function judge(c: Case, version: string): string[] {
  const pod = pods.get(c.file) as KubeObject;
  const policy = parsePolicy(c.level, version);
  if (policy === undefined) return [`bad policy ${c.level}:${version}`];
  const result = evaluatePod({ metadata: pod.metadata, spec: pod.spec }, policy);
  const problems: string[] = [];
  const verdict = result.allowed ? 'allowed' : 'forbidden';
  if (verdict !== c.expect)
    problems.push(`${c.file} at ${version}: expected ${c.expect}, got ${verdict}: ${detailsText(result.violations)}`);
  if (c.messageContains !== undefined && !detailsText(result.violations).includes(c.messageContains)) {
    problems.push(`${c.file}: message lacks ${JSON.stringify(c.messageContains)}: ${detailsText(result.violations)}`);
  }
  for (const v of result.violations) {
    if (v.reason === '' || v.fields.length === 0) problems.push(`${c.file}: ${v.control} has no reason or no field`);
  }
  const asPod = relative(evaluateObject(pod, policy), '');
  const asDeployment = relative(evaluateObject(deploymentOf(pod), policy), '/spec/template');
  const asCronJob = relative(evaluateObject(cronJobOf(pod), policy), '/spec/jobTemplate/spec/template');
  if (JSON.stringify(asDeployment) !== JSON.stringify(asPod))
    problems.push(`${c.file}: Deployment template verdict differs from the Pod's`);
  if (JSON.stringify(asCronJob) !== JSON.stringify(asPod)) problems.push(`${c.file}: CronJob template verdict differs from the Pod's`);
  return problems;
}

const groups = new Map<string, Case[]>();
for (const c of cases) {
  const key = `${c.level} ${c.version}`;
  groups.set(key, [...(groups.get(key) ?? []), c]);
}

describe('Pod Security conformance (upstream fixtures)', () => {
  it('has a case for every fixture file, at every level and version from v1.0', () => {
    const files = readdirSync(`${root}/fixtures`, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => `fixtures/${f.replaceAll('\\', '/')}`)
      .sort();
    expect(cases.map((c) => c.file).sort()).toEqual(files);
    expect(groups.size).toBe(2 * (NEWEST_MINOR + 1));
    for (const c of cases) expect(c.file).toContain(`/${c.expect === 'allowed' ? 'pass' : 'fail'}/`);
  });

  for (const [key, group] of groups) {
    it(`${key}: ${group.length} cases as Pod, Deployment and CronJob`, () => {
      expect(group.flatMap((c) => judge(c, c.version))).toEqual([]);
    });
  }

  it(`evaluates the v1.${NEWEST_MINOR} cases identically at "latest" and at any newer version`, () => {
    const newest = cases.filter((c) => c.version === `v1.${NEWEST_MINOR}`);
    expect(newest.length).toBeGreaterThan(0);
    expect(newest.flatMap((c) => [...judge(c, 'latest'), ...judge(c, `v1.${NEWEST_MINOR + 5}`)])).toEqual([]);
  });

  it('needs API defaulting exactly where the suite says so', () => {
    const marked = cases.filter((c) => c.needsDefaulting !== undefined);
    expect(marked.length).toBe(NEWEST_MINOR + 1);
    for (const c of marked) {
      const pod = pods.get(c.file) as KubeObject;
      const policy = parsePolicy(c.level, c.version);
      if (policy === undefined) throw new Error('bad policy');
      const raw = evaluatePod({ metadata: pod.metadata, spec: pod.spec }, policy, { defaulting: false });
      expect(raw.allowed).toBe(false);
      expect(detailsText(raw.violations)).toContain('restricted volume type "unknown"');
    }
  });

  it('reads every fixture as the Pod its file name says', () => {
    for (const c of cases) {
      const pod = pods.get(c.file) as KubeObject;
      expect(pod.kind).toBe('Pod');
      expect(isRecord(pod.spec)).toBe(true);
      expect(`${pod.metadata.name}.yaml`).toBe(c.file.slice(c.file.lastIndexOf('/') + 1));
    }
  });
});
