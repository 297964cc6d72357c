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
    name: 'an unconfined container field',
    spec: { containers: [{ name: 'app', image: 'a:1', securityContext: { appArmorProfile: { type: 'Unconfined' } } }] },
    paths: ['spec.template.spec.containers[0].securityContext.appArmorProfile.type'],
  },
  {
    name: 'RuntimeDefault and Localhost',
    spec: {
      securityContext: { appArmorProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'app', image: 'a:1', securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'p' } } }],
    },
    paths: [],
  },
];

describe('pod-security/baseline-apparmor', () => {
  it.each(cases)('$name', ({ spec, version, annotations, paths }) => {
    const workload = deployment('web', spec, {}, annotations === undefined ? {} : { annotations });
    const options = pssVersionOptions.parse(version === undefined ? {} : { version });
    const findings = findingsOf(check, [workload], options);
    expect(findings.map((f) => f.location.path).sort()).toEqual([...paths].sort());
    for (const f of findings) expect(f.severity).toBe('high');
  });

  it('says what is wrong, why, and under which policy and upstream reason', () => {
    const [finding] = findingsOf(check, [
      pod('web', { securityContext: { appArmorProfile: { type: 'Unconfined' } }, containers: [{ name: 'app', image: 'a:1' }] }),
    ]);
    expect(finding?.message).toBe(
      'Pod must not set AppArmor profile type to "Unconfined": an unconfined container loses the AppArmor protection of the node (Pod Security baseline:latest, "forbidden AppArmor profile").',
    );
    expect(finding?.location.path.startsWith('spec.')).toBe(true);
  });

  it('refuses a policy version the admission controller would refuse', () => {
    expect(pssVersionOptions.safeParse({ version: '1.30' }).success).toBe(false);
    expect(pssVersionOptions.safeParse({ version: 'v1.030' }).success).toBe(false);
  });
});
