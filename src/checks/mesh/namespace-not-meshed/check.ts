import { z } from 'zod';

import { stringMap } from '../../../k8s/guards.js';
import { defineCheck } from '../../define-check.js';
import { namespaceMesh, optedOut } from '../membership.js';
import { WORKLOAD_READS } from '../../reads.js';

const options = z
  .object({
    /** Namespaces that stay outside the mesh by design (the control plane, the mesh's own). */
    excludeNamespaces: z
      .array(z.string())
      .default([
        'kube-system',
        'kube-public',
        'kube-node-lease',
        'istio-system',
        'istio-ingress',
        'linkerd',
        'linkerd-viz',
        'linkerd-jaeger',
        'linkerd-cni',
      ]),
  })
  .strict();

export default defineCheck({
  id: 'mesh/namespace-not-meshed',
  target: 'Object',
  kinds: ['Namespace'],
  reads: ['Namespace', ...WORKLOAD_READS],
  // Whether a namespace has workloads is its own business; which namespaces are meshed is everyone's.
  localReads: WORKLOAD_READS,
  meta: {
    title: 'Namespace outside the service mesh',
    area: 'mesh',
    defaultSeverity: 'low',
    frameworks: { nsa: ['Service meshes', 'Encryption'] },
    description:
      'When some namespaces are in a service mesh and others are not, traffic to and from the others is neither encrypted nor authenticated by the mesh, and meshed workloads must accept plain text (PERMISSIVE) to talk to them.',
    remediation:
      'Enable injection for the namespace (`istio-injection=enabled`, `istio.io/dataplane-mode=ambient`, or the annotation `linkerd.io/inject: enabled`) and restart its workloads.',
  },
  messages: {
    outside:
      'Namespace "{{name}}" runs workloads outside the service mesh while {{meshed}} {{verb}} in it{{how}}; its traffic is not protected by mesh mTLS.',
  },
  options,
  run({ object, inventory }, ctx) {
    const name = object.metadata.name;
    const labels = stringMap(object.metadata.labels);
    const annotations = stringMap(object.metadata.annotations);
    if (ctx.options.excludeNamespaces.includes(name) || namespaceMesh(labels, annotations) !== undefined) {
      ctx.notApplicable();
      return;
    }
    const meshed = inventory
      .ofKind('Namespace', { group: '' })
      .filter((ns) => namespaceMesh(stringMap(ns.object.metadata.labels), stringMap(ns.object.metadata.annotations)) !== undefined)
      .map((ns) => ns.ref.name);
    // Without a mesh in use, or without workloads here, there is no unprotected traffic to speak of.
    const hasWorkloads = inventory.podTemplatesIn(name).length > 0;
    if (meshed.length === 0 || !hasWorkloads) {
      ctx.notApplicable();
      return;
    }
    const listed = meshed.length > 3 ? `${meshed.slice(0, 3).join(', ')} and ${meshed.length - 3} more` : meshed.join(', ');
    ctx.report({
      messageId: 'outside',
      pointer: '/metadata',
      data: {
        name,
        meshed: listed,
        verb: meshed.length === 1 ? 'is' : 'are',
        how: optedOut(labels, annotations) ? ' (it opts out explicitly)' : '',
      },
    });
  },
});
