import { readFileSync } from 'node:fs';

import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';

import { cli } from './support/run-cli.js';
import { sharedPath, SHARED_AVAILABLE } from './support/shared.js';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = (addFormatsModule as unknown as { default: (ajv: Ajv) => Ajv }).default;

interface SarifResult {
  ruleId: string;
  locations: { physicalLocation?: { artifactLocation: { uri: string; uriBaseId?: string }; region?: { startLine: number } } }[];
  suppressions?: { kind: string; justification: string }[];
  partialFingerprints: Record<string, string>;
}

describe.runIf(SHARED_AVAILABLE)('SARIF output', () => {
  let validate: ReturnType<Ajv['compile']>;

  beforeAll(() => {
    const schema = JSON.parse(readFileSync(sharedPath('schemas', 'sarif-schema-2.1.0.json'), 'utf8')) as object;
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validate = ajv.compile(schema);
  });

  it('of the demo validates against the official SARIF 2.1.0 schema', async () => {
    const run = await cli(['scan', 'examples/demo', '--config', 'examples/demo/.vigil.yaml', '--format', 'sarif']);
    expect(run.code).toBe(0);
    const sarif = JSON.parse(run.stdout) as { runs: { results: SarifResult[]; tool: { driver: { rules: { id: string }[] } } }[] };
    const valid = validate(sarif);
    expect(valid ? [] : validate.errors?.slice(0, 5)).toEqual([]);
    const results = sarif.runs[0]?.results ?? [];
    expect(results.length).toBeGreaterThan(10);
    // Every finding that came from a file has its file and line.
    for (const r of results) {
      const physical = r.locations[0]?.physicalLocation;
      expect(physical?.artifactLocation.uri).toMatch(/^examples\/demo\/\d\d-[a-z]+\.yaml$/);
      expect(physical?.artifactLocation.uriBaseId).toBe('%SRCROOT%');
      expect(physical?.region?.startLine).toBeGreaterThan(0);
      expect(r.partialFingerprints['vigil/v1']).toMatch(/^[0-9a-f]{32}$/);
    }
    // The demo's waived findings are present, as SARIF suppressions.
    const suppressed = results.filter((r) => r.suppressions !== undefined);
    expect(suppressed.map((r) => r.suppressions?.[0]?.kind).sort()).toEqual(['external', 'inSource']);
    const ruleIds = new Set(sarif.runs[0]?.tool.driver.rules.map((r) => r.id));
    for (const r of results) expect(ruleIds).toContain(r.ruleId);
  });

  it('of a scan with input problems validates too', async () => {
    const run = await cli(['scan', sharedPath('corpus', 'real-world', 'kubernetes-examples'), '--format', 'sarif']);
    const sarif: unknown = JSON.parse(run.stdout);
    const valid = validate(sarif);
    expect(valid ? [] : validate.errors?.slice(0, 5)).toEqual([]);
  });
});
