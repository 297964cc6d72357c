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
    name: 'Unmasked in a user namespace',
    spec: { hostUsers: false, containers: [{ name: 'b', image: 'b:1', securityContext: { procMount: 'Unmasked' } }] },
    paths: ['spec.template.spec.containers[0].securityContext.procMount'],
  },
  {
    name: 'before policy v1.35 (the baseline control applies)',
    spec: { hostUsers: false, containers: [{ name: 'b', image: 'b:1', securityContext: { procMount: 'Unmasked' } }] },
    paths: [],
    version: 'v1.34',
  },
];

describe('pod-security/restricted-proc-mount', () => {
  it.each(cases)('$name', ({ spec, version, annotations, paths }) => {
    const workload = deployment('web', spec, {}, annotations === undefined ? {} : { annotations });
    const options = pssVersionOptions.parse(version === undefined ? {} : { version });
    const findings = findingsOf(check, [workload], options);
    expect(findings.map((f) => f.location.path).sort()).toEqual([...paths].sort());
    for (const f of findings) expect(f.severity).toBe('medium');
  });

  it('says what is wrong, why, and under which policy and upstream reason', () => {
    const [finding] = findingsOf(check, [
      pod('web', { containers: [{ name: 'b', image: 'b:1', securityContext: { procMount: 'Unmasked' } }] }),
    ]);
    expect(finding?.message).toBe(
      'Container "b" must not set securityContext.procMount to "Unmasked": restricted keeps /proc masked even in a user namespace (Pod Security restricted:latest, "procMount").',
    );
    expect(finding?.location.path.startsWith('spec.')).toBe(true);
  });

  it('refuses a policy version the admission controller would refuse', () => {
    expect(pssVersionOptions.safeParse({ version: '1.30' }).success).toBe(false);
    expect(pssVersionOptions.safeParse({ version: 'v1.030' }).success).toBe(false);
  });
});
