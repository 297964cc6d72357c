import { hash } from 'node:crypto';

import type { Area } from './area.js';
import type { FrameworkRefs } from './frameworks.js';
import { apiGroupOf, type ResourceRef } from './resource-ref.js';
import type { Severity } from './severity.js';

/** Where in an object a finding points, and where that is in the file it came from. */
export interface FindingLocation {
  /** kubectl-style field path inside the object: `spec.template.spec.containers[0].image`. */
  readonly path: string;
  /** The same place as a JSON Pointer (RFC 6901), for tools. */
  readonly pointer: string;
  /** Present when the object came from a file (`-` is stdin). */
  readonly file?: string;
  readonly documentIndex?: number;
  /** 1-based line of the field (or the nearest enclosing field that exists in the file). */
  readonly line?: number;
  readonly column?: number;
}

/** Why a finding is suppressed. Suppressed findings are still reported, marked as such. */
export interface Suppression {
  readonly kind: 'config' | 'annotation';
  readonly reason: string;
  readonly owner?: string;
  /** ISO date (YYYY-MM-DD) after which the exception stops applying. */
  readonly expires?: string;
  /** Where the exception is written: `.vigil.yaml exceptions[2]`, `annotation vigil.dev/ignore`. */
  readonly source: string;
}

/** One thing wrong with one object, as a check reported it. */
export interface Finding {
  readonly checkId: string;
  readonly severity: Severity;
  readonly area: Area;
  readonly title: string;
  /** Which of the check's messages this is: a stable key for tools and tests. */
  readonly messageId: string;
  readonly message: string;
  readonly resource: ResourceRef;
  readonly location: FindingLocation;
  /** The container the finding is about, when it is about one. */
  readonly container?: string;
  readonly remediation: string;
  readonly frameworks: FrameworkRefs;
  /** Stable across runs: check, object identity (not its file) and field. */
  readonly fingerprint: string;
  readonly suppression?: Suppression;
}

/**
 * A fingerprint that survives re-runs, file moves and reordering: it hashes the check id, the
 * object's group/kind/namespace/name and the field pointer — never the message or the file. `key`
 * tells apart several problems one check reports at the same field (two flags missing from one
 * `command`); it is left out when absent, so fingerprints without it keep their value.
 */
export function fingerprintOf(checkId: string, resource: ResourceRef, pointer: string, key?: string): string {
  const identity = [checkId, apiGroupOf(resource.apiVersion), resource.kind, resource.namespace ?? '', resource.name, pointer];
  if (key !== undefined) identity.push(key);
  // One-shot `hash` (Node 20.12+) gives the same digest as createHash().update().digest() without
  // a Hash object per finding: each of those carries a weak handle that every young-generation GC
  // must process, which showed as longer GC pauses in the admission webhook's tail latency.
  return hash('sha256', identity.join('\u0000'), 'hex').slice(0, 32);
}
