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
    name: 'type, user and role on the pod',
    spec: { securityContext: { seLinuxOptions: { type: 'spc_t', user: 'u', role: 'r' } }, containers: [{ name: 'app', image: 'a:1' }] },
    paths: [
      'spec.template.spec.securityContext.seLinuxOptions.type',
      'spec.template.spec.securityContext.seLinuxOptions.user',
      'spec.template.spec.securityContext.seLinuxOptions.role',
    ],
  },
  {
    name: 'container_engine_t from policy v1.31',
    spec: { containers: [{ name: 'app', image: 'a:1', securityContext: { seLinuxOptions: { type: 'container_engine_t' } } }] },
    paths: [],
  },
  {
    name: 'container_engine_t before policy v1.31',
    spec: { containers: [{ name: 'app', image: 'a:1', securityContext: { seLinuxOptions: { type: 'container_engine_t' } } }] },
    paths: ['spec.template.spec.containers[0].securityContext.seLinuxOptions.type'],
    version: 'v1.30',
  },
];

describe('pod-security/baseline-selinux', () => {
  it.each(cases)('$name', ({ spec, version, annotations, paths }) => {
    const workload = deployment('web', spec, {}, annotations === undefined ? {} : { annotations });
    const options = pssVersionOptions.parse(version === undefined ? {} : { version });
    const findings = findingsOf(check, [workload], options);
    expect(findings.map((f) => f.location.path).sort()).toEqual([...paths].sort());
    for (const f of findings) expect(f.severity).toBe('high');
  });

  it('says what is wrong, why, and under which policy and upstream reason', () => {
    const [finding] = findingsOf(check, [
      pod('web', { containers: [{ name: 'app', image: 'a:1', securityContext: { seLinuxOptions: { type: 'spc_t' } } }] }),
    ]);
    expect(finding?.message).toBe(
      'Container "app" set forbidden securityContext.seLinuxOptions: type "spc_t": a custom SELinux label can lift the container’s confinement (Pod Security baseline:latest, "seLinuxOptions").',
    );
    expect(finding?.location.path.startsWith('spec.')).toBe(true);
  });

  it('refuses a policy version the admission controller would refuse', () => {
    expect(pssVersionOptions.safeParse({ version: '1.30' }).success).toBe(false);
    expect(pssVersionOptions.safeParse({ version: 'v1.030' }).success).toBe(false);
  });
});
