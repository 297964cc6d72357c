/**
 * A reusable harness for the kubescape regolibrary fixtures in ../shared/conformance/posture/kubescape
 * (read in place; see that folder's README). It loads a case's input files the way the upstream runner
 * does, runs Vigil checks on them as one resource set, and turns findings into kubescape's verdict and
 * failing-resource set so the two can be compared.
 *
 * Failing resources are `Kind/name` for objects, and for RBAC subject rules (`subject-role-rolebinding`
 * aggregator) the subject: `Kind/name`, or `Kind/namespace/name` when the subject entry carries a
 * namespace. Vigil reports subject grants on the binding (pointer `/subjects/<i>`) and wildcard rules on
 * the role; both are mapped back to subjects here.
 */
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';

import { RbacIndex } from '../../src/analysis/rbac/rbac-index.js';
import { CATALOG } from '../../src/checks/catalog.js';
import { evaluate } from '../../src/checks/run-checks.js';
import type { Finding } from '../../src/core/finding.js';
import { apiGroupOf } from '../../src/core/resource-ref.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { isRecord } from '../../src/k8s/guards.js';
import type { SourcedObject } from '../../src/sources/manifest-objects.js';
import { readManifestText } from '../../src/sources/read-manifest-text.js';
import { sharedPath } from '../support/shared.js';

export const KUBESCAPE_DIR = sharedPath('conformance', 'posture', 'kubescape');

/** One entry of kubescape/cases.json (the fields the harness uses). */
export interface KubescapeCase {
  readonly rule: string;
  readonly ruleName?: string;
  readonly scope: 'objects' | 'control-plane';
  readonly controls: readonly string[];
  readonly case: string;
  readonly inputs: readonly string[];
  readonly expect: 'pass' | 'fail';
  readonly failing: readonly string[];
  readonly resourcesAggregator?: string;
  readonly firstDocumentOnly?: boolean;
  readonly data?: unknown;
  readonly note?: string;
}

export function loadKubescapeCases(): KubescapeCase[] {
  return JSON.parse(readFileSync(join(KUBESCAPE_DIR, 'cases.json'), 'utf8')) as KubescapeCase[];
}

/**
 * A case's objects: every input file, one object per file as upstream reads them (only the first YAML
 * document when the case says `firstDocumentOnly`). Read problems make the case unusable: they throw.
 */
export function loadCaseObjects(c: KubescapeCase): SourcedObject[] {
  const out: SourcedObject[] = [];
  for (const input of c.inputs) {
    const text = readFileSync(join(KUBESCAPE_DIR, input), 'utf8');
    const read = readManifestText(text, input, extname(input) === '.json' ? 'json' : 'yaml');
    const errors = read.problems.filter((p) => p.level === 'error');
    if (errors.length > 0) throw new Error(`${input}: ${errors.map((p) => p.message).join('; ')}`);
    out.push(...(c.firstDocumentOnly === true ? read.objects.filter((o) => o.source?.documentIndex === 0) : read.objects));
  }
  return out;
}

export interface CaseRun {
  readonly inventory: Inventory;
  readonly findings: readonly Finding[];
  readonly verdict: 'pass' | 'fail';
}

/** Run checks (default settings) on a case's objects; `fail` when any of them reports a finding. */
export function runCase(c: KubescapeCase, checkIds: readonly string[]): CaseRun {
  const { inventory } = Inventory.from(loadCaseObjects(c));
  const checks = checkIds.map((id) => {
    const check = CATALOG.get(id);
    if (check === undefined) throw new Error(`no check ${id}`);
    return { check, severity: check.meta.defaultSeverity, options: check.options?.parse({}) ?? {} };
  });
  const result = evaluate(inventory, checks);
  if (result.errors.length > 0) throw new Error(`check errors: ${result.errors.map((e) => `${e.checkId}: ${e.message}`).join('; ')}`);
  return { inventory, findings: result.findings, verdict: result.findings.length > 0 ? 'fail' : 'pass' };
}

/** `Kind/name` of each object with a finding (kubescape strips namespaces from failing objects). */
export function failingObjects(run: CaseRun): string[] {
  return [...new Set(run.findings.map((f) => `${f.resource.kind}/${f.resource.name}`))].sort();
}

function subjectName(subject: unknown): string | undefined {
  if (!isRecord(subject) || typeof subject.kind !== 'string' || typeof subject.name !== 'string') return undefined;
  return typeof subject.namespace === 'string' && subject.namespace !== ''
    ? `${subject.kind}/${subject.namespace}/${subject.name}`
    : `${subject.kind}/${subject.name}`;
}

/**
 * The subjects Vigil's findings are about: the subject entry a binding finding points at, and every
 * subject of every binding that resolves to a role a finding is about.
 */
export function failingSubjects(run: CaseRun): string[] {
  const index = RbacIndex.of(run.inventory);
  const out = new Set<string>();
  for (const f of run.findings) {
    const { kind, name, namespace } = f.resource;
    const group = apiGroupOf(f.resource.apiVersion);
    if (kind === 'RoleBinding' || kind === 'ClusterRoleBinding') {
      const entry = run.inventory.get(group, kind, namespace, name);
      const match = /^\/subjects\/(\d+)/.exec(f.location.pointer);
      const subjects = entry?.object.subjects;
      if (match !== null && Array.isArray(subjects)) {
        const s = subjectName((subjects as unknown[])[Number(match[1])]);
        if (s !== undefined) out.add(s);
      }
    } else if (kind === 'Role' || kind === 'ClusterRole') {
      const role = index.role(kind, name, namespace);
      for (const binding of role === undefined ? [] : index.bindingsTo(role)) {
        for (const subject of binding.subjects) {
          out.add(
            subject.namespace === undefined || subject.namespace === ''
              ? `${subject.kind}/${subject.name}`
              : `${subject.kind}/${subject.namespace}/${subject.name}`,
          );
        }
      }
    }
  }
  return [...out].sort();
}
