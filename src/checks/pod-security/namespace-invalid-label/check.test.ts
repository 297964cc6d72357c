import { describe, expect, it } from 'vitest';

import { findingsOf, object } from '../../test-support/check-harness.js';
import check from './check.js';

const namespace = (labels: Record<string, string>) => object('v1', 'Namespace', 'shop', {}, { labels });

describe('pod-security/namespace-invalid-label', () => {
  it('reports each invalid label with the API server’s error and the fallback the controller uses', () => {
    const findings = findingsOf(check, [
      namespace({
        'pod-security.kubernetes.io/enforce': 'Restricted',
        'pod-security.kubernetes.io/warn': 'strict',
        'pod-security.kubernetes.io/audit-version': 'v1.30.1',
      }),
    ]);
    expect(findings.map((f) => f.message).sort()).toEqual([
      'Namespace "shop": metadata.labels[pod-security.kubernetes.io/audit-version]: Invalid value: "v1.30.1": must be "latest" or "v1.x"; the controller uses "latest" instead.',
      'Namespace "shop": metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "Restricted": must be one of privileged, baseline, restricted; the controller enforces "restricted" instead, rejecting every pod that is not restricted.',
      'Namespace "shop": metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: "strict": must be one of privileged, baseline, restricted; the controller uses "privileged" instead, so this mode does nothing.',
    ]);
    expect(findings.map((f) => f.location.path)).toContain('metadata.labels["pod-security.kubernetes.io/enforce"]');
  });

  it('accepts every valid level and version', () => {
    for (const level of ['privileged', 'baseline', 'restricted']) {
      for (const version of ['latest', 'v1.0', 'v1.37', 'v1.40']) {
        expect(
          findingsOf(check, [
            namespace({ 'pod-security.kubernetes.io/enforce': level, 'pod-security.kubernetes.io/enforce-version': version }),
          ]),
        ).toEqual([]);
      }
    }
  });
});
