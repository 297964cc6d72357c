import { describe, expect, it } from 'vitest';

import { container, findingsOf, pod } from '../../test-support/check-harness.js';
import check from './check.js';

const hex64 = 'a'.repeat(64);
const run = (image: string, options?: unknown) => findingsOf(check, [pod('p', { containers: [container('c', { image })] })], options);

describe('images/no-digest', () => {
  it.each([
    ['nginx:1.25', 1],
    ['nginx', 1],
    [`nginx@sha256:${hex64}`, 0],
    [`nginx:1.25@sha256:${hex64}`, 0],
    ['nginx@sha256:abc', 1],
    [`nginx@sha256:${hex64.toUpperCase()}`, 1],
    [`nginx@sha512:${'a'.repeat(128)}`, 0],
    [`nginx@custom-algorithm:${'a'.repeat(32)}`, 0],
  ])('%s gives %i finding(s)', (image, count) => {
    expect(run(image)).toHaveLength(count);
  });

  it('exempts configured repositories at path-segment boundaries', () => {
    const options = { exemptRepositories: ['internal-registry'] };
    expect(run('internal-registry/nginx:1.25', options)).toEqual([]);
    expect(run('internal-registry-attacker/app:latest', options)).toHaveLength(1);
  });

  it('checks init and ephemeral containers too', () => {
    const spec = {
      containers: [container('app', { image: `nginx@sha256:${hex64}` })],
      ephemeralContainers: [container('debug', { image: 'busybox:1.36' })],
    };
    expect(findingsOf(check, [pod('p', spec)]).map((f) => f.location.path)).toEqual(['spec.ephemeralContainers[0].image']);
  });
});
