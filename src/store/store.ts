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
}

/** How long to keep history. Unset means keep forever. */
export interface RetentionPolicy {
  /** Resolved findings (and their events) resolved longer ago than this are deleted. */
  readonly resolvedFindingsDays?: number;
  /** Alerts older than this are deleted. */
  readonly alertDays?: number;
  /** Scan runs older than this are deleted. */
  readonly runDays?: number;
}

export interface RetentionResult {
  readonly findings: number;
  readonly events: number;
  readonly alerts: number;
  readonly runs: number;
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
  /** Open, unsuppressed findings by severity. */
  openCounts(cluster: string): Promise<SeverityCounts>;
  /** Transitions since a time, for digests. */
  transitionsSince(cluster: string, since: string): Promise<Readonly<Record<FindingEvent['type'], number>>>;
  startRun(cluster: string, kind: ScanRun['kind'], at: string): Promise<number>;
  finishRun(id: number, result: { at: string; status: 'ok' | 'failed'; objects: number; findings: number; error?: string }): Promise<void>;
  runs(query?: { cluster?: string; limit?: number }): Promise<ScanRun[]>;
  /** Record alerts; an alert id already stored is not stored again. Returns how many were new. */
  recordAlerts(alerts: readonly Alert[], at: string): Promise<number>;
  alerts(query?: { since?: string; limit?: number }): Promise<StoredAlert[]>;
  applyRetention(policy: RetentionPolicy, now: string): Promise<RetentionResult>;
  close(): Promise<void>;
}
