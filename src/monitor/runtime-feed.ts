import type { AlertSink } from '../core/alert.js';
import type { InputProblem } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import { formatSourceLocation } from '../core/source-location.js';
import type { Inventory } from '../inventory/inventory.js';
import { RuntimeContext } from '../runtime/context.js';
import { correlate } from '../runtime/correlate.js';
import { FalcoReceiver, type FalcoReceiverOptions } from '../runtime/receiver.js';
import { scanFalcoAlerts, type RuntimeScanResult } from '../runtime/scan.js';
import type { Store } from '../store/store.js';
import { AlertFeed, receiverUrl } from './alert-feed.js';
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
export class MonitorRuntimeFeed extends AlertFeed {
  readonly context: RuntimeContext;
  private processed = 0;
  private malformed = 0;

  constructor(private readonly options: MonitorRuntimeFeedOptions) {
    super(options, 'falco');
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
    return receiverUrl(address, options.tls, options.path ?? '/v1/falco');
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
}
