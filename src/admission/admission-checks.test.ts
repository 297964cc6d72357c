import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { sharedPath } from '../../test/support/shared.js';
import { NEWEST_MINOR } from '../analysis/pss/registry.js';
import { CATALOG } from '../checks/catalog.js';
import type { ActiveCheck } from '../checks/run-checks.js';
import { readManifestText } from '../sources/read-manifest-text.js';
import { admissionChecks, NEEDS_CLUSTER_CONTEXT, notInAdmission } from './admission-checks.js';
import { AdmissionHandler } from './handler.js';
import { admissionReview } from './test-support/reviews.js';

describe('which checks run in admission', () => {
  it('leaves out every object-scoped check that reads other objects, and says why in words', () => {
    // A check that looks things up in the Inventory (ctx.inventory, subject.inventory) would judge
    // one object wrongly on its own: it must declare `reads` (the monitor needs that too).
    const looksAround: string[] = [];
    const declares: string[] = [];
    for (const check of CATALOG.values()) {
      if (check.target === 'Cluster') continue;
      const source = readFileSync(join(import.meta.dirname, '..', 'checks', ...check.id.split('/'), 'check.ts'), 'utf8');
      if (/\binventory\b/.test(source)) looksAround.push(check.id);
      if (check.reads !== undefined && check.reads.length > 0) declares.push(check.id);
    }
    expect(looksAround.sort()).toEqual(declares.sort());
    // docs/admission.md explains each one from NEEDS_CLUSTER_CONTEXT.
    expect([...NEEDS_CLUSTER_CONTEXT.keys()].sort()).toEqual(declares);
    for (const id of declares) {
      const check = CATALOG.get(id);
      expect(check === undefined ? 'missing' : notInAdmission(check)).toBe(NEEDS_CLUSTER_CONTEXT.get(id));
    }
  });

  it('runs every other object-scoped check', () => {
    const all: ActiveCheck[] = [...CATALOG.values()].map((check) => ({ check, severity: check.meta.defaultSeverity, options: {} }));
    const ids = new Set(admissionChecks(all).map((a) => a.check.id));
    for (const check of CATALOG.values()) {
      expect(ids.has(check.id)).toBe(check.target !== 'Cluster' && (check.reads ?? []).length === 0);
    }
  });
});

interface PssCase {
  readonly file: string;
  readonly level: 'baseline' | 'restricted';
  readonly version: string;
  readonly expect: 'allowed' | 'forbidden';
}

/**
 * ../shared/conformance/pod-security through the webhook: every upstream fixture of the newest
 * version, as a Pod and as a Deployment's template, in a namespace labelled vigil.dev/enforce=<level>.
 * The webhook must refuse exactly what the PodSecurity admission controller refuses at that level.
 */
describe('Pod Security conformance through the validating webhook', () => {
  const root = sharedPath('conformance', 'pod-security');
  const cases = (JSON.parse(readFileSync(join(root, 'cases.json'), 'utf8')) as PssCase[]).filter((c) => c.version === `v1.${NEWEST_MINOR}`);
  const handler = new AdmissionHandler();

  it('has the cases of the newest version', () => {
    expect(cases.length).toBeGreaterThan(100);
  });

  it.each(cases.map((c) => [c.file, c] as const))('%s', (_file, c) => {
    const read = readManifestText(readFileSync(join(root, c.file), 'utf8'), c.file, 'yaml', undefined, { withPositions: false });
    const pod = read.objects[0]?.object as unknown as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'app' },
      spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { ...pod.metadata, labels: { app: 'x' } }, spec: pod.spec } },
    };
    for (const object of [pod as unknown as Record<string, unknown>, deployment]) {
      const d = handler.handleValue('validate', { kind: 'level', level: c.level }, admissionReview(object, { namespace: 'conformance' }));
      expect({ kind: object.kind, allowed: d.review.response.allowed }).toEqual({ kind: object.kind, allowed: c.expect === 'allowed' });
      if (c.expect === 'forbidden') expect(d.review.response.status?.message).toMatch(/\[pod-security\/(baseline|restricted)-/);
    }
  });
});
