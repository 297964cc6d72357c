import type { Alert, AlertSink } from '../core/alert.js';
import type { InputProblem } from '../core/errors.js';
import { describeError } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import { formatSourceLocation } from '../core/source-location.js';
import type { Inventory } from '../inventory/inventory.js';
import { RuntimeContext } from '../runtime/context.js';
import { correlate } from '../runtime/correlate.js';
import { FalcoReceiver, type FalcoReceiverOptions } from '../runtime/receiver.js';
import { scanFalcoAlerts, type RuntimeScanResult } from '../runtime/scan.js';
import type { Store } from '../store/store.js';
import { deliver } from './finding-alerts.js';
import type { MonitorMetrics } from './metrics.js';

export interface MonitorRuntimeFeedOptions {
  /** The monitor's live Inventory (one object, changed in place as watch events arrive). */
  readonly inventory: Inventory;
  /** The findings open now (the monitor's evaluator), attached to each alert's workload. */
  readonly findings: () => readonly Finding[];
  readonly store: Store;
  readonly sinks: readonly AlertSink[];
  readonly cluster: string;
  readonly metrics: MonitorMetrics;
  readonly log: (message: string) => void;
  /** Least time between rebuilds of the workload facts after the cluster changed (default 10 s). */
  readonly refreshMs?: number;
}

/** Receiver settings the monitor passes through (everything but the handler, which the feed owns). */
export type MonitorFalcoReceiverOptions = Omit<FalcoReceiverOptions, 'handle' | 'onProblem' | 'metrics' | 'accept' | 'onAcceptError'>;

/**
 * Falco's runtime alerts inside the monitor, beside the audit feed: files (replayed once, or
 * followed) and the HTTP receiver share one context over the live Inventory and the findings the
 * monitor already holds. Alerts are stored in the same alert table as audit alerts (with their
 * context and reasons in the record), counted, and sent to the same sinks.
 */
export class MonitorRuntimeFeed {
  readonly context: RuntimeContext;
  private readonly abort = new AbortController();
  private readonly tasks: Promise<unknown>[] = [];
  private receiver: FalcoReceiver | undefined;
  private processed = 0;
  private malformed = 0;

  constructor(private readonly options: MonitorRuntimeFeedOptions) {
    this.context = new RuntimeContext(options.inventory, {
      findings: () => options.findings(),
      refreshMs: options.refreshMs ?? 10_000,
    });
  }

  /** Alerts placed in context, and items that were not Falco alerts. */
  get counts(): { processed: number; malformed: number } {
    return { processed: this.processed, malformed: this.malformed };
  }

  /** Replay Falco JSON files once, in the background. */
  replay(paths: readonly string[]): Promise<RuntimeScanResult> {
    return this.track(this.scan(paths));
  }

  /** Follow one Falco JSON file as it grows, across rotation, until stopped. */
  follow(path: string, fromStart: boolean): Promise<RuntimeScanResult> {
    return this.track(this.scan([path], { signal: this.abort.signal, fromStart }));
  }

  /** Serve Falco's http_output and falcosidekick's webhook; returns the URL it listens on. */
  async startReceiver(options: MonitorFalcoReceiverOptions): Promise<string> {
    const receiver = new FalcoReceiver({
      ...options,
      handle: async (alerts) => {
        const out = alerts.map((a) => correlate(a, this.context, { cluster: this.options.cluster }));
        this.processed += out.length;
        this.options.metrics.runtimeAlerts.inc({ outcome: 'processed' }, out.length);
        await this.publish(out);
      },
      onProblem: (problem) => {
        this.problem(problem);
      },
    });
    const address = await receiver.listen();
    this.receiver = receiver;
    const scheme = options.tls === undefined ? 'http' : 'https';
    const host = address.host.includes(':') ? `[${address.host}]` : address.host;
    return `${scheme}://${host}:${address.port}${options.path ?? '/v1/falco'}`;
  }

  /** Stop following, let the receiver finish what it accepted, and wait for replays to end. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.receiver?.close();
    await Promise.allSettled(this.tasks);
  }

  private track<T>(task: Promise<T>): Promise<T> {
    this.tasks.push(task);
    return task;
  }

  private problem(problem: InputProblem): void {
    this.malformed++;
    this.options.metrics.runtimeAlerts.inc({ outcome: 'malformed' });
    if (this.malformed <= 100) this.options.log(`falco: ${formatSourceLocation(problem.location)}: ${problem.message}`);
  }

  private async scan(paths: readonly string[], follow?: { signal: AbortSignal; fromStart: boolean }): Promise<RuntimeScanResult> {
    const result = await scanFalcoAlerts(paths, {
      context: this.context,
      cluster: this.options.cluster,
      sinks: [
        {
          name: 'monitor',
          send: async (alerts) => {
            this.processed += alerts.length;
            this.options.metrics.runtimeAlerts.inc({ outcome: 'processed' }, alerts.length);
            await this.publish(alerts);
          },
        },
      ],
      ...(follow === undefined ? {} : { follow }),
      onProblem: (problem) => {
        this.problem(problem);
      },
    });
    this.options.log(
      `falco: ${paths.join(', ')}: ${result.counts.alerts} alerts (${result.moved.raised} raised, ${result.moved.lowered} lowered), ${result.counts.malformed} malformed`,
    );
    return result;
  }

  /** Store, count and deliver alerts; a failing store or sink is logged and counted, never fatal. */
  private async publish(alerts: readonly Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    const { store, metrics, sinks, log } = this.options;
    try {
      await store.recordAlerts(alerts, new Date().toISOString());
    } catch (err: unknown) {
      metrics.storeFailures.inc();
      log(`falco: could not record ${alerts.length} alert(s) in the store: ${describeError(err)}`);
    }
    for (const alert of alerts) metrics.alerts.inc({ rule: alert.rule, severity: alert.severity, source: alert.source });
    await deliver(sinks, alerts, (sink, message) => {
      metrics.alertFailures.inc({ sink });
      log(`falco: alert sink ${sink} failed: ${message}`);
    });
  }
}
