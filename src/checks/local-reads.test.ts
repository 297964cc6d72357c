import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { Finding } from '../core/finding.js';
import { Inventory } from '../inventory/inventory.js';
import { readManifestText } from '../sources/read-manifest-text.js';
import type { SourcedObject } from '../sources/manifest-objects.js';
import { REPO_ROOT } from '../../test/support/shared.js';
import { activeChecks, CATALOG } from './catalog.js';
import { EMPTY_CONFIG } from './config.js';
import { evaluate, namespaceOfResource } from './run-checks.js';

/** Every fixture of every check, read into one list (checks that need options see their defaults). */
function allFixtures(): SourcedObject[] {
  const objects: SourcedObject[] = [];
  for (const id of CATALOG.keys()) {
    const folder = join(REPO_ROOT, 'src', 'checks', id, 'fixtures');
    if (!existsSync(folder)) continue;
    for (const file of readdirSync(folder).filter((f) => /\.ya?ml$/.test(f))) {
      objects.push(...readManifestText(readFileSync(join(folder, file), 'utf8'), `${id}/${file}`).objects);
    }
  }
  return objects;
}

const text = (findings: readonly Finding[]): string[] => findings.map((f) => `${f.fingerprint} ${f.severity} ${f.message}`).sort();

describe('localReads and readsNamespaces', () => {
  const checks = activeChecks(EMPTY_CONFIG);

  it('name only kinds the check reads', () => {
    for (const { check } of checks) {
      for (const kind of check.localReads ?? []) expect(check.reads, `${check.id}: ${kind}`).toContain(kind);
      for (const kind of Object.keys(check.readsNamespaces ?? {})) expect(check.reads, `${check.id}: ${kind}`).toContain(kind);
    }
  });

  // A Cluster check run for some namespaces must give exactly the findings a full run gives about
  // them: that is what lets the monitor re-run one namespace after a change there.
  const partitioned = checks.filter((c) => c.check.target === 'Cluster' && c.check.localReads !== undefined);
  it('covers the checks the monitor re-runs per namespace', () => {
    expect(partitioned.map((c) => c.check.id)).toEqual(
      expect.arrayContaining(['network/unisolated-ingress', 'pod-security/enforce-violation', 'rbac/secrets-read']),
    );
  });

  for (const { from, label } of [
    { from: () => allFixtures(), label: 'every fixture at once' },
    {
      from: () => allFixtures().filter((o) => o.object.kind !== 'Namespace'),
      label: 'every fixture, namespaces implied only',
    },
  ]) {
    it(`gives, for one namespace, the full run's findings about it (${label})`, () => {
      const { inventory } = Inventory.from(from());
      for (const active of partitioned) {
        const full = evaluate(inventory, [active]).findings;
        for (const { name } of inventory.namespaces()) {
          const part = evaluate(inventory, [active], { namespaces: new Set([name]) });
          expect(part.errors).toEqual([]);
          expect(text(part.findings), `${active.check.id} in ${name}`).toEqual(
            text(full.filter((f) => namespaceOfResource(f.resource) === name)),
          );
        }
      }
    });
  }

  it('leaves the findings of every namespace to a run without namespaces', () => {
    const { inventory } = Inventory.from(allFixtures());
    for (const active of partitioned) {
      expect(text(evaluate(inventory, [active], { namespaces: new Set() }).findings)).toEqual([]);
    }
  });
});
