import { apiGroupOf } from '../../../core/resource-ref.js';
import { stringMap } from '../../../k8s/guards.js';
import { defineCheck } from '../../define-check.js';
import { namespaceMesh } from '../membership.js';

export default defineCheck({
  id: 'mesh/injection-disabled',
  target: 'PodSpec',
  reads: ['Namespace'],
  localReads: ['Namespace'],
  meta: {
    title: 'Workload opts out of the mesh in a meshed namespace',
    area: 'mesh',
    defaultSeverity: 'medium',
    frameworks: { nsa: ['Service meshes', 'Encryption'] },
    description:
      'A pod that disables sidecar injection in a namespace that is in the mesh talks plain text and has no mesh identity: its traffic is unencrypted, and authorization policies that require mTLS identities cannot protect it.',
    remediation:
      'Remove the opt-out (`linkerd.io/inject: disabled`, `sidecar.istio.io/inject: "false"`), or document why the workload must stay out.',
  },
  messages: {
    optOut: '{{kind}} "{{name}}" sets {{how}} although namespace "{{namespace}}" is in the {{mesh}} mesh; its traffic bypasses mesh mTLS.',
  },
  run({ metadata, metadataPointer, workload, inventory, spec }, ctx) {
    const namespace = workload.ref.namespace;
    const ns = namespace === undefined ? undefined : inventory.get('', 'Namespace', undefined, namespace);
    const mesh =
      ns === undefined ? undefined : namespaceMesh(stringMap(ns.object.metadata.labels), stringMap(ns.object.metadata.annotations));
    // Pods on the host network cannot get a sidecar; ambient mode needs no injection.
    if (mesh === undefined || mesh === 'istio-ambient' || spec.hostNetwork === true) {
      ctx.notApplicable();
      return;
    }
    const labels = stringMap(metadata.labels);
    const annotations = stringMap(metadata.annotations);
    let how: string | undefined;
    let pointer = metadataPointer;
    if (mesh === 'linkerd' && annotations['linkerd.io/inject'] === 'disabled') {
      how = 'the annotation linkerd.io/inject: disabled';
      pointer = `${metadataPointer}/annotations/linkerd.io~1inject`;
    } else if (mesh === 'istio' && labels['sidecar.istio.io/inject'] === 'false') {
      how = 'the label sidecar.istio.io/inject: "false"';
      pointer = `${metadataPointer}/labels/sidecar.istio.io~1inject`;
    } else if (mesh === 'istio' && annotations['sidecar.istio.io/inject'] === 'false') {
      how = 'the annotation sidecar.istio.io/inject: "false"';
      pointer = `${metadataPointer}/annotations/sidecar.istio.io~1inject`;
    }
    if (how === undefined) return;
    const batch = apiGroupOf(workload.ref.apiVersion) === 'batch';
    ctx.report({
      messageId: 'optOut',
      pointer,
      data: {
        kind: workload.ref.kind,
        name: workload.ref.name,
        how,
        namespace: namespace ?? '',
        mesh: mesh === 'linkerd' ? 'Linkerd' : 'Istio',
      },
      // Jobs often opt out because a sidecar kept them from completing (before native sidecars): lower.
      ...(batch ? { severity: 'low' as const } : {}),
    });
  },
});
