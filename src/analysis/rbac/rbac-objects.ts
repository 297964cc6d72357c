import { appendPointer } from '../../core/json-pointer.js';
import type { Inventory, InventoryObject } from '../../inventory/inventory.js';
import { arrayOrEmpty, isRecord, stringMap, stringOrUndefined } from '../../k8s/guards.js';
import { compileLabelSelector, type CompiledSelector } from '../../k8s/label-selector.js';
import type { Labels } from '../../k8s/types.js';
import { readPolicyRule, type PolicyRule, type RuleReadProblem } from './policy-rule.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

export type RoleKind = 'Role' | 'ClusterRole';
export type BindingKind = 'RoleBinding' | 'ClusterRoleBinding';

/** A Role or ClusterRole as the authorizer sees it. */
export interface RoleRecord {
  readonly kind: RoleKind;
  /** Absent for ClusterRoles. */
  readonly namespace?: string;
  readonly name: string;
  /** The object it was read from; absent for a built-in role Vigil supplies itself. */
  readonly entry?: InventoryObject;
  /** Rules as written (for an aggregated ClusterRole the controller replaces them; see aggregation.ts). */
  readonly rules: readonly PolicyRule[];
  /** Present when the ClusterRole has an `aggregationRule`: one compiled selector per clusterRoleSelectors entry. */
  readonly aggregationSelectors?: readonly CompiledSelector[];
  readonly labels: Labels;
  /** True for a role Vigil supplies because every cluster has it (cluster-admin) and the input did not. */
  readonly builtin: boolean;
}

/** One entry of a binding's `subjects`, with its index in that list. */
export interface BindingSubject {
  readonly index: number;
  readonly kind: string;
  readonly name: string;
  /** As written (service accounts in a RoleBinding default to the binding's namespace; see subjectNamespace). */
  readonly namespace?: string;
  readonly apiGroup?: string;
}

export interface RoleRef {
  readonly kind: string;
  readonly name: string;
  readonly apiGroup: string;
}

/** A RoleBinding or ClusterRoleBinding. */
export interface BindingRecord {
  readonly kind: BindingKind;
  /** Absent for ClusterRoleBindings. */
  readonly namespace?: string;
  readonly name: string;
  readonly entry: InventoryObject;
  /** Absent when the binding has no usable roleRef (it grants nothing). */
  readonly roleRef?: RoleRef;
  readonly subjects: readonly BindingSubject[];
  readonly labels: Labels;
}

/** A problem in an RBAC object, with the object it is in. */
export interface RbacProblem extends RuleReadProblem {
  readonly entry: InventoryObject;
}

/**
 * The namespace a service-account subject refers to: its own, or for a RoleBinding the binding's
 * namespace (rule.go appliesToUser). Undefined means the subject can match nobody (a namespace-less
 * service account in a ClusterRoleBinding).
 */
export function subjectNamespace(subject: BindingSubject, binding: Pick<BindingRecord, 'namespace'>): string | undefined {
  if (subject.namespace !== undefined && subject.namespace !== '') return subject.namespace;
  return binding.namespace;
}

function readRole(entry: InventoryObject, kind: RoleKind, problems: RbacProblem[]): RoleRecord {
  const object = entry.object;
  const local: RuleReadProblem[] = [];
  const rulesValue = object.rules;
  if (rulesValue !== undefined && rulesValue !== null && !Array.isArray(rulesValue)) {
    local.push({ pointer: '/rules', message: 'is not a list; the role grants nothing' });
  }
  const rules = arrayOrEmpty(rulesValue).map((rule, i) => readPolicyRule(rule, appendPointer('/rules', i), local));
  let aggregationSelectors: CompiledSelector[] | undefined;
  if (kind === 'ClusterRole' && object.aggregationRule !== undefined && object.aggregationRule !== null) {
    aggregationSelectors = [];
    const rule = object.aggregationRule;
    const selectors = isRecord(rule) ? rule.clusterRoleSelectors : undefined;
    arrayOrEmpty(selectors).forEach((selector, i) => {
      // Each list element is a LabelSelector value, never nil: an empty (or null) element selects every ClusterRole.
      const compiled = compileLabelSelector(selector ?? {});
      if (!compiled.valid) {
        local.push({ pointer: `/aggregationRule/clusterRoleSelectors/${i}`, message: `${compiled.reason}; it selects nothing` });
      }
      (aggregationSelectors as CompiledSelector[]).push(compiled);
    });
  }
  for (const p of local) problems.push({ entry, ...p });
  return {
    kind,
    ...(entry.ref.namespace === undefined || kind === 'ClusterRole' ? {} : { namespace: entry.ref.namespace }),
    name: entry.ref.name,
    entry,
    rules,
    ...(aggregationSelectors === undefined ? {} : { aggregationSelectors }),
    labels: stringMap(object.metadata.labels),
    builtin: false,
  };
}

function readBinding(entry: InventoryObject, kind: BindingKind, problems: RbacProblem[]): BindingRecord {
  const object = entry.object;
  let roleRef: RoleRef | undefined;
  if (isRecord(object.roleRef) && typeof object.roleRef.kind === 'string' && typeof object.roleRef.name === 'string') {
    roleRef = { kind: object.roleRef.kind, name: object.roleRef.name, apiGroup: stringOrUndefined(object.roleRef.apiGroup) ?? '' };
  } else {
    problems.push({ entry, pointer: '/roleRef', message: 'has no kind and name; the binding grants nothing' });
  }
  const subjects: BindingSubject[] = [];
  const subjectsValue = object.subjects;
  if (subjectsValue !== undefined && subjectsValue !== null && !Array.isArray(subjectsValue)) {
    problems.push({ entry, pointer: '/subjects', message: 'is not a list; the binding applies to nobody' });
  }
  arrayOrEmpty(subjectsValue).forEach((subject, index) => {
    if (!isRecord(subject) || typeof subject.kind !== 'string' || typeof subject.name !== 'string') {
      problems.push({ entry, pointer: `/subjects/${index}`, message: 'has no kind and name; it matches nobody' });
      return;
    }
    const namespace = stringOrUndefined(subject.namespace);
    const apiGroup = stringOrUndefined(subject.apiGroup);
    subjects.push({
      index,
      kind: subject.kind,
      name: subject.name,
      ...(namespace === undefined ? {} : { namespace }),
      ...(apiGroup === undefined ? {} : { apiGroup }),
    });
  });
  return {
    kind,
    ...(kind === 'RoleBinding' && entry.ref.namespace !== undefined ? { namespace: entry.ref.namespace } : {}),
    name: entry.ref.name,
    entry,
    ...(roleRef === undefined ? {} : { roleRef }),
    subjects,
    labels: stringMap(object.metadata.labels),
  };
}

/** Every Role, ClusterRole, RoleBinding and ClusterRoleBinding of an Inventory, read defensively. */
export interface RbacObjects {
  readonly roles: RoleRecord[];
  readonly clusterRoles: RoleRecord[];
  readonly roleBindings: BindingRecord[];
  readonly clusterRoleBindings: BindingRecord[];
  readonly problems: RbacProblem[];
}

export function readRbacObjects(inventory: Inventory): RbacObjects {
  const problems: RbacProblem[] = [];
  const of = (kind: string): InventoryObject[] => inventory.ofKind(kind, { group: RBAC_GROUP });
  return {
    roles: of('Role').map((e) => readRole(e, 'Role', problems)),
    clusterRoles: of('ClusterRole').map((e) => readRole(e, 'ClusterRole', problems)),
    roleBindings: of('RoleBinding').map((e) => readBinding(e, 'RoleBinding', problems)),
    clusterRoleBindings: of('ClusterRoleBinding').map((e) => readBinding(e, 'ClusterRoleBinding', problems)),
    problems,
  };
}

/**
 * cluster-admin as the API server's bootstrap policy creates it (unchanged since RBAC went GA): every
 * verb on every resource of every group, and every non-resource URL. Supplied when the input has no
 * ClusterRole of that name, so that bindings to it mean what they mean on every cluster.
 */
export const BUILTIN_CLUSTER_ADMIN: RoleRecord = {
  kind: 'ClusterRole',
  name: 'cluster-admin',
  rules: [
    { verbs: ['*'], apiGroups: ['*'], resources: ['*'], resourceNames: [], nonResourceURLs: [] },
    { verbs: ['*'], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: ['*'] },
  ],
  labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
  builtin: true,
};
