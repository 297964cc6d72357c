import { describe, expect, it } from 'vitest';

import { container, deployment, findingsOf, findingsOfYaml, pod, podSpec } from '../../test-support/check-harness.js';
import check from './check.js';

describe('images/latest-tag', () => {
  it.each([
    ['nginx:1.27.3', []],
    ['ghcr.io/acme/api:2.0.0', []],
    [`nginx:latest@sha256:${'a'.repeat(64)}`, []],
    [`nginx@sha256:${'a'.repeat(64)}`, []],
    ['nginx:latest', ['latest']],
    ['nginx', ['untagged']],
    ['localhost:5000/tool', ['untagged']],
    ['registry.example.com:5000/team/app:latest', ['latest']],
  ])('%s → %j', (image, expected) => {
    const findings = findingsOf(check, [pod('p', podSpec([container('c', { image })]))]);
    expect(findings.map((f) => f.messageId)).toEqual(expected);
  });

  it('reports a container without an image on the container itself', () => {
    const findings = findingsOf(check, [pod('p', podSpec([{ name: 'c' }]))]);
    expect(findings.map((f) => [f.messageId, f.location.path])).toEqual([['missing', 'spec.containers[0]']]);
  });

  it('judges init and ephemeral containers and points at the exact field inside a workload', () => {
    const spec = podSpec([container('app')], {
      initContainers: [container('init', { image: 'busybox' })],
      ephemeralContainers: [container('debug', { image: 'busybox:latest' })],
    });
    const findings = findingsOf(check, [deployment('web', spec)]);
    expect(findings.map((f) => [f.location.path, f.container])).toEqual([
      ['spec.template.spec.ephemeralContainers[0].image', 'debug'],
      ['spec.template.spec.initContainers[0].image', 'init'],
    ]);
  });

  it('gives the line of the image field', () => {
    const yaml = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: redis\n';
    expect(findingsOfYaml(check, yaml).map((f) => f.location.line)).toEqual([8]);
  });

  it('never throws on odd input', () => {
    expect(findingsOf(check, [pod('p', { containers: [{ name: 'c', image: 42 }, 'junk', null] })]).map((f) => f.messageId)).toEqual([
      'missing',
    ]);
  });
});
