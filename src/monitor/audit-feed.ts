import type { ContextHolder } from '../audit/cel.js';
import { AuditContext } from '../audit/context.js';
import { DetectionEngine } from '../audit/engine.js';
import type { AuditEvent } from '../audit/event.js';
import { AuditReceiver, type ReceiverOptions } from '../audit/receiver/receiver.js';
import type { DetectionRule } from '../audit/rule.js';
import { scanAuditLogs, type AuditScanResult } from '../audit/scan.js';
import type { Alert, AlertSink } from '../core/alert.js';
import { describeError } from '../core/errors.js';
import { formatSourceLocation } from '../core/source-location.js';
import type { Inventory } from '../inventory/inventory.js';
import { auditEventRecordOf } from '../store/audit-event-record.js';
import type { AuditEventRecord, Store } from '../store/store.js';
import { AlertFeed, receiverUrl } from './alert-feed.js';
import type { MonitorMetrics } from './metrics.js';

export interface MonitorAuditFeedOptions {
  readonly rules: readonly DetectionRule[];
  /**
   * The context the rules were compiled against; make it with `liveContext(() => monitor.inventory)`
   * so conditions and enrichment read the live cluster.
   */
  readonly holder: ContextHolder;
  readonly store: Store;
  readonly sinks: readonly AlertSink[];
  readonly cluster: string;
  readonly metrics: MonitorMetrics;
  readonly log: (message: string) => void;
  /** Throttle repeated alerts per rule and key (default true). */
  readonly throttle?: boolean;
  /**
   * Keep a record of every event in the store (who, what, where, when, the answer code; never bodies)
   * for the dashboard's audit event search (default true).
   */
  readonly recordEvents?: boolean;
}

/** Event records are written in batches of this many (and when a replay ends or a webhook batch is handled). */
const RECORD_BATCH = 500;

/** Receiver settings the monitor passes through (everything but the handler, which the feed owns). */
export type MonitorReceiverOptions = Omit<ReceiverOptions, 'handle' | 'onProblem' | 'metrics' | 'accept' | 'onAcceptError'>;

/**
 * Audit detection inside the monitor. Logs (replayed once, or followed) and the webhook receiver
 * share one engine, so rate windows, first-seen and sequences see every event whatever door it came
 * through. Alerts are stored, counted and sent to the same sinks as finding alerts; the monitor's
 * live Inventory is the context, rebuilt only when it has changed.
 */
export class MonitorAuditFeed extends AlertFeed {
  readonly engine: DetectionEngine;
  private malformed = 0;
  private records: AuditEventRecord[] = [];
  private recording: Promise<void> = Promise.resolve();
  private unrecordable = 0;
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: MonitorAuditFeedOptions) {
    super(options, 'audit');
    this.engine = new DetectionEngine(options.rules, {
      holder: options.holder,
      cluster: options.cluster,
      throttle: options.throttle ?? true,
    });
  }

  /** Events run through the rules, and items that were not events. */
  get counts(): { processed: number; malformed: number } {
    return { processed: this.engine.stats.events, malformed: this.malformed };
  }

  /** Replay log files once (JSON lines, gzip, rotated folders), in the background. */
  replay(paths: readonly string[]): Promise<AuditScanResult> {
    return this.track(this.scan(paths));
  }

  /** Follow one log file as it grows, across rotation, until stopped. */
  follow(path: string, fromStart: boolean): Promise<AuditScanResult> {
    return this.track(this.scan([path], { signal: this.abort.signal, fromStart }));
  }

  /** Serve the API server's webhook audit backend; returns the URL it listens on. */
  async startReceiver(options: MonitorReceiverOptions): Promise<string> {
    const receiver = new AuditReceiver({
      ...options,
      handle: async (events: readonly AuditEvent[]) => {
        const alerts: Alert[] = [];
        for (const event of events) {
          this.record(event);
          alerts.push(...this.engine.process(event));
        }
        await this.flushRecords();
        this.options.metrics.auditEvents.inc({ outcome: 'processed' }, events.length);
        await this.publish(alerts);
      },
      onProblem: (problem) => {
        this.malformed++;
        this.options.metrics.auditEvents.inc({ outcome: 'malformed' });
        if (this.malformed <= 100) this.options.log(`audit: ${formatSourceLocation(problem.location)}: ${problem.message}`);
      },
    });
    const address = await receiver.listen();
    this.receiver = receiver;
    return receiverUrl(address, options.tls, options.path ?? '/v1/audit');
  }

  /** Stop as every feed does, then write the event records still queued. */
  override async stop(): Promise<void> {
    await super.stop();
    await this.flushRecords();
  }

  /** Queue a record of the event for the store (events without an id or a time cannot be kept, and are counted). */
  private record(event: AuditEvent): void {
    if (this.options.recordEvents === false) return;
    const record = auditEventRecordOf(event);
    if (record === undefined) {
      this.unrecordable++;
      return;
    }
    this.records.push(record);
    if (this.records.length >= RECORD_BATCH) void this.flushRecords();
    // A followed log trickles: what was read is searchable within a second.
    else this.flushTimer ??= setTimeout(() => void this.flushRecords(), 1000).unref();
  }

  /** Write queued records, one write at a time; a failing store is logged and counted, never fatal. */
  private flushRecords(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.records.length === 0) return this.recording;
    const batch = this.records;
    this.records = [];
    const { store, cluster, metrics, log } = this.options;
    this.recording = this.recording.then(async () => {
      try {
        await store.recordAuditEvents(cluster, batch);
      } catch (err: unknown) {
        metrics.storeFailures.inc();
        log(`audit: could not record ${batch.length} audit event(s) in the store: ${describeError(err)}`);
      }
    });
    return this.recording;
  }

  private async scan(paths: readonly string[], follow?: { signal: AbortSignal; fromStart: boolean }): Promise<AuditScanResult> {
    const result = await scanAuditLogs(paths, {
      rules: this.options.rules,
      engine: this.engine,
      sinks: [{ name: 'monitor', send: (alerts) => this.publish(alerts) }],
      ...(follow === undefined ? {} : { follow }),
      onEvent: (event) => {
        this.record(event);
      },
      onProblem: (problem) => {
        this.malformed++;
        this.options.metrics.auditEvents.inc({ outcome: 'malformed' });
        if (this.malformed <= 100) this.options.log(`audit: ${formatSourceLocation(problem.location)}: ${problem.message}`);
      },
    });
    await this.flushRecords();
    this.options.metrics.auditEvents.inc({ outcome: 'processed' }, result.counts.events);
    this.options.log(
      `audit: ${paths.join(', ')}: ${result.counts.events} events, ${result.counts.malformed} malformed, ${result.alerts} alerts${this.unrecordable > 0 ? ` (${this.unrecordable} events without an id or time not kept for search)` : ''}`,
    );
    return result;
  }
}

/** A context holder that follows the live Inventory, rebuilding the audit context only after changes. */
export function liveContext(inventory: () => Inventory): ContextHolder {
  let version = -1;
  let cached: AuditContext | undefined;
  return {
    get context(): AuditContext {
      const current = inventory();
      if (cached === undefined || current.version !== version) {
        cached = new AuditContext(current);
        version = current.version;
      }
      return cached;
    },
  };
}
