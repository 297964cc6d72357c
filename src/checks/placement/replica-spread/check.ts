import { z } from 'zod';

import { apiGroupOf } from '../../../core/resource-ref.js';
import { arrayOrEmpty, isRecord } from '../../../k8s/guards.js';
import { defineCheck } from '../../define-check.js';

/** Workload kinds that run a number of identical replicas (`spec.replicas`, default 1). */
const REPLICATED = new Set([
  'apps/Deployment',
  'apps/StatefulSet',
  'apps/ReplicaSet',
  '/ReplicationController',
  'argoproj.io/Rollout',
  'extensions/Deployment',
  'extensions/ReplicaSet',
]);

const options = z
  .object({
    /** Judge workloads that can run at least this many replicas (their own count or their autoscaler's maximum). */
    minReplicas: z.number().int().min(1).default(2),
    /** What counts as spreading: pod anti-affinity, topology spread constraints, or both. */
    accept: z
      .array(z.enum(['anti-affinity', 'topology-spread']))
      .min(1)
      .default(['anti-affinity', 'topology-spread']),
  })
  .strict();

export default defineCheck({
  id: 'placement/replica-spread',
  target: 'PodSpec',
  reads: ['autoscaling/HorizontalPodAutoscaler'],
  meta: {
    title: 'Replicas are not spread across nodes or zones',
    area: 'placement',
    defaultSeverity: 'low',
    frameworks: { nsa: ['Fault tolerance'], mitre: ['T1499'] },
    description:
      'Without pod anti-affinity or topology spread constraints the scheduler may put every replica of a workload on the same node or zone. Losing that node — drained, crashed, or taken down by an attacker — takes the whole service with it, and replicas give no protection.',
    remediation:
      'Add `topologySpreadConstraints` over `kubernetes.io/hostname` (and `topology.kubernetes.io/zone`), or a preferred pod anti-affinity on the workload’s own labels.',
  },
  messages: {
    notSpread:
      '{{kind}} "{{name}}" runs up to {{replicas}} replica(s) but sets no {{what}}; they may all land on one node. Spread them over kubernetes.io/hostname or zones.',
  },
  options,
  run({ spec, workload, inventory, pointer }, ctx) {
    const { kind, apiVersion, namespace, name } = workload.ref;
    if (!REPLICATED.has(`${apiGroupOf(apiVersion)}/${kind}`)) {
      ctx.notApplicable();
      return;
    }
    const own = isRecord(workload.object.spec) ? workload.object.spec : {};
    let replicas = typeof own.replicas === 'number' ? own.replicas : 1;
    // An autoscaler decides the count: judge by the most it can run.
    for (const hpa of inventory.ofKind('HorizontalPodAutoscaler', {
      group: 'autoscaling',
      ...(namespace === undefined ? {} : { namespace }),
    })) {
      const hpaSpec = isRecord(hpa.object.spec) ? hpa.object.spec : {};
      const target = isRecord(hpaSpec.scaleTargetRef) ? hpaSpec.scaleTargetRef : {};
      if (target.kind === kind && target.name === name && typeof hpaSpec.maxReplicas === 'number')
        replicas = Math.max(replicas, hpaSpec.maxReplicas);
    }
    if (replicas < ctx.options.minReplicas) {
      ctx.notApplicable();
      return;
    }
    const affinity = isRecord(spec.affinity) ? spec.affinity : {};
    const anti = isRecord(affinity.podAntiAffinity) ? affinity.podAntiAffinity : {};
    const hasAnti =
      arrayOrEmpty(anti.requiredDuringSchedulingIgnoredDuringExecution).length > 0 ||
      arrayOrEmpty(anti.preferredDuringSchedulingIgnoredDuringExecution).length > 0;
    const hasSpread = arrayOrEmpty(spec.topologySpreadConstraints).length > 0;
    const accept = ctx.options.accept;
    if ((accept.includes('anti-affinity') && hasAnti) || (accept.includes('topology-spread') && hasSpread)) return;
    const what =
      accept.length === 2
        ? 'pod anti-affinity or topology spread constraints'
        : accept[0] === 'anti-affinity'
          ? 'pod anti-affinity'
          : 'topology spread constraints';
    ctx.report({ messageId: 'notSpread', pointer, data: { kind, name, replicas, what } });
  },
});
