/**
 * Helpers for check tests: build objects readably, run one check on them, and get its findings.
 * Used by the check.test.ts files beside each check; not part of the build.
 */
import type { Finding } from '../../core/finding.js';
import { Inventory } from '../../inventory/inventory.js';
import type { KubeObject } from '../../k8s/types.js';
import type { SourcedObject } from '../../sources/manifest-objects.js';
import { readManifestText } from '../../sources/read-manifest-text.js';
import type { Check } from '../define-check.js';
import { ExceptionMatcher } from '../exceptions.js';
import { EMPTY_CONFIG } from '../config.js';
import { evaluate, type EvaluationResult } from '../run-checks.js';

type Json = Record<string, unknown>;

export function container(name: string, fields: Json = {}): Json {
  return { name, image: `ghcr.io/acme/${name}:1.0.0`, ...fields };
}

export function podSpec(containers: Json[], fields: Json = {}): Json {
  return { containers, ...fields };
}

export function pod(name: string, spec: Json, metadata: Json = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ...metadata }, spec };
}

export function deployment(name: string, spec: Json, metadata: Json = {}, templateMetadata: Json = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', ...metadata },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name }, ...templateMetadata }, spec } },
  };
}

export function object(apiVersion: string, kind: string, name: string, rest: Json = {}, metadata: Json = {}): KubeObject {
  return { apiVersion, kind, metadata: { name, ...metadata }, ...rest };
}

/** Run checks on objects (no file positions) with default severity and the given options. */
export function runChecks(checks: readonly Check[], objects: readonly KubeObject[], options: unknown[] = []): EvaluationResult {
  return runSourcedChecks(
    checks,
    objects.map((o) => ({ object: o })),
    options,
  );
}

/** Run checks on objects as read from a file (with their sources), with default severity and the given options. */
export function runSourcedChecks(checks: readonly Check[], objects: readonly SourcedObject[], options: unknown[] = []): EvaluationResult {
  const { inventory } = Inventory.from(objects);
  return evaluate(
    inventory,
    checks.map((check, i) => ({ check, severity: check.meta.defaultSeverity, options: options[i] ?? check.options?.parse({}) ?? {} })),
    { exceptions: new ExceptionMatcher(EMPTY_CONFIG, { annotations: true, today: '2026-01-01' }) },
  );
}

/** Findings of one check on some objects. */
export function findingsOf(check: Check, objects: readonly KubeObject[], options?: unknown): Finding[] {
  const result = runChecks([check], objects, options === undefined ? [] : [options]);
  if (result.errors.length > 0) throw new Error(`check errors: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.findings;
}

/** Findings of one check on a YAML text, with positions (to assert lines). */
export function findingsOfYaml(check: Check, yaml: string, options?: unknown): Finding[] {
  const read = readManifestText(yaml, 'test.yaml', 'yaml');
  if (read.problems.some((p) => p.level === 'error')) throw new Error(read.problems.map((p) => p.message).join('; '));
  const { inventory } = Inventory.from(read.objects);
  const result = evaluate(inventory, [{ check, severity: check.meta.defaultSeverity, options: options ?? check.options?.parse({}) ?? {} }]);
  if (result.errors.length > 0) throw new Error(`check errors: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.findings;
}
