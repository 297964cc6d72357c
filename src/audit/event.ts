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
  /** Audit annotations as logged; values are strings in well-formed events (read them with `annotationOf`). */
  readonly annotations: Readonly<Record<string, unknown>>;
  /** How many secret values were replaced by `<redacted>` in `raw`. */
  readonly redactions: number;
}

/** Why a JSON value is not an audit event. */
export interface NotAnEvent {
  readonly error: string;
}

const EMPTY_USER: AuditUser = { username: '', groups: [] };
const NO_ANNOTATIONS: Readonly<Record<string, unknown>> = Object.freeze({});

/** An audit annotation's value when it is a string. */
export function annotationOf(event: AuditEvent, key: string): string | undefined {
  const value = event.annotations[key];
  return typeof value === 'string' ? value : undefined;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The array itself when every element is a string (no copy on the hot path), else its strings. */
function strings(value: unknown): readonly string[] {
  if (!Array.isArray(value)) return [];
  for (const v of value) if (typeof v !== 'string') return value.filter((x): x is string => typeof x === 'string');
  return value as string[];
}

function userOf(value: unknown): AuditUser | undefined {
  if (!isRecord(value)) return undefined;
  // Well-formed (the usual case): use the parsed object as it is, without copying.
  if (
    typeof value.username === 'string' &&
    (value.uid === undefined || typeof value.uid === 'string') &&
    Array.isArray(value.groups) &&
    value.extra === undefined
  ) {
    let ok = true;
    for (const g of value.groups) if (typeof g !== 'string') ok = false;
    if (ok) return value as unknown as AuditUser;
  }
  const groups = strings(value.groups);
  const uid = value.uid;
  let extra: Record<string, readonly string[]> | undefined;
  if (isRecord(value.extra)) {
    extra = {};
    for (const [k, v] of Object.entries(value.extra)) if (Array.isArray(v)) extra[k] = strings(v);
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

/**
 * Milliseconds of an RFC 3339 UTC timestamp as the API server writes them
 * (`2024-05-01T10:00:00.123456Z`), read without Date.parse (a hot path: once per event); other
 * forms fall back to Date.parse.
 */
export function parseTimestamp(text: string): number {
  const n = text.length;
  if (
    n >= 20 &&
    text.charCodeAt(n - 1) === 90 /* Z */ &&
    text.charCodeAt(10) === 84 /* T */ &&
    text.charCodeAt(4) === 45 &&
    text.charCodeAt(13) === 58
  ) {
    const d = (i: number): number => text.charCodeAt(i) - 48;
    const year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
    const month = d(5) * 10 + d(6);
    const day = d(8) * 10 + d(9);
    const hour = d(11) * 10 + d(12);
    const minute = d(14) * 10 + d(15);
    const second = d(17) * 10 + d(18);
    let ms = 0;
    if (n > 20 && text.charCodeAt(19) === 46 /* . */) {
      let scale = 100;
      for (let i = 20; i < n - 1 && scale >= 1; i++, scale /= 10) ms += d(i) * scale;
    }
    const value = Date.UTC(year, month - 1, day, hour, minute, second, Math.floor(ms));
    if (!Number.isNaN(value) && month >= 1 && month <= 12 && day >= 1 && hour < 24 && minute < 60 && second < 61) return value;
  }
  return Date.parse(text);
}

function timeOf(raw: JsonRecord): number {
  for (const key of ['stageTimestamp', 'requestReceivedTimestamp', 'timestamp'] as const) {
    const value = raw[key];
    if (typeof value === 'string') {
      const ms = parseTimestamp(value);
      if (!Number.isNaN(ms)) return ms;
    }
  }
  // Events from before audit.k8s.io/v1 carried the time only in metadata.creationTimestamp.
  const meta = raw.metadata;
  if (isRecord(meta) && typeof meta.creationTimestamp === 'string') return Date.parse(meta.creationTimestamp);
  return Number.NaN;
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
  const sourceIPs = strings(value.sourceIPs);
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
    annotations: isRecord(value.annotations) ? value.annotations : NO_ANNOTATIONS,
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
