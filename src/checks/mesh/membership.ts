/**
 * Service-mesh membership of namespaces and pods, as Istio and Linkerd decide it:
 * - Istio sidecar injection: namespace label `istio-injection: enabled`, or a revision label
 *   `istio.io/rev: <rev>` (istio-injection wins when both are set); pods opt out with the label (or,
 *   before Istio 1.x label support, the annotation) `sidecar.istio.io/inject: "false"`.
 * - Istio ambient mode: namespace label `istio.io/dataplane-mode: ambient` (ztunnel gives mTLS).
 * - Linkerd: annotation `linkerd.io/inject: enabled` on the namespace; pods opt out with
 *   `linkerd.io/inject: disabled`.
 */
import type { Labels } from '../../k8s/types.js';

export type Mesh = 'istio' | 'istio-ambient' | 'linkerd';

/** The mesh a namespace puts its pods in, or undefined. */
export function namespaceMesh(labels: Labels, annotations: Labels): Mesh | undefined {
  const injection = labels['istio-injection'];
  if (injection === 'enabled') return 'istio';
  if (injection !== 'disabled' && labels['istio.io/rev'] !== undefined && labels['istio.io/rev'] !== '') return 'istio';
  if (labels['istio.io/dataplane-mode'] === 'ambient') return 'istio-ambient';
  if (annotations['linkerd.io/inject'] === 'enabled') return 'linkerd';
  return undefined;
}

/** True when a namespace explicitly opts out of a mesh (rather than never having opted in). */
export function optedOut(labels: Labels, annotations: Labels): boolean {
  return (
    labels['istio-injection'] === 'disabled' ||
    labels['istio.io/dataplane-mode'] === 'none' ||
    annotations['linkerd.io/inject'] === 'disabled'
  );
}
