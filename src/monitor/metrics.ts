import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import type { Finding } from '../core/finding.js';

/**
 * The monitor's Prometheus metrics, in their own registry (so several monitors, or tests, never
 * share state). Names follow https://prometheus.io/docs/practices/naming/: the `vigil_` prefix, base
 * units (seconds), `_total` for counters, no unit on plain counts.
 */
export class MonitorMetrics {
  readonly registry = new Registry();
  /** Open, unsuppressed findings. */
  readonly findings = new Gauge({
    name: 'vigil_findings',
    help: 'Open findings (suppressed ones excluded), by severity, area and namespace ("" for cluster-scoped objects).',
    labelNames: ['severity', 'area', 'namespace'] as const,
    registers: [this.registry],
  });
  readonly suppressed = new Gauge({
    name: 'vigil_findings_suppressed',
    help: 'Open findings suppressed by an exception.',
    registers: [this.registry],
  });
  readonly transitions = new Counter({
    name: 'vigil_finding_transitions_total',
    help: 'Finding life-cycle transitions recorded in the store.',
    labelNames: ['transition'] as const,
    registers: [this.registry],
  });
  readonly evaluationSeconds = new Histogram({
    name: 'vigil_evaluation_duration_seconds',
    help: 'Time to evaluate checks: a full evaluation, or an incremental one after changes.',
    labelNames: ['mode'] as const,
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
    registers: [this.registry],
  });
  readonly checkErrors = new Counter({
    name: 'vigil_check_errors_total',
    help: 'Checks that threw on an object (a bug in a check; the evaluation goes on).',
    registers: [this.registry],
  });
  readonly objects = new Gauge({
    name: 'vigil_inventory_objects',
    help: 'Objects held, by kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly watchEvents = new Counter({
    name: 'vigil_watch_events_total',
    help: 'Watch events received, by resource and type (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR).',
    labelNames: ['resource', 'type'] as const,
    registers: [this.registry],
  });
  readonly watchRestarts = new Counter({
    name: 'vigil_watch_restarts_total',
    help: 'Watches opened again, by resource and reason (expired: 410 Gone and a new list; dropped; timeout; error).',
    labelNames: ['resource', 'reason'] as const,
    registers: [this.registry],
  });
  readonly listFailures = new Gauge({
    name: 'vigil_resource_unavailable',
    help: '1 when a resource cannot be listed (forbidden, not served, failing), so checks see none of it.',
    labelNames: ['resource', 'reason'] as const,
    registers: [this.registry],
  });
  readonly alerts = new Counter({
    name: 'vigil_alerts_total',
    help: 'Alerts raised, by rule, severity and source (finding, vigil audit rules, falco, runtime).',
    labelNames: ['rule', 'severity', 'source'] as const,
    registers: [this.registry],
  });
  readonly auditEvents = new Counter({
    name: 'vigil_audit_events_total',
    help: 'Audit events the monitor read (logs, the webhook receiver), by outcome: processed by the rules, or malformed and skipped.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly runtimeAlerts = new Counter({
    name: 'vigil_runtime_alerts_total',
    help: 'Falco alerts the monitor read (logs, the HTTP receiver), by outcome: placed in context, or malformed and skipped.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly alertFailures = new Counter({
    name: 'vigil_alert_delivery_failures_total',
    help: 'Alert batches a sink failed to deliver.',
    labelNames: ['sink'] as const,
    registers: [this.registry],
  });
  readonly storeSeconds = new Histogram({
    name: 'vigil_store_write_duration_seconds',
    help: 'Time to record an evaluation in the store.',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
    registers: [this.registry],
  });
  readonly storeFailures = new Counter({
    name: 'vigil_store_failures_total',
    help: 'Store writes that failed (retried with the next evaluation).',
    registers: [this.registry],
  });
  readonly lastEvaluation = new Gauge({
    name: 'vigil_last_evaluation_timestamp_seconds',
    help: 'Unix time of the last evaluation recorded in the store.',
    registers: [this.registry],
  });
  readonly ready = new Gauge({
    name: 'vigil_ready',
    help: '1 once the first full evaluation of the cluster is stored.',
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'vigil_' });
  }

  /** Set the findings gauges from the current open findings. */
  setFindings(findings: Iterable<Finding>): void {
    const counts = new Map<string, { severity: string; area: string; namespace: string; n: number }>();
    let suppressed = 0;
    for (const f of findings) {
      if (f.suppression !== undefined) {
        suppressed++;
        continue;
      }
      const namespace = f.resource.namespace ?? '';
      const key = `${f.severity}\u0000${f.area}\u0000${namespace}`;
      const entry = counts.get(key);
      if (entry === undefined) counts.set(key, { severity: f.severity, area: f.area, namespace, n: 1 });
      else entry.n++;
    }
    this.setFindingCounts(counts.values(), suppressed);
  }

  /** Set the findings gauges from counts already made (by severity, area and namespace). */
  setFindingCounts(
    counts: Iterable<{ readonly severity: string; readonly area: string; readonly namespace: string; readonly n: number }>,
    suppressed: number,
  ): void {
    this.findings.reset();
    for (const { severity, area, namespace, n } of counts) this.findings.set({ severity, area, namespace }, n);
    this.suppressed.set(suppressed);
  }

  /** Text exposition for `/metrics`. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
