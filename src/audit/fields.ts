import { isRecord } from '../k8s/guards.js';
import { annotationOf, createdName, targetOf, trustedSourceIP, type AuditEvent, type AuditUser } from './event.js';

/** A field's value: text, a number, a flag, a list of texts, or nothing. */
export type FieldValue = string | number | boolean | readonly string[] | undefined;

/** How a named field is read from an event. */
export interface FieldDefinition {
  readonly description: string;
  readonly read: (event: AuditEvent) => FieldValue;
}

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

/** `ns` of `system:serviceaccount:ns:name`, or undefined. */
export function serviceAccountNamespace(username: string): string | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_PREFIX)) return undefined;
  const rest = username.slice(SERVICE_ACCOUNT_PREFIX.length);
  const colon = rest.indexOf(':');
  return colon === -1 ? undefined : rest.slice(0, colon);
}

/** Query parameters of the request URI, each with all its values (`command` repeats for exec). */
export function queryValues(requestURI: string, name: string): string[] {
  const q = requestURI.indexOf('?');
  if (q === -1) return [];
  const out: string[] = [];
  for (const part of requestURI.slice(q + 1).split('&')) {
    const eq = part.indexOf('=');
    const key = eq === -1 ? part : part.slice(0, eq);
    if (safeDecode(key) !== name) continue;
    out.push(eq === -1 ? '' : safeDecode(part.slice(eq + 1).replaceAll('+', ' ')));
  }
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const userFields = (prefix: string, pick: (e: AuditEvent) => AuditUser | undefined, who: string): Record<string, FieldDefinition> => ({
  [`${prefix}.name`]: { description: `user name of ${who}`, read: (e) => pick(e)?.username },
  [`${prefix}.groups`]: { description: `groups of ${who}`, read: (e) => pick(e)?.groups },
  [`${prefix}.uid`]: { description: `uid of ${who}`, read: (e) => pick(e)?.uid },
});

function annotation(key: string): (e: AuditEvent) => FieldValue {
  return (e) => annotationOf(e, key);
}

function statusField(name: 'reason' | 'message'): (e: AuditEvent) => FieldValue {
  return (e) => {
    const status = e.raw.responseStatus;
    return isRecord(status) && typeof status[name] === 'string' ? status[name] : undefined;
  };
}

/**
 * The named fields of an audit event: what output templates (`{actor.name}`), rate-window and
 * sequence keys (`by: [actor.name]`) and alert fields refer to. Any other name is read as a dotted
 * path into the raw event (`requestObject.spec.nodeName`, `objectRef.resourceVersion`).
 */
export const AUDIT_FIELDS: Readonly<Record<string, FieldDefinition>> = {
  auditID: { description: 'the request id, shared by all stages of one request', read: (e) => e.auditID },
  stage: { description: 'RequestReceived, ResponseStarted, ResponseComplete or Panic', read: (e) => e.stage },
  level: { description: 'audit level the policy chose', read: (e) => e.level },
  verb: { description: 'Kubernetes verb, or lower-case HTTP method for non-resource requests', read: (e) => e.verb },
  requestURI: { description: 'request URI with its query', read: (e) => e.requestURI },
  userAgent: { description: 'client user agent (client-supplied, untrusted)', read: (e) => e.userAgent },
  code: { description: 'HTTP status code of the response', read: (e) => (e.code === 0 ? undefined : e.code) },
  reason: { description: 'responseStatus.reason (Forbidden, NotFound, …)', read: statusField('reason') },
  ...userFields('user', (e) => e.user, 'the authenticated user'),
  ...userFields('impersonatedUser', (e) => e.impersonatedUser, 'the impersonated user'),
  ...userFields('actor', (e) => e.actor, 'the identity the request acted as (impersonated user, else user)'),
  'actor.serviceAccountNamespace': {
    description: 'namespace of the acting service account',
    read: (e) => serviceAccountNamespace(e.actor.username),
  },
  sourceIP: { description: 'the source IP the API server saw (last of sourceIPs)', read: trustedSourceIP },
  sourceIPs: { description: 'all source IPs (X-Forwarded-For first: only the last is trustworthy)', read: (e) => e.sourceIPs },
  resource: { description: 'resource of the request (pods, secrets, …)', read: (e) => e.objectRef?.resource },
  fullResource: {
    description: 'resource with its group and subresource, kubectl style (pods/exec, clusterroles.rbac.authorization.k8s.io)',
    read: (e) => {
      const r = e.objectRef;
      if (r === undefined) return undefined;
      return `${r.resource}${r.apiGroup === '' ? '' : `.${r.apiGroup}`}${r.subresource === '' ? '' : `/${r.subresource}`}`;
    },
  },
  subresource: { description: 'subresource (exec, log, status, …)', read: (e) => nonEmpty(e.objectRef?.subresource) },
  apiGroup: { description: 'API group ("" is core)', read: (e) => e.objectRef?.apiGroup },
  namespace: { description: 'namespace of the object', read: (e) => nonEmpty(e.objectRef?.namespace) },
  name: {
    description: 'name of the object (for creates with generateName: the name assigned)',
    read: (e) => nonEmpty(e.objectRef?.name) ?? nonEmpty(createdName(e)),
  },
  target: { description: 'namespace/name of the object, or the URI of a non-resource request', read: targetOf },
  'exec.command': { description: 'command of an exec request', read: (e) => queryValues(e.requestURI, 'command').join(' ') || undefined },
  'exec.container': { description: 'container of an exec or attach request', read: (e) => queryValues(e.requestURI, 'container')[0] },
  'authz.decision': { description: 'authorization decision (allow or forbid)', read: annotation('authorization.k8s.io/decision') },
  'authz.reason': { description: 'why authorization allowed or denied the request', read: annotation('authorization.k8s.io/reason') },
  'object.kind': { description: 'kind of the request body', read: (e) => bodyField(e.raw.requestObject, 'kind') },
  'response.kind': { description: 'kind of the response body', read: (e) => bodyField(e.raw.responseObject, 'kind') },
};

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text === '' ? undefined : text;
}

function bodyField(body: unknown, key: string): FieldValue {
  return isRecord(body) && typeof body[key] === 'string' ? body[key] : undefined;
}

/** A function reading a field by name: a named field, else a dotted path into the raw event. */
export function fieldReader(name: string): (event: AuditEvent) => FieldValue {
  const named = AUDIT_FIELDS[name];
  if (named !== undefined) return named.read;
  const path = name.split('.');
  return (event) => {
    let current: unknown = event.raw;
    for (const key of path) {
      if (Array.isArray(current) && /^\d+$/.test(key)) current = current[Number(key)];
      else if (isRecord(current)) current = current[key];
      else return undefined;
    }
    if (typeof current === 'string' || typeof current === 'number' || typeof current === 'boolean') return current;
    if (Array.isArray(current) && current.every((v) => typeof v === 'string')) return current;
    return current === undefined || current === null ? undefined : JSON.stringify(current);
  };
}

/** A field value as text, for templates and keys. */
export function fieldText(value: FieldValue): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value.join(',');
}
