import { isRecord, type JsonRecord } from '../k8s/guards.js';
import type { AuditObjectRef } from './event.js';

/** What replaces a secret value. Keys stay, so rules can still see which keys a Secret holds. */
export const REDACTED = '<redacted>';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Replace secret values in an audit event, in place, before anything else sees it: Secret
 * `data`/`stringData` (and the last-applied annotation that copies them) in request and response
 * bodies, single objects and lists, and JSON-patch values on secrets; the token of a TokenRequest
 * (`serviceaccounts/token` status) and of a TokenReview (spec). Returns how many values were redacted.
 */
export function redactEvent(raw: Record<string, unknown>, ref: AuditObjectRef | undefined): number {
  if (ref === undefined) return 0;
  let count = 0;
  const bodies = ['requestObject', 'responseObject'] as const;
  if (ref.resource === 'secrets' && ref.subresource === '') {
    for (const key of bodies) {
      const body = raw[key];
      if (Array.isArray(body)) count += redactJsonPatch(body);
      else if (isRecord(body)) count += redactSecretLike(body);
    }
  } else if (ref.resource === 'serviceaccounts' && ref.subresource === 'token') {
    for (const key of bodies) count += redactField(raw[key], 'status', 'token');
  } else if (ref.resource === 'tokenreviews') {
    for (const key of bodies) count += redactField(raw[key], 'spec', 'token');
  }
  return count;
}

/** A Secret, a SecretList (items) or a partial Secret used as a merge patch. */
function redactSecretLike(body: JsonRecord): number {
  let count = 0;
  if (Array.isArray(body.items)) for (const item of body.items) if (isRecord(item)) count += redactSecretLike(item);
  for (const field of ['data', 'stringData'] as const) {
    const values = body[field];
    if (isRecord(values)) {
      const mutable = values as Record<string, unknown>;
      for (const k of Object.keys(mutable)) {
        if (mutable[k] !== REDACTED) {
          mutable[k] = REDACTED;
          count++;
        }
      }
    } else if (values !== undefined && values !== null) {
      (body as Record<string, unknown>)[field] = REDACTED;
      count++;
    }
  }
  const meta = body.metadata;
  if (isRecord(meta) && isRecord(meta.annotations) && typeof meta.annotations[LAST_APPLIED] === 'string') {
    (meta.annotations as Record<string, unknown>)[LAST_APPLIED] = REDACTED;
    count++;
  }
  return count;
}

/** JSON patch (RFC 6902) ops on a Secret: every value may be secret material. */
function redactJsonPatch(ops: unknown[]): number {
  let count = 0;
  for (const op of ops) {
    if (isRecord(op) && 'value' in op && op.value !== REDACTED) {
      (op as Record<string, unknown>).value = REDACTED;
      count++;
    }
  }
  return count;
}

function redactField(body: unknown, parent: string, field: string): number {
  if (!isRecord(body)) return 0;
  const holder = body[parent];
  if (!isRecord(holder) || !(field in holder) || holder[field] === REDACTED) return 0;
  (holder as Record<string, unknown>)[field] = REDACTED;
  return 1;
}
