import type { Alert } from '../core/alert.js';
import { VigilError } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import { isSeverity, SEVERITIES, type Severity } from '../core/severity.js';
import { MIGRATIONS, SCHEMA_TABLE } from './schema.js';
import type { SqlDriver, SqlExecutor } from './sql-driver.js';
import type {
  AuditEventQuery,
  AuditEventRecord,
  ExceptionInput,
  FindingEvent,
  FindingStatus,
  FindingTransitions,
  PendingAlertQuery,
  RecordAlertsOptions,
  RecordFindingsInput,
  RetentionPolicy,
  RetentionResult,
  ScanRun,
  SeverityCounts,
  Store,
  StoredAlert,
  StoredException,
  StoredFinding,
} from './store.js';

type Row = Record<string, unknown>;

const DAY_MS = 86_400_000;

function iso(time: string): string {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) throw new VigilError(`not a time: "${time}"`);
  return date.toISOString();
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}

function optionalText(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : text(value);
}

/** PostgreSQL returns BIGINT and COUNT as strings. */
function int(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/** Findings and alerts are stored as JSON written by this class, so they read back as what was written. */
function parseFinding(value: unknown): Finding {
  return JSON.parse(text(value)) as Finding;
}

function parseAlert(value: unknown): Alert {
  return JSON.parse(text(value)) as Alert;
}

function storedFinding(row: Row): StoredFinding {
  const resolvedAt = optionalText(row.resolved_at);
  return {
    cluster: text(row.cluster),
    fingerprint: text(row.fingerprint),
    finding: parseFinding(row.finding),
    status: text(row.status) as FindingStatus,
    firstSeen: text(row.first_seen),
    lastSeen: text(row.last_seen),
    ...(resolvedAt === undefined ? {} : { resolvedAt }),
    reopenCount: int(row.reopen_count),
  };
}

function scanRun(row: Row): ScanRun {
  const finishedAt = optionalText(row.finished_at);
  const error = optionalText(row.error);
  return {
    id: int(row.id),
    cluster: text(row.cluster),
    kind: text(row.kind) as ScanRun['kind'],
    startedAt: text(row.started_at),
    ...(finishedAt === undefined ? {} : { finishedAt }),
    status: text(row.status) as ScanRun['status'],
    objects: int(row.objects),
    findings: int(row.findings),
    ...(error === undefined ? {} : { error }),
  };
}

function findingEvent(row: Row): FindingEvent {
  const runId = row.run_id === null || row.run_id === undefined ? undefined : int(row.run_id);
  return {
    fingerprint: text(row.fingerprint),
    type: text(row.type) as FindingEvent['type'],
    at: text(row.at),
    ...(runId === undefined ? {} : { runId }),
  };
}

/** Optional text columns, present in the object only when set. */
function optionalFields<K extends string>(row: Row, columns: Readonly<Record<K, string>>): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const [key, column] of Object.entries(columns) as [K, string][]) {
    const value = optionalText(row[column]);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function storedException(row: Row): StoredException {
  return {
    id: int(row.id),
    check: text(row.check_id),
    reason: text(row.reason),
    createdAt: text(row.created_at),
    ...optionalFields(row, {
      namespace: 'namespace',
      kind: 'kind',
      name: 'name',
      container: 'container',
      owner: 'owner',
      expires: 'expires',
      createdBy: 'created_by',
    }),
  };
}

function auditEventRecord(row: Row): AuditEventRecord & { cluster: string } {
  return {
    cluster: text(row.cluster),
    auditID: text(row.audit_id),
    stage: text(row.stage),
    time: text(row.time),
    user: text(row.username),
    verb: text(row.verb),
    apiGroup: text(row.api_group),
    resource: text(row.resource),
    subresource: text(row.subresource),
    namespace: text(row.namespace),
    name: text(row.name),
    requestURI: text(row.request_uri),
    code: int(row.code),
    ...optionalFields(row, { impersonatedUser: 'impersonated_user', sourceIP: 'source_ip', userAgent: 'user_agent' }),
  };
}

/** A user pattern for LIKE: `*` is the wildcard, LIKE's own wildcards are taken literally. */
function likePattern(pattern: string): string {
  return pattern
    .toLowerCase()
    .replace(/[\\%_]/g, (c) => `\\${c}`)
    .replaceAll('*', '%');
}

/**
 * The Store over SQL, shared by SQLite and PostgreSQL: the same statements (portable SQL: `ON
 * CONFLICT`, `RETURNING`, row values) and the same life-cycle rules on both, so one test suite
 * proves both. Operations of one Store run one at a time.
 */
export class SqlStore implements Store {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly driver: SqlDriver) {}

  get kind(): 'sqlite' | 'postgres' {
    return this.driver.dialect;
  }

  get location(): string {
    return this.driver.location;
  }

  /** Run operations of this store one after another (a SQLite connection is one session). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  migrate(): Promise<number> {
    return this.serial(async () => {
      // Everything, the version table included, is created under the migration lock: concurrent
      // CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL.
      return this.driver.withMigrationLock(async (tx) => {
        await tx.run(SCHEMA_TABLE);
        const applied = new Set((await tx.query('SELECT version FROM vigil_schema_migrations')).map((r) => int(r.version)));
        const newest = Math.max(0, ...applied);
        const latest = MIGRATIONS.at(-1)?.version ?? 0;
        if (newest > latest) {
          throw new VigilError(`the store's schema is version ${newest}, newer than this Vigil knows (${latest})`, {
            hint: 'Upgrade Vigil, or point it at another store.',
          });
        }
        for (const migration of MIGRATIONS) {
          if (applied.has(migration.version)) continue;
          for (const statement of this.driver.dialect === 'sqlite' ? migration.sqlite : migration.postgres) await tx.run(statement);
          await tx.run('INSERT INTO vigil_schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)', [
            migration.version,
            migration.description,
            new Date().toISOString(),
          ]);
        }
        return latest;
      });
    });
  }

  recordFindings(input: RecordFindingsInput): Promise<FindingTransitions> {
    const at = iso(input.at);
    const present = new Map<string, Finding>();
    for (const finding of input.present) present.set(finding.fingerprint, finding);
    return this.serial(() =>
      this.driver.transaction(async (tx) => {
        const known = new Map<string, FindingStatus>();
        if (input.complete === true) {
          for (const row of await tx.query('SELECT fingerprint, status FROM vigil_findings WHERE cluster = $1', [input.cluster])) {
            known.set(text(row.fingerprint), text(row.status) as FindingStatus);
          }
        } else {
          for (const fingerprint of [...present.keys(), ...(input.absent ?? [])]) {
            const [row] = await tx.query('SELECT status FROM vigil_findings WHERE cluster = $1 AND fingerprint = $2', [
              input.cluster,
              fingerprint,
            ]);
            if (row !== undefined) known.set(fingerprint, text(row.status) as FindingStatus);
          }
        }
        const opened: Finding[] = [];
        const reopened: Finding[] = [];
        let seen = 0;
        for (const [fingerprint, finding] of present) {
          const status = known.get(fingerprint);
          const columns = [
            input.cluster,
            fingerprint,
            finding.severity,
            finding.suppression === undefined ? 0 : 1,
            at,
            JSON.stringify(finding),
          ];
          if (status === undefined) {
            await tx.run(
              `INSERT INTO vigil_findings (cluster, fingerprint, severity, suppressed, first_seen, last_seen, finding, check_id, area, namespace, kind, name, status)
               VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9, $10, $11, 'open')`,
              [...columns, finding.checkId, finding.area, finding.resource.namespace ?? null, finding.resource.kind, finding.resource.name],
            );
            await this.event(tx, input, fingerprint, 'opened', at);
            opened.push(finding);
          } else if (status === 'resolved') {
            await tx.run(
              `UPDATE vigil_findings SET severity = $3, suppressed = $4, last_seen = $5, finding = $6, status = 'open',
               resolved_at = NULL, reopen_count = reopen_count + 1 WHERE cluster = $1 AND fingerprint = $2`,
              columns,
            );
            await this.event(tx, input, fingerprint, 'reopened', at);
            reopened.push(finding);
          } else {
            await tx.run(
              'UPDATE vigil_findings SET severity = $3, suppressed = $4, last_seen = $5, finding = $6 WHERE cluster = $1 AND fingerprint = $2',
              columns,
            );
            seen++;
          }
        }
        const gone =
          input.complete === true
            ? [...known].filter(([fp, status]) => status === 'open' && !present.has(fp)).map(([fp]) => fp)
            : (input.absent ?? []).filter((fp) => known.get(fp) === 'open' && !present.has(fp));
        const resolved: Finding[] = [];
        for (const fingerprint of gone) {
          const [row] = await tx.query('SELECT finding FROM vigil_findings WHERE cluster = $1 AND fingerprint = $2', [
            input.cluster,
            fingerprint,
          ]);
          await tx.run(`UPDATE vigil_findings SET status = 'resolved', resolved_at = $3 WHERE cluster = $1 AND fingerprint = $2`, [
            input.cluster,
            fingerprint,
            at,
          ]);
          await this.event(tx, input, fingerprint, 'resolved', at);
          if (row !== undefined) resolved.push(parseFinding(row.finding));
        }
        return { opened, reopened, resolved, seen };
      }),
    );
  }

  private async event(
    tx: SqlExecutor,
    input: RecordFindingsInput,
    fingerprint: string,
    type: FindingEvent['type'],
    at: string,
  ): Promise<void> {
    await tx.run('INSERT INTO vigil_finding_events (cluster, fingerprint, type, at, run_id) VALUES ($1, $2, $3, $4, $5)', [
      input.cluster,
      fingerprint,
      type,
      at,
      input.runId ?? null,
    ]);
  }

  findings(query: { cluster?: string; status?: FindingStatus | 'all'; limit?: number } = {}): Promise<StoredFinding[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.cluster !== undefined) {
      params.push(query.cluster);
      where.push(`cluster = $${params.length}`);
    }
    const status = query.status ?? 'open';
    if (status !== 'all') {
      params.push(status);
      where.push(`status = $${params.length}`);
    }
    params.push(query.limit ?? 100_000);
    const sql = `SELECT * FROM vigil_findings ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY first_seen, fingerprint LIMIT $${params.length}`;
    return this.serial(async () => (await this.driver.query(sql, params)).map(storedFinding));
  }

  findingEvents(fingerprint: string, cluster?: string): Promise<FindingEvent[]> {
    const sql =
      cluster === undefined
        ? 'SELECT * FROM vigil_finding_events WHERE fingerprint = $1 ORDER BY id'
        : 'SELECT * FROM vigil_finding_events WHERE fingerprint = $1 AND cluster = $2 ORDER BY id';
    return this.serial(async () =>
      (await this.driver.query(sql, cluster === undefined ? [fingerprint] : [fingerprint, cluster])).map(findingEvent),
    );
  }

  findingEventsSince(cluster: string, since: string): Promise<FindingEvent[]> {
    const from = iso(since);
    return this.serial(async () =>
      (await this.driver.query('SELECT * FROM vigil_finding_events WHERE cluster = $1 AND at >= $2 ORDER BY id', [cluster, from])).map(
        findingEvent,
      ),
    );
  }

  openCounts(cluster: string): Promise<SeverityCounts> {
    return this.serial(async () => {
      const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
      const rows = await this.driver.query(
        `SELECT severity, COUNT(*) AS n FROM vigil_findings WHERE cluster = $1 AND status = 'open' AND suppressed = 0 GROUP BY severity`,
        [cluster],
      );
      for (const row of rows) if (isSeverity(row.severity)) counts[row.severity] = int(row.n);
      return counts;
    });
  }

  transitionsSince(cluster: string, since: string): Promise<Readonly<Record<FindingEvent['type'], number>>> {
    return this.serial(async () => {
      const counts: Record<FindingEvent['type'], number> = { opened: 0, resolved: 0, reopened: 0 };
      const rows = await this.driver.query(
        'SELECT type, COUNT(*) AS n FROM vigil_finding_events WHERE cluster = $1 AND at >= $2 GROUP BY type',
        [cluster, iso(since)],
      );
      for (const row of rows) {
        const type = text(row.type);
        if (type === 'opened' || type === 'resolved' || type === 'reopened') counts[type] = int(row.n);
      }
      return counts;
    });
  }

  startRun(cluster: string, kind: ScanRun['kind'], at: string): Promise<number> {
    return this.serial(async () => {
      const [row] = await this.driver.query(
        `INSERT INTO vigil_scan_runs (cluster, kind, started_at, status) VALUES ($1, $2, $3, 'running') RETURNING id`,
        [cluster, kind, iso(at)],
      );
      return int(row?.id);
    });
  }

  finishRun(id: number, result: { at: string; status: 'ok' | 'failed'; objects: number; findings: number; error?: string }): Promise<void> {
    return this.serial(async () => {
      await this.driver.run(
        'UPDATE vigil_scan_runs SET finished_at = $2, status = $3, objects = $4, findings = $5, error = $6 WHERE id = $1',
        [id, iso(result.at), result.status, result.objects, result.findings, result.error ?? null],
      );
    });
  }

  runs(query: { cluster?: string; limit?: number } = {}): Promise<ScanRun[]> {
    const limit = query.limit ?? 100;
    return this.serial(async () =>
      (query.cluster === undefined
        ? await this.driver.query('SELECT * FROM vigil_scan_runs ORDER BY id DESC LIMIT $1', [limit])
        : await this.driver.query('SELECT * FROM vigil_scan_runs WHERE cluster = $1 ORDER BY id DESC LIMIT $2', [query.cluster, limit])
      ).map(scanRun),
    );
  }

  recordAlerts(alerts: readonly Alert[], at: string, options: RecordAlertsOptions = {}): Promise<number> {
    const recordedAt = iso(at);
    const notifiedAt = options.outbox === true ? null : recordedAt;
    return this.serial(() =>
      this.driver.transaction(async (tx) => {
        let added = 0;
        for (const alert of alerts) {
          added += await tx.run(
            `INSERT INTO vigil_alerts (id, rule, source, severity, time, cluster, recorded_at, notified_at, alert)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (id) DO NOTHING`,
            [
              alert.id,
              alert.rule,
              alert.source,
              alert.severity,
              alert.time,
              alert.cluster ?? null,
              recordedAt,
              notifiedAt,
              JSON.stringify(alert),
            ],
          );
        }
        return added;
      }),
    );
  }

  async pendingAlerts(query: PendingAlertQuery = {}): Promise<StoredAlert[]> {
    const ids = query.ids;
    if (ids !== undefined && ids.length > 100) {
      // In slices of 100 ids, merged back into one list in outbox order.
      const parts: StoredAlert[] = [];
      for (let i = 0; i < ids.length; i += 100) parts.push(...(await this.pendingAlerts({ ...query, ids: ids.slice(i, i + 100) })));
      return parts
        .sort((a, b) => (a.recordedAt === b.recordedAt ? (a.alert.id < b.alert.id ? -1 : 1) : a.recordedAt < b.recordedAt ? -1 : 1))
        .slice(0, query.limit ?? 1000);
    }
    const params: unknown[] = [query.limit ?? 1000];
    const where = ['notified_at IS NULL'];
    if (query.cluster !== undefined) {
      params.push(query.cluster);
      where.push(`cluster = $${params.length}`);
    }
    if (query.after !== undefined) {
      params.push(iso(query.after.recordedAt), query.after.id);
      where.push(`(recorded_at, id) > ($${params.length - 1}, $${params.length})`);
    }
    if (ids !== undefined) {
      if (ids.length === 0) return [];
      const first = params.length + 1;
      params.push(...ids);
      where.push(`id IN (${ids.map((_, i) => `$${first + i}`).join(', ')})`);
    }
    return this.serial(async () =>
      (
        await this.driver.query(
          `SELECT alert, recorded_at FROM vigil_alerts WHERE ${where.join(' AND ')} ORDER BY recorded_at, id LIMIT $1`,
          params,
        )
      ).map((row) => ({ alert: parseAlert(row.alert), recordedAt: text(row.recorded_at) })),
    );
  }

  markNotified(ids: readonly string[], at: string): Promise<number> {
    const notifiedAt = iso(at);
    return this.serial(() =>
      this.driver.transaction(async (tx) => {
        let marked = 0;
        // In slices, to keep statements (and SQLite's prepared-statement cache) small.
        for (let i = 0; i < ids.length; i += 100) {
          const slice = ids.slice(i, i + 100);
          marked += await tx.run(
            `UPDATE vigil_alerts SET notified_at = $1 WHERE notified_at IS NULL AND id IN (${slice.map((_, j) => `$${j + 2}`).join(', ')})`,
            [notifiedAt, ...slice],
          );
        }
        return marked;
      }),
    );
  }

  alerts(query: { since?: string; limit?: number; cluster?: string } = {}): Promise<StoredAlert[]> {
    const since = query.since === undefined ? '' : iso(query.since);
    const params: unknown[] = [since, query.limit ?? 10_000];
    let where = 'recorded_at >= $1';
    if (query.cluster !== undefined) {
      params.push(query.cluster);
      where += ' AND cluster = $3';
    }
    return this.serial(async () =>
      (
        await this.driver.query(
          `SELECT alert, recorded_at, notified_at FROM vigil_alerts WHERE ${where} ORDER BY recorded_at, id LIMIT $2`,
          params,
        )
      ).map((row) => {
        const notifiedAt = optionalText(row.notified_at);
        return { alert: parseAlert(row.alert), recordedAt: text(row.recorded_at), ...(notifiedAt === undefined ? {} : { notifiedAt }) };
      }),
    );
  }

  exceptions(): Promise<StoredException[]> {
    return this.serial(async () => (await this.driver.query('SELECT * FROM vigil_exceptions ORDER BY id')).map(storedException));
  }

  addException(exception: ExceptionInput, at: string): Promise<StoredException> {
    const createdAt = iso(at);
    return this.serial(async () => {
      const [row] = await this.driver.query(
        `INSERT INTO vigil_exceptions (check_id, namespace, kind, name, container, reason, owner, expires, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
        [
          exception.check,
          exception.namespace ?? null,
          exception.kind ?? null,
          exception.name ?? null,
          exception.container ?? null,
          exception.reason,
          exception.owner ?? null,
          exception.expires ?? null,
          createdAt,
          exception.createdBy ?? null,
        ],
      );
      if (row === undefined) throw new VigilError('the store did not return the exception it recorded');
      return storedException(row);
    });
  }

  removeException(id: number): Promise<boolean> {
    return this.serial(async () => (await this.driver.run('DELETE FROM vigil_exceptions WHERE id = $1', [id])) > 0);
  }

  recordAuditEvents(cluster: string, events: readonly AuditEventRecord[]): Promise<number> {
    return this.serial(() =>
      this.driver.transaction(async (tx) => {
        let added = 0;
        for (const e of events) {
          added += await tx.run(
            `INSERT INTO vigil_audit_events (cluster, audit_id, stage, time, username, impersonated_user, verb, api_group, resource,
             subresource, namespace, name, request_uri, code, source_ip, user_agent)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
             ON CONFLICT (cluster, audit_id, stage) DO NOTHING`,
            [
              cluster,
              e.auditID,
              e.stage,
              iso(e.time),
              e.user,
              e.impersonatedUser ?? null,
              e.verb,
              e.apiGroup,
              e.resource,
              e.subresource,
              e.namespace,
              e.name,
              e.requestURI,
              e.code,
              e.sourceIP ?? null,
              e.userAgent ?? null,
            ],
          );
        }
        return added;
      }),
    );
  }

  auditEvents(query: AuditEventQuery = {}): Promise<(AuditEventRecord & { readonly cluster: string })[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: (placeholder: string) => string, value: unknown): void => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    if (query.cluster !== undefined) add((p) => `cluster = ${p}`, query.cluster);
    if (query.user !== undefined && query.user !== '') {
      add((p) => `(LOWER(username) LIKE ${p} ESCAPE '\\' OR LOWER(impersonated_user) LIKE ${p} ESCAPE '\\')`, likePattern(query.user));
    }
    if (query.verb !== undefined && query.verb !== '') add((p) => `verb = ${p}`, query.verb);
    if (query.resource !== undefined && query.resource !== '') {
      const [resource = '', subresource] = query.resource.split('/', 2);
      add((p) => `resource = ${p}`, resource);
      if (subresource !== undefined) add((p) => `subresource = ${p}`, subresource);
    }
    if (query.namespace !== undefined && query.namespace !== '') add((p) => `namespace = ${p}`, query.namespace);
    if (query.code !== undefined) add((p) => `code = ${p}`, query.code);
    if (query.since !== undefined) add((p) => `time >= ${p}`, iso(query.since));
    if (query.until !== undefined) add((p) => `time < ${p}`, iso(query.until));
    params.push(query.limit ?? 200);
    const sql = `SELECT * FROM vigil_audit_events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY time DESC, id DESC LIMIT $${params.length}`;
    return this.serial(async () => (await this.driver.query(sql, params)).map(auditEventRecord));
  }

  clusters(): Promise<string[]> {
    // Each part reads an index that starts with the cluster, so this stays cheap on a large store.
    const sql = `SELECT cluster FROM vigil_scan_runs UNION SELECT cluster FROM vigil_findings
      UNION SELECT cluster FROM vigil_alerts WHERE cluster IS NOT NULL UNION SELECT cluster FROM vigil_audit_events`;
    return this.serial(async () =>
      (await this.driver.query(sql)).map((row) => text(row.cluster)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  }

  applyRetention(policy: RetentionPolicy, now: string): Promise<RetentionResult> {
    const cutoff = (days: number | undefined): string | undefined =>
      days === undefined ? undefined : new Date(new Date(iso(now)).getTime() - days * DAY_MS).toISOString();
    const findingsBefore = cutoff(policy.resolvedFindingsDays);
    const alertsBefore = cutoff(policy.alertDays);
    const runsBefore = cutoff(policy.runDays);
    const auditBefore = cutoff(policy.auditEventDays);
    return this.serial(() =>
      this.driver.transaction(async (tx) => {
        let events = 0;
        let findings = 0;
        if (findingsBefore !== undefined) {
          events = await tx.run(
            `DELETE FROM vigil_finding_events WHERE (cluster, fingerprint) IN
             (SELECT cluster, fingerprint FROM vigil_findings WHERE status = 'resolved' AND resolved_at < $1)`,
            [findingsBefore],
          );
          findings = await tx.run(`DELETE FROM vigil_findings WHERE status = 'resolved' AND resolved_at < $1`, [findingsBefore]);
        }
        const alerts = alertsBefore === undefined ? 0 : await tx.run('DELETE FROM vigil_alerts WHERE recorded_at < $1', [alertsBefore]);
        const runs =
          runsBefore === undefined
            ? 0
            : await tx.run(`DELETE FROM vigil_scan_runs WHERE started_at < $1 AND status <> 'running'`, [runsBefore]);
        const auditEvents = auditBefore === undefined ? 0 : await tx.run('DELETE FROM vigil_audit_events WHERE time < $1', [auditBefore]);
        return { findings, events, alerts, runs, auditEvents };
      }),
    );
  }

  close(): Promise<void> {
    return this.serial(() => this.driver.close());
  }
}
