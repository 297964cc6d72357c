// Every case of ../shared/conformance/audit-policy/cases.json (the upstream k8s.io/apiserver policy
// tests as data), run against the policy engine.
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { decodePolicy } from '../../src/analysis/audit-policy/decode.js';
import { PolicyChecker } from '../../src/analysis/audit-policy/evaluate.js';
import { parsePolicy } from '../../src/analysis/audit-policy/parse.js';
import { invertStages, unionStages } from '../../src/analysis/audit-policy/stages.js';
import { isAuditStage, type AuditStage, type RequestAttributes } from '../../src/analysis/audit-policy/types.js';
import { toAuditPolicy, validatePolicy } from '../../src/analysis/audit-policy/validate.js';
import { SHARED_AVAILABLE, sharedPath } from '../support/shared.js';

interface CaseAttributes {
  user: { name: string; groups: string[] } | null;
  verb: string;
  namespace: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  name: string;
  path: string;
  isResourceRequest: boolean;
}

interface Cases {
  levelCases: { id: string; attributes: CaseAttributes; policy: unknown; expect: { level: string; omitStages: string[] } }[];
  unionStagesCases: { id: string; policyOmitStages: string[] | null; ruleOmitStages: string[] | null; expectOmitStages: string[] | null }[];
  omitManagedFieldsCases: {
    id: string;
    attributes: CaseAttributes;
    policy: unknown;
    expect: { level: string; omitManagedFields: boolean };
  }[];
  invertStagesCases: { id?: string; stages: string[]; expect: string[] }[];
  validationCases: { id: string; policy: unknown; expectValid: boolean }[];
  parserCases: { id: string; yaml: string; expectError: boolean; expectErrorContains?: string; expectPolicy?: unknown }[];
}

const cases: Cases = SHARED_AVAILABLE
  ? (JSON.parse(readFileSync(sharedPath('conformance', 'audit-policy', 'cases.json'), 'utf8')) as Cases)
  : { levelCases: [], unionStagesCases: [], omitManagedFieldsCases: [], invertStagesCases: [], validationCases: [], parserCases: [] };

function attributesOf(a: CaseAttributes): RequestAttributes {
  return {
    ...(a.user === null ? {} : { user: { name: a.user.name, groups: a.user.groups } }),
    verb: a.verb,
    namespace: a.namespace,
    apiGroup: a.apiGroup,
    apiVersion: a.apiVersion,
    resource: a.resource,
    subresource: a.subresource,
    name: a.name,
    path: a.path,
    isResourceRequest: a.isResourceRequest,
  };
}

function checkerOf(policy: unknown): PolicyChecker {
  const decoded = decodePolicy(policy);
  expect(decoded.problems).toEqual([]);
  expect(validatePolicy(decoded.policy)).toEqual([]);
  return new PolicyChecker(toAuditPolicy(decoded.policy));
}

const stages = (list: readonly string[] | null): AuditStage[] => (list ?? []).filter(isAuditStage);
const asSet = (list: readonly string[] | null): string[] => [...new Set(list ?? [])].sort();

describe.skipIf(!SHARED_AVAILABLE)('audit policy conformance (k8s.io/apiserver tests as data)', () => {
  it('has every section', () => {
    // The README describes 104 level cases; the shipped file holds a subset (ids have gaps), so only
    // the presence of each section is asserted and every case present is run below.
    expect(cases.levelCases.length).toBeGreaterThan(0);
    expect(cases.unionStagesCases).toHaveLength(7);
    expect(cases.omitManagedFieldsCases).toHaveLength(4);
    expect(cases.invertStagesCases).toHaveLength(4);
    expect(cases.validationCases).toHaveLength(22);
    expect(cases.parserCases).toHaveLength(5);
  });

  it.each(cases.levelCases.map((c) => [c.id, c] as const))('%s level and omitStages', (_id, c) => {
    const decision = checkerOf(c.policy).evaluate(attributesOf(c.attributes));
    expect(decision.level).toBe(c.expect.level);
    expect(asSet(decision.omitStages)).toEqual(asSet(c.expect.omitStages));
  });

  it.each(cases.unionStagesCases.map((c) => [c.id, c] as const))('%s union of omitStages', (_id, c) => {
    expect(asSet(unionStages(stages(c.policyOmitStages), stages(c.ruleOmitStages)))).toEqual(asSet(c.expectOmitStages));
    // The same through a policy with one catch-all rule, as the checker builds it.
    const checker = checkerOf({
      apiVersion: 'audit.k8s.io/v1',
      kind: 'Policy',
      omitStages: c.policyOmitStages,
      rules: [{ level: 'Metadata', omitStages: c.ruleOmitStages }],
    });
    const decision = checker.evaluate({
      verb: 'get',
      namespace: '',
      apiGroup: '',
      resource: '',
      subresource: '',
      name: '',
      path: '/healthz',
      isResourceRequest: false,
    });
    expect(asSet(decision.omitStages)).toEqual(asSet(c.expectOmitStages));
  });

  it.each(cases.omitManagedFieldsCases.map((c) => [c.id, c] as const))('%s omitManagedFields', (_id, c) => {
    const decision = checkerOf(c.policy).evaluate(attributesOf(c.attributes));
    expect(decision.omitManagedFields).toBe(c.expect.omitManagedFields);
    expect(decision.level).toBe(c.expect.level);
  });

  it.each(cases.invertStagesCases.map((c, i) => [c.id ?? `invert-${i + 1}`, c] as const))('%s invertStages', (_id, c) => {
    expect(asSet(invertStages(stages(c.stages)))).toEqual(asSet(c.expect));
  });

  it.each(cases.validationCases.map((c) => [c.id, c] as const))('%s ValidatePolicy', (_id, c) => {
    const decoded = decodePolicy(c.policy);
    const errors = [...decoded.problems, ...validatePolicy(decoded.policy)].filter((p) => p.level === 'error');
    expect(errors.length === 0).toBe(c.expectValid);
  });

  it.each(cases.parserCases.map((c) => [c.id, c] as const))('%s LoadPolicyFromBytes', (_id, c) => {
    const result = parsePolicy(c.yaml);
    const errors = result.problems.filter((p) => p.level === 'error');
    expect(errors.length > 0).toBe(c.expectError);
    if (c.expectErrorContains !== undefined) expect(errors.map((e) => e.message).join('\n')).toContain(c.expectErrorContains);
    if (c.expectPolicy !== undefined) {
      const expected = decodePolicy(c.expectPolicy);
      expect(result.policy).toEqual(toAuditPolicy(expected.policy));
    }
  });
});
