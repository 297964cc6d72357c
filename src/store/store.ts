import type { Alert } from '../core/alert.js';
import type { Finding } from '../core/finding.js';
import type { Severity } from '../core/severity.js';

/** A finding's life in the store. */
export type FindingStatus = 'open' | 'resolved';

/** A finding as the store keeps it: the latest version of it plus its life so far. */
export interface StoredFinding {
  readonly cluster: string;
  readonly fingerprint: string;
  readonly finding: Finding;
  readonly status: FindingStatus;
  /** ISO 8601 times. */
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly resolvedAt?: string;
  /** How many times it came back after being resolved. */
  readonly reopenCount: number;
}

/** One step of a finding's life. */
export interface FindingEvent {
  readonly fingerprint: string;
  readonly type: 'opened' | 'resolved' | 'reopened';
  readonly at: string;
  readonly runId?: number;
}

/** What a `recordFindings` call changed. */
export interface FindingTransitions {
  /** Never seen before. */
  readonly opened: Finding[];
  /** Seen before, resolved since, present again. */
  readonly reopened: Finding[];
  /** Open before, gone now (the finding as last stored). */
  readonly resolved: Finding[];
  /** Still open (last seen moved forward). */
  readonly seen: number;
}

export interface RecordFindingsInput {
  /** Which cluster (or source) the findings are about; one store can hold several. */
  readonly cluster: string;
  /** ISO 8601 time of the evaluation. */
  readonly at: string;
  /** Findings present now. */
  readonly present: readonly Finding[];
  /** Fingerprints known to be gone now (incremental evaluation). */
  readonly absent?: readonly string[];
  /** `present` is everything that is open now: every other open finding of the cluster is resolved. */
  readonly complete?: boolean;
  readonly runId?: number;
}

/** A full evaluation of a cluster (start-up, re-sync) or a one-shot scan. */
export interface ScanRun {
  readonly id: number;
  readonly cluster: string;
  readonly kind: 'sync' | 'resync' | 'scan';
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly status: 'running' | 'ok' | 'failed';
  readonly objects: number;
  readonly findings: number;
  readonly error?: string;
}

/** An alert as stored (the alert itself, and when Vigil recorded it). */
export interface StoredAlert {
  readonly alert: Alert;
  readonly recordedAt: string;
  /** When its notification was done (every sink accepted it); absent while it waits in the outbox. */
  readonly notifiedAt?: string;
}

/** How `recordAlerts` records new alerts. */
export interface RecordAlertsOptions {
  /**
   * Put the new alerts in the outbox: recorded as not yet notified, listed by `pendingAlerts` until
   * `markNotified`. For a writer that notifies from the store, whoever stored the alert (the audit
   * pipeline's workers). Default: recorded as notified at once (the caller notifies by itself).
   */
  readonly outbox?: boolean;
}

/** Which outbox alerts to list. */
export interface PendingAlertQuery {
  readonly cluster?: string;
  /** Only these alert ids. */
  readonly ids?: readonly string[];
  /** Continue after this alert (the last of the previous page). */
  readonly after?: { readonly recordedAt: string; readonly id: string };
  /** Default 1000. */
  readonly limit?: number;
}

/**
 * An exception kept in the store (written from the dashboard): the fields of a `.vigil.yaml`
 * exception, so the monitor, `vigil scan --exceptions-store` and an exported `.vigil.yaml` all mean
 * the same thing by it. Exceptions are not per cluster, like `.vigil.yaml`.
 */
export interface ExceptionInput {
  /** A check id, or a glob (`images/*`). */
  readonly check: string;
  readonly namespace?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly container?: string;
  readonly reason: string;
  readonly owner?: string;
  /** YYYY-MM-DD; the exception applies through that day. */
  readonly expires?: string;
  /** Who wrote it, when known. */
  readonly createdBy?: string;
}

export interface StoredException extends ExceptionInput {
  readonly id: number;
  readonly createdAt: string;
}

/**
 * What the store keeps of one audit event: enough to search by user, verb, resource, namespace and
 * response code and to place it on a timeline. Request and response bodies, headers and annotations
 * are never kept (they can carry secret values).
 */
export interface AuditEventRecord {
  readonly auditID: string;
  readonly stage: string;
  /** ISO 8601. */
  readonly time: string;
  /** The authenticated user. */
  readonly user: string;
  readonly impersonatedUser?: string;
  readonly verb: string;
  readonly apiGroup: string;
  /** Empty for non-resource requests. */
  readonly resource: string;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
  readonly requestURI: string;
  /** `responseStatus.code`; 0 when the stage had no response. */
  readonly code: number;
  readonly sourceIP?: string;
  readonly userAgent?: string;
}

export interface AuditEventQuery {
  readonly cluster?: string;
  /** Matches the authenticated or the impersonated user; `*` anywhere is a wildcard. */
  readonly user?: string;
  readonly verb?: string;
  /** `secrets`, or `pods/exec` for a subresource. */
  readonly resource?: string;
  readonly namespace?: string;
  readonly code?: number;
  /** ISO 8601 bounds. */
  readonly since?: string;
  readonly until?: string;
  /** Newest first; default 200. */
  readonly limit?: number;
}

/** How long to keep history. Unset means keep forever. */
export interface RetentionPolicy {
  /** Resolved findings (and their events) resolved longer ago than this are deleted. */
  readonly resolvedFindingsDays?: number;
  /** Alerts older than this are deleted. */
  readonly alertDays?: number;
  /** Scan runs older than this are deleted. */
  readonly runDays?: number;
  /** Audit event records older than this are deleted. */
  readonly auditEventDays?: number;
}

export interface RetentionResult {
  readonly findings: number;
  readonly events: number;
  readonly alerts: number;
  readonly runs: number;
  readonly auditEvents?: number;
}

/** Open findings counted by severity, for digests and start-up metrics. */
export type SeverityCounts = Readonly<Record<Severity, number>>;

/**
 * Where the monitor keeps findings history, alerts and scan runs. Findings live here — never in the
 * cluster's etcd as custom resources (report CRDs have filled etcd and taken API servers down).
 * Implementations: SQLite (embedded default) and PostgreSQL (shared); the same test suite runs on both.
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** A description for logs, with no password. */
  readonly location: string;
  /** Bring the schema up to date; safe when several processes start at once. Returns the schema version. */
  migrate(): Promise<number>;
  /** Record an evaluation's findings and move each finding along its life (opened, reopened, resolved). */
  recordFindings(input: RecordFindingsInput): Promise<FindingTransitions>;
  findings(query?: { cluster?: string; status?: FindingStatus | 'all'; limit?: number }): Promise<StoredFinding[]>;
  findingEvents(fingerprint: string, cluster?: string): Promise<FindingEvent[]>;
  /** Every finding event of a cluster at or after a time, oldest first (what changed since). */
  findingEventsSince(cluster: string, since: string): Promise<FindingEvent[]>;
  /** Open, unsuppressed findings by severity. */
  openCounts(cluster: string): Promise<SeverityCounts>;
  /** Transitions since a time, for digests. */
  transitionsSince(cluster: string, since: string): Promise<Readonly<Record<FindingEvent['type'], number>>>;
  startRun(cluster: string, kind: ScanRun['kind'], at: string): Promise<number>;
  finishRun(id: number, result: { at: string; status: 'ok' | 'failed'; objects: number; findings: number; error?: string }): Promise<void>;
  runs(query?: { cluster?: string; limit?: number }): Promise<ScanRun[]>;
  /**
   * Record alerts; an alert id already stored is not stored again (whatever its notification state).
   * Returns how many were new.
   */
  recordAlerts(alerts: readonly Alert[], at: string, options?: RecordAlertsOptions): Promise<number>;
  /** Outbox: alerts recorded with `outbox: true` and not marked notified yet, oldest first. */
  pendingAlerts(query?: PendingAlertQuery): Promise<StoredAlert[]>;
  /** Outbox: mark alerts notified; one already marked keeps its first time. Returns how many were marked now. */
  markNotified(ids: readonly string[], at: string): Promise<number>;
  /** Alerts recorded at or after `since`, oldest first; `cluster` keeps one cluster's (alerts without a cluster are left out). */
  alerts(query?: { since?: string; limit?: number; cluster?: string }): Promise<StoredAlert[]>;
  /** Exceptions written from the dashboard, oldest first. */
  exceptions(): Promise<StoredException[]>;
  addException(exception: ExceptionInput, at: string): Promise<StoredException>;
  /** Returns false when there was no such exception. */
  removeException(id: number): Promise<boolean>;
  /** Record audit events; an event (cluster, auditID, stage) already stored is not stored again. Returns how many were new. */
  recordAuditEvents(cluster: string, events: readonly AuditEventRecord[]): Promise<number>;
  auditEvents(query?: AuditEventQuery): Promise<(AuditEventRecord & { readonly cluster: string })[]>;
  applyRetention(policy: RetentionPolicy, now: string): Promise<RetentionResult>;
  /** Every cluster the store knows of (by its scan runs, findings, alerts or audit events), sorted. */
  clusters(): Promise<string[]>;
  close(): Promise<void>;
}
