import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

import { format } from 'prettier';
import { describe, expect, it } from 'vitest';

import { catalogMarkdown } from '../cli/checks.js';
import { isArea } from '../core/area.js';
import { readManifestText } from '../sources/read-manifest-text.js';
import { REPO_ROOT } from '../../test/support/shared.js';
import { CATALOG, docsOf } from './catalog.js';
import { generateCatalog } from '../../scripts/generate-catalog.mjs';
import { runSourcedChecks } from './test-support/check-harness.js';

/** Kinds of the core ("") API group, which checks may name without a group. */
const CORE_KINDS = [
  'Binding',
  'ComponentStatus',
  'ConfigMap',
  'Endpoints',
  'Event',
  'LimitRange',
  'Namespace',
  'Node',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Pod',
  'PodTemplate',
  'ReplicationController',
  'ResourceQuota',
  'Secret',
  'Service',
  'ServiceAccount',
];
const REQUIRED_SECTIONS = ['## Why it matters', '## Examples', '## How to fix', '## When to disable'];
const checksDir = join(REPO_ROOT, 'src', 'checks');

describe('the check catalog', () => {
  it('is generated from the check folders (run `npm run gen` when this fails)', () => {
    expect(readFileSync(join(checksDir, 'catalog.generated.ts'), 'utf8')).toBe(generateCatalog());
  });

  it('matches docs/checks.md (run `npm run gen` when this fails)', async () => {
    const expected = await format(catalogMarkdown([...CATALOG.values()]), { parser: 'markdown', printWidth: 140, proseWrap: 'preserve' });
    expect(readFileSync(join(REPO_ROOT, 'docs', 'checks.md'), 'utf8')).toBe(expected);
  });

  for (const [id, check] of CATALOG) {
    describe(id, () => {
      const folder = join(checksDir, id);

      it('has an id equal to its folder, in its own area', () => {
        expect(check.id).toBe(id);
        expect(isArea(check.meta.area)).toBe(true);
        expect(id.split('/')[0]).toBe(check.meta.area);
        expect(id).toMatch(/^[a-z0-9-]+\/[a-z0-9-]+$/);
      });

      it('names its kinds in the documented form', () => {
        // A bare kind means the core group; a typo'd or unqualified non-core kind would never match.
        for (const kind of check.kinds ?? []) {
          if (kind.includes('/')) expect(kind).toMatch(/^(?:\*|[a-z0-9.-]+)\/[A-Z][A-Za-z0-9]*$/);
          else expect(CORE_KINDS, `${kind} is not a core kind: write group/${kind}`).toContain(kind);
        }
        expect(check.target === 'Object').toBe(check.kinds !== undefined);
      });

      it('has a README with every section', () => {
        const docs = docsOf(id) ?? '';
        expect(docs.startsWith(`# ${id}\n`)).toBe(true);
        for (const section of REQUIRED_SECTIONS) expect(docs).toContain(section);
      });

      it('has message templates whose placeholders are all plain words', () => {
        expect(Object.keys(check.messages).length).toBeGreaterThan(0);
        for (const text of Object.values<string>(check.messages)) expect(text).not.toMatch(/\{\{\s*\W/);
      });

      const fixtures = existsSync(join(folder, 'fixtures'))
        ? readdirSync(join(folder, 'fixtures'))
            .filter((f) => f.startsWith('pass.') || f.startsWith('fail.'))
            .sort()
        : [];
      // Checks that judge nothing until configured (an allow-list, ranges) run their fixtures with fixtures/options.json.
      const optionsFile = join(folder, 'fixtures', 'options.json');
      const fixtureOptions: unknown[] = existsSync(optionsFile)
        ? [check.options?.parse(JSON.parse(readFileSync(optionsFile, 'utf8')))]
        : [];
      it('has at least one passing and one failing fixture', () => {
        expect(fixtures.some((f) => f.startsWith('pass.'))).toBe(true);
        expect(fixtures.some((f) => f.startsWith('fail.'))).toBe(true);
      });

      for (const fixture of fixtures) {
        it(`${fixture} ${fixture.startsWith('pass.') ? 'gives no finding' : 'gives a finding'}`, () => {
          const text = readFileSync(join(folder, 'fixtures', fixture), 'utf8');
          const read = readManifestText(text, fixture);
          expect(read.problems.filter((p) => p.level === 'error')).toEqual([]);
          const result = runSourcedChecks([check], read.objects, fixtureOptions);
          expect(result.errors).toEqual([]);
          const own = result.findings.filter((f) => f.checkId === id);
          if (fixture.startsWith('pass.')) expect(own).toEqual([]);
          else expect(own.length).toBeGreaterThan(0);
        });
      }
    });
  }
});
