import { isRecord } from '../../k8s/guards.js';
import type { RequestAttributes } from './types.js';

/**
 * Request attributes from a plain record (`user`, `groups`, `verb`, `namespace`, `apiGroup`,
 * `resource`, `subresource`, `name`, `path`), as `vigil audit policy eval --requests` reads them. A
 * request with `path` and no `resource` is a non-resource request; one with no `user` carries no
 * user info at all. Returns an error message instead of throwing.
 */
export function requestAttributesFrom(value: unknown): RequestAttributes | { readonly error: string } {
  if (!isRecord(value)) return { error: 'a request must be an object with verb and resource (or path)' };
  const text: Record<string, string> = {};
  for (const key of ['user', 'verb', 'namespace', 'apiGroup', 'apiVersion', 'resource', 'subresource', 'name', 'path'] as const) {
    const field = value[key];
    if (field === undefined || field === null) continue;
    if (typeof field !== 'string') return { error: `"${key}" must be a string` };
    text[key] = field;
  }
  const groupsValue = value.groups ?? [];
  if (!Array.isArray(groupsValue) || groupsValue.some((g) => typeof g !== 'string')) return { error: '"groups" must be a list of strings' };
  const groups = groupsValue as string[];
  const verb = text.verb ?? '';
  if (verb === '') return { error: 'a request needs a "verb"' };
  const resource = text.resource ?? '';
  const path = text.path ?? '';
  if (resource === '' && path === '')
    return { error: 'a request needs a "resource" (resource request) or a "path" (non-resource request)' };
  if (text.user === undefined && groups.length > 0)
    return { error: '"groups" needs a "user": a request without a user carries no user info at all' };
  const isResourceRequest = resource !== '';
  return {
    ...(text.user === undefined ? {} : { user: { name: text.user, groups } }),
    verb,
    namespace: isResourceRequest ? (text.namespace ?? '') : '',
    apiGroup: text.apiGroup ?? '',
    ...(text.apiVersion === undefined ? {} : { apiVersion: text.apiVersion }),
    resource,
    subresource: text.subresource ?? '',
    name: text.name ?? '',
    path: stripQuery(path),
    isResourceRequest,
  };
}

/** The policy matches URL paths without the query string. */
function stripQuery(path: string): string {
  const q = path.indexOf('?');
  return q === -1 ? path : path.slice(0, q);
}

/**
 * Split kubectl-style resource text: `pods`, `pods/exec`, `deployments.apps`,
 * `clusterroles.rbac.authorization.k8s.io`, `deployments.apps/scale`.
 */
export function splitResourceText(text: string): { resource: string; apiGroup: string; subresource: string } {
  const slash = text.indexOf('/');
  const main = slash === -1 ? text : text.slice(0, slash);
  const subresource = slash === -1 ? '' : text.slice(slash + 1);
  const dot = main.indexOf('.');
  return dot === -1
    ? { resource: main, apiGroup: '', subresource }
    : { resource: main.slice(0, dot), apiGroup: main.slice(dot + 1), subresource };
}
