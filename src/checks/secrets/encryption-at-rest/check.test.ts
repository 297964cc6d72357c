import { describe, expect, it } from 'vitest';

import { findingsOf, runChecks } from '../../test-support/check-harness.js';
import { staticPod } from '../../control-plane/test-support/static-pods.js';
import type { KubeObject } from '../../../k8s/types.js';
import check from './check.js';

const config = (resources: unknown[]): KubeObject => ({
  apiVersion: 'apiserver.config.k8s.io/v1',
  kind: 'EncryptionConfiguration',
  metadata: { name: 'encryption.yaml' },
  resources,
});

describe('secrets/encryption-at-rest', () => {
  it.each([
    ['identity first', [{ resources: ['secrets'], providers: [{ identity: {} }, { aesgcm: { keys: [] } }] }], 'identity first', ['1.2.28']],
    ['no entry for secrets', [{ resources: ['configmaps'], providers: [{ aesgcm: {} }] }], 'no resources entry for secrets', ['1.2.28']],
    ['no providers', [{ resources: ['secrets'], providers: [] }], 'lists no providers', ['1.2.28']],
    ['aescbc', [{ resources: ['secrets'], providers: [{ aescbc: {} }] }], 'aescbc', undefined],
  ])('reports %s', (_label, resources, text, cis) => {
    const findings = findingsOf(check, [config(resources)]);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toContain(text);
    expect(findings[0]?.frameworks.cis).toEqual(cis);
  });

  it.each([
    ['kms first', [{ resources: ['secrets'], providers: [{ kms: { apiVersion: 'v2' } }, { identity: {} }] }]],
    ['a wildcard entry', [{ resources: ['*.*'], providers: [{ secretbox: {} }] }]],
    [
      'the first matching entry wins',
      [
        { resources: ['secrets'], providers: [{ aesgcm: {} }] },
        { resources: ['*.'], providers: [{ identity: {} }] },
      ],
    ],
  ])('passes %s', (_label, resources) => {
    expect(findingsOf(check, [config(resources)])).toEqual([]);
  });

  it('requires --encryption-provider-config on kube-apiserver and skips other pods', () => {
    const without = findingsOf(check, [staticPod('kube-apiserver', ['--secure-port=6443'])]);
    expect(without.map((f) => [f.location.path, f.frameworks.cis])).toEqual([['spec.containers[0].command', ['1.2.27']]]);
    expect(findingsOf(check, [staticPod('kube-apiserver', ['--encryption-provider-config=/etc/k/enc.yaml'])])).toEqual([]);
    const result = runChecks([check], [staticPod('kube-scheduler', [])]);
    expect(result.findings).toEqual([]);
  });
});
