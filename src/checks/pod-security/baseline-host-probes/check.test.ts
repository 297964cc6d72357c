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
    name: 'a liveness host and a preStop host',
    spec: {
      containers: [
        {
          name: 'app',
          image: 'a:1',
          livenessProbe: { httpGet: { host: '10.0.0.1', port: 80 } },
          lifecycle: { preStop: { tcpSocket: { host: 'localhost', port: 1 } } },
        },
      ],
    },
    paths: [
      'spec.template.spec.containers[0].livenessProbe.httpGet.host',
      'spec.template.spec.containers[0].lifecycle.preStop.tcpSocket.host',
    ],
  },
  {
    name: 'an empty host',
    spec: { containers: [{ name: 'app', image: 'a:1', startupProbe: { httpGet: { host: '', port: 80 } } }] },
    paths: [],
  },
  {
    name: 'before policy v1.34',
    spec: { containers: [{ name: 'app', image: 'a:1', livenessProbe: { httpGet: { host: '10.0.0.1', port: 80 } } }] },
    paths: [],
    version: 'v1.33',
  },
];

describe('pod-security/baseline-host-probes', () => {
  it.each(cases)('$name', ({ spec, version, annotations, paths }) => {
    const workload = deployment('web', spec, {}, annotations === undefined ? {} : { annotations });
    const options = pssVersionOptions.parse(version === undefined ? {} : { version });
    const findings = findingsOf(check, [workload], options);
    expect(findings.map((f) => f.location.path).sort()).toEqual([...paths].sort());
    for (const f of findings) expect(f.severity).toBe('high');
  });

  it('says what is wrong, why, and under which policy and upstream reason', () => {
    const [finding] = findingsOf(check, [
      pod('web', { containers: [{ name: 'app', image: 'a:1', readinessProbe: { tcpSocket: { host: 'db.internal', port: 5432 } } }] }),
    ]);
    expect(finding?.message).toBe(
      'Container "app" uses probe or lifecycle host "db.internal": the kubelet would connect to that host from the node (Pod Security baseline:latest, "probe or lifecycle host").',
    );
    expect(finding?.location.path.startsWith('spec.')).toBe(true);
  });

  it('refuses a policy version the admission controller would refuse', () => {
    expect(pssVersionOptions.safeParse({ version: '1.30' }).success).toBe(false);
    expect(pssVersionOptions.safeParse({ version: 'v1.030' }).success).toBe(false);
  });
});
