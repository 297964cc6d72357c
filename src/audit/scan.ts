import type { Alert, AlertSink } from '../core/alert.js';
import type { InputProblem } from '../core/errors.js';
import { isAtLeast, type Severity } from '../core/severity.js';
import type { ContextHolder } from './cel.js';
import { DetectionEngine, type EngineStats } from './engine.js';
import type { AuditEvent } from './event.js';
import { readAuditFiles } from './readers/files.js';
import { followLines } from './readers/follow.js';
import { emptyCounts, readAuditLines, type AuditReadItem, type ReadCounts } from './readers/parse-lines.js';
import type { DetectionRule } from './rule.js';
import { sendToAll } from './sinks/index.js';

export interface AuditScanOptions {
  readonly rules: readonly DetectionRule[];
  /** An engine to run instead of a new one from `rules` (the monitor shares one between its inputs). */
  readonly engine?: DetectionEngine;
  readonly sinks: readonly AlertSink[];
  readonly holder?: ContextHolder;
  readonly throttle?: boolean;
  readonly cluster?: string;
  /** Alerts at or above this severity make the scan "failing" (exit 1). */
  readonly failOn?: Severity | 'none';
  /** Follow one file as it grows (tail -F) until the signal aborts. */
  readonly follow?: { readonly signal: AbortSignal; readonly fromStart?: boolean };
  /** Called for every input problem as it is found (the result keeps the first 1,000). */
  readonly onProblem?: (problem: InputProblem) => void;
  /** Standard input, for `-`. */
  readonly stdin?: NodeJS.ReadableStream;
  /** Called with every event read, before the rules see it (the monitor stores a record of each for search). */
  readonly onEvent?: (event: AuditEvent) => void;
}

export interface AuditScanResult {
  readonly counts: ReadCounts;
  readonly engine: EngineStats;
  readonly alertsBySeverity: Readonly<Record<Severity, number>>;
  readonly alerts: number;
  /** The first 1,000 input problems (all are counted in counts.malformed or reported through onProblem). */
  readonly problems: readonly InputProblem[];
  readonly notFound: number;
  /** Deliveries that failed after retries, per sink. */
  readonly deliveryFailures: readonly { sink: string; error: unknown }[];
  /** True when an alert at or above failOn was raised. */
  readonly failing: boolean;
}

const BATCH = 200;
const KEEP_PROBLEMS = 1000;

/**
 * Run detection rules over audit logs (files, folders, gzip, stdin) or one followed file, sending
 * alerts to the sinks in batches (at once when following). Never throws on bad input: problems are
 * counted and returned.
 */
export async function scanAuditLogs(paths: readonly string[], options: AuditScanOptions): Promise<AuditScanResult> {
  const engine =
    options.engine ??
    new DetectionEngine(options.rules, {
      ...(options.holder === undefined ? {} : { holder: options.holder }),
      ...(options.throttle === undefined ? {} : { throttle: options.throttle }),
      ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
    });
  const counts = emptyCounts();
  const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  const problems: InputProblem[] = [];
  const deliveryFailures: { sink: string; error: unknown }[] = [];
  let notFound = 0;
  let failing = false;
  let pending: Alert[] = [];
  const failOn = options.failOn ?? 'none';

  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    deliveryFailures.push(...(await sendToAll(options.sinks, batch)));
  };

  let items: AsyncIterable<AuditReadItem>;
  if (options.follow !== undefined) {
    const file = paths[0] ?? '';
    counts.files = 1;
    items = readAuditLines(
      followLines(file, { signal: options.follow.signal, ...(options.follow.fromStart === true ? { fromStart: true } : {}) }),
      file,
      counts,
    );
  } else items = readAuditFiles(paths, counts, options.stdin === undefined ? {} : { stdin: options.stdin });

  for await (const item of items) {
    if (item.kind === 'problem') {
      if (item.problem.code === 'not-found') notFound++;
      if (problems.length < KEEP_PROBLEMS) problems.push(item.problem);
      options.onProblem?.(item.problem);
      continue;
    }
    options.onEvent?.(item.event);
    const alerts = engine.process(item.event);
    if (alerts.length === 0) continue;
    for (const alert of alerts) {
      bySeverity[alert.severity]++;
      if (failOn !== 'none' && isAtLeast(alert.severity, failOn)) failing = true;
    }
    pending.push(...alerts);
    if (options.follow !== undefined || pending.length >= BATCH) await flush();
  }
  await flush();
  return {
    counts,
    engine: engine.stats,
    alertsBySeverity: bySeverity,
    alerts: engine.stats.alerts,
    problems,
    notFound,
    deliveryFailures,
    failing,
  };
}
