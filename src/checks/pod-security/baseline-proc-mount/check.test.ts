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
    name: 'Unmasked without a user namespace',
    spec: { containers: [{ name: 'b', image: 'b:1', securityContext: { procMount: 'Unmasked' } }] },
    paths: ['spec.template.spec.containers[0].securityContext.procMount'],
  },
  {
    name: 'Unmasked in a user namespace at policy v1.34',
    spec: { hostUsers: false, containers: [{ name: 'b', image: 'b:1', securityContext: { procMount: 'Unmasked' } }] },
    paths: ['spec.template.spec.containers[0].securityContext.procMount'],
    version: 'v1.34',
  },
  { name: 'Default', spec: { containers: [{ name: 'b', image: 'b:1', securityContext: { procMount: 'Default' } }] }, paths: [] },
];

describe('pod-security/baseline-proc-mount', () => {
  it.each(cases)('$name', ({ spec, version, annotations, paths }) => {
    const workload = deployment('web', spec, {}, annotations === undefined ? {} : { annotations });
    const options = pssVersionOptions.parse(version === undefined ? {} : { version });
    const findings = findingsOf(check, [workload], options);
    expect(findings.map((f) => f.location.path).sort()).toEqual([...paths].sort());
    for (const f of findings) expect(f.severity).toBe('high');
  });

  it('says what is wrong, why, and under which policy and upstream reason', () => {
    const [finding] = findingsOf(check, [
      pod('web', { containers: [{ name: 'b', image: 'b:1', securityContext: { procMount: 'Unmasked' } }] }),
    ]);
    expect(finding?.message).toBe(
      'Container "b" must not set securityContext.procMount to "Unmasked": an unmasked /proc exposes kernel interfaces of the node (Pod Security baseline:latest, "procMount").',
    );
    expect(finding?.location.path.startsWith('spec.')).toBe(true);
  });

  it('refuses a policy version the admission controller would refuse', () => {
    expect(pssVersionOptions.safeParse({ version: '1.30' }).success).toBe(false);
    expect(pssVersionOptions.safeParse({ version: 'v1.030' }).success).toBe(false);
  });
});
