import type { Alert, AlertSink } from '../core/alert.js';
import { describeError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { deliver } from './finding-alerts.js';
import type { MonitorMetrics } from './metrics.js';

/** What every alert feed of the monitor (audit events, Falco alerts) needs from it. */
export interface AlertFeedOptions {
  readonly store: Store;
  readonly sinks: readonly AlertSink[];
  readonly metrics: MonitorMetrics;
  readonly log: (message: string) => void;
}

/**
 * The part the monitor's audit and runtime feeds share: background tasks (replays, follows) and a
 * receiver they stop together, and one way to publish alerts — stored, counted, sent to the sinks,
 * where a failing store or sink is logged and counted, never fatal.
 */
export abstract class AlertFeed {
  protected readonly abort = new AbortController();
  private readonly tasks: Promise<unknown>[] = [];
  protected receiver: { close(): Promise<void> } | undefined;

  /** `label` starts every log line (`audit`, `falco`). */
  constructor(
    private readonly feed: AlertFeedOptions,
    private readonly label: string,
  ) {}

  /** Stop following, let the receiver finish what it accepted, and wait for replays to end. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.receiver?.close();
    await Promise.allSettled(this.tasks);
  }

  protected track<T>(task: Promise<T>): Promise<T> {
    this.tasks.push(task);
    return task;
  }

  protected async publish(alerts: readonly Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    const { store, metrics, sinks, log } = this.feed;
    try {
      await store.recordAlerts(alerts, new Date().toISOString());
    } catch (err: unknown) {
      metrics.storeFailures.inc();
      log(`${this.label}: could not record ${alerts.length} alert(s) in the store: ${describeError(err)}`);
    }
    for (const alert of alerts) metrics.alerts.inc({ rule: alert.rule, severity: alert.severity, source: alert.source });
    await deliver(sinks, alerts, (sink, message) => {
      metrics.alertFailures.inc({ sink });
      log(`${this.label}: alert sink ${sink} failed: ${message}`);
    });
  }
}

/** The URL a receiver listens on, as the log and the API server's configuration want it. */
export function receiverUrl(address: { host: string; port: number }, tls: unknown, path: string): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `${tls === undefined ? 'http' : 'https'}://${host}:${address.port}${path}`;
}
