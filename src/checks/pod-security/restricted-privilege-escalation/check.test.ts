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
    name: 'unset on one container and true on another',
    spec: {
      containers: [
        { name: 'a', image: 'a:1' },
        { name: 'b', image: 'b:1', securityContext: { allowPrivilegeEscalation: true } },
        { name: 'c', image: 'c:1', securityContext: { allowPrivilegeEscalation: false } },
      ],
    },
    paths: [
      'spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation',
      'spec.template.spec.containers[1].securityContext.allowPrivilegeEscalation',
    ],
  },
  { name: 'a Windows pod from policy v1.25', spec: { os: { name: 'windows' }, containers: [{ name: 'a', image: 'a:1' }] }, paths: [] },
  { name: 'before policy v1.8', spec: { containers: [{ name: 'a', image: 'a:1' }] }, paths: [], version: 'v1.7' },
];

describe('pod-security/restricted-privilege-escalation', () => {
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
      'Container "app" must set securityContext.allowPrivilegeEscalation=false: without it, setuid binaries can raise a process’s privileges (Pod Security restricted:latest, "allowPrivilegeEscalation != false").',
    );
    expect(finding?.location.path.startsWith('spec.')).toBe(true);
  });

  it('refuses a policy version the admission controller would refuse', () => {
    expect(pssVersionOptions.safeParse({ version: '1.30' }).success).toBe(false);
    expect(pssVersionOptions.safeParse({ version: 'v1.030' }).success).toBe(false);
  });
});
