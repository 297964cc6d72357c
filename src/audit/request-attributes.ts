import type { LoggedEvent } from '../analysis/audit-policy/cost.js';
import type { RequestAttributes } from '../analysis/audit-policy/types.js';
import type { AuditEvent } from './event.js';

/**
 * The authorizer attributes the API server evaluated its audit policy on, read back from an event:
 * the authenticated user (the policy sees the identity before impersonation), verb, objectRef, and
 * the URL path for non-resource requests.
 */
export function requestAttributesOf(event: AuditEvent): RequestAttributes {
  const ref = event.objectRef;
  const q = event.requestURI.indexOf('?');
  const path = q === -1 ? event.requestURI : event.requestURI.slice(0, q);
  return {
    ...(event.user.username === '' ? {} : { user: { name: event.user.username, groups: event.user.groups } }),
    verb: event.verb,
    namespace: ref?.namespace ?? '',
    apiGroup: ref?.apiGroup ?? '',
    apiVersion: ref?.apiVersion ?? '',
    resource: ref?.resource ?? '',
    subresource: ref?.subresource ?? '',
    name: ref?.name ?? '',
    path,
    isResourceRequest: ref !== undefined,
  };
}

// kube-apiserver's long-running requests: the verbs watch and proxy, and these subresources
// (SEMANTICS.md §5; k8s.io/apiserver server config LongRunningFunc).
const LONG_RUNNING_SUBRESOURCES = new Set(['attach', 'exec', 'proxy', 'log', 'portforward']);

/** An event measured for `vigil audit policy cost`. */
export function loggedEventOf(event: AuditEvent): LoggedEvent {
  const size = (value: unknown): number | undefined => (value === undefined ? undefined : Buffer.byteLength(JSON.stringify(value)));
  const requestBytes = size(event.raw.requestObject);
  const responseBytes = size(event.raw.responseObject);
  return {
    attributes: requestAttributesOf(event),
    stage: event.stage,
    level: event.level === '' ? 'unknown' : event.level,
    bytes: Buffer.byteLength(JSON.stringify(event.raw)) + 1,
    ...(requestBytes === undefined ? {} : { requestBytes }),
    ...(responseBytes === undefined ? {} : { responseBytes }),
    longRunning: event.verb === 'watch' || event.verb === 'proxy' || LONG_RUNNING_SUBRESOURCES.has(event.objectRef?.subresource ?? ''),
  };
}
