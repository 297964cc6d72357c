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
    name: 'no profile anywhere: the pod-level field is the fix',
    spec: { containers: [{ name: 'a', image: 'a:1' }] },
    paths: ['spec.template.spec.securityContext.seccompProfile.type'],
  },
  {
    name: 'one container without a profile',
    spec: {
      containers: [
        { name: 'a', image: 'a:1', securityContext: { seccompProfile: { type: 'RuntimeDefault' } } },
        { name: 'b', image: 'b:1' },
      ],
    },
    paths: ['spec.template.spec.containers[1].securityContext.seccompProfile.type'],
  },
  {
    name: 'pod Unconfined wins over valid containers',
    spec: {
      securityContext: { seccompProfile: { type: 'Unconfined' } },
      containers: [{ name: 'a', image: 'a:1', securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }],
    },
    paths: ['spec.template.spec.securityContext.seccompProfile.type'],
  },
  { name: 'before policy v1.19', spec: { containers: [{ name: 'a', image: 'a:1' }] }, paths: [], version: 'v1.18' },
];

describe('pod-security/restricted-seccomp', () => {
  it.each(cases)('$name', ({ spec, version, annotations, paths }) => {
    const workload = deployment('web', spec, {}, annotations === undefined ? {} : { annotations });
    const options = pssVersionOptions.parse(version === undefined ? {} : { version });
    const findings = findingsOf(check, [workload], options);
    expect(findings.map((f) => f.location.path).sort()).toEqual([...paths].sort());
    for (const f of findings) expect(f.severity).toBe('medium');
  });

  it('says what is wrong, why, and under which policy and upstream reason', () => {
    const [finding] = findingsOf(check, [pod('web', { containers: [{ name: 'app', image: 'a:1' }] })]);
    expect(finding?.message).toBe(
      'Pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost": without a profile the container can make every system call (Pod Security restricted:latest, "seccompProfile").',
    );
    expect(finding?.location.path.startsWith('spec.')).toBe(true);
  });

  it('refuses a policy version the admission controller would refuse', () => {
    expect(pssVersionOptions.safeParse({ version: '1.30' }).success).toBe(false);
    expect(pssVersionOptions.safeParse({ version: 'v1.030' }).success).toBe(false);
  });
});
