import { z } from 'zod';

import { stringMap } from '../../../k8s/guards.js';
import { defineCheck } from '../../define-check.js';
import { canScheduleOnto, requiresNodeLabel } from '../node-selection.js';

const options = z
  .object({
    /** The label (on the pod template or its namespace) that says which security tier a workload needs. */
    label: z.string().min(1).default('security-tier'),
    /** The node label that says which tier a node belongs to (defaults to the same key). */
    nodeLabel: z.string().min(1).optional(),
  })
  .strict();

const MAX_LISTED = 5;

export default defineCheck({
  id: 'placement/security-tier',
  target: 'PodSpec',
  reads: ['Namespace', 'Node'],
  localReads: ['Namespace'],
  meta: {
    title: 'Workload can be scheduled outside its security tier',
    area: 'placement',
    defaultSeverity: 'high',
    frameworks: { nsa: ['Worker node segmentation'], mitre: ['T1611'] },
    description:
      'Workloads that need a protected tier (sensitive data, a regulated zone, untrusted code kept apart) rely on running only on the nodes of that tier. A nodeSelector or required node affinity is what keeps them there; without it, or with one that still admits other nodes, the scheduler may place them beside workloads they must not share a kernel with.',
    remediation:
      'Give the pod template a nodeSelector (or required node affinity) for the tier’s node label, and taint the tier’s nodes so that nothing else lands there.',
  },
  messages: {
    notPinned:
      '{{kind}} "{{name}}" requires security tier "{{tier}}" ({{source}}) but has no nodeSelector or required node affinity for {{nodeLabel}}={{tier}}; it can run on any node.',
    otherNodes:
      '{{kind}} "{{name}}" requires security tier "{{tier}}" ({{source}}) but can be scheduled onto {{count}} node(s) without {{nodeLabel}}={{tier}}: {{nodes}}.',
  },
  options,
  run({ spec, metadata, workload, inventory, pointer }, ctx) {
    const { label } = ctx.options;
    const nodeLabel = ctx.options.nodeLabel ?? label;
    const namespace = workload.ref.namespace;
    const podTier = stringMap(metadata.labels)[label];
    const nsTier =
      namespace === undefined ? undefined : stringMap(inventory.get('', 'Namespace', undefined, namespace)?.object.metadata.labels)[label];
    const tier = podTier ?? nsTier;
    if (tier === undefined || tier === '') {
      ctx.notApplicable();
      return;
    }
    const data = {
      kind: workload.ref.kind,
      name: workload.ref.name,
      tier,
      nodeLabel,
      source: podTier !== undefined ? `pod label ${label}` : `namespace ${namespace ?? ''} label ${label}`,
    };
    const nodes = inventory.ofKind('Node', { group: '' });
    if (nodes.length > 0) {
      // With the nodes in the scan, judge where the scheduler could really put it.
      const outside = nodes
        .filter((n) => canScheduleOnto(spec, n.object) && stringMap(n.object.metadata.labels)[nodeLabel] !== tier)
        .map((n) => n.ref.name);
      if (outside.length === 0) return;
      const listed =
        outside.slice(0, MAX_LISTED).join(', ') + (outside.length > MAX_LISTED ? `, and ${outside.length - MAX_LISTED} more` : '');
      ctx.report({ messageId: 'otherNodes', pointer, data: { ...data, count: outside.length, nodes: listed } });
      return;
    }
    if (!requiresNodeLabel(spec, nodeLabel, tier)) ctx.report({ messageId: 'notPinned', pointer, data });
  },
});
