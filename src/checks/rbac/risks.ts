import type { EffectiveRule } from '../../analysis/rbac/aggregation.js';
import type { BindingRecord, BindingSubject } from '../../analysis/rbac/rbac-objects.js';
import { subjectRefOf, type RbacGrant, type RbacIndex, type SubjectRef } from '../../analysis/rbac/rbac-index.js';
import { resourceRequest, type ResourceRequest } from '../../analysis/rbac/request.js';
import { ruleAllows, ruleAllowsSomeName } from '../../analysis/rbac/rule-matching.js';
import type { Severity } from '../../core/severity.js';
import { isDefaultBinding } from './judged-subjects.js';

/** A request whose grant is a risk, wherever a binding allows it. */
export interface RiskRequest {
  readonly verb: string;
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource?: string;
  /** Requests for cluster-scoped resources carry no namespace, so only ClusterRoleBindings grant them. */
  readonly clusterScoped: boolean;
}

export function requestOf(risk: RiskRequest): ResourceRequest {
  return resourceRequest({ verb: risk.verb, apiGroup: risk.apiGroup, resource: risk.resource, subresource: risk.subresource ?? '' });
}

/** `create pods/exec`, `get secrets`. */
export function describeRiskRequest(risk: RiskRequest): string {
  if (risk.verb === '*' && risk.resource === '*') return 'every verb on every resource';
  const group = risk.apiGroup === '' ? '' : `.${risk.apiGroup}`;
  return `${risk.verb} ${risk.resource}${group}${risk.subresource === undefined ? '' : `/${risk.subresource}`}`;
}

const core = (verb: string, resource: string, subresource?: string, clusterScoped = false): RiskRequest => ({
  verb,
  apiGroup: '',
  resource,
  ...(subresource === undefined ? {} : { subresource }),
  clusterScoped,
});
const of = (apiGroup: string, verb: string, resource: string, clusterScoped: boolean, subresource?: string): RiskRequest => ({
  verb,
  apiGroup,
  resource,
  ...(subresource === undefined ? {} : { subresource }),
  clusterScoped,
});

const RBAC = 'rbac.authorization.k8s.io';

/** A kind of dangerous permission: the requests that amount to it and the check that reports it. */
export interface RiskCategory {
  readonly id: string;
  /** The check that reports grants of it. */
  readonly checkId: string;
  /** Short, for summaries: `read secrets`. */
  readonly title: string;
  readonly severity: Severity;
  readonly requests: readonly RiskRequest[];
  /** Count rules limited to some resourceNames as well (the check then decides what the names mean). */
  readonly anyName?: boolean;
}

/*
 * The grants attackers use to take over a cluster (Kubernetes docs: "RBAC good practices" —
 * privilege escalation risks; the `*` request is `kubectl auth can-i '*' '*'`, which only an all-wildcard
 * rule allows).
 */
export const RISKS = {
  clusterAdmin: {
    id: 'cluster-admin',
    checkId: 'rbac/cluster-admin-binding',
    title: 'do anything (cluster-admin)',
    severity: 'critical',
    requests: [of('*', '*', '*', true)],
  },
  secretsRead: {
    id: 'secrets-read',
    checkId: 'rbac/secrets-read',
    title: 'read secrets',
    severity: 'high',
    requests: [core('get', 'secrets'), core('list', 'secrets'), core('watch', 'secrets')],
    anyName: true,
  },
  createPods: {
    id: 'create-pods',
    checkId: 'rbac/create-pods',
    title: 'create pods or workloads',
    severity: 'high',
    requests: [
      core('create', 'pods'),
      core('create', 'replicationcontrollers'),
      of('apps', 'create', 'deployments', false),
      of('apps', 'create', 'replicasets', false),
      of('apps', 'create', 'statefulsets', false),
      of('apps', 'create', 'daemonsets', false),
      of('batch', 'create', 'jobs', false),
      of('batch', 'create', 'cronjobs', false),
      // Changing a controller's pod template makes it create pods from the new template. (A Job's
      // template is immutable; a pod's own spec allows only image and a few fields to change.)
      ...['update', 'patch'].flatMap((verb) => [
        core(verb, 'replicationcontrollers'),
        of('apps', verb, 'deployments', false),
        of('apps', verb, 'replicasets', false),
        of('apps', verb, 'statefulsets', false),
        of('apps', verb, 'daemonsets', false),
        of('batch', verb, 'cronjobs', false),
      ]),
    ],
  },
  podsExec: {
    id: 'pods-exec',
    checkId: 'rbac/pods-exec',
    title: 'exec or attach into pods',
    severity: 'high',
    requests: [
      core('create', 'pods', 'exec'),
      core('create', 'pods', 'attach'),
      core('get', 'pods', 'exec'),
      core('get', 'pods', 'attach'),
    ],
  },
  podsPortForward: {
    id: 'pods-port-forward',
    checkId: 'rbac/pods-port-forward',
    title: 'port-forward to pods',
    severity: 'medium',
    requests: [core('create', 'pods', 'portforward'), core('get', 'pods', 'portforward')],
  },
  nodesProxy: {
    id: 'nodes-proxy',
    checkId: 'rbac/nodes-proxy',
    title: 'reach the kubelet API (nodes/proxy)',
    severity: 'high',
    requests: [core('get', 'nodes', 'proxy', true), core('create', 'nodes', 'proxy', true)],
  },
  escalateBind: {
    id: 'escalate-bind',
    checkId: 'rbac/escalate-bind',
    title: 'escalate or bind roles',
    severity: 'high',
    requests: [
      of(RBAC, 'escalate', 'roles', false),
      of(RBAC, 'escalate', 'clusterroles', true),
      of(RBAC, 'bind', 'roles', false),
      // bind is checked in the namespace of the RoleBinding being created, so a RoleBinding can grant it.
      of(RBAC, 'bind', 'clusterroles', false),
    ],
    anyName: true,
  },
  impersonate: {
    id: 'impersonate',
    checkId: 'rbac/impersonate',
    title: 'impersonate users, groups or service accounts',
    severity: 'critical',
    requests: [
      core('impersonate', 'users', undefined, true),
      core('impersonate', 'groups', undefined, true),
      core('impersonate', 'serviceaccounts'),
    ],
    anyName: true,
  },
  csrApproval: {
    id: 'csr-approval',
    checkId: 'rbac/csr-approval',
    title: 'approve certificate signing requests',
    severity: 'high',
    requests: [
      of('certificates.k8s.io', 'update', 'certificatesigningrequests', true, 'approval'),
      of('certificates.k8s.io', 'approve', 'signers', true),
    ],
    anyName: true,
  },
  serviceAccountToken: {
    id: 'serviceaccount-token',
    checkId: 'rbac/serviceaccount-token-create',
    title: 'create service-account tokens',
    severity: 'high',
    requests: [core('create', 'serviceaccounts', 'token')],
    anyName: true,
  },
} as const satisfies Readonly<Record<string, RiskCategory>>;

export const RISK_LIST: readonly RiskCategory[] = Object.values(RISKS);

/** One rule of one binding's role that grants one risky request. */
export interface RiskMatch {
  readonly request: RiskRequest;
  readonly rule: EffectiveRule;
  readonly grant: RbacGrant;
}

/** A subject of a binding, with the risky requests the binding grants it. */
export interface SubjectRisk {
  readonly binding: BindingRecord;
  readonly subject: BindingSubject;
  readonly ref: SubjectRef;
  readonly matches: readonly RiskMatch[];
}

/** Whether a binding can grant a request at all (cluster-scoped requests need a ClusterRoleBinding). */
function bindingCanGrant(binding: BindingRecord, risk: RiskRequest): boolean {
  return !risk.clusterScoped || binding.kind === 'ClusterRoleBinding';
}

/** What `kubectl auth can-i '*' '*'` asks: only a rule with `*` verbs, resources and groups allows it. */
const EVERYTHING = resourceRequest({ verb: '*', apiGroup: '*', resource: '*' });

/**
 * Whether a grant makes its subject cluster-admin (a ClusterRoleBinding to cluster-admin, or to a rule
 * allowing every verb on every resource of every group). rbac/cluster-admin-binding reports those;
 * the narrower checks leave them out rather than repeat the same grant ten times.
 */
export function isClusterAdminGrant(grant: RbacGrant): boolean {
  if (grant.binding.kind !== 'ClusterRoleBinding') return false;
  if (grant.binding.roleRef?.kind === 'ClusterRole' && grant.binding.roleRef.name === 'cluster-admin') return true;
  return ruleAllows(grant.rule.rule, EVERYTHING);
}

/**
 * Every (binding, subject) that is granted any of a category's requests, anywhere in the cluster, for
 * the subjects `judge` accepts. Bootstrap-policy bindings are skipped, and so are cluster-admin grants
 * for every category but cluster-admin itself. Found through the index's rule index, never by
 * scanning every binding.
 */
export function riskyBindingSubjects(index: RbacIndex, category: RiskCategory, judge: (subject: SubjectRef) => boolean): SubjectRisk[] {
  const byKey = new Map<string, { binding: BindingRecord; subject: BindingSubject; ref: SubjectRef; matches: RiskMatch[] }>();
  for (const request of category.requests) {
    for (const grant of index.grantsFor(requestOf(request), 'anywhere', { anyName: category.anyName === true })) {
      const binding = grant.binding;
      if (!bindingCanGrant(binding, request) || isDefaultBinding(binding)) continue;
      if (category.id !== 'cluster-admin' && isClusterAdminGrant(grant)) continue;
      for (const subject of binding.subjects) {
        const ref = subjectRefOf(subject, binding);
        if (ref === undefined || !judge(ref)) continue;
        const key = `${binding.entry.id}/${subject.index}`;
        let entry = byKey.get(key);
        if (entry === undefined) {
          entry = { binding, subject, ref, matches: [] };
          byKey.set(key, entry);
        }
        entry.matches.push({ request, rule: grant.rule, grant: { ...grant, subject } });
      }
    }
  }
  return [...byKey.values()].sort((a, b) => a.binding.entry.id - b.binding.entry.id || a.subject.index - b.subject.index);
}

/** The rules of a binding's role that grant a request, where the binding can grant it. */
export function bindingGrants(index: RbacIndex, binding: BindingRecord, request: RiskRequest, anyName: boolean): EffectiveRule[] {
  if (!bindingCanGrant(binding, request)) return [];
  const resolved = index.resolveRole(binding);
  if (!('role' in resolved)) return [];
  const probe = requestOf(request);
  const allows = anyName ? ruleAllowsSomeName : ruleAllows;
  return index.effectiveRules(resolved.role).filter((rule) => allows(rule.rule, probe));
}

/** A risk a subject holds, with one grant path that shows it. */
export interface HeldRisk {
  readonly category: RiskCategory;
  readonly binding: BindingRecord;
  readonly subject: BindingSubject;
  readonly request: RiskRequest;
  readonly rule: EffectiveRule;
}

/**
 * The risk categories a subject holds through any binding that applies to it (for a user or service
 * account, implicit groups included), skipping bootstrap-policy bindings. Rules limited to resource
 * names do not count; the first grant path found is kept. A subject that is cluster-admin gets that one
 * risk only, as it implies all the others.
 */
export function risksOf(index: RbacIndex, subject: SubjectRef, categories: readonly RiskCategory[] = RISK_LIST): HeldRisk[] {
  const out: HeldRisk[] = [];
  const bindings = index.bindingsOf(subject).filter(({ binding }) => !isDefaultBinding(binding));
  for (const category of categories) {
    let found: HeldRisk | undefined;
    for (const { binding, subject: matched } of bindings) {
      for (const request of category.requests) {
        const [rule] = bindingGrants(index, binding, request, false);
        if (rule !== undefined) {
          found = { category, binding, subject: matched, request, rule };
          break;
        }
      }
      if (found !== undefined) break;
    }
    if (found !== undefined) out.push(found);
  }
  // Cluster-admin implies every other risk: say it once.
  const admin = out.find((h) => h.category.id === RISKS.clusterAdmin.id);
  return admin === undefined ? out : [admin];
}

/** `in every namespace` for a ClusterRoleBinding, `in namespace shop` for a RoleBinding. */
export function whereBindingHolds(binding: BindingRecord, clusterScoped = false): string {
  if (binding.kind === 'ClusterRoleBinding') return clusterScoped ? 'cluster-wide' : 'in every namespace';
  return `in namespace ${binding.namespace ?? ''}`;
}

/** The verbs (in request order, without repeats) that some matches grant for a resource. */
export function verbsOf(matches: readonly RiskMatch[], filter: (request: RiskRequest) => boolean = () => true): string[] {
  return [...new Set(matches.filter((m) => filter(m.request)).map((m) => m.request.verb))];
}
