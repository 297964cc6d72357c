import type { ResourceRef } from './resource-ref.js';
import type { Severity } from './severity.js';

/** A JSON value kept with an alert (runtime context): no functions, no undefined. */
export type AlertContextValue =
  string | number | boolean | null | readonly AlertContextValue[] | { readonly [key: string]: AlertContextValue };

/** One reason an alert's severity was raised, lowered or kept from the originating tool's. */
export interface SeverityReason {
  readonly effect: 'raise' | 'lower' | 'keep';
  readonly reason: string;
}

/** Where an alert came from. */
export type AlertSource = 'vigil' | 'falco' | 'finding' | 'runtime';

/**
 * Something that happened and deserves attention now: a detection rule firing on audit events, a
 * runtime alert placed in context, or a finding that opened or reopened. Alerts carry no secret values.
 */
export interface Alert {
  /** Idempotency key: the same events through the same rule always give the same id. */
  readonly id: string;
  /** Rule or check id that raised it. */
  readonly rule: string;
  readonly source: AlertSource;
  readonly severity: Severity;
  /** The rule's priority name when its language has one (Falco rules: `Warning`, `Notice`, …). */
  readonly priority?: string;
  /** One line for people. */
  readonly title: string;
  /** The rendered output (a rule's output template, a finding's message). */
  readonly output: string;
  /** ISO 8601 time of the event (or of the evaluation, for findings). */
  readonly time: string;
  /** MITRE ATT&CK technique ids. */
  readonly mitre?: readonly string[];
  readonly resource?: ResourceRef;
  /** The acting identity, for audit alerts. */
  readonly user?: string;
  readonly sourceIPs?: readonly string[];
  /** Audit event ids behind the alert (several for rate-window and sequence rules). */
  readonly auditIDs?: readonly string[];
  /** Cluster name, when Vigil watches more than one. */
  readonly cluster?: string;
  /** Extra fields a sink may show or index. Values are already redacted. */
  readonly fields?: Readonly<Record<string, string | number | boolean>>;
  /** The originating tool's severity before Vigil placed the alert in context (runtime alerts). */
  readonly originalSeverity?: Severity;
  /** Why `severity` differs from (or equals) `originalSeverity`, in the order they were weighed. */
  readonly reasons?: readonly SeverityReason[];
  /** What Vigil knew about the subject when the alert arrived (workload, exposure, grants…), stored with the alert. */
  readonly context?: Readonly<Record<string, AlertContextValue>>;
}

/**
 * A destination for alerts (stdout, a JSON-lines file, a webhook, Slack, the store, metrics). Sinks
 * must not lose alerts silently: a failed delivery is retried or reported by the sink.
 */
export interface AlertSink {
  readonly name: string;
  send(alerts: readonly Alert[]): Promise<void>;
  close?(): Promise<void>;
}
