/** A table runner for RBAC check tests: objects in, the findings' place, severity and message out. */
import { expect, it } from 'vitest';

import type { KubeObject } from '../../../k8s/types.js';
import type { Check } from '../../define-check.js';
import { findingsOf } from '../../test-support/check-harness.js';

export interface ExpectedFinding {
  /** `Kind/name` of the object the finding is on. */
  readonly on: string;
  readonly pointer: string;
  readonly severity: string;
  readonly message: RegExp;
}

export interface FindingCase {
  readonly name: string;
  readonly objects: readonly KubeObject[];
  readonly options?: unknown;
  readonly expected: readonly ExpectedFinding[];
}

export function runFindingCases(check: Check, cases: readonly FindingCase[]): void {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const findings = findingsOf(check, c.objects, c.options);
    expect(
      findings.map((f) => ({ on: `${f.resource.kind}/${f.resource.name}`, pointer: f.location.pointer, severity: f.severity })),
    ).toEqual(c.expected.map(({ on, pointer, severity }) => ({ on, pointer, severity })));
    findings.forEach((f, i) => {
      expect(f.message).toMatch(c.expected[i]?.message ?? /$^/);
    });
  });
}
