import { describe, expect, it } from 'vitest';

import { deployment, findingsOf, pod } from '../../test-support/check-harness.js';
import { pssVersionOptions } from '../control-check.js';
import check from './check.js';

interface Case {
  readonly name: string;
  readonly spec: Record<string, unknown>;
  readonly version?: string;
  readonly annotations?: Record<string, string>;
  /** Field paths of the findings; empty when the template passes. */
  readonly paths: readonly string[];
}

const cases: readonly Case[] = [
  {
    name: 'pod-level Unconfined',
    spec: { securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: [{ name: 'app', image: 'a:1' }] },
    paths: ['spec.template.spec.securityContext.seccompProfile.type'],
  },
  { name: 'no profile at all (baseline does not require one)', spec: { containers: [{ name: 'app', image: 'a:1' }] }, paths: [] },
  {
    name: 'the unconfined annotation before policy v1.19',
    spec: { containers: [{ name: 'app', image: 'a:1' }] },
    paths: ['spec.template.metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"]'],
    version: 'v1.18',
    annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' },
  },
];

describe('pod-security/baseline-seccomp', () => {
  it.each(cases)('$name', ({ spec, version, annotations, paths }) => {
    const workload = deployment('web', spec, {}, annotations === undefined ? {} : { annotations });
    const options = pssVersionOptions.parse(version === undefined ? {} : { version });
    const findings = findingsOf(check, [workload], options);
    expect(findings.map((f) => f.location.path).sort()).toEqual([...paths].sort());
    for (const f of findings) expect(f.severity).toBe('high');
  });

  it('says what is wrong, why, and under which policy and upstream reason', () => {
    const [finding] = findingsOf(check, [
      pod('web', { containers: [{ name: 'app', image: 'a:1', securityContext: { seccompProfile: { type: 'Unconfined' } } }] }),
    ]);
    expect(finding?.message).toBe(
      'Container "app" must not set securityContext.seccompProfile.type to "Unconfined": an unconfined container can make every system call (Pod Security baseline:latest, "seccompProfile").',
    );
    expect(finding?.location.path.startsWith('spec.')).toBe(true);
  });

  it('refuses a policy version the admission controller would refuse', () => {
    expect(pssVersionOptions.safeParse({ version: '1.30' }).success).toBe(false);
    expect(pssVersionOptions.safeParse({ version: 'v1.030' }).success).toBe(false);
  });
});
