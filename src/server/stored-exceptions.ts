import picomatch from 'picomatch';
import { Document } from 'yaml';

import type { VigilConfig } from '../checks/config.js';
import { ExceptionMatcher, type ExceptionCandidate } from '../checks/exceptions.js';
import type { Finding, Suppression } from '../core/finding.js';
import type { ExceptionInput, StoredException } from '../store/store.js';

/*
 * Exceptions written from the dashboard live in the store (`vigil_exceptions`), so every process
 * using the store sees the same ones: the monitor honours them at once (it re-evaluates), `vigil
 * scan --exceptions-store` honours them in CI, and they export as `.vigil.yaml` exceptions. They
 * have exactly the fields and meaning of a `.vigil.yaml` exception.
 */

/** Where a stored exception is written, as a suppression names it. */
export function storedExceptionSource(id: number): string {
  return `vigil store exception #${id}`;
}

function glob(pattern: string): (value: string) => boolean {
  if (pattern === '*') return () => true;
  const match = picomatch(pattern, { dot: true });
  return (value) => match(value);
}

/** Today as YYYY-MM-DD (UTC), the way exception expiry dates are compared. */
export function todayOf(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** An exception applies through its expiry date, and not after (as in `.vigil.yaml`). */
export function isExpired(exception: Pick<ExceptionInput, 'expires'>, today: string): boolean {
  return exception.expires !== undefined && exception.expires < today;
}

/**
 * Does a stored exception cover this finding? The same rules as `.vigil.yaml` exceptions: check and
 * namespace, name and container are globs, kind is exact; a namespace rule never matches a
 * cluster-scoped object.
 */
export function exceptionCovers(
  exception: ExceptionInput,
  candidate: Pick<ExceptionCandidate, 'checkId' | 'resource' | 'container'>,
): boolean {
  if (!glob(exception.check)(candidate.checkId)) return false;
  const { resource } = candidate;
  if (exception.namespace !== undefined && (resource.namespace === undefined || !glob(exception.namespace)(resource.namespace)))
    return false;
  if (exception.kind !== undefined && exception.kind !== resource.kind) return false;
  if (exception.name !== undefined && !glob(exception.name)(resource.name)) return false;
  if (exception.container !== undefined && (candidate.container === undefined || !glob(exception.container)(candidate.container))) {
    return false;
  }
  return true;
}

/** The suppression a stored exception gives. */
export function suppressionOf(exception: StoredException): Suppression {
  return {
    kind: 'config',
    reason: exception.reason,
    ...(exception.owner === undefined ? {} : { owner: exception.owner }),
    ...(exception.expires === undefined ? {} : { expires: exception.expires }),
    source: storedExceptionSource(exception.id),
  };
}

/** The first unexpired stored exception covering the finding, as a suppression. */
export function storedSuppression(
  exceptions: readonly StoredException[],
  candidate: Pick<ExceptionCandidate, 'checkId' | 'resource' | 'container'>,
  today: string,
): Suppression | undefined {
  for (const exception of exceptions) {
    if (!isExpired(exception, today) && exceptionCovers(exception, candidate)) return suppressionOf(exception);
  }
  return undefined;
}

/** The narrowest exception that suppresses exactly this finding's check on this object (and container). */
export function exceptionForFinding(finding: Finding): Omit<ExceptionInput, 'reason'> {
  return {
    check: finding.checkId,
    ...(finding.resource.namespace === undefined ? {} : { namespace: finding.resource.namespace }),
    kind: finding.resource.kind,
    name: finding.resource.name,
    ...(finding.container === undefined ? {} : { container: finding.container }),
  };
}

/**
 * The exceptions matcher of a process that also honours the store's exceptions: `.vigil.yaml` and
 * annotations first (as configured), then the stored ones. `replace` swaps the stored list (the
 * monitor then re-evaluates, so findings pick up the change).
 */
export class StoreAwareExceptionMatcher extends ExceptionMatcher {
  private stored: readonly StoredException[] = [];

  constructor(
    config: VigilConfig,
    options: { readonly annotations: boolean; readonly today: string },
    private readonly now: () => Date = () => new Date(),
  ) {
    super(config, options);
  }

  /** Use this list of stored exceptions from now on. */
  replace(exceptions: readonly StoredException[]): void {
    this.stored = exceptions;
  }

  override match(candidate: ExceptionCandidate): Suppression | undefined {
    return super.match(candidate) ?? storedSuppression(this.stored, candidate, todayOf(this.now()));
  }
}

/**
 * Stored exceptions as a `.vigil.yaml` document (its `exceptions:` list), each with a comment saying
 * where it came from, ready to merge into a repository's configuration.
 */
export function exceptionsYaml(exceptions: readonly StoredException[]): string {
  const doc = new Document({
    exceptions: exceptions.map((e) => ({
      check: e.check,
      ...(e.namespace === undefined ? {} : { namespace: e.namespace }),
      ...(e.kind === undefined ? {} : { kind: e.kind }),
      ...(e.name === undefined ? {} : { name: e.name }),
      ...(e.container === undefined ? {} : { container: e.container }),
      reason: e.reason,
      ...(e.owner === undefined ? {} : { owner: e.owner }),
      ...(e.expires === undefined ? {} : { expires: e.expires }),
    })),
  });
  doc.commentBefore = ` Exceptions exported from the Vigil store (written from the dashboard).\n Merge them into .vigil.yaml, or scan with --exceptions-store to honour the store directly.`;
  const items = (doc.get('exceptions') as { items?: { commentBefore?: string | null }[] } | undefined)?.items ?? [];
  exceptions.forEach((e, i) => {
    const item = items[i];
    if (item !== undefined)
      item.commentBefore = ` #${e.id}, written ${e.createdAt}${e.createdBy === undefined ? '' : ` by ${e.createdBy}`}`;
  });
  return doc.toString({ lineWidth: 0 });
}
