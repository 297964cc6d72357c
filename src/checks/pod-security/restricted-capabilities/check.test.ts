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
    name: 'no drop, and a forbidden add',
    spec: { containers: [{ name: 'a', image: 'a:1', securityContext: { capabilities: { add: ['NET_BIND_SERVICE', 'CHOWN'] } } }] },
    paths: [
      'spec.template.spec.containers[0].securityContext.capabilities.drop',
      'spec.template.spec.containers[0].securityContext.capabilities.add[1]',
    ],
  },
  {
    name: 'drop ALL on an ephemeral container too',
    spec: {
      containers: [{ name: 'a', image: 'a:1', securityContext: { capabilities: { drop: ['ALL'] } } }],
      ephemeralContainers: [{ name: 'dbg', image: 'd:1' }],
    },
    paths: ['spec.template.spec.ephemeralContainers[0].securityContext.capabilities.drop'],
  },
  { name: 'before policy v1.22', spec: { containers: [{ name: 'a', image: 'a:1' }] }, paths: [], version: 'v1.21' },
];

describe('pod-security/restricted-capabilities', () => {
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
      'Container "app" must set securityContext.capabilities.drop=["ALL"]: restricted containers keep no capability but NET_BIND_SERVICE (Pod Security restricted:latest, "unrestricted capabilities").',
    );
    expect(finding?.location.path.startsWith('spec.')).toBe(true);
  });

  it('refuses a policy version the admission controller would refuse', () => {
    expect(pssVersionOptions.safeParse({ version: '1.30' }).success).toBe(false);
    expect(pssVersionOptions.safeParse({ version: 'v1.030' }).success).toBe(false);
  });
});
