import pg from 'pg';

import type { SqlDriver, SqlExecutor } from './sql-driver.js';

/** Key of the advisory lock held while migrating ("vigil" in ASCII). */
const MIGRATION_LOCK = 0x766967696c;

function executor(client: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    async query<Row extends Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
      const result = await client.query<Row>(sql, params as unknown[]);
      return result.rows;
    },
    async run(sql: string, params: readonly unknown[] = []): Promise<number> {
      const result = await client.query(sql, params as unknown[]);
      return result.rowCount ?? 0;
    },
  };
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

/** PostgreSQL through node-postgres (`pg`), with a small pool. */
export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres';
  readonly location: string;
  private readonly pool: pg.Pool;
  private readonly plain: SqlExecutor;

  constructor(url: string) {
    this.location = redactUrl(url);
    this.pool = new pg.Pool({ connectionString: url, max: 4 });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
    this.plain = executor(this.pool);
  }

  query<Row extends Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
    return this.plain.query<Row>(sql, params);
  }

  run(sql: string, params?: readonly unknown[]): Promise<number> {
    return this.plain.run(sql, params);
  }

  private async inTransaction<T>(fn: (tx: SqlExecutor) => Promise<T>, lock: boolean): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // Released automatically at COMMIT or ROLLBACK.
      if (lock) await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const result = await fn(executor(client));
      await client.query('COMMIT');
      return result;
    } catch (err: unknown) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.inTransaction(fn, false);
  }

  withMigrationLock<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.inTransaction(fn, true);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
