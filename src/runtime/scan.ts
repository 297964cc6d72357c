import { sendToAll } from '../audit/sinks/index.js';
import type { Alert, AlertSink } from '../core/alert.js';
import type { InputProblem } from '../core/errors.js';
import { SEVERITIES, type Severity } from '../core/severity.js';
import type { RuntimeContext } from './context.js';
import { correlate } from './correlate.js';
import { emptyFalcoCounts, readFalcoFiles, type FalcoReadCounts, type ReadFalcoOptions } from './read-alerts.js';

export interface RuntimeScanOptions extends ReadFalcoOptions {
  /** The Inventory seen from alerts; without one, alerts keep Falco's priority. */
  readonly context?: RuntimeContext | (() => RuntimeContext | undefined);
  readonly sinks: readonly AlertSink[];
  readonly cluster?: string;
  /** Alerts sent to the sinks at once (default 100; 1 when following, so alerts go out as they come). */
  readonly batchSize?: number;
  readonly onProblem?: (problem: InputProblem) => void;
}

/** What a runtime scan read and raised. */
export interface RuntimeScanResult {
  readonly counts: FalcoReadCounts;
  readonly alertsBySeverity: Readonly<Record<Severity, number>>;
  /** How many alerts Vigil raised above, lowered below, or kept at Falco's priority. */
  readonly moved: { readonly raised: number; readonly lowered: number; readonly kept: number };
  /** Alerts tied to a workload of the inventory. */
  readonly placed: number;
  /** Paths that did not exist. */
  readonly notFound: number;
  readonly deliveryFailures: readonly { sink: string; error: unknown }[];
}

/**
 * Read Falco alerts from files, stdin or a followed file, place each in context and send the
 * resulting Vigil alerts to the sinks. Malformed lines are counted and passed to `onProblem`; they
 * never stop the scan.
 */
export async function scanFalcoAlerts(paths: readonly string[], options: RuntimeScanOptions): Promise<RuntimeScanResult> {
  const counts = emptyFalcoCounts();
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const moved = { raised: 0, lowered: 0, kept: 0 };
  let placed = 0;
  let notFound = 0;
  const failures: { sink: string; error: unknown }[] = [];
  const size = options.batchSize ?? (options.follow === undefined ? 100 : 1);
  let batch: Alert[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const sending = batch;
    batch = [];
    failures.push(...(await sendToAll(options.sinks, sending)));
  };
  for await (const item of readFalcoFiles(paths, counts, options)) {
    if (item.kind === 'problem') {
      if (item.problem.code === 'not-found') notFound++;
      options.onProblem?.(item.problem);
      continue;
    }
    const context = typeof options.context === 'function' ? options.context() : options.context;
    const alert = correlate(item.alert, context, options.cluster === undefined ? {} : { cluster: options.cluster });
    bySeverity[alert.severity]++;
    const effect = alert.reasons?.[0]?.effect ?? 'keep';
    if (effect === 'raise') moved.raised++;
    else if (effect === 'lower') moved.lowered++;
    else moved.kept++;
    const workload = alert.context?.workload;
    if (workload !== undefined && workload !== null) placed++;
    batch.push(alert);
    if (batch.length >= size) await flush();
  }
  await flush();
  return { counts, alertsBySeverity: bySeverity, moved, placed, notFound, deliveryFailures: failures };
}
