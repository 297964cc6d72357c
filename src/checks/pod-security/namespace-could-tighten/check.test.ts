import { describe, expect, it } from 'vitest';

import { deployment, findingsOf, object } from '../../test-support/check-harness.js';
import check from './check.js';

const namespace = (labels: Record<string, string>) => object('v1', 'Namespace', 'shop', {}, { labels });
const baselineOnly = { containers: [{ name: 'app', image: 'a:1' }] };
const restricted = {
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [{ name: 'app', image: 'a:1', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
};

describe('pod-security/namespace-could-tighten', () => {
  it('names the stricter level every workload already passes', () => {
    const findings = findingsOf(check, [
      namespace({ 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/enforce-version': 'v1.29' }),
      deployment('a', restricted, { namespace: 'shop' }),
      deployment('b', baselineOnly, { namespace: 'shop' }),
    ]);
    expect(findings.map((f) => f.message)).toEqual([
      'Namespace "shop" enforces privileged:v1.29, but all 2 workload(s) in it pass baseline:v1.29 today: raise pod-security.kubernetes.io/enforce to baseline.',
    ]);
  });

  it('says nothing at the strictest level, for empty or unlabelled namespaces', () => {
    expect(
      findingsOf(check, [
        namespace({ 'pod-security.kubernetes.io/enforce': 'baseline' }),
        deployment('b', baselineOnly, { namespace: 'shop' }),
      ]),
    ).toEqual([]);
    expect(findingsOf(check, [namespace({ 'pod-security.kubernetes.io/enforce': 'baseline' })])).toEqual([]);
    expect(findingsOf(check, [namespace({}), deployment('a', restricted, { namespace: 'shop' })])).toEqual([]);
  });
});
