/**
 * Polaris and kubescape posture fixtures for every peer check a Vigil posture check covers, run with
 * the same verdicts (see posture-mapping.ts for the table and posture-harness.ts for how it runs).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { CATALOG } from '../../src/checks/catalog.js';
import { SHARED_AVAILABLE } from '../support/shared.js';
import { casesOf, POSTURE_DIR, verdictOf, type PeerMapping } from './posture-harness.js';
import { POSTURE_MAPPING } from './posture-mapping.js';

/** Mapping tables run by this test; another area appends its own table here. */
const TABLES: readonly (readonly PeerMapping[])[] = [POSTURE_MAPPING];
const rows = TABLES.flat();

describe.skipIf(!SHARED_AVAILABLE)('posture conformance (Polaris, kubescape)', () => {
  it('maps existing peer checks to existing Vigil checks, once each', () => {
    const keys = rows.map((r) => `${r.peer}/${r.id}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const row of rows) {
      for (const use of row.uses) expect(CATALOG.has(use.check), `${row.peer}/${row.id} uses ${use.check}`).toBe(true);
      const definition =
        row.peer === 'polaris' ? join(POSTURE_DIR, 'polaris', 'fixtures', row.id) : join(POSTURE_DIR, 'kubescape', 'rules', row.id);
      expect(existsSync(definition), `${row.peer}/${row.id} exists upstream`).toBe(true);
      for (const name of Object.keys(row.disagreements ?? {})) expect(casesOf(row.peer, row.id).map((c) => c.name)).toContain(name);
    }
  });

  for (const row of rows) {
    const cases = casesOf(row.peer, row.id);
    describe(`${row.peer} ${row.id}`, () => {
      if (cases.length === 0) {
        it.skip('has no local cases (all in the sealed hold-out set)', () => undefined);
        return;
      }
      for (const peerCase of cases) {
        const why = row.disagreements?.[peerCase.name];
        it(`${peerCase.name}: ${why === undefined ? peerCase.expect : `disagrees (peer: ${peerCase.expect})`}`, () => {
          const result = verdictOf(row, peerCase);
          if (why !== undefined) {
            expect(result.verdict, why).not.toBe(peerCase.expect);
            return;
          }
          expect(result.verdict, result.findings.map((f) => f.message).join('\n')).toBe(peerCase.expect);
          // Polaris: a passing case must have run the check at least once (schema_test.go asserts a success result).
          if (row.peer === 'polaris' && peerCase.expect === 'pass') expect(result.ran).toBe(true);
          // kubescape: the failing resources must be the same.
          if (peerCase.failing !== undefined) expect(result.failing).toEqual([...peerCase.failing].sort());
        });
      }
    });
  }
});
