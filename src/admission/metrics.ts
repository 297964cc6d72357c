import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import type { Decision } from './handler.js';

/**
 * The webhook's Prometheus metrics, in their own registry. Names follow
 * https://prometheus.io/docs/practices/naming/ (`vigil_` prefix, seconds, `_total` counters). Label
 * values come from a fixed set (webhooks, outcomes, check ids of the catalog): never from request
 * content such as namespaces or names, so a caller cannot grow the series without bound.
 */
export class AdmissionMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'vigil_admission_requests_total',
    help: 'AdmissionReview requests answered, by webhook, outcome (allowed, warned, denied, mutated, skipped, exempt, invalid, error) and dry run.',
    labelNames: ['webhook', 'outcome', 'dry_run'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'vigil_admission_request_duration_seconds',
    help: 'Time from the request body being read to the response being ready, by webhook.',
    labelNames: ['webhook'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1],
    registers: [this.registry],
  });
  /**
   * Findings per check and action, counted here and handed to prom-client when scraped: a review
   * has a dozen findings, and prom-client hashes and validates the labels on every `inc`.
   */
  private readonly findingCounts = new Map<string, Map<string, number>>();
  readonly findings = new Counter({
    name: 'vigil_admission_findings_total',
    help: 'Findings on admitted or refused objects, by check and action (deny, warn, audit, suppressed); dry runs excluded.',
    labelNames: ['check', 'action'] as const,
    registers: [this.registry],
    collect: () => {
      this.findings.reset();
      for (const [check, byAction] of this.findingCounts) {
        for (const [action, count] of byAction) this.findings.inc({ check, action }, count);
      }
    },
  });
  readonly certificateExpiry = new Gauge({
    name: 'vigil_admission_certificate_expiry_timestamp_seconds',
    help: 'When the serving certificate in use expires (Unix time).',
    registers: [this.registry],
  });

  constructor(options: { readonly processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'vigil_admission_' });
  }

  /** Count one decision and its time. */
  observe(decision: Decision, seconds: number): void {
    const dryRun = decision.dryRun ? 'true' : 'false';
    this.requests.inc({ webhook: decision.webhook, outcome: decision.outcome, dry_run: dryRun });
    this.duration.observe({ webhook: decision.webhook }, seconds);
    if (decision.dryRun) return;
    for (const f of decision.findings) {
      let byAction = this.findingCounts.get(f.checkId);
      if (byAction === undefined) this.findingCounts.set(f.checkId, (byAction = new Map<string, number>()));
      byAction.set(f.action, (byAction.get(f.action) ?? 0) + 1);
    }
  }

  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
