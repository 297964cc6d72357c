import { describe, expect, it } from 'vitest';

import { container, deployment, findingsOf, object } from '../../test-support/check-harness.js';
import check from './check.js';

const ns = (name: string, labels: Record<string, string> = {}, annotations: Record<string, string> = {}) =>
  object('v1', 'Namespace', name, {}, { labels, annotations });
const workload = (namespace: string) => deployment(`app-${namespace}`, { containers: [container('c')] }, { namespace });

describe('mesh/namespace-not-meshed', () => {
  it('reports namespaces with workloads outside the mesh when others are in it', () => {
    const findings = findingsOf(check, [ns('shop', { 'istio-injection': 'enabled' }), ns('billing'), ns('quiet'), workload('billing')]);
    expect(findings.map((f) => f.message)).toEqual([
      'Namespace "billing" runs workloads outside the service mesh while shop is in it; its traffic is not protected by mesh mTLS.',
    ]);
  });

  it('says when a namespace opts out, and ignores excluded namespaces and clusters without a mesh', () => {
    const out = findingsOf(check, [
      ns('shop', {}, { 'linkerd.io/inject': 'enabled' }),
      ns('tools', {}, { 'linkerd.io/inject': 'disabled' }),
      workload('tools'),
    ]);
    expect(out[0]?.message).toContain('(it opts out explicitly)');
    expect(findingsOf(check, [ns('shop', { 'istio.io/rev': 'canary' }), ns('kube-system'), workload('kube-system')])).toEqual([]);
    expect(findingsOf(check, [ns('a'), ns('b'), workload('a')])).toEqual([]);
  });
});
