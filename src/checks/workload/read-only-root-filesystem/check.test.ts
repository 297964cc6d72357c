import { describe, expect, it } from 'vitest';

import { container, findingsOf, pod } from '../../test-support/check-harness.js';
import check from './check.js';

describe('workload/read-only-root-filesystem', () => {
  it('reports containers whose root filesystem is writable, in every kind of container', () => {
    const spec = {
      initContainers: [container('init')],
      containers: [
        container('ok', { securityContext: { readOnlyRootFilesystem: true } }),
        container('rw', { securityContext: { readOnlyRootFilesystem: false } }),
      ],
      ephemeralContainers: [container('debug', { securityContext: {} })],
    };
    expect(findingsOf(check, [pod('p', spec)]).map((f) => f.location.path)).toEqual([
      'spec.containers[1].securityContext.readOnlyRootFilesystem',
      'spec.ephemeralContainers[0].securityContext',
      'spec.initContainers[0]',
    ]);
  });

  it('does not judge Windows pods', () => {
    expect(findingsOf(check, [pod('p', { os: { name: 'windows' }, containers: [container('c')] })])).toEqual([]);
  });
});
