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
    name: 'an unsafe sysctl after a safe one',
    spec: {
      securityContext: {
        sysctls: [
          { name: 'kernel.shm_rmid_forced', value: '1' },
          { name: 'kernel.msgmax', value: '1' },
        ],
      },
      containers: [{ name: 'app', image: 'a:1' }],
    },
    paths: ['spec.template.spec.securityContext.sysctls[1].name'],
  },
  {
    name: 'net.ipv4.tcp_keepalive_time from policy v1.29',
    spec: {
      securityContext: { sysctls: [{ name: 'net.ipv4.tcp_keepalive_time', value: '60' }] },
      containers: [{ name: 'app', image: 'a:1' }],
    },
    paths: [],
  },
  {
    name: 'net.ipv4.tcp_keepalive_time at policy v1.28',
    spec: {
      securityContext: { sysctls: [{ name: 'net.ipv4.tcp_keepalive_time', value: '60' }] },
      containers: [{ name: 'app', image: 'a:1' }],
    },
    paths: ['spec.template.spec.securityContext.sysctls[0].name'],
    version: 'v1.28',
  },
];

describe('pod-security/baseline-sysctls', () => {
  it.each(cases)('$name', ({ spec, version, annotations, paths }) => {
    const workload = deployment('web', spec, {}, annotations === undefined ? {} : { annotations });
    const options = pssVersionOptions.parse(version === undefined ? {} : { version });
    const findings = findingsOf(check, [workload], options);
    expect(findings.map((f) => f.location.path).sort()).toEqual([...paths].sort());
    for (const f of findings) expect(f.severity).toBe('high');
  });

  it('says what is wrong, why, and under which policy and upstream reason', () => {
    const [finding] = findingsOf(check, [
      pod('web', { securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }] }, containers: [{ name: 'app', image: 'a:1' }] }),
    ]);
    expect(finding?.message).toBe(
      'Forbidden sysctl kernel.msgmax: an unsafe sysctl can change kernel settings beyond the pod (Pod Security baseline:latest, "forbidden sysctls").',
    );
    expect(finding?.location.path.startsWith('spec.')).toBe(true);
  });

  it('refuses a policy version the admission controller would refuse', () => {
    expect(pssVersionOptions.safeParse({ version: '1.30' }).success).toBe(false);
    expect(pssVersionOptions.safeParse({ version: 'v1.030' }).success).toBe(false);
  });
});
