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
    name: 'pod-level 0 even when containers override it',
    spec: { securityContext: { runAsUser: 0 }, containers: [{ name: 'a', image: 'a:1', securityContext: { runAsUser: 1000 } }] },
    paths: ['spec.template.spec.securityContext.runAsUser'],
  },
  { name: 'unset', spec: { containers: [{ name: 'a', image: 'a:1' }] }, paths: [] },
  {
    name: 'before policy v1.23',
    spec: { securityContext: { runAsUser: 0 }, containers: [{ name: 'a', image: 'a:1' }] },
    paths: [],
    version: 'v1.22',
  },
];

describe('pod-security/restricted-run-as-user', () => {
  it.each(cases)('$name', ({ spec, version, annotations, paths }) => {
    const workload = deployment('web', spec, {}, annotations === undefined ? {} : { annotations });
    const options = pssVersionOptions.parse(version === undefined ? {} : { version });
    const findings = findingsOf(check, [workload], options);
    expect(findings.map((f) => f.location.path).sort()).toEqual([...paths].sort());
    for (const f of findings) expect(f.severity).toBe('medium');
  });

  it('says what is wrong, why, and under which policy and upstream reason', () => {
    const [finding] = findingsOf(check, [pod('web', { containers: [{ name: 'app', image: 'a:1', securityContext: { runAsUser: 0 } }] })]);
    expect(finding?.message).toBe(
      'Container "app" must not set runAsUser=0: UID 0 is root in the container and, without a user namespace, on the node (Pod Security restricted:latest, "runAsUser=0").',
    );
    expect(finding?.location.path.startsWith('spec.')).toBe(true);
  });

  it('refuses a policy version the admission controller would refuse', () => {
    expect(pssVersionOptions.safeParse({ version: '1.30' }).success).toBe(false);
    expect(pssVersionOptions.safeParse({ version: 'v1.030' }).success).toBe(false);
  });
});
