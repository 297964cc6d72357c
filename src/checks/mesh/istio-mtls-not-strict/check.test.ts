import { describe, expect, it } from 'vitest';

import { findingsOf, object } from '../../test-support/check-harness.js';
import check from './check.js';

const pa = (namespace: string, spec: Record<string, unknown>, name = 'default') =>
  object('security.istio.io/v1', 'PeerAuthentication', name, { spec }, { namespace });
const ns = (name: string, labels: Record<string, string> = { 'istio-injection': 'enabled' }) =>
  object('v1', 'Namespace', name, {}, { labels });

describe('mesh/istio-mtls-not-strict', () => {
  it.each([
    [pa('shop', { mtls: { mode: 'PERMISSIVE' } }), 'medium', '(namespace shop) sets mTLS mode PERMISSIVE'],
    [pa('istio-system', { mtls: { mode: 'DISABLE' } }), 'high', '(mesh-wide) sets mTLS mode DISABLE'],
    [
      pa('shop', { selector: { matchLabels: { app: 'db' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 5432: { mode: 'DISABLE' } } }),
      'high',
      'for port 5432',
    ],
    [pa('istio-system', {}), 'medium', 'leaves mTLS mode unset'],
  ])('reports %#', (policy, severity, text) => {
    const findings = findingsOf(check, [policy]);
    expect(findings.map((f) => f.severity)).toEqual([severity]);
    expect(findings[0]?.message).toContain(text);
  });

  it('reports meshed namespaces that only get the PERMISSIVE default', () => {
    expect(findingsOf(check, [ns('shop')]).map((f) => f.message)).toEqual([
      expect.stringContaining('Namespace "shop" is in the Istio mesh but no PeerAuthentication'),
    ]);
    expect(findingsOf(check, [ns('shop', { 'istio.io/dataplane-mode': 'ambient' })])).toHaveLength(1);
    expect(findingsOf(check, [ns('shop'), pa('istio-system', { mtls: { mode: 'STRICT' } })])).toEqual([]);
    expect(findingsOf(check, [ns('shop'), pa('shop', { mtls: { mode: 'STRICT' } })])).toEqual([]);
    expect(findingsOf(check, [ns('plain', {})])).toEqual([]);
  });

  it('takes the root namespace from its options', () => {
    expect(findingsOf(check, [pa('istio-config', {})], { rootNamespace: 'istio-config' })[0]?.message).toContain('mesh-wide policy');
  });
});
