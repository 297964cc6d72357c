/**
 * AdmissionReview v1 (admission.k8s.io/v1), as the API server sends it to webhooks and expects it
 * back: https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/
 * (sections "Request" and "Response"). The request is untrusted input until `parseAdmissionReview`
 * has narrowed it.
 */
import { isRecord } from '../k8s/guards.js';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
const OPERATIONS: ReadonlySet<string> = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface GroupVersionResource {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
}

export interface UserInfo {
  readonly username: string;
  readonly groups: readonly string[];
}

/** The fields of an AdmissionRequest the webhook uses, checked for shape. */
export interface AdmissionRequest {
  readonly uid: string;
  readonly kind: GroupVersionKind;
  readonly resource: GroupVersionResource;
  /** `''` when the request is for the resource itself (`status`, `exec`, `ephemeralcontainers`, … otherwise). */
  readonly subResource: string;
  readonly name: string;
  /** `''` for cluster-scoped objects. */
  readonly namespace: string;
  readonly operation: Operation;
  readonly userInfo: UserInfo;
  /** The new object (CREATE, UPDATE, CONNECT options); unknown until judged. */
  readonly object: unknown;
  /** The existing object (UPDATE, DELETE). */
  readonly oldObject: unknown;
  readonly dryRun: boolean;
}

/** The metav1.Status of a refusal or an error. */
export interface ResponseStatus {
  readonly status: 'Failure';
  readonly code: number;
  readonly reason: 'Forbidden' | 'BadRequest' | 'InternalError' | 'RequestEntityTooLarge' | 'UnsupportedMediaType' | 'NotFound';
  readonly message: string;
}

export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: ResponseStatus;
  readonly patchType?: 'JSONPatch';
  /** Base64 of the JSON Patch. */
  readonly patch?: string;
  readonly auditAnnotations?: Readonly<Record<string, string>>;
  readonly warnings?: readonly string[];
}

export interface AdmissionReviewResponse {
  readonly apiVersion: typeof ADMISSION_API_VERSION;
  readonly kind: 'AdmissionReview';
  readonly response: AdmissionResponse;
}

export type ParsedReview =
  | { readonly ok: true; readonly request: AdmissionRequest }
  /** Not a usable AdmissionReview: `uid` is echoed when it could be read. */
  | { readonly ok: false; readonly uid: string; readonly message: string };

// UIDs are 36-character UUIDs; anything much longer is not from an API server and is not echoed back.
const MAX_UID = 128;

function gvk(value: unknown): GroupVersionKind | undefined {
  if (!isRecord(value)) return undefined;
  const { group, version, kind } = value;
  if (typeof group !== 'string' || typeof version !== 'string' || typeof kind !== 'string' || kind === '') return undefined;
  return { group, version, kind };
}

function gvr(value: unknown): GroupVersionResource | undefined {
  if (!isRecord(value)) return undefined;
  const { group, version, resource } = value;
  if (typeof group !== 'string' || typeof version !== 'string' || typeof resource !== 'string' || resource === '') return undefined;
  return { group, version, resource };
}

function optionalString(value: unknown): string | null {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : null;
}

/**
 * Narrow a parsed request body to an AdmissionReview v1 request. Anything else — another kind or
 * version, a missing uid, kind or operation, fields of the wrong type — is refused with a message
 * saying what is wrong, so the response is still a well-formed AdmissionReview.
 */
export function parseAdmissionReview(value: unknown): ParsedReview {
  if (!isRecord(value)) return { ok: false, uid: '', message: 'the request body is not a JSON object' };
  const request = isRecord(value.request) ? value.request : undefined;
  const rawUid = request?.uid;
  const uid = typeof rawUid === 'string' && rawUid.length <= MAX_UID ? rawUid : '';
  const fail = (message: string): ParsedReview => ({ ok: false, uid, message });
  if (value.kind !== 'AdmissionReview') return fail(`expected kind AdmissionReview, got ${describe(value.kind)}`);
  if (value.apiVersion !== ADMISSION_API_VERSION) {
    return fail(
      `expected apiVersion ${ADMISSION_API_VERSION}, got ${describe(value.apiVersion)} (set admissionReviewVersions: ["v1"] in the webhook configuration)`,
    );
  }
  if (request === undefined) return fail('the AdmissionReview has no request');
  if (typeof rawUid !== 'string' || rawUid === '') return fail('request.uid is missing');
  if (rawUid.length > MAX_UID) return fail(`request.uid is longer than ${MAX_UID} characters`);
  const kind = gvk(request.kind);
  if (kind === undefined) return fail('request.kind must be an object with group, version and kind');
  const resource = gvr(request.resource);
  if (resource === undefined) return fail('request.resource must be an object with group, version and resource');
  const operation = request.operation;
  if (typeof operation !== 'string' || !OPERATIONS.has(operation)) {
    return fail(`request.operation must be CREATE, UPDATE, DELETE or CONNECT, got ${describe(operation)}`);
  }
  const subResource = optionalString(request.subResource);
  const name = optionalString(request.name);
  const namespace = optionalString(request.namespace);
  if (subResource === null || name === null || namespace === null) return fail('request.subResource, name and namespace must be strings');
  const user = isRecord(request.userInfo) ? request.userInfo : {};
  const username = typeof user.username === 'string' ? user.username : '';
  const groups = Array.isArray(user.groups) ? user.groups.filter((g): g is string => typeof g === 'string') : [];
  if (request.dryRun !== undefined && request.dryRun !== null && typeof request.dryRun !== 'boolean') {
    return fail('request.dryRun must be a boolean');
  }
  return {
    ok: true,
    request: {
      uid: rawUid,
      kind,
      resource,
      subResource,
      name,
      namespace,
      operation: operation as Operation,
      userInfo: { username, groups },
      object: request.object ?? undefined,
      oldObject: request.oldObject ?? undefined,
      dryRun: request.dryRun === true,
    },
  };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (value === undefined) return 'nothing';
  return value === null ? 'null' : typeof value;
}

/** Wrap a response in an AdmissionReview v1. */
export function reviewOf(response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response };
}

/** A refusal for a request that could not be judged (malformed, too large, wrong media type). */
export function errorReview(uid: string, code: number, reason: ResponseStatus['reason'], message: string): AdmissionReviewResponse {
  return reviewOf({ uid, allowed: false, status: { status: 'Failure', code, reason, message } });
}
