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
    name: 'two forbidden additions',
    spec: { containers: [{ name: 'app', image: 'a:1', securityContext: { capabilities: { add: ['CHOWN', 'NET_RAW', 'SYS_ADMIN'] } } }] },
    paths: [
      'spec.template.spec.containers[0].securityContext.capabilities.add[1]',
      'spec.template.spec.containers[0].securityContext.capabilities.add[2]',
    ],
  },
  {
    name: 'a CAP_ prefix is not stripped',
    spec: { containers: [{ name: 'app', image: 'a:1', securityContext: { capabilities: { add: ['CAP_CHOWN'] } } }] },
    paths: ['spec.template.spec.containers[0].securityContext.capabilities.add[0]'],
  },
  {
    name: 'default capabilities only',
    spec: {
      containers: [
        { name: 'app', image: 'a:1', securityContext: { capabilities: { add: ['CHOWN', 'NET_BIND_SERVICE'], drop: ['SYS_ADMIN'] } } },
      ],
    },
    paths: [],
  },
];

describe('pod-security/baseline-capabilities', () => {
  it.each(cases)('$name', ({ spec, version, annotations, paths }) => {
    const workload = deployment('web', spec, {}, annotations === undefined ? {} : { annotations });
    const options = pssVersionOptions.parse(version === undefined ? {} : { version });
    const findings = findingsOf(check, [workload], options);
    expect(findings.map((f) => f.location.path).sort()).toEqual([...paths].sort());
    for (const f of findings) expect(f.severity).toBe('high');
  });

  it('says what is wrong, why, and under which policy and upstream reason', () => {
    const [finding] = findingsOf(check, [
      pod('web', { containers: [{ name: 'app', image: 'a:1', securityContext: { capabilities: { add: ['NET_RAW'] } } }] }),
    ]);
    expect(finding?.message).toBe(
      'Container "app" must not include "NET_RAW" in securityContext.capabilities.add: capabilities beyond the runtime default widen the kernel attack surface (Pod Security baseline:latest, "non-default capabilities").',
    );
    expect(finding?.location.path.startsWith('spec.')).toBe(true);
  });

  it('refuses a policy version the admission controller would refuse', () => {
    expect(pssVersionOptions.safeParse({ version: '1.30' }).success).toBe(false);
    expect(pssVersionOptions.safeParse({ version: 'v1.030' }).success).toBe(false);
  });
});
