import { z } from 'zod';

import { apiGroupOf } from '../../../core/resource-ref.js';
import { arrayOrEmpty, isRecord } from '../../../k8s/guards.js';
import { defineCheck } from '../../define-check.js';
import { requiredTerms, tolerationMatches, type Taint } from '../node-selection.js';

/** The taints kubeadm and most installers put on control-plane nodes (Kubernetes ≥ 1.24, and the legacy one). */
const CONTROL_PLANE_TAINTS: readonly Taint[] = [
  { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
  { key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' },
];
const CONTROL_PLANE_LABELS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];

const options = z
  .object({
    /** Namespaces whose pods belong on control-plane nodes. */
    systemNamespaces: z.array(z.string()).default(['kube-system']),
  })
  .strict();

export default defineCheck({
  id: 'placement/control-plane-toleration',
  target: 'PodSpec',
  meta: {
    title: 'Workload tolerates the control-plane taint',
    area: 'placement',
    defaultSeverity: 'medium',
    frameworks: { nsa: ['Worker node segmentation', 'Control plane hardening'], mitre: ['T1611'] },
    description:
      'Control-plane nodes are tainted so that ordinary workloads stay off them: they hold etcd’s data, the cluster’s certificate keys and the API server. A pod that tolerates the taint (or every taint) can be scheduled there, and an escape from it hands over the whole cluster.',
    remediation:
      'Remove the toleration (an `operator: Exists` without a key tolerates everything), or keep the pod off control-plane nodes with required node affinity `node-role.kubernetes.io/control-plane DoesNotExist`.',
  },
  messages: {
    tolerates:
      '{{kind}} "{{name}}" {{how}}, so it can be scheduled onto control-plane nodes; remove the toleration or keep it off them with node affinity.',
  },
  options,
  run({ spec, workload, pointer }, ctx) {
    const namespace = workload.ref.namespace;
    if (namespace !== undefined && ctx.options.systemNamespaces.includes(namespace)) {
      ctx.notApplicable();
      return;
    }
    const tolerations = arrayOrEmpty(spec.tolerations);
    const index = tolerations.findIndex((t) => CONTROL_PLANE_TAINTS.some((taint) => tolerationMatches(t, taint)));
    if (index === -1) return;
    // Required node affinity that excludes control-plane nodes keeps it off them whatever it tolerates.
    const terms = requiredTerms(spec);
    const keptOff =
      terms !== undefined &&
      terms.length > 0 &&
      terms.every(
        (term) =>
          isRecord(term) &&
          arrayOrEmpty(term.matchExpressions).some(
            (e) => isRecord(e) && e.operator === 'DoesNotExist' && typeof e.key === 'string' && CONTROL_PLANE_LABELS.includes(e.key),
          ),
      );
    if (keptOff) return;
    const toleration = tolerations[index];
    const key = isRecord(toleration) && typeof toleration.key === 'string' ? toleration.key : '';
    const everything = key === '';
    const daemon = workload.ref.kind === 'DaemonSet' && apiGroupOf(workload.ref.apiVersion) === 'apps';
    ctx.report({
      messageId: 'tolerates',
      pointer: `${pointer}/tolerations/${index}`,
      data: {
        kind: workload.ref.kind,
        name: workload.ref.name,
        how: everything ? 'tolerates every taint (operator: Exists with no key)' : `tolerates the control-plane taint ${key}`,
      },
      // Node agents (log shippers, CNI, monitoring) run everywhere by design; still worth knowing.
      ...(daemon ? { severity: 'low' as const } : {}),
    });
  },
});
