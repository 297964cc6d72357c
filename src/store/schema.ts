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

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'findings with their life, finding events, scan runs, alerts',
    sqlite: common('INTEGER PRIMARY KEY AUTOINCREMENT'),
    postgres: common('BIGSERIAL PRIMARY KEY'),
  },
];

export const SCHEMA_TABLE = `CREATE TABLE IF NOT EXISTS vigil_schema_migrations (
  version INTEGER PRIMARY KEY,
  description TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;
