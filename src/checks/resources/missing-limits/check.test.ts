import { describe, expect, it } from 'vitest';

import { container, deployment, findingsOf, podSpec } from '../../test-support/check-harness.js';
import check from './check.js';

const withResources = (resources: unknown) => [deployment('d', podSpec([container('c', { resources })]))];

describe('resources/missing-limits', () => {
  it.each([
    [{ limits: { cpu: '1', memory: '1Gi' } }, []],
    [{ limits: { memory: '1Gi' } }, ['cpu']],
    [{ requests: { cpu: '1', memory: '1Gi' } }, ['cpu', 'memory']],
    [{}, ['cpu', 'memory']],
  ])('%j → missing %j', (resources, missing) => {
    const findings = findingsOf(check, withResources(resources));
    expect(findings.map((f) => f.location.path)).toEqual(missing.map((r) => `spec.template.spec.containers[0].resources.limits.${r}`));
    expect(new Set(findings.map((f) => f.messageId))).toEqual(new Set(missing.length > 0 ? ['missing'] : []));
  });

  it('can require the memory limit only (for teams that avoid CPU limits)', () => {
    expect(findingsOf(check, withResources({ limits: { memory: '1Gi' } }), { require: ['memory'] })).toEqual([]);
  });
});
