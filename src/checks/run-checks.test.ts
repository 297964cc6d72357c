import { describe, expect, it } from 'vitest';

import { Inventory } from '../inventory/inventory.js';
import { readManifestText } from '../sources/read-manifest-text.js';
import { EMPTY_CONFIG } from './config.js';
import { defineCheck, type Check } from './define-check.js';
import { ExceptionMatcher } from './exceptions.js';
import { evaluate } from './run-checks.js';

const YAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: app
          image: a
        - name: sidecar
          image: b
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  type: ClusterIP
`;

const perContainer = defineCheck({
  id: 'workload/test-container',
  target: 'Container',
  meta: { title: 't', area: 'workload', defaultSeverity: 'low', description: 'd', remediation: 'r' },
  messages: { image: 'container {{name}} has image {{image}}' },
  run({ container, pointer }, ctx) {
    if (container.name === 'sidecar')
      ctx.report({ messageId: 'image', pointer: `${pointer}/image`, data: { name: container.name, image: container.image ?? '' } });
  },
});

const throwing = defineCheck({
  id: 'workload/test-throws',
  target: 'PodSpec',
  meta: { title: 't', area: 'workload', defaultSeverity: 'high', description: 'd', remediation: 'r' },
  messages: { never: 'never' },
  run() {
    throw new TypeError('boom');
  },
});

const cluster = defineCheck({
  id: 'network/test-cluster',
  target: 'Cluster',
  meta: { title: 't', area: 'network', defaultSeverity: 'medium', description: 'd', remediation: 'r' },
  messages: { svc: 'service {{name}}', ns: 'namespace {{name}}' },
  run({ inventory }, ctx) {
    for (const entry of inventory.ofKind('Service'))
      ctx.report({ messageId: 'svc', resource: entry, pointer: '/spec/type', data: { name: entry.ref.name }, severity: 'critical' });
    for (const ns of inventory.namespaces())
      if (ns.implied)
        ctx.report({ messageId: 'ns', resource: { apiVersion: 'v1', kind: 'Namespace', name: ns.name }, data: { name: ns.name } });
  },
});

function run(checks: Check[], options: { collectEvaluations?: boolean; exceptions?: ExceptionMatcher } = {}) {
  const { inventory } = Inventory.from(readManifestText(YAML, 'app.yaml').objects);
  return evaluate(
    inventory,
    checks.map((check) => ({ check, severity: check.meta.defaultSeverity, options: {} })),
    options,
  );
}

describe('evaluate', () => {
  it('builds findings with message, field path, line, container and fingerprint', () => {
    const { findings } = run([perContainer]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      checkId: 'workload/test-container',
      severity: 'low',
      message: 'container sidecar has image b',
      container: 'sidecar',
      resource: { kind: 'Deployment', namespace: 'shop', name: 'web' },
      location: {
        file: 'app.yaml',
        documentIndex: 0,
        line: 13,
        column: 11,
        path: 'spec.template.spec.containers[1].image',
        pointer: '/spec/template/spec/containers/1/image',
      },
    });
    expect(findings[0]?.fingerprint).toMatch(/^[0-9a-f]{32}$/);
  });

  it('turns a throwing check into an error outcome and keeps the others running', () => {
    const result = run([throwing, perContainer], { collectEvaluations: true });
    expect(result.errors).toEqual([
      { checkId: 'workload/test-throws', resource: expect.objectContaining({ name: 'web' }), message: 'boom' },
    ]);
    expect(result.findings).toHaveLength(1);
    expect(result.evaluations?.find((e) => e.checkId === 'workload/test-throws')?.outcome).toBe('error');
  });

  it('records pass and fail outcomes per check and object', () => {
    const result = run([perContainer], { collectEvaluations: true });
    expect(result.evaluations).toEqual([
      expect.objectContaining({ checkId: 'workload/test-container', outcome: 'fail', file: 'app.yaml' }),
    ]);
  });

  it('lets cluster checks report on any object, or on an implied one, and override severity', () => {
    const { findings } = run([cluster]);
    expect(findings.map((f) => [f.severity, f.resource.kind, f.resource.name, f.location.line ?? null])).toEqual([
      ['critical', 'Service', 'web', 21],
      ['medium', 'Namespace', 'shop', null],
    ]);
  });

  it('orders findings canonically whatever the input order', () => {
    const a = run([cluster, perContainer]).findings.map((f) => f.fingerprint);
    const b = run([perContainer, cluster]).findings.map((f) => f.fingerprint);
    expect(a).toEqual(b);
  });

  it('marks findings waived by exceptions as suppressed, keeping them', () => {
    const exceptions = new ExceptionMatcher(
      { ...EMPTY_CONFIG, exceptions: [{ check: 'workload/test-container', container: 'sidecar', reason: 'vendor image' }] },
      { annotations: true, today: '2026-01-01' },
    );
    const { findings } = run([perContainer], { exceptions });
    expect(findings[0]?.suppression).toMatchObject({ kind: 'config', reason: 'vendor image' });
  });
});

describe('evaluate: several findings of one check at one field', () => {
  /** Reports the flags named in `missing` as absent from one field, as control-plane flag checks do. */
  const missingFlags = (missing: readonly string[], keyed: boolean) =>
    defineCheck({
      id: 'control-plane/test-missing-flags',
      target: 'Object',
      kinds: ['Service'],
      meta: { title: 't', area: 'control-plane', defaultSeverity: 'medium', description: 'd', remediation: 'r' },
      messages: { missing: '--{{flag}} is not set', other: 'something else' },
      run(_subject, ctx) {
        for (const flag of missing) ctx.report({ messageId: 'missing', pointer: '/spec', data: { flag }, ...(keyed ? { key: flag } : {}) });
      },
    });
  const fingerprints = (missing: readonly string[], keyed: boolean) =>
    new Map(run([missingFlags(missing, keyed)]).findings.map((f) => [f.message, f.fingerprint]));

  it('gives each its own fingerprint from its content, whatever the order of reporting', () => {
    for (const keyed of [false, true]) {
      const both = fingerprints(['profiling', 'audit-log-path'], keyed);
      expect(new Set(both.values()).size).toBe(2);
      const reordered = fingerprints(['audit-log-path', 'profiling'], keyed);
      expect(reordered).toEqual(both);
    }
  });

  it('with an explicit key, a finding keeps its fingerprint when its sibling goes away', () => {
    const both = fingerprints(['profiling', 'audit-log-path'], true);
    const alone = fingerprints(['audit-log-path'], true);
    expect(alone.get('--audit-log-path is not set')).toBe(both.get('--audit-log-path is not set'));
  });

  it('keeps the plain fingerprint when there is no collision', () => {
    const [single] = run([missingFlags(['profiling'], false)]).findings;
    const [other] = run([missingFlags(['audit-log-path'], false)]).findings;
    expect(single?.fingerprint).toBe(other?.fingerprint);
  });
});
