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
    name: 'unset everywhere: the pod-level field is the fix',
    spec: {
      containers: [
        { name: 'a', image: 'a:1' },
        { name: 'b', image: 'b:1' },
      ],
    },
    paths: ['spec.template.spec.securityContext.runAsNonRoot'],
  },
  {
    name: 'set on one container only',
    spec: {
      containers: [
        { name: 'a', image: 'a:1', securityContext: { runAsNonRoot: true } },
        { name: 'b', image: 'b:1' },
      ],
    },
    paths: ['spec.template.spec.containers[1].securityContext.runAsNonRoot'],
  },
  { name: 'a user namespace from policy v1.35', spec: { hostUsers: false, containers: [{ name: 'a', image: 'a:1' }] }, paths: [] },
];

describe('pod-security/restricted-run-as-non-root', () => {
  it.each(cases)('$name', ({ spec, version, annotations, paths }) => {
    const workload = deployment('web', spec, {}, annotations === undefined ? {} : { annotations });
    const options = pssVersionOptions.parse(version === undefined ? {} : { version });
    const findings = findingsOf(check, [workload], options);
    expect(findings.map((f) => f.location.path).sort()).toEqual([...paths].sort());
    for (const f of findings) expect(f.severity).toBe('medium');
  });

  it('says what is wrong, why, and under which policy and upstream reason', () => {
    const [finding] = findingsOf(check, [
      pod('web', { containers: [{ name: 'app', image: 'a:1', securityContext: { runAsNonRoot: false } }] }),
    ]);
    expect(finding?.message).toBe(
      'Container "app" must not set securityContext.runAsNonRoot=false: the kubelet then refuses to start a container as root (Pod Security restricted:latest, "runAsNonRoot != true").',
    );
    expect(finding?.location.path.startsWith('spec.')).toBe(true);
  });

  it('refuses a policy version the admission controller would refuse', () => {
    expect(pssVersionOptions.safeParse({ version: '1.30' }).success).toBe(false);
    expect(pssVersionOptions.safeParse({ version: 'v1.030' }).success).toBe(false);
  });
});
