import picomatch from 'picomatch';

import type { InputProblem } from '../core/errors.js';
import type { Suppression } from '../core/finding.js';
import { appendPointer, pointerOf, valueAt } from '../core/json-pointer.js';
import { formatResourceRef, type ResourceRef } from '../core/resource-ref.js';
import type { InventoryObject } from '../inventory/inventory.js';
import type { ExceptionRule, VigilConfig } from './config.js';

/** The annotation through which a workload's owner can waive checks for it. */
export const IGNORE_ANNOTATION = 'vigil.dev/ignore';

type Matcher = (value: string) => boolean;

function globMatcher(pattern: string): Matcher {
  if (pattern === '*') return () => true;
  const match = picomatch(pattern, { dot: true });
  return (value) => match(value);
}

/** Check-id patterns: exact ids, `area/*`, or `*`. */
function checkMatcher(patterns: string | readonly string[]): Matcher {
  const list = (typeof patterns === 'string' ? [patterns] : patterns).map(globMatcher);
  return (id) => list.some((m) => m(id));
}

interface CompiledRule {
  readonly index: number;
  readonly rule: ExceptionRule;
  readonly check: Matcher;
  readonly namespace?: Matcher;
  readonly kind?: string;
  readonly name?: Matcher;
  readonly container?: Matcher;
  readonly expired: boolean;
  matches: number;
}

/** A finding about to be reported, as exceptions see it. */
export interface ExceptionCandidate {
  readonly checkId: string;
  readonly resource: ResourceRef;
  readonly container?: string;
  /** The object reported on, when it is in the Inventory (its annotations can waive checks). */
  readonly entry?: InventoryObject;
  /** Pointer of the pod template metadata, when the finding lies inside a pod template. */
  readonly templateMetadataPointer?: string;
}

/** An exception that is expired or matched nothing, as `--audit-exceptions` lists it. */
export interface StaleException {
  readonly status: 'expired' | 'unused';
  readonly source: string;
  readonly checks: readonly string[];
  readonly reason: string;
  readonly owner?: string;
  readonly expires?: string;
  /** For annotation exceptions: the object that carries the annotation. */
  readonly resource?: ResourceRef;
}

interface AnnotationException {
  readonly checks: readonly string[];
  readonly check: Matcher;
  readonly reason: string;
  readonly resource: ResourceRef;
  used: boolean;
}

/**
 * Decides which findings are waived, by `.vigil.yaml` exceptions and (unless turned off) by the
 * `vigil.dev/ignore` annotation, and remembers which exceptions were used so stale ones can be listed.
 */
export class ExceptionMatcher {
  readonly problems: InputProblem[] = [];
  private readonly rules: CompiledRule[];
  private readonly annotations = new Map<string, AnnotationException | null>();

  constructor(
    private readonly config: VigilConfig,
    private readonly options: { readonly annotations: boolean; readonly today: string },
  ) {
    this.rules = config.exceptions.map((rule, index) => ({
      index,
      rule,
      check: checkMatcher(rule.check),
      ...(rule.namespace === undefined ? {} : { namespace: globMatcher(rule.namespace) }),
      ...(rule.kind === undefined ? {} : { kind: rule.kind }),
      ...(rule.name === undefined ? {} : { name: globMatcher(rule.name) }),
      ...(rule.container === undefined ? {} : { container: globMatcher(rule.container) }),
      // An exception applies through its expiry date, and not after.
      expired: rule.expires !== undefined && rule.expires < options.today,
      matches: 0,
    }));
  }

  /** The suppression for this finding, or undefined when it stands. */
  match(candidate: ExceptionCandidate): Suppression | undefined {
    for (const compiled of this.rules) {
      if (!this.ruleMatches(compiled, candidate)) continue;
      compiled.matches++;
      if (compiled.expired) continue;
      const { rule } = compiled;
      return {
        kind: 'config',
        reason: rule.reason,
        ...(rule.owner === undefined ? {} : { owner: rule.owner }),
        ...(rule.expires === undefined ? {} : { expires: rule.expires }),
        source: `${this.config.file ?? '.vigil.yaml'} exceptions[${compiled.index}]`,
      };
    }
    if (!this.options.annotations || candidate.entry === undefined) return undefined;
    const pointers = [pointerOf('metadata')];
    if (candidate.templateMetadataPointer !== undefined) pointers.push(candidate.templateMetadataPointer);
    for (const metadataPointer of pointers) {
      const exception = this.annotationAt(candidate.entry, metadataPointer);
      if (exception?.check(candidate.checkId) === true) {
        exception.used = true;
        return {
          kind: 'annotation',
          reason: exception.reason,
          source: `annotation ${IGNORE_ANNOTATION} on ${formatResourceRef(exception.resource)}`,
        };
      }
    }
    return undefined;
  }

  private ruleMatches(compiled: CompiledRule, c: ExceptionCandidate): boolean {
    if (!compiled.check(c.checkId)) return false;
    if (compiled.namespace !== undefined && (c.resource.namespace === undefined || !compiled.namespace(c.resource.namespace))) return false;
    if (compiled.kind !== undefined && compiled.kind !== c.resource.kind) return false;
    if (compiled.name !== undefined && !compiled.name(c.resource.name)) return false;
    if (compiled.container !== undefined && (c.container === undefined || !compiled.container(c.container))) return false;
    return true;
  }

  /** The parsed ignore annotation in the metadata at `metadataPointer` of an object (cached). */
  private annotationAt(entry: InventoryObject, metadataPointer: string): AnnotationException | undefined {
    const cacheKey = `${entry.id}${metadataPointer}`;
    const cached = this.annotations.get(cacheKey);
    if (cached !== undefined) return cached ?? undefined;
    const metadata = metadataPointer === '/metadata' ? entry.object.metadata : valueAt(entry.object, metadataPointer);
    const annotations = (metadata as { annotations?: unknown } | undefined)?.annotations;
    const value =
      annotations !== null && typeof annotations === 'object' ? (annotations as Record<string, unknown>)[IGNORE_ANNOTATION] : undefined;
    let parsed: AnnotationException | null = null;
    if (value !== undefined) {
      const result = parseIgnoreAnnotation(value);
      if ('error' in result) {
        const pointer = appendPointer(metadataPointer, 'annotations', IGNORE_ANNOTATION);
        const at = entry.source?.positions?.locate(pointer);
        this.problems.push({
          code: 'invalid-exception',
          level: 'warning',
          location: {
            file: entry.source?.file ?? formatResourceRef(entry.ref),
            ...(at === undefined ? {} : { line: at.line, column: at.column }),
          },
          message: `${formatResourceRef(entry.ref)}: ${IGNORE_ANNOTATION} ignored: ${result.error}`,
          hint: `Write it as "<check-id>[,<check-id>…]: <reason>", for example "images/latest-tag: pinned by the release pipeline".`,
        });
      } else {
        parsed = { ...result, check: checkMatcher(result.checks), resource: entry.ref, used: false };
      }
    }
    this.annotations.set(cacheKey, parsed);
    return parsed ?? undefined;
  }

  /** Exceptions that are expired or matched no finding. */
  stale(): StaleException[] {
    const out: StaleException[] = [];
    for (const compiled of this.rules) {
      if (!compiled.expired && compiled.matches > 0) continue;
      const { rule } = compiled;
      out.push({
        status: compiled.expired ? 'expired' : 'unused',
        source: `${this.config.file ?? '.vigil.yaml'} exceptions[${compiled.index}]`,
        checks: typeof rule.check === 'string' ? [rule.check] : rule.check,
        reason: rule.reason,
        ...(rule.owner === undefined ? {} : { owner: rule.owner }),
        ...(rule.expires === undefined ? {} : { expires: rule.expires }),
      });
    }
    for (const exception of this.annotations.values()) {
      if (exception === null || exception.used) continue;
      out.push({
        status: 'unused',
        source: `annotation ${IGNORE_ANNOTATION}`,
        checks: exception.checks,
        reason: exception.reason,
        resource: exception.resource,
      });
    }
    return out;
  }

  /**
   * Visit every ignore annotation of the given objects so that unused ones are known even where no
   * finding asked about them.
   */
  scanAnnotations(entries: Iterable<{ entry: InventoryObject; templateMetadataPointer?: string }>): void {
    if (!this.options.annotations) return;
    for (const { entry, templateMetadataPointer } of entries) {
      this.annotationAt(entry, '/metadata');
      if (templateMetadataPointer !== undefined) this.annotationAt(entry, templateMetadataPointer);
    }
  }
}

const CHECK_ID = /^(?:\*|[a-z0-9-]+\/(?:\*|[a-z0-9-]+))$/;

/** Parse `"<check-id>[,<check-id>…]: <reason>"`. */
export function parseIgnoreAnnotation(value: unknown): { checks: string[]; reason: string } | { error: string } {
  if (typeof value !== 'string') return { error: 'the value must be a string' };
  const colon = value.indexOf(':');
  if (colon === -1) return { error: 'no reason given (expected "<check-id>: <reason>")' };
  const checks = value
    .slice(0, colon)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const reason = value.slice(colon + 1).trim();
  if (checks.length === 0) return { error: 'no check id before the colon' };
  const bad = checks.find((c) => !CHECK_ID.test(c));
  if (bad !== undefined) return { error: `"${bad}" is not a check id` };
  if (reason === '') return { error: 'the reason after the colon is empty; a justification is required' };
  return { checks, reason };
}
