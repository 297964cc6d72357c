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
    name: 'pod-level hostProcess',
    spec: { securityContext: { windowsOptions: { hostProcess: true } }, containers: [{ name: 'app', image: 'a:1' }] },
    paths: ['spec.template.spec.securityContext.windowsOptions.hostProcess'],
  },
  {
    name: 'container-level hostProcess',
    spec: { containers: [{ name: 'app', image: 'a:1', securityContext: { windowsOptions: { hostProcess: true } } }] },
    paths: ['spec.template.spec.containers[0].securityContext.windowsOptions.hostProcess'],
  },
  {
    name: 'hostProcess: false',
    spec: { containers: [{ name: 'app', image: 'a:1', securityContext: { windowsOptions: { hostProcess: false } } }] },
    paths: [],
  },
];

describe('pod-security/baseline-host-process', () => {
  it.each(cases)('$name', ({ spec, version, annotations, paths }) => {
    const workload = deployment('web', spec, {}, annotations === undefined ? {} : { annotations });
    const options = pssVersionOptions.parse(version === undefined ? {} : { version });
    const findings = findingsOf(check, [workload], options);
    expect(findings.map((f) => f.location.path).sort()).toEqual([...paths].sort());
    for (const f of findings) expect(f.severity).toBe('critical');
  });

  it('says what is wrong, why, and under which policy and upstream reason', () => {
    const [finding] = findingsOf(check, [
      pod('web', { containers: [{ name: 'agent', image: 'a:1', securityContext: { windowsOptions: { hostProcess: true } } }] }),
    ]);
    expect(finding?.message).toBe(
      'Container "agent" must not set securityContext.windowsOptions.hostProcess=true: a HostProcess container runs on the Windows node itself (Pod Security baseline:latest, "hostProcess").',
    );
    expect(finding?.location.path.startsWith('spec.')).toBe(true);
  });

  it('refuses a policy version the admission controller would refuse', () => {
    expect(pssVersionOptions.safeParse({ version: '1.30' }).success).toBe(false);
    expect(pssVersionOptions.safeParse({ version: 'v1.030' }).success).toBe(false);
  });
});
