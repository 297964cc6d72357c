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
    name: 'hostNetwork and hostPID',
    spec: { hostNetwork: true, hostPID: true, containers: [{ name: 'app', image: 'a:1' }] },
    paths: ['spec.template.spec.hostNetwork', 'spec.template.spec.hostPID'],
  },
  { name: 'hostIPC', spec: { hostIPC: true, containers: [{ name: 'app', image: 'a:1' }] }, paths: ['spec.template.spec.hostIPC'] },
  {
    name: 'all false',
    spec: { hostNetwork: false, hostPID: false, hostIPC: false, containers: [{ name: 'app', image: 'a:1' }] },
    paths: [],
  },
];

describe('pod-security/baseline-host-namespaces', () => {
  it.each(cases)('$name', ({ spec, version, annotations, paths }) => {
    const workload = deployment('web', spec, {}, annotations === undefined ? {} : { annotations });
    const options = pssVersionOptions.parse(version === undefined ? {} : { version });
    const findings = findingsOf(check, [workload], options);
    expect(findings.map((f) => f.location.path).sort()).toEqual([...paths].sort());
    for (const f of findings) expect(f.severity).toBe('high');
  });

  it('says what is wrong, why, and under which policy and upstream reason', () => {
    const [finding] = findingsOf(check, [pod('web', { hostPID: true, containers: [{ name: 'app', image: 'a:1' }] })]);
    expect(finding?.message).toBe(
      'Pod must not set hostPID=true: a pod in a host namespace sees and reaches what the node does (Pod Security baseline:latest, "host namespaces").',
    );
    expect(finding?.location.path.startsWith('spec.')).toBe(true);
  });

  it('refuses a policy version the admission controller would refuse', () => {
    expect(pssVersionOptions.safeParse({ version: '1.30' }).success).toBe(false);
    expect(pssVersionOptions.safeParse({ version: 'v1.030' }).success).toBe(false);
  });
});
