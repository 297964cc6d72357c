import type { PssLevel } from '../analysis/pss/levels.js';
import { apiGroupOf } from '../core/resource-ref.js';
import type { Check } from '../checks/define-check.js';
import type { ActiveCheck } from '../checks/run-checks.js';
import { isWorkloadKind } from '../k8s/pod-templates.js';

/**
 * Why each object-scoped check that `reads` other objects cannot judge one object alone (a
 * NetworkPolicy "selects no pod" when no pod is known), in words for docs/admission.md. Which checks
 * admission leaves to `vigil scan` and the monitor is decided by `reads` — the same declaration the
 * monitor relies on — not by this list; a test keeps the two in step, and another fails when a
 * check looks into the Inventory without declaring `reads`.
 */
export const NEEDS_CLUSTER_CONTEXT: ReadonlyMap<string, string> = new Map([
  ['control-plane/etcd', 'it reads the kube-system static pods and control-plane flags'],
  ['control-plane/webhook-kube-system', 'it reads the labels of the kube-system Namespace'],
  ['images/known-vulnerabilities', "it reads the cluster's vulnerability reports"],
  ['mesh/injection-disabled', 'it reads the labels of the Namespace'],
  ['mesh/istio-mtls-not-strict', "it reads the namespace's and the mesh-wide PeerAuthentications"],
  ['mesh/namespace-not-meshed', 'it looks for workloads and mesh settings in the namespace'],
  ['network/policy-selects-no-pod', 'it compares the policy with the pods of its namespace'],
  ['placement/replica-spread', 'it reads the HorizontalPodAutoscalers of the workload'],
  ['placement/security-tier', 'it reads the Namespace labels and the Nodes'],
  ['rbac/unneeded-token-automount', 'it reads the RBAC bindings of the service account'],
  ['rbac/workload-token-risky-permissions', 'it reads the RBAC bindings of the service account'],
  ['resources/namespace-quota', "it looks for the namespace's ResourceQuotas and LimitRanges"],
  ['resources/usage-over-request', 'it compares metrics with the running Pod'],
  ['secrets/unused-secret', 'it looks for the workloads that reference the Secret'],
]);

/** Why a check cannot run in admission, or undefined when it can. */
export function notInAdmission(check: Check): string | undefined {
  if (check.target === 'Cluster') return 'it judges the whole cluster, not one object';
  if (check.reads === undefined || check.reads.length === 0) return undefined;
  return NEEDS_CLUSTER_CONTEXT.get(check.id) ?? `it reads other objects of the cluster (${check.reads.join(', ')})`;
}

/** The active checks that can judge one object as it is admitted. */
export function admissionChecks(active: readonly ActiveCheck[]): ActiveCheck[] {
  return active.filter((a) => notInAdmission(a.check) === undefined);
}

/** The Pod Security level a check belongs to (`pod-security/baseline-*`, `pod-security/restricted-*`), if any. */
export function pssLevelOf(check: Check): Exclude<PssLevel, 'privileged'> | undefined {
  // By id, not by framework refs: a restricted check may cite the baseline control it tightens
  // (pod-security/restricted-proc-mount cites baseline/proc-mount-type).
  const match = /^pod-security\/(baseline|restricted)-/.exec(check.id);
  return match === null ? undefined : (match[1] as 'baseline' | 'restricted');
}

/**
 * Decides which request kinds any of the checks judges: pods and workloads (through their pod
 * template) when a PodSpec or Container check runs, and the `kinds` of Object checks.
 */
export function kindFilter(checks: readonly ActiveCheck[]): (apiVersion: string, kind: string) => boolean {
  const templates = checks.some((a) => a.check.target === 'PodSpec' || a.check.target === 'Container');
  const keys = new Set<string>();
  for (const { check } of checks) {
    if (check.target !== 'Object') continue;
    for (const k of check.kinds ?? []) keys.add(k.includes('/') ? k : `/${k}`);
  }
  return (apiVersion, kind) => {
    if (templates && isWorkloadKind(apiVersion, kind)) return true;
    return keys.has(`${apiGroupOf(apiVersion)}/${kind}`) || keys.has(`*/${kind}`);
  };
}
