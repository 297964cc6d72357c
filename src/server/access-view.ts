import { describeGrant, describeObject, describeSubject } from '../analysis/rbac/describe.js';
import { RbacIndex, type SubjectRef } from '../analysis/rbac/rbac-index.js';
import { describeRequest, resourceRequest, nonResourceRequest, type AccessRequest } from '../analysis/rbac/request.js';
import { authenticatedUser } from '../analysis/rbac/user-info.js';
import { isSystemSubject } from '../checks/rbac/judged-subjects.js';
import { describeRiskRequest, risksOf } from '../checks/rbac/risks.js';
import type { Inventory } from '../inventory/inventory.js';
import type { AccessSubjectJson, CanJson, WhoCanJson } from './api-types.js';

/*
 * The Access view: every subject with its risky permissions, and who-can / can queries answered by
 * the RBAC engine exactly as the API server's authorizer would (docs/rbac.md).
 */

export function rbacIndexOf(inventory: Inventory): RbacIndex {
  return new RbacIndex(inventory);
}

/** Every subject named by a binding, with its risky permissions (riskiest first, then by name). */
export function accessSubjects(index: RbacIndex): AccessSubjectJson[] {
  const rank = { critical: 0, high: 1, medium: 2, low: 3, info: 4 } as const;
  return index
    .subjects()
    .map((subject): AccessSubjectJson => {
      const risks = risksOf(index, subject).map((held) => ({
        id: held.category.id,
        title: held.category.title,
        severity: held.category.severity,
        check: held.category.checkId,
        request: describeRiskRequest(held.request),
        via: `${describeObject(held.binding)} → ${held.binding.roleRef === undefined ? 'no role' : `${held.binding.roleRef.kind} ${held.binding.roleRef.name}`}`,
      }));
      return {
        kind: subject.kind,
        name: subject.name,
        ...(subject.namespace === undefined ? {} : { namespace: subject.namespace }),
        system: isSystemSubject(subject),
        bindings: index.bindingsOf(subject).length,
        risks,
      };
    })
    .sort((a, b) => {
      const worst = (s: AccessSubjectJson): number => Math.min(5, ...s.risks.map((r) => rank[r.severity]));
      return worst(a) - worst(b) || b.risks.length - a.risks.length || describeSubject(a).localeCompare(describeSubject(b));
    });
}

export interface AccessQuery {
  readonly verb?: string;
  /** `pods`, `pods/exec`, or a non-resource path starting with `/`. */
  readonly resource?: string;
  readonly apiGroup?: string;
  readonly namespace?: string;
  readonly name?: string;
}

/** The request a query asks about, or what is missing. */
export function requestOfQuery(query: AccessQuery): AccessRequest | { error: string; hint: string } {
  const verb = query.verb?.trim() ?? '';
  const resource = query.resource?.trim() ?? '';
  if (verb === '') return { error: 'give a verb', hint: 'For example get, list, create, delete, escalate, impersonate.' };
  if (resource === '')
    return {
      error: 'give a resource',
      hint: 'For example secrets, pods/exec, deployments (with apiGroup apps), or a path such as /metrics.',
    };
  if (resource.startsWith('/')) return nonResourceRequest(verb, resource);
  const [plain = '', subresource] = resource.split('/', 2);
  return resourceRequest({
    verb,
    resource: plain,
    ...(subresource === undefined ? {} : { subresource }),
    ...(query.apiGroup === undefined ? {} : { apiGroup: query.apiGroup.trim() }),
    ...(query.namespace === undefined ? {} : { namespace: query.namespace.trim() }),
    ...(query.name === undefined ? {} : { name: query.name.trim() }),
  });
}

/** Can this user (with these groups, plus the ones its authenticator adds) do it? */
export function canAnswer(index: RbacIndex, user: string, groups: readonly string[], request: AccessRequest): CanJson {
  const info = authenticatedUser(user, groups);
  const result = index.can(info, request);
  return {
    allowed: result.allowed,
    request: describeRequest(request),
    user: { name: info.name, groups: info.groups },
    grants: result.grants.map((g) => ({ text: describeGrant(g) })),
  };
}

/** Every subject allowed to do it, with the grants that allow it. */
export function whoCanAnswer(index: RbacIndex, request: AccessRequest): WhoCanJson {
  return {
    request: describeRequest(request),
    subjects: index.whoCan(request).map((entry) => ({
      subject: describeSubject(entry.subject),
      kind: entry.subject.kind,
      grants: entry.grants.map((g) => ({ text: describeGrant(g) })),
    })),
  };
}

export type { SubjectRef };
