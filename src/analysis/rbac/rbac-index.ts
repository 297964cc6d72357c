import type { Inventory } from '../../inventory/inventory.js';
import { resolveEffectiveRules, type EffectiveRule } from './aggregation.js';
import {
  BUILTIN_CLUSTER_ADMIN,
  readRbacObjects,
  subjectNamespace,
  type BindingRecord,
  type BindingSubject,
  type RbacProblem,
  type RoleRecord,
} from './rbac-objects.js';
import type { AccessRequest } from './request.js';
import { combinedResourceOf, ruleAllows, ruleAllowsSomeName } from './rule-matching.js';
import { authenticatedUser, PRIVILEGED_GROUP, serviceAccountUsername, type UserInfo } from './user-info.js';

export interface RbacIndexOptions {
  /** Supply cluster-admin when the input has no ClusterRole of that name, as every cluster has it (default true). */
  readonly builtinClusterAdmin?: boolean;
  /**
   * Allow everything to members of `system:masters`, as kube-apiserver's always-first privileged-group
   * authorizer does (default true). Off means: RBAC alone.
   */
  readonly privilegedGroup?: boolean;
}

/** One way a request is granted: binding → role → rule (with the binding's subject that applied, when known). */
export interface RbacGrant {
  readonly via: 'rbac';
  readonly binding: BindingRecord;
  /** The binding's first subject that applies to the user (`can`), or to the subject asked about (`whoCan`). */
  readonly subject?: BindingSubject;
  readonly role: RoleRecord;
  readonly rule: EffectiveRule;
}

/** Allowed because the user is in `system:masters`, which bypasses RBAC. */
export interface PrivilegedGroupGrant {
  readonly via: 'privileged-group';
  readonly group: string;
}

export type Grant = RbacGrant | PrivilegedGroupGrant;

/** A binding whose role cannot be found: it grants nothing now, but would the moment the role appears. */
export interface UnresolvedBinding {
  readonly binding: BindingRecord;
  readonly subject?: BindingSubject;
  readonly reason: string;
}

export interface CanResult {
  readonly allowed: boolean;
  /** Every binding → role → rule that grants the request (the authorizer stops at the first; we list all). */
  readonly grants: readonly Grant[];
  /** Bindings that apply to the user for this request but whose role is missing from the input. */
  readonly unresolved: readonly UnresolvedBinding[];
}

/** A subject as a binding names it, with a service account's namespace resolved. */
export interface SubjectRef {
  readonly kind: string;
  readonly name: string;
  /** Service accounts only. */
  readonly namespace?: string;
}

export interface WhoCanEntry {
  readonly subject: SubjectRef;
  readonly grants: readonly Grant[];
}

/** Where grants are looked for. */
export type GrantScope =
  /** As the authorizer would for this request: ClusterRoleBindings, plus RoleBindings of the request's namespace. */
  | 'request'
  /** ClusterRoleBindings and RoleBindings of every namespace (each grant says where it holds). */
  | 'anywhere';

export interface GrantQueryOptions {
  /** Ignore resourceNames: also count rules limited to some names (callers then read `rule.resourceNames`). */
  readonly anyName?: boolean;
}

/** A subject of a binding that applies to a user, found through the subject index. */
interface SubjectHit {
  readonly binding: BindingRecord;
  readonly subject: BindingSubject;
}

interface RuleHit {
  readonly role: RoleRecord;
  readonly rule: EffectiveRule;
}

export type RoleResolution = { readonly role: RoleRecord } | { readonly missing: string };

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/**
 * Values of ClusterRoleBindings and of RoleBindings by namespace, so that a query for one namespace
 * never looks at the RoleBindings of the others.
 */
class ByScope<T> {
  readonly all: T[] = [];
  private readonly cluster: T[] = [];
  private readonly namespaced = new Map<string, T[]>();

  add(value: T, binding: BindingRecord): void {
    this.all.push(value);
    if (binding.kind === 'ClusterRoleBinding') this.cluster.push(value);
    else pushTo(this.namespaced, binding.namespace ?? '', value);
  }

  /** What the authorizer consults for a request in `namespace` (`''`: ClusterRoleBindings only). */
  inScope(namespace: string): readonly T[] {
    const local = namespace === '' ? undefined : this.namespaced.get(namespace);
    return local === undefined ? this.cluster : [...this.cluster, ...local];
  }
}

function addTo<K, T>(map: Map<K, ByScope<T>>, key: K, value: T, binding: BindingRecord): void {
  let scoped = map.get(key);
  if (scoped === undefined) {
    scoped = new ByScope<T>();
    map.set(key, scoped);
  }
  scoped.add(value, binding);
}

function subjectKey(subject: SubjectRef): string {
  return `${subject.kind}\u0000${subject.namespace ?? ''}\u0000${subject.name}`;
}

/** The subject a binding entry refers to, or undefined when it can refer to nobody. */
export function subjectRefOf(subject: BindingSubject, binding: BindingRecord): SubjectRef | undefined {
  if (subject.kind !== 'ServiceAccount') return { kind: subject.kind, name: subject.name };
  const namespace = subjectNamespace(subject, binding);
  return namespace === undefined || namespace === '' ? undefined : { kind: 'ServiceAccount', name: subject.name, namespace };
}

/** Canonical order: ClusterRoleBindings before RoleBindings (as the authorizer visits them), then input order. */
function bindingOrder(a: BindingRecord, b: BindingRecord): number {
  if (a.kind !== b.kind) return a.kind === 'ClusterRoleBinding' ? -1 : 1;
  return a.entry.id - b.entry.id;
}

const cache = new WeakMap<Inventory, { version: number; index: RbacIndex }>();

/**
 * The RBAC state of an Inventory, indexed for authorization queries. Queries never scan every binding:
 * `can` starts from the bindings that name the user or one of its groups, `whoCan` from the rules that
 * name the requested resource (or `*`, or `*\/subresource`).
 */
export class RbacIndex {
  /** Roles (namespaced), in input order. */
  readonly roles: readonly RoleRecord[];
  /** ClusterRoles, one per name (the first definition wins, as only one can exist), plus a supplied cluster-admin. */
  readonly clusterRoles: readonly RoleRecord[];
  /** ClusterRoleBindings then RoleBindings, each in input order. */
  readonly bindings: readonly BindingRecord[];
  readonly problems: readonly RbacProblem[];
  readonly options: Required<RbacIndexOptions>;

  private readonly roleByKey = new Map<string, RoleRecord>();
  private readonly clusterRoleByName = new Map<string, RoleRecord>();
  private readonly effective: Map<RoleRecord, EffectiveRule[]>;
  private readonly resolution = new Map<BindingRecord, RoleResolution>();
  private readonly byUser = new Map<string, ByScope<SubjectHit>>();
  private readonly byGroup = new Map<string, ByScope<SubjectHit>>();
  private readonly byServiceAccount = new Map<string, ByScope<SubjectHit>>();
  private readonly bindingsOfRole = new Map<RoleRecord, ByScope<BindingRecord>>();
  private readonly resourceRules = new Map<string, RuleHit[]>();
  private readonly nonResourceRules: RuleHit[] = [];

  /** The index of an Inventory with default options, built once per Inventory version. */
  static of(inventory: Inventory): RbacIndex {
    const cached = cache.get(inventory);
    if (cached?.version === inventory.version) return cached.index;
    const index = new RbacIndex(inventory);
    cache.set(inventory, { version: inventory.version, index });
    return index;
  }

  constructor(inventory: Inventory, options: RbacIndexOptions = {}) {
    this.options = { builtinClusterAdmin: options.builtinClusterAdmin ?? true, privilegedGroup: options.privilegedGroup ?? true };
    const objects = readRbacObjects(inventory);
    this.problems = objects.problems;
    this.roles = objects.roles;
    for (const role of objects.roles) {
      const key = `${role.namespace ?? ''}/${role.name}`;
      if (!this.roleByKey.has(key)) this.roleByKey.set(key, role);
    }
    const clusterRoles: RoleRecord[] = [];
    for (const role of objects.clusterRoles) {
      if (this.clusterRoleByName.has(role.name)) continue;
      this.clusterRoleByName.set(role.name, role);
      clusterRoles.push(role);
    }
    if (this.options.builtinClusterAdmin && !this.clusterRoleByName.has(BUILTIN_CLUSTER_ADMIN.name)) {
      this.clusterRoleByName.set(BUILTIN_CLUSTER_ADMIN.name, BUILTIN_CLUSTER_ADMIN);
      clusterRoles.push(BUILTIN_CLUSTER_ADMIN);
    }
    this.clusterRoles = clusterRoles;
    this.effective = resolveEffectiveRules([...this.roleByKey.values()], clusterRoles);

    for (const [role, rules] of this.effective) {
      for (const rule of rules) {
        if (rule.rule.nonResourceURLs.length > 0) this.nonResourceRules.push({ role, rule });
        // One entry per distinct resource string; a request looks up its own, `*` and `*/<subresource>`.
        for (const resource of new Set(rule.rule.resources)) pushTo(this.resourceRules, resource, { role, rule });
      }
    }

    this.bindings = [...objects.clusterRoleBindings, ...objects.roleBindings].sort(bindingOrder);
    for (const binding of this.bindings) {
      const resolved = this.computeResolution(binding);
      this.resolution.set(binding, resolved);
      if ('role' in resolved) addTo(this.bindingsOfRole, resolved.role, binding, binding);
      for (const subject of binding.subjects) {
        const hit = { binding, subject };
        if (subject.kind === 'User') addTo(this.byUser, subject.name, hit, binding);
        else if (subject.kind === 'Group') addTo(this.byGroup, subject.name, hit, binding);
        else if (subject.kind === 'ServiceAccount') {
          const namespace = subjectNamespace(subject, binding);
          if (namespace !== undefined && namespace !== '')
            addTo(this.byServiceAccount, serviceAccountUsername(namespace, subject.name), hit, binding);
        }
      }
    }
  }

  /** The role a binding grants (GetRoleReferenceRules), or why there is none. */
  resolveRole(binding: BindingRecord): RoleResolution {
    return this.resolution.get(binding) ?? this.computeResolution(binding);
  }

  private computeResolution(binding: BindingRecord): RoleResolution {
    const ref = binding.roleRef;
    if (ref === undefined) return { missing: 'the binding has no roleRef' };
    if (ref.kind === 'Role') {
      // A ClusterRoleBinding has no namespace to find a Role in (the API server rejects such bindings).
      if (binding.kind === 'ClusterRoleBinding') return { missing: `a ClusterRoleBinding cannot reference Role "${ref.name}"` };
      const role = this.roleByKey.get(`${binding.namespace ?? ''}/${ref.name}`);
      return role === undefined ? { missing: `Role ${binding.namespace ?? ''}/${ref.name} does not exist` } : { role };
    }
    if (ref.kind === 'ClusterRole') {
      const role = this.clusterRoleByName.get(ref.name);
      return role === undefined ? { missing: `ClusterRole ${ref.name} does not exist` } : { role };
    }
    return { missing: `roleRef kind "${ref.kind}" is not Role or ClusterRole` };
  }

  /** A Role by namespace and name, or a ClusterRole by name. */
  role(kind: 'Role' | 'ClusterRole', name: string, namespace?: string): RoleRecord | undefined {
    return kind === 'ClusterRole' ? this.clusterRoleByName.get(name) : this.roleByKey.get(`${namespace ?? ''}/${name}`);
  }

  /** The rules a role grants (for an aggregated ClusterRole, the aggregated ones). */
  effectiveRules(role: RoleRecord): readonly EffectiveRule[] {
    return this.effective.get(role) ?? [];
  }

  /** Bindings whose roleRef resolves to this role. */
  bindingsTo(role: RoleRecord): readonly BindingRecord[] {
    return this.bindingsOfRole.get(role)?.all ?? [];
  }

  /** Whether a binding is consulted for a request (VisitRulesFor: every ClusterRoleBinding; RoleBindings of the request's namespace). */
  static bindingApplies(binding: BindingRecord, request: AccessRequest): boolean {
    if (binding.kind === 'ClusterRoleBinding') return true;
    return request.kind === 'resource' && request.namespace !== '' && binding.namespace === request.namespace;
  }

  /**
   * The bindings (with the first subject that applies) that apply to a user, through the subject index:
   * those the authorizer consults for a request in `namespace`, or, without one, every binding anywhere.
   */
  private hitsFor(user: UserInfo, namespace?: string): Map<BindingRecord, BindingSubject> {
    const first = new Map<BindingRecord, BindingSubject>();
    const take = (scoped: ByScope<SubjectHit> | undefined): void => {
      if (scoped === undefined) return;
      for (const { binding, subject } of namespace === undefined ? scoped.all : scoped.inScope(namespace)) {
        const current = first.get(binding);
        if (current === undefined || subject.index < current.index) first.set(binding, subject);
      }
    };
    take(this.byUser.get(user.name));
    for (const group of new Set(user.groups)) take(this.byGroup.get(group));
    take(this.byServiceAccount.get(user.name));
    return first;
  }

  /**
   * Is this user allowed this request? Exactly the RBAC authorizer's decision (plus the `system:masters`
   * bypass unless turned off), with every grant that allows it. The user's groups are taken as given:
   * use `authenticatedUser` to add the groups the authenticators add.
   */
  can(user: UserInfo, request: AccessRequest): CanResult {
    const grants: Grant[] = [];
    if (this.options.privilegedGroup && user.groups.includes(PRIVILEGED_GROUP))
      grants.push({ via: 'privileged-group', group: PRIVILEGED_GROUP });
    const unresolved: UnresolvedBinding[] = [];
    const hits = [...this.hitsFor(user, request.kind === 'resource' ? request.namespace : '')].sort(([a], [b]) => bindingOrder(a, b));
    for (const [binding, subject] of hits) {
      const resolved = this.resolveRole(binding);
      if (!('role' in resolved)) {
        unresolved.push({ binding, subject, reason: resolved.missing });
        continue;
      }
      for (const rule of this.effectiveRules(resolved.role)) {
        if (ruleAllows(rule.rule, request)) grants.push({ via: 'rbac', binding, subject, role: resolved.role, rule });
      }
    }
    return { allowed: grants.length > 0, grants, unresolved };
  }

  /**
   * Everything a user may do in a namespace (`''`: cluster-wide only), as the authorizer's RulesFor
   * collects it (and SelfSubjectRulesReview / `kubectl auth can-i --list` show it): every rule of every
   * binding that applies to the user there, with its path. `privileged` is set for `system:masters`.
   */
  rulesFor(user: UserInfo, namespace: string): { grants: RbacGrant[]; unresolved: UnresolvedBinding[]; privileged: boolean } {
    const grants: RbacGrant[] = [];
    const unresolved: UnresolvedBinding[] = [];
    const hits = [...this.hitsFor(user, namespace)].sort(([a], [b]) => bindingOrder(a, b));
    for (const [binding, subject] of hits) {
      const resolved = this.resolveRole(binding);
      if (!('role' in resolved)) {
        unresolved.push({ binding, subject, reason: resolved.missing });
        continue;
      }
      for (const rule of this.effectiveRules(resolved.role)) grants.push({ via: 'rbac', binding, subject, role: resolved.role, rule });
    }
    return { grants, unresolved, privileged: this.options.privilegedGroup && user.groups.includes(PRIVILEGED_GROUP) };
  }

  /** `can` for a user name and groups, with the groups the API server's authenticators add. */
  canAuthenticated(name: string, groups: readonly string[], request: AccessRequest): CanResult {
    return this.can(authenticatedUser(name, groups), request);
  }

  /** Rules (with their roles) that allow a request, found through the resource index. */
  private matchingRules(request: AccessRequest, options: GrantQueryOptions): RuleHit[] {
    if (request.kind === 'nonResource') return this.nonResourceRules.filter((hit) => ruleAllows(hit.rule.rule, request));
    const allows = options.anyName === true ? ruleAllowsSomeName : ruleAllows;
    const keys = new Set(['*', combinedResourceOf(request.resource, request.subresource)]);
    if (request.subresource !== '') keys.add(`*/${request.subresource}`);
    const out: RuleHit[] = [];
    const seen = new Set<EffectiveRule>();
    for (const key of keys) {
      for (const hit of this.resourceRules.get(key) ?? []) {
        if (seen.has(hit.rule)) continue;
        seen.add(hit.rule);
        if (allows(hit.rule.rule, request)) out.push(hit);
      }
    }
    return out;
  }

  /**
   * Every binding → role → rule that grants a request, whoever the binding names. With scope `request`
   * this is what the authorizer would consult; with `anywhere`, RoleBindings of every namespace count
   * too (each grant's binding says where it holds). Non-resource requests are only ever granted by
   * ClusterRoleBindings.
   */
  grantsFor(request: AccessRequest, scope: GrantScope = 'request', options: GrantQueryOptions = {}): RbacGrant[] {
    const grants: RbacGrant[] = [];
    for (const { role, rule } of this.matchingRules(request, options)) {
      for (const binding of this.bindingsTo(role)) {
        const applies =
          scope === 'anywhere'
            ? binding.kind === 'ClusterRoleBinding' || request.kind === 'resource'
            : RbacIndex.bindingApplies(binding, request);
        if (applies) grants.push({ via: 'rbac', binding, role, rule });
      }
    }
    return grants.sort((a, b) => bindingOrder(a.binding, b.binding) || a.rule.index - b.rule.index);
  }

  /**
   * Who can do this: every subject named by a binding that grants the request, with its grants, plus
   * `system:masters` (unless the privileged-group bypass is off). Subjects that can match nobody (a
   * namespace-less service account in a ClusterRoleBinding) are left out.
   */
  whoCan(request: AccessRequest, scope: GrantScope = 'request'): WhoCanEntry[] {
    const entries = new Map<string, { subject: SubjectRef; grants: Grant[] }>();
    if (this.options.privilegedGroup) {
      const subject = { kind: 'Group', name: PRIVILEGED_GROUP };
      entries.set(subjectKey(subject), { subject, grants: [{ via: 'privileged-group', group: PRIVILEGED_GROUP }] });
    }
    for (const grant of this.grantsFor(request, scope)) {
      for (const subject of grant.binding.subjects) {
        const ref = subjectRefOf(subject, grant.binding);
        if (ref === undefined) continue;
        const key = subjectKey(ref);
        let entry = entries.get(key);
        if (entry === undefined) {
          entry = { subject: ref, grants: [] };
          entries.set(key, entry);
        }
        entry.grants.push({ ...grant, subject });
      }
    }
    return [...entries.values()].sort((a, b) => compareSubjects(a.subject, b.subject));
  }

  /** Every subject named by any binding (service-account namespaces resolved), sorted. */
  subjects(): SubjectRef[] {
    const out = new Map<string, SubjectRef>();
    for (const binding of this.bindings) {
      for (const subject of binding.subjects) {
        const ref = subjectRefOf(subject, binding);
        if (ref !== undefined) out.set(subjectKey(ref), ref);
      }
    }
    return [...out.values()].sort(compareSubjects);
  }

  /**
   * Bindings that apply to a subject, in any scope: for a user or service account, those naming it or
   * one of its groups (implicit groups included); for a group, those naming the group.
   */
  bindingsOf(subject: SubjectRef): { binding: BindingRecord; subject: BindingSubject }[] {
    const user = userInfoOf(subject);
    const hits =
      user === undefined ? new Map((this.byGroup.get(subject.name)?.all ?? []).map((h) => [h.binding, h.subject])) : this.hitsFor(user);
    return [...hits].sort(([a], [b]) => bindingOrder(a, b)).map(([binding, s]) => ({ binding, subject: s }));
  }

  /** Bindings that name exactly this service account (not its groups). */
  bindingsNamingServiceAccount(namespace: string, name: string): readonly { binding: BindingRecord; subject: BindingSubject }[] {
    return this.byServiceAccount.get(serviceAccountUsername(namespace, name))?.all ?? [];
  }

  /** Bindings that name this group. */
  bindingsNamingGroup(group: string): readonly { binding: BindingRecord; subject: BindingSubject }[] {
    return this.byGroup.get(group)?.all ?? [];
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const KIND_ORDER: Readonly<Record<string, number>> = { User: 0, Group: 1, ServiceAccount: 2 };

/** Users, then groups, then service accounts; by namespace and name. */
export function compareSubjects(a: SubjectRef, b: SubjectRef): number {
  return (
    (KIND_ORDER[a.kind] ?? 3) - (KIND_ORDER[b.kind] ?? 3) ||
    compareText(a.kind, b.kind) ||
    compareText(a.namespace ?? '', b.namespace ?? '') ||
    compareText(a.name, b.name)
  );
}

/**
 * The identity a subject authenticates as (with implicit groups), or undefined for a group, which is
 * not an identity of its own.
 */
export function userInfoOf(subject: SubjectRef): UserInfo | undefined {
  if (subject.kind === 'User') return authenticatedUser(subject.name);
  if (subject.kind === 'ServiceAccount' && subject.namespace !== undefined) {
    return authenticatedUser(serviceAccountUsername(subject.namespace, subject.name));
  }
  return undefined;
}
