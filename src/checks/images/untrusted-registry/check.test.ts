import { describe, expect, it } from 'vitest';

import { container, findingsOf, pod } from '../../test-support/check-harness.js';
import check from './check.js';

const options = (extra: Record<string, unknown>) => ({
  allowedRegistries: [],
  blockedRegistries: [],
  deprecatedRegistries: ['k8s.gcr.io'],
  ...extra,
});
const run = (image: string, opts?: unknown) => findingsOf(check, [pod('p', { containers: [container('c', { image })] })], opts);

describe('images/untrusted-registry', () => {
  it('reports images outside the allow-list', () => {
    const allow = options({ allowedRegistries: ['amazonaws.com', 'gcr.io', 'azurecr.io'] });
    expect(run('influxdb', allow).map((f) => f.message)).toEqual([
      expect.stringContaining('from docker.io, which is not in the allowed registries'),
    ]);
    expect(run('k8s.gcb.io/goproxy:0.1', allow)).toHaveLength(1);
    expect(run('gcr.io/goproxy:0.1', allow)).toEqual([]);
    expect(run('nginx', options({ allowedRegistries: ['docker.io'] }))).toEqual([]);
  });

  it('reports blocked registries even when allowed', () => {
    const findings = run('ghcr.io/acme/tool:1', options({ allowedRegistries: ['ghcr.io'], blockedRegistries: ['ghcr.io/acme'] }));
    expect(findings.map((f) => f.message)).toEqual([expect.stringContaining('which is blocked (ghcr.io/acme)')]);
  });

  it('reports deprecated registries at medium by default', () => {
    expect(run('k8s.gcr.io/pause:3.2').map((f) => f.severity)).toEqual(['medium']);
    expect(run('registry.k8s.io/pause:3.9')).toEqual([]);
  });

  it('does nothing without any list', () => {
    expect(run('k8s.gcr.io/pause:3.2', options({ deprecatedRegistries: [] }))).toEqual([]);
  });
});
