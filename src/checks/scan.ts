import type { InputProblem } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import { SEVERITIES, type Severity } from '../core/severity.js';
import { TOOL } from '../core/version.js';
import { Inventory } from '../inventory/inventory.js';
import { loadInputs, type LoadOptions } from '../sources/load-inputs.js';
import type { SourcedObject } from '../sources/manifest-objects.js';
import type { ReadStats } from '../sources/read-manifest-text.js';
import { activeChecks, type CheckSelection } from './catalog.js';
import { EMPTY_CONFIG, type VigilConfig } from './config.js';
import { ExceptionMatcher, type StaleException } from './exceptions.js';
import { evaluate, type ActiveCheck, type CheckError, type Evaluation } from './run-checks.js';

export interface ScanSummary {
  readonly files: number;
  readonly documents: number;
  readonly objects: number;
  /** Documents (or List items) that could not be read as objects; each has a problem entry. */
  readonly skippedDocuments: number;
  readonly emptyDocuments: number;
  /** Findings that stand (not suppressed). */
  readonly findings: number;
  readonly suppressed: number;
  /** Standing findings per severity. */
  readonly bySeverity: Readonly<Record<Severity, number>>;
  readonly checksRun: number;
  readonly checkErrors: number;
  readonly inputErrors: number;
  readonly inputWarnings: number;
}

/** Everything a scan produced: what reporters format and what the library returns. */
export interface ScanReport {
  readonly tool: typeof TOOL;
  readonly summary: ScanSummary;
  readonly findings: readonly Finding[];
  readonly problems: readonly InputProblem[];
  readonly checkErrors: readonly CheckError[];
  readonly checks: readonly ActiveCheck[];
  readonly evaluations?: readonly Evaluation[];
  /** Expired or unused exceptions (always computed; shown when asked). */
  readonly staleExceptions: readonly StaleException[];
}

export interface ScanOptions extends CheckSelection {
  readonly config?: VigilConfig;
  /** Honour `vigil.dev/ignore` annotations (default: the config's setting, itself default true). */
  readonly annotationExceptions?: boolean;
  /** Today's date as YYYY-MM-DD, for exception expiry (default: the current UTC date). */
  readonly today?: string;
  readonly collectEvaluations?: boolean;
  readonly defaultNamespace?: string;
  readonly load?: LoadOptions;
  /**
   * Report only on this namespace (what `-n` means for a live cluster): findings about objects in it
   * and about its Namespace object. Other objects are still read, as context (a RoleBinding's
   * ClusterRole); findings about them are counted in a note, not shown.
   */
  readonly scopeNamespace?: string;
  /**
   * Make the exceptions matcher (default: `.vigil.yaml` and annotations). `vigil scan --exceptions-store`
   * passes one that also honours the exceptions written from the dashboard.
   */
  readonly exceptionMatcher?: (config: VigilConfig, options: { annotations: boolean; today: string }) => ExceptionMatcher;
}

function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Judge objects that are already loaded: the pure part of a scan. */
export function scanObjects(
  objects: readonly SourcedObject[],
  readStats: ReadStats,
  readProblems: readonly InputProblem[],
  options: ScanOptions = {},
): ScanReport {
  const config = options.config ?? EMPTY_CONFIG;
  const checks = activeChecks(config, options);
  const { inventory, problems: inventoryProblems } = Inventory.from(
    objects,
    options.defaultNamespace === undefined ? {} : { defaultNamespace: options.defaultNamespace },
  );
  const matcherOptions = {
    annotations: options.annotationExceptions ?? config.annotationExceptions,
    today: options.today ?? todayUtc(),
  };
  const exceptions = options.exceptionMatcher?.(config, matcherOptions) ?? new ExceptionMatcher(config, matcherOptions);
  const result = evaluate(inventory, checks, { exceptions, ...(options.collectEvaluations === true ? { collectEvaluations: true } : {}) });
  exceptions.scanAnnotations(
    inventory.podTemplates().map(({ owner, template }) => ({ entry: owner, templateMetadataPointer: template.metadataPointer })),
  );
  exceptions.scanAnnotations(inventory.all().map((entry) => ({ entry })));

  const problems = [...readProblems, ...inventoryProblems, ...exceptions.problems];
  let findings = result.findings;
  const scope = options.scopeNamespace;
  if (scope !== undefined) {
    findings = findings.filter(
      (f) =>
        f.resource.namespace === scope ||
        (f.resource.namespace === undefined && f.resource.kind === 'Namespace' && f.resource.name === scope),
    );
    const outside = result.findings.length - findings.length;
    if (outside > 0) {
      problems.push({
        code: 'out-of-scope',
        level: 'info',
        location: { file: `namespace ${scope}` },
        message: `${outside} finding${outside === 1 ? '' : 's'} about objects outside namespace ${scope} (cluster-scoped objects, other namespaces) ${outside === 1 ? 'is' : 'are'} not shown`,
        hint: 'Scan without -n to see them.',
      });
    }
  }
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let suppressed = 0;
  for (const finding of findings) {
    if (finding.suppression === undefined) bySeverity[finding.severity]++;
    else suppressed++;
  }
  return {
    tool: TOOL,
    summary: {
      files: readStats.files,
      documents: readStats.documents,
      objects: inventory.size,
      skippedDocuments: readStats.skippedDocuments,
      emptyDocuments: readStats.emptyDocuments,
      findings: findings.length - suppressed,
      suppressed,
      bySeverity,
      checksRun: checks.length,
      checkErrors: result.errors.length,
      inputErrors: problems.filter((p) => p.level === 'error').length,
      inputWarnings: problems.filter((p) => p.level === 'warning').length,
    },
    findings,
    problems,
    checkErrors: result.errors,
    checks,
    ...(result.evaluations === undefined ? {} : { evaluations: result.evaluations }),
    staleExceptions: exceptions.stale(),
  };
}

/** Load files, folders, globs and stdin, then judge them. */
export async function scanInputs(inputs: readonly string[], options: ScanOptions = {}): Promise<ScanReport> {
  const loaded = await loadInputs(inputs, options.load);
  return scanObjects(loaded.objects, loaded.stats, loaded.problems, options);
}
