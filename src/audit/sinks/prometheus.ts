import { Counter, Registry } from 'prom-client';

import type { Alert, AlertSink } from '../../core/alert.js';

/**
 * A counter whose value is read at scrape time from a running total kept elsewhere (a receiver's or a
 * worker's stats), so the hot path only increments a plain number.
 */
export function scrapedCounter(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

/**
 * Counts alerts as Prometheus counters (`vigil_alerts_total{rule,severity,source}`) in a registry
 * the caller exposes (`vigil audit serve` on /metrics, or a textfile for node_exporter).
 */
export class PrometheusSink implements AlertSink {
  readonly name = 'prometheus';
  readonly registry: Registry;
  private readonly alerts: Counter<'rule' | 'severity' | 'source'>;

  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    this.alerts = new Counter({
      name: 'vigil_alerts_total',
      help: 'Alerts raised, by rule, severity and source.',
      labelNames: ['rule', 'severity', 'source'] as const,
      registers: [registry],
    });
  }

  send(alerts: readonly Alert[]): Promise<void> {
    for (const a of alerts) this.alerts.inc({ rule: a.rule, severity: a.severity, source: a.source });
    return Promise.resolve();
  }

  /** The exposition text. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
