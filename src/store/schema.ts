/**
 * Schema migrations, one entry per version, written for both dialects. Times are stored as ISO 8601
 * UTC text from `Date.prototype.toISOString` (same length, so text order is time order in both
 * databases); findings and alerts are stored whole as JSON beside the columns queries filter on.
 * Tables are prefixed `vigil_` so that a shared PostgreSQL database can hold them beside others.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sqlite: readonly string[];
  readonly postgres: readonly string[];
}

const common = (id: string): string[] => [
  `CREATE TABLE vigil_findings (
    cluster TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    check_id TEXT NOT NULL,
    severity TEXT NOT NULL,
    area TEXT NOT NULL,
    namespace TEXT,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    suppressed INTEGER NOT NULL DEFAULT 0,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    resolved_at TEXT,
    reopen_count INTEGER NOT NULL DEFAULT 0,
    finding TEXT NOT NULL,
    PRIMARY KEY (cluster, fingerprint)
  )`,
  'CREATE INDEX vigil_findings_status ON vigil_findings (cluster, status, severity)',
  `CREATE TABLE vigil_finding_events (
    id ${id},
    cluster TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    type TEXT NOT NULL,
    at TEXT NOT NULL,
    run_id INTEGER
  )`,
  'CREATE INDEX vigil_finding_events_finding ON vigil_finding_events (cluster, fingerprint)',
  'CREATE INDEX vigil_finding_events_at ON vigil_finding_events (cluster, at)',
  `CREATE TABLE vigil_scan_runs (
    id ${id},
    cluster TEXT NOT NULL,
    kind TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    objects INTEGER NOT NULL DEFAULT 0,
    findings INTEGER NOT NULL DEFAULT 0,
    error TEXT
  )`,
  'CREATE INDEX vigil_scan_runs_started ON vigil_scan_runs (cluster, started_at)',
  `CREATE TABLE vigil_alerts (
    id TEXT PRIMARY KEY,
    rule TEXT NOT NULL,
    source TEXT NOT NULL,
    severity TEXT NOT NULL,
    time TEXT NOT NULL,
    cluster TEXT,
    recorded_at TEXT NOT NULL,
    alert TEXT NOT NULL
  )`,
  'CREATE INDEX vigil_alerts_recorded ON vigil_alerts (recorded_at)',
];

/**
 * Version 2 (the dashboard): exceptions written from the dashboard (the same fields as a `.vigil.yaml`
 * exception, so they export to one), and a compact record of audit events for searching — who, what,
 * where, the answer code; never request or response bodies.
 */
const dashboard = (id: string): string[] => [
  `CREATE TABLE vigil_exceptions (
    id ${id},
    check_id TEXT NOT NULL,
    namespace TEXT,
    kind TEXT,
    name TEXT,
    container TEXT,
    reason TEXT NOT NULL,
    owner TEXT,
    expires TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT
  )`,
  `CREATE TABLE vigil_audit_events (
    id ${id},
    cluster TEXT NOT NULL,
    audit_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    time TEXT NOT NULL,
    username TEXT NOT NULL,
    impersonated_user TEXT,
    verb TEXT NOT NULL,
    api_group TEXT NOT NULL,
    resource TEXT NOT NULL,
    subresource TEXT NOT NULL,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    request_uri TEXT NOT NULL,
    code INTEGER NOT NULL,
    source_ip TEXT,
    user_agent TEXT
  )`,
  'CREATE UNIQUE INDEX vigil_audit_events_identity ON vigil_audit_events (cluster, audit_id, stage)',
  'CREATE INDEX vigil_audit_events_time ON vigil_audit_events (cluster, time)',
  'CREATE INDEX vigil_audit_events_user ON vigil_audit_events (username, time)',
];

/** Version 3 (fleet): one cluster's alerts are read without scanning every cluster's. */
const fleetIndex = 'CREATE INDEX vigil_alerts_cluster ON vigil_alerts (cluster, recorded_at)';

/**
 * Version 4 (the pipeline's outbox): when an alert's notification was done. NULL means it waits in
 * the outbox; alerts stored before this version were notified by whoever stored them, so they count
 * as notified when they were recorded. The partial index keeps the outbox cheap to read however
 * many alerts are kept.
 */
const outbox = [
  'ALTER TABLE vigil_alerts ADD COLUMN notified_at TEXT',
  'UPDATE vigil_alerts SET notified_at = recorded_at',
  'CREATE INDEX vigil_alerts_outbox ON vigil_alerts (cluster, recorded_at, id) WHERE notified_at IS NULL',
];

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'findings with their life, finding events, scan runs, alerts',
    sqlite: common('INTEGER PRIMARY KEY AUTOINCREMENT'),
    postgres: common('BIGSERIAL PRIMARY KEY'),
  },
  {
    version: 2,
    description: 'dashboard exceptions, audit event records',
    sqlite: dashboard('INTEGER PRIMARY KEY AUTOINCREMENT'),
    postgres: dashboard('BIGSERIAL PRIMARY KEY'),
  },
  {
    // Additive only: several clusters' monitors and audit workers share one store.
    version: 3,
    description: 'fleet: alerts by cluster',
    sqlite: [fleetIndex],
    postgres: [fleetIndex],
  },
  {
    version: 4,
    description: 'outbox: alerts not yet notified',
    sqlite: outbox,
    postgres: outbox,
  },
];

export const SCHEMA_TABLE = `CREATE TABLE IF NOT EXISTS vigil_schema_migrations (
  version INTEGER PRIMARY KEY,
  description TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;
