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
    name: 'two host ports',
    spec: {
      containers: [
        {
          name: 'app',
          image: 'a:1',
          ports: [{ containerPort: 80, hostPort: 80 }, { containerPort: 81 }, { containerPort: 443, hostPort: 443 }],
        },
      ],
    },
    paths: ['spec.template.spec.containers[0].ports[0].hostPort', 'spec.template.spec.containers[0].ports[2].hostPort'],
  },
  { name: 'hostPort 0', spec: { containers: [{ name: 'app', image: 'a:1', ports: [{ containerPort: 80, hostPort: 0 }] }] }, paths: [] },
];

describe('pod-security/baseline-host-ports', () => {
  it.each(cases)('$name', ({ spec, version, annotations, paths }) => {
    const workload = deployment('web', spec, {}, annotations === undefined ? {} : { annotations });
    const options = pssVersionOptions.parse(version === undefined ? {} : { version });
    const findings = findingsOf(check, [workload], options);
    expect(findings.map((f) => f.location.path).sort()).toEqual([...paths].sort());
    for (const f of findings) expect(f.severity).toBe('high');
  });

  it('says what is wrong, why, and under which policy and upstream reason', () => {
    const [finding] = findingsOf(check, [
      pod('web', { containers: [{ name: 'app', image: 'a:1', ports: [{ containerPort: 80, hostPort: 8080 }] }] }),
    ]);
    expect(finding?.message).toBe(
      'Container "app" uses hostPort 8080: a host port exposes the pod on the node’s own address (Pod Security baseline:latest, "hostPort").',
    );
    expect(finding?.location.path.startsWith('spec.')).toBe(true);
  });

  it('refuses a policy version the admission controller would refuse', () => {
    expect(pssVersionOptions.safeParse({ version: '1.30' }).success).toBe(false);
    expect(pssVersionOptions.safeParse({ version: 'v1.030' }).success).toBe(false);
  });
});
