import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import Database from 'better-sqlite3';

import type { SqlDriver, SqlExecutor } from './sql-driver.js';

/** `$3` placeholders → `?` in order of appearance, with the parameters reordered to match. */
function positional(sql: string, params: readonly unknown[]): { sql: string; params: unknown[] } {
  const ordered: unknown[] = [];
  const text = sql.replace(/\$(\d+)/g, (_whole, n: string) => {
    ordered.push(params[Number(n) - 1]);
    return '?';
  });
  return { sql: text, params: ordered };
}

/**
 * SQLite through better-sqlite3 (embedded, one file). WAL mode lets readers (a dashboard) work while
 * the monitor writes; a busy timeout makes concurrent processes wait for the write lock instead of
 * failing.
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite';
  private readonly db: Database.Database;
  private readonly statements = new Map<string, { statement: Database.Statement; params: (p: readonly unknown[]) => unknown[] }>();

  constructor(readonly location: string) {
    if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true });
    this.db = new Database(location, { timeout: 15_000 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('synchronous = NORMAL');
  }

  private prepare(sql: string): { statement: Database.Statement; params: (p: readonly unknown[]) => unknown[] } {
    let cached = this.statements.get(sql);
    if (cached === undefined) {
      const converted = positional(sql, []);
      const statement = this.db.prepare(converted.sql);
      cached = { statement, params: (p) => positional(sql, p).params };
      this.statements.set(sql, cached);
    }
    return cached;
  }

  query<Row extends Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const { statement, params: order } = this.prepare(sql);
    return Promise.resolve(statement.all(...order(params)) as Row[]);
  }

  run(sql: string, params: readonly unknown[] = []): Promise<number> {
    const { statement, params: order } = this.prepare(sql);
    return Promise.resolve(statement.run(...order(params)).changes);
  }

  private async inTransaction<T>(begin: string, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    this.db.exec(begin);
    try {
      const result = await fn(this);
      this.db.exec('COMMIT');
      return result;
    } catch (err: unknown) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.inTransaction('BEGIN IMMEDIATE', fn);
  }

  withMigrationLock<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    // BEGIN IMMEDIATE takes the database's write lock at once: a second process waits (busy timeout)
    // and then sees the schema the first one wrote.
    return this.inTransaction('BEGIN IMMEDIATE', fn);
  }

  close(): Promise<void> {
    this.statements.clear();
    this.db.close();
    return Promise.resolve();
  }
}
