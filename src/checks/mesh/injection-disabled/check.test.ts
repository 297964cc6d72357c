import { describe, expect, it } from 'vitest';

import { container, deployment, findingsOf, object } from '../../test-support/check-harness.js';
import check from './check.js';

const ns = (labels: Record<string, string>, annotations: Record<string, string> = {}) =>
  object('v1', 'Namespace', 'shop', {}, { labels, annotations });
const app = (templateMetadata: Record<string, unknown>, spec: Record<string, unknown> = {}) =>
  deployment('web', { containers: [container('c')], ...spec }, { namespace: 'shop' }, templateMetadata);

describe('mesh/injection-disabled', () => {
  it.each([
    [
      ns({}, { 'linkerd.io/inject': 'enabled' }),
      { annotations: { 'linkerd.io/inject': 'disabled' } },
      'spec.template.metadata.annotations["linkerd.io/inject"]',
    ],
    [
      ns({ 'istio-injection': 'enabled' }),
      { labels: { app: 'web', 'sidecar.istio.io/inject': 'false' } },
      'spec.template.metadata.labels["sidecar.istio.io/inject"]',
    ],
    [
      ns({ 'istio.io/rev': '1-22' }),
      { annotations: { 'sidecar.istio.io/inject': 'false' } },
      'spec.template.metadata.annotations["sidecar.istio.io/inject"]',
    ],
  ])('reports an opt-out in a meshed namespace (%#)', (namespace, metadata, path) => {
    expect(findingsOf(check, [namespace, app(metadata)]).map((f) => f.location.path)).toEqual([path]);
  });

  it('skips host-network pods, ambient namespaces, other meshes and unknown namespaces', () => {
    const optOut = { annotations: { 'linkerd.io/inject': 'disabled' } };
    expect(findingsOf(check, [ns({}, { 'linkerd.io/inject': 'enabled' }), app(optOut, { hostNetwork: true })])).toEqual([]);
    expect(
      findingsOf(check, [ns({ 'istio.io/dataplane-mode': 'ambient' }), app({ labels: { 'sidecar.istio.io/inject': 'false' } })]),
    ).toEqual([]);
    expect(findingsOf(check, [ns({ 'istio-injection': 'enabled' }), app(optOut)])).toEqual([]);
    expect(findingsOf(check, [app(optOut)])).toEqual([]);
  });
});
