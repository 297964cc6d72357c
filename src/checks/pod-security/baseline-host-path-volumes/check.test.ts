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
    name: 'a hostPath volume among others',
    spec: {
      containers: [{ name: 'app', image: 'a:1' }],
      volumes: [
        { name: 'cache', emptyDir: {} },
        { name: 'docker', hostPath: { path: '/var/run/docker.sock' } },
      ],
    },
    paths: ['spec.template.spec.volumes[1].hostPath'],
  },
  { name: 'no hostPath', spec: { containers: [{ name: 'app', image: 'a:1' }], volumes: [{ name: 'cache', emptyDir: {} }] }, paths: [] },
];

describe('pod-security/baseline-host-path-volumes', () => {
  it.each(cases)('$name', ({ spec, version, annotations, paths }) => {
    const workload = deployment('web', spec, {}, annotations === undefined ? {} : { annotations });
    const options = pssVersionOptions.parse(version === undefined ? {} : { version });
    const findings = findingsOf(check, [workload], options);
    expect(findings.map((f) => f.location.path).sort()).toEqual([...paths].sort());
    for (const f of findings) expect(f.severity).toBe('critical');
  });

  it('says what is wrong, why, and under which policy and upstream reason', () => {
    const [finding] = findingsOf(check, [
      pod('web', { containers: [{ name: 'app', image: 'a:1' }], volumes: [{ name: 'root', hostPath: { path: '/' } }] }),
    ]);
    expect(finding?.message).toBe(
      'Volume "root" is a hostPath volume: a hostPath volume gives the pod files of the node (Pod Security baseline:latest, "hostPath volumes").',
    );
    expect(finding?.location.path.startsWith('spec.')).toBe(true);
  });

  it('refuses a policy version the admission controller would refuse', () => {
    expect(pssVersionOptions.safeParse({ version: '1.30' }).success).toBe(false);
    expect(pssVersionOptions.safeParse({ version: 'v1.030' }).success).toBe(false);
  });
});
