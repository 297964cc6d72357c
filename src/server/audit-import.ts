import { builtinRuleFiles } from '../audit/builtin-rules.js';
import type { ContextHolder } from '../audit/cel.js';
import { AuditContext } from '../audit/context.js';
import { DetectionEngine } from '../audit/engine.js';
import { readAuditFiles } from '../audit/readers/files.js';
import { emptyCounts, type ReadCounts } from '../audit/readers/parse-lines.js';
import { loadVigilRules } from '../audit/vigil-rules.js';
import type { Alert } from '../core/alert.js';
import type { InputProblem } from '../core/errors.js';
import type { Inventory } from '../inventory/inventory.js';
import { auditEventRecordOf } from '../store/audit-event-record.js';
import type { AuditEventRecord, Store } from '../store/store.js';

export interface AuditImportResult {
  readonly counts: ReadCounts;
  /** Events newly stored (an event already stored is not stored twice). */
  readonly stored: number;
  /** Events without an auditID or a time, which cannot be stored. */
  readonly unstorable: number;
  readonly alerts: number;
  readonly problems: readonly InputProblem[];
}

const BATCH = 500;

/**
 * Read audit logs, run the built-in detection rules over them (with the inventory as context when
 * given) and store both the alerts and the event records, for the dashboard's Audit view.
 */
export async function importAuditLogs(
  paths: readonly string[],
  options: { readonly store: Store; readonly cluster: string; readonly inventory?: Inventory; readonly now?: () => Date },
): Promise<AuditImportResult> {
  const holder: ContextHolder = options.inventory === undefined ? {} : { context: new AuditContext(options.inventory) };
  const loaded = loadVigilRules(builtinRuleFiles(), holder);
  const engine = new DetectionEngine(loaded.rules, { holder, cluster: options.cluster });
  const counts = emptyCounts();
  const problems: InputProblem[] = [...loaded.problems];
  let records: AuditEventRecord[] = [];
  let alerts: Alert[] = [];
  let stored = 0;
  let unstorable = 0;
  let alertCount = 0;
  const now = (): string => (options.now?.() ?? new Date()).toISOString();
  const flush = async (): Promise<void> => {
    if (records.length > 0) stored += await options.store.recordAuditEvents(options.cluster, records);
    if (alerts.length > 0) alertCount += await options.store.recordAlerts(alerts, now());
    records = [];
    alerts = [];
  };
  for await (const item of readAuditFiles(paths, counts)) {
    if (item.kind === 'problem') {
      if (problems.length < 1000) problems.push(item.problem);
      continue;
    }
    const record = auditEventRecordOf(item.event);
    if (record === undefined) unstorable++;
    else records.push(record);
    alerts.push(...engine.process(item.event));
    if (records.length >= BATCH) await flush();
  }
  await flush();
  return { counts, stored, unstorable, alerts: alertCount, problems };
}
