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
