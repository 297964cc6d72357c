/**
 * `reads` lists shared by checks that look up other objects (see `CheckDefinition.reads`): the monitor
 * re-runs such a check on every subject when an object of one of these kinds changes.
 */
import { WORKLOAD_KINDS } from '../k8s/pod-templates.js';

/** Every kind that owns a pod template (bare kinds match any group). */
export const WORKLOAD_READS: readonly string[] = WORKLOAD_KINDS;

/** What the RBAC index is built from, and the service accounts it resolves. */
export const RBAC_READS: readonly string[] = [
  'rbac.authorization.k8s.io/Role',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/RoleBinding',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'ServiceAccount',
];

/** What the RBAC index (`RbacIndex.of`) is built from. */
export const RBAC_INDEX_READS: readonly string[] = [
  'rbac.authorization.k8s.io/Role',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/RoleBinding',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
];

/**
 * What the NetworkPolicy checks' view of a namespace is built from (`networkModelOf` with
 * namespaces): its pods and workloads and its policies, all local to the namespace.
 */
export const NETWORK_READS: readonly string[] = [...WORKLOAD_READS, 'networking.k8s.io/NetworkPolicy'];

/** What the Pod Security namespace analysis reads that is local to a namespace: its labels and its workloads. */
export const PSS_LOCAL_READS: readonly string[] = ['Namespace', ...WORKLOAD_READS];

/** Everything the Pod Security namespace analysis reads: the local part and the admission configuration. */
export const PSS_READS: readonly string[] = [...PSS_LOCAL_READS, 'PodSecurityConfiguration', 'AdmissionConfiguration'];
