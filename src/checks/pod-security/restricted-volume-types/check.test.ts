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
    name: 'nfs and hostPath',
    spec: {
      containers: [{ name: 'app', image: 'a:1' }],
      volumes: [
        { name: 'a', nfs: { server: 's', path: '/' } },
        { name: 'b', secret: { secretName: 's' } },
        { name: 'c', hostPath: { path: '/' } },
      ],
    },
    paths: ['spec.template.spec.volumes[0].nfs', 'spec.template.spec.volumes[2].hostPath'],
  },
  {
    name: 'a volume with only a name is an emptyDir after defaulting',
    spec: { containers: [{ name: 'app', image: 'a:1' }], volumes: [{ name: 'scratch' }] },
    paths: [],
  },
];

describe('pod-security/restricted-volume-types', () => {
  it.each(cases)('$name', ({ spec, version, annotations, paths }) => {
    const workload = deployment('web', spec, {}, annotations === undefined ? {} : { annotations });
    const options = pssVersionOptions.parse(version === undefined ? {} : { version });
    const findings = findingsOf(check, [workload], options);
    expect(findings.map((f) => f.location.path).sort()).toEqual([...paths].sort());
    for (const f of findings) expect(f.severity).toBe('medium');
  });

  it('says what is wrong, why, and under which policy and upstream reason', () => {
    const [finding] = findingsOf(check, [
      pod('web', { containers: [{ name: 'app', image: 'a:1' }], volumes: [{ name: 'repo', gitRepo: { repository: 'https://x' } }] }),
    ]);
    expect(finding?.message).toBe(
      'Volume "repo" uses restricted volume type "gitRepo": only ephemeral and API-backed volume types are allowed (Pod Security restricted:latest, "restricted volume types").',
    );
    expect(finding?.location.path.startsWith('spec.')).toBe(true);
  });

  it('refuses a policy version the admission controller would refuse', () => {
    expect(pssVersionOptions.safeParse({ version: '1.30' }).success).toBe(false);
    expect(pssVersionOptions.safeParse({ version: 'v1.030' }).success).toBe(false);
  });
});
