import { describe, expect, it } from 'vitest';

import { container, findingsOf, pod, podSpec } from '../../test-support/check-harness.js';
import check from './check.js';

const withResources = (resources: unknown) => [pod('p', podSpec([container('c', { resources })]))];

describe('resources/missing-requests', () => {
  it.each([
    [{ requests: { cpu: '100m', memory: '64Mi' } }, []],
    [{ requests: { cpu: '100m' } }, ['spec.containers[0].resources.requests.memory']],
    [
      { limits: { cpu: '1', memory: '1Gi' } },
      ['spec.containers[0].resources.requests.cpu', 'spec.containers[0].resources.requests.memory'],
    ],
    [undefined, ['spec.containers[0].resources.requests.cpu', 'spec.containers[0].resources.requests.memory']],
    [
      { requests: { cpu: '', memory: null } },
      ['spec.containers[0].resources.requests.cpu', 'spec.containers[0].resources.requests.memory'],
    ],
    ['garbage', ['spec.containers[0].resources.requests.cpu', 'spec.containers[0].resources.requests.memory']],
  ])('%j → %j', (resources, paths) => {
    expect(findingsOf(check, withResources(resources)).map((f) => f.location.path)).toEqual(paths);
  });

  it('requires only what the options name', () => {
    expect(findingsOf(check, withResources({ requests: { memory: '64Mi' } }), { require: ['memory'] })).toEqual([]);
    expect(findingsOf(check, withResources({}), { require: ['ephemeral-storage'] }).map((f) => f.message)).toEqual([
      'Container "c" sets no ephemeral-storage request; set resources.requests.ephemeral-storage so the scheduler reserves what it needs.',
    ]);
  });

  it('skips ephemeral containers, which may not set resources', () => {
    const spec = podSpec([container('c', { resources: { requests: { cpu: '1', memory: '1Gi' } } })], {
      ephemeralContainers: [container('debug')],
    });
    expect(findingsOf(check, [pod('p', spec)])).toEqual([]);
  });
});
