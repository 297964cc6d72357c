import { isRecord, type JsonRecord } from '../k8s/guards.js';
import { redactEvent } from './redact.js';

/**
 * An identity as the audit event records it (`authentication/v1 UserInfo`): the authenticated `user`,
 * or `impersonatedUser` when impersonation was used.
 */
export interface AuditUser {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

/** `objectRef` of a resource request. Empty strings stand for absent fields (the core group is `""`). */
export interface AuditObjectRef {
  readonly resource: string;
  readonly namespace: string;
  readonly name: string;
  readonly apiGroup: string;
  readonly apiVersion: string;
  readonly subresource: string;
}

/**
 * One audit.k8s.io/v1 `Event`, narrowed from untrusted JSON, with the fields detection needs read
 * once. `raw` is the event as it was parsed (after secret values were redacted): conditions, output
 * templates and sinks read any other field from it. The event type is shared by every rule language
 * (Vigil's CEL rules, Falco k8saudit rules) and every reader (files, follow, the webhook receiver).
 */
export interface AuditEvent {
  readonly raw: JsonRecord;
  readonly auditID: string;
  readonly stage: string;
  readonly level: string;
  readonly verb: string;
  readonly requestURI: string;
  /** The authenticated identity (before impersonation). */
  readonly user: AuditUser;
  readonly impersonatedUser?: AuditUser;
  /** The identity the request acted as: the impersonated user when there is one, else `user`. */
  readonly actor: AuditUser;
  readonly sourceIPs: readonly string[];
  readonly userAgent: string;
  /** Absent for non-resource requests. */
  readonly objectRef?: AuditObjectRef;
  /** `responseStatus.code`, or 0 when the stage has no response yet. */
  readonly code: number;
  /** Event time in ms since the epoch (stageTimestamp, else requestReceivedTimestamp, else the legacy `timestamp`); NaN when none. */
  readonly time: number;
  readonly annotations: Readonly<Record<string, string>>;
  /** How many secret values were replaced by `<redacted>` in `raw`. */
  readonly redactions: number;
}

/** Why a JSON value is not an audit event. */
export interface NotAnEvent {
  readonly error: string;
}

const EMPTY_USER: AuditUser = { username: '', groups: [] };

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function userOf(value: unknown): AuditUser | undefined {
  if (!isRecord(value)) return undefined;
  const groups = Array.isArray(value.groups) ? value.groups.filter((g): g is string => typeof g === 'string') : [];
  const uid = value.uid;
  let extra: Record<string, readonly string[]> | undefined;
  if (isRecord(value.extra)) {
    extra = {};
    for (const [k, v] of Object.entries(value.extra)) if (Array.isArray(v)) extra[k] = v.filter((x): x is string => typeof x === 'string');
  }
  return {
    username: str(value.username),
    ...(typeof uid === 'string' ? { uid } : {}),
    groups,
    ...(extra === undefined ? {} : { extra }),
  };
}

function objectRefOf(value: unknown): AuditObjectRef | undefined {
  if (!isRecord(value)) return undefined;
  return {
    resource: str(value.resource),
    namespace: str(value.namespace),
    name: str(value.name),
    apiGroup: str(value.apiGroup),
    apiVersion: str(value.apiVersion),
    subresource: str(value.subresource),
  };
}

function timeOf(raw: JsonRecord): number {
  for (const key of ['stageTimestamp', 'requestReceivedTimestamp', 'timestamp'] as const) {
    const value = raw[key];
    if (typeof value === 'string') {
      const ms = Date.parse(value);
      if (!Number.isNaN(ms)) return ms;
    }
  }
  // Events from before audit.k8s.io/v1 carried the time only in metadata.creationTimestamp.
  const meta = raw.metadata;
  if (isRecord(meta) && typeof meta.creationTimestamp === 'string') return Date.parse(meta.creationTimestamp);
  return Number.NaN;
}

function stringRecord(value: unknown): Readonly<Record<string, string>> {
  if (!isRecord(value)) return {};
  for (const v of Object.values(value)) {
    if (typeof v !== 'string') {
      const out: Record<string, string> = {};
      for (const [k, x] of Object.entries(value)) if (typeof x === 'string') out[k] = x;
      return out;
    }
  }
  return value as Readonly<Record<string, string>>;
}

/**
 * Narrow a parsed JSON value to an audit event, redacting secret values in place (the value must be
 * owned by the caller, as a freshly parsed line is). Events need `kind: Event` (or no kind, as some
 * shippers strip it), a `verb` and a `stage`; everything else is optional and defaulted.
 */
export function toAuditEvent(value: unknown): AuditEvent | NotAnEvent {
  if (!isRecord(value)) return { error: 'not a JSON object' };
  const kind = value.kind;
  if (kind !== undefined && kind !== 'Event') return { error: `kind is ${JSON.stringify(kind)}, not Event` };
  const verb = value.verb;
  const stage = value.stage;
  if (typeof verb !== 'string' || verb === '') return { error: 'no verb: not an audit event' };
  if (typeof stage !== 'string' || stage === '') return { error: 'no stage: not an audit event' };
  const user = userOf(value.user) ?? EMPTY_USER;
  const impersonatedUser = userOf(value.impersonatedUser);
  const objectRef = objectRefOf(value.objectRef);
  const status = value.responseStatus;
  const code = isRecord(status) && typeof status.code === 'number' ? status.code : 0;
  const sourceIPs = Array.isArray(value.sourceIPs) ? value.sourceIPs.filter((ip): ip is string => typeof ip === 'string') : [];
  const redactions = redactEvent(value, objectRef);
  return {
    raw: value,
    auditID: str(value.auditID),
    stage,
    level: str(value.level),
    verb,
    requestURI: str(value.requestURI),
    user,
    ...(impersonatedUser === undefined ? {} : { impersonatedUser }),
    actor: impersonatedUser ?? user,
    sourceIPs,
    userAgent: str(value.userAgent),
    ...(objectRef === undefined ? {} : { objectRef }),
    code,
    time: timeOf(value),
    annotations: stringRecord(value.annotations),
    redactions,
  };
}

/** True for a value that is an EventList (a webhook batch, or `kubectl`-style list of events). */
export function isEventList(value: unknown): value is JsonRecord & { items: unknown[] } {
  return isRecord(value) && value.kind === 'EventList' && Array.isArray(value.items);
}

/** The last source IP: the only one the API server vouches for (the others come from X-Forwarded-For). */
export function trustedSourceIP(event: AuditEvent): string {
  return event.sourceIPs.at(-1) ?? '';
}

/** `namespace/name`, `name`, or the resource when there is no name. */
export function targetOf(event: AuditEvent): string {
  const ref = event.objectRef;
  if (ref === undefined) return event.requestURI;
  const name = ref.name === '' ? createdName(event) : ref.name;
  if (name === '') return ref.namespace === '' ? ref.resource : `${ref.namespace}/${ref.resource}`;
  return ref.namespace === '' ? name : `${ref.namespace}/${name}`;
}

/** Name of the created object when objectRef has none (generateName): from the response, else the request body. */
export function createdName(event: AuditEvent): string {
  for (const body of [event.raw.responseObject, event.raw.requestObject]) {
    if (isRecord(body) && isRecord(body.metadata) && typeof body.metadata.name === 'string') return body.metadata.name;
  }
  return '';
}
