import type { AuditEvent } from '../audit/event.js';
import type { AuditEventRecord } from './store.js';

/** At most this many characters of a user agent are kept (they identify tools; long ones are noise). */
const USER_AGENT_CHARS = 200;

/**
 * What the store keeps of an audit event: who (user, impersonated user, first source IP, user agent),
 * what (verb, resource, subresource, API group, request URI), where (namespace, name), when, and the
 * answer code. Nothing from request or response bodies, headers or annotations.
 */
export function auditEventRecordOf(event: AuditEvent): AuditEventRecord | undefined {
  if (Number.isNaN(event.time) || event.auditID === '') return undefined;
  const ref = event.objectRef;
  const sourceIP = event.sourceIPs[0];
  return {
    auditID: event.auditID,
    stage: event.stage,
    time: new Date(event.time).toISOString(),
    user: event.user.username,
    ...(event.impersonatedUser === undefined ? {} : { impersonatedUser: event.impersonatedUser.username }),
    verb: event.verb,
    apiGroup: ref?.apiGroup ?? '',
    resource: ref?.resource ?? '',
    subresource: ref?.subresource ?? '',
    namespace: ref?.namespace ?? '',
    name: ref?.name ?? '',
    // The query string can carry field selectors with values; the path is enough to search by.
    requestURI: event.requestURI.split('?')[0] ?? '',
    code: event.code,
    ...(sourceIP === undefined ? {} : { sourceIP }),
    ...(event.userAgent === '' ? {} : { userAgent: event.userAgent.slice(0, USER_AGENT_CHARS) }),
  };
}
