/**
 * Kubescape's RBAC fixtures that map to Vigil checks give the same verdicts and failing sets, except
 * the recorded deviations, which must keep deviating (so their reasons stay true).
 */
import { describe, expect, it } from 'vitest';

import { SHARED_AVAILABLE } from '../support/shared.js';
import { failingObjects, failingSubjects, loadKubescapeCases, runCase, type KubescapeCase } from './kubescape-harness.js';
import {
  KUBESCAPE_RBAC_COUNTS,
  KUBESCAPE_RBAC_MAPPING,
  KUBESCAPE_RBAC_UNMAPPED,
  type KubescapeRbacMapping,
} from './kubescape-rbac-mapping.js';

interface Outcome {
  readonly verdict: 'pass' | 'fail';
  readonly failing: readonly string[];
}

function outcomeOf(mapping: KubescapeRbacMapping, c: KubescapeCase): Outcome {
  const run = runCase(c, mapping.checks);
  let failing = mapping.failing === 'subjects' ? failingSubjects(run) : failingObjects(run);
  if (mapping.onlySubjects !== undefined) failing = failing.filter((s) => mapping.onlySubjects?.includes(s));
  const verdict = mapping.onlySubjects === undefined ? run.verdict : failing.length > 0 ? 'fail' : 'pass';
  return { verdict, failing };
}

describe.runIf(SHARED_AVAILABLE)('kubescape RBAC conformance', () => {
  const cases = loadKubescapeCases();
  const tally = { rulesWithFixtures: 0, cases: 0, agreeing: 0, deviations: 0 };

  it('maps every RBAC rule once and explains the ones it leaves out', () => {
    const mapped = KUBESCAPE_RBAC_MAPPING.map((m) => m.rule);
    const unmapped = KUBESCAPE_RBAC_UNMAPPED.map((m) => m.rule);
    expect(new Set([...mapped, ...unmapped]).size).toBe(mapped.length + unmapped.length);
    for (const m of KUBESCAPE_RBAC_UNMAPPED) expect(m.reason.length).toBeGreaterThan(20);
  });

  for (const mapping of KUBESCAPE_RBAC_MAPPING) {
    const own = cases.filter((c) => c.rule === mapping.rule);
    describe(`${mapping.rule} (${mapping.controls.join(', ')}) → ${mapping.checks.length > 2 ? `${mapping.checks.length} checks` : mapping.checks.join(', ')}`, () => {
      if (own.length > 0) tally.rulesWithFixtures++;
      it('has its recorded deviations among its cases', () => {
        for (const name of Object.keys(mapping.deviations ?? {})) expect(own.map((c) => c.case)).toContain(name);
      });
      for (const c of own) {
        const deviation = mapping.deviations?.[c.case];
        it(`${c.case.split('/test/')[1] ?? c.case}: ${c.expect}${deviation === undefined ? '' : ' (deviation)'}`, () => {
          const outcome = outcomeOf(mapping, c);
          tally.cases++;
          if (deviation === undefined) {
            expect(outcome.verdict).toBe(c.expect);
            expect(outcome.failing).toEqual([...c.failing].sort());
            tally.agreeing++;
          } else {
            // Still deviating: if this starts to agree, the recorded reason is stale.
            expect(outcome.verdict).not.toBe(c.expect);
            tally.deviations++;
          }
        });
      }
    });
  }

  it('matches the counts stated in kubescape-rbac-mapping.ts', () => {
    expect({ rulesMapped: KUBESCAPE_RBAC_MAPPING.length, ...tally }).toEqual(KUBESCAPE_RBAC_COUNTS);
  });
});
