/**
 * Builders for RBAC objects in tests: `role()`, `clusterRole()`, `roleBinding()`, `clusterRoleBinding()`,
 * subjects and rules. Not part of the build.
 */
import { Inventory } from '../../../inventory/inventory.js';
import type { KubeObject } from '../../../k8s/types.js';
import { RbacIndex, type RbacIndexOptions } from '../rbac-index.js';

type Json = Record<string, unknown>;

export interface RuleSpec {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export function rule(verbs: string[], resources: string[], apiGroups: string[] = [''], extra: RuleSpec = {}): RuleSpec {
  return { verbs, apiGroups, resources, ...extra };
}

export function urlRule(verbs: string[], nonResourceURLs: string[]): RuleSpec {
  return { verbs, nonResourceURLs };
}

const RBAC = 'rbac.authorization.k8s.io/v1';

export function role(namespace: string, name: string, rules: RuleSpec[], metadata: Json = {}): KubeObject {
  return { apiVersion: RBAC, kind: 'Role', metadata: { name, namespace, ...metadata }, rules };
}

export function clusterRole(name: string, rules: RuleSpec[], metadata: Json = {}, extra: Json = {}): KubeObject {
  return { apiVersion: RBAC, kind: 'ClusterRole', metadata: { name, ...metadata }, rules, ...extra };
}

export function aggregatedClusterRole(name: string, selectors: unknown[], rules: RuleSpec[] = [], metadata: Json = {}): KubeObject {
  return clusterRole(name, rules, metadata, { aggregationRule: { clusterRoleSelectors: selectors } });
}

export const user = (name: string): Json => ({ kind: 'User', name, apiGroup: 'rbac.authorization.k8s.io' });
export const group = (name: string): Json => ({ kind: 'Group', name, apiGroup: 'rbac.authorization.k8s.io' });
export const serviceAccount = (name: string, namespace?: string): Json => ({
  kind: 'ServiceAccount',
  name,
  ...(namespace === undefined ? {} : { namespace }),
});

export function roleBinding(namespace: string, name: string, roleRef: [string, string], subjects: Json[], metadata: Json = {}): KubeObject {
  return {
    apiVersion: RBAC,
    kind: 'RoleBinding',
    metadata: { name, namespace, ...metadata },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleRef[0], name: roleRef[1] },
    subjects,
  };
}

export function clusterRoleBinding(name: string, roleRef: [string, string], subjects: Json[], metadata: Json = {}): KubeObject {
  return {
    apiVersion: RBAC,
    kind: 'ClusterRoleBinding',
    metadata: { name, ...metadata },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleRef[0], name: roleRef[1] },
    subjects,
  };
}

export function indexOf(objects: readonly KubeObject[], options?: RbacIndexOptions): RbacIndex {
  const { inventory } = Inventory.from(objects.map((object) => ({ object })));
  return new RbacIndex(inventory, options);
}
