/** Runs SQL with `$1, $2, …` placeholders (PostgreSQL style; the SQLite driver rewrites them). */
export interface SqlExecutor {
  query<Row extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Run a statement; returns the number of rows changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

/** The little a SQL store needs from a database: queries, transactions and a migration lock. */
export interface SqlDriver extends SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres';
  readonly location: string;
  /** Run `fn` in a transaction that commits when it resolves and rolls back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Run `fn` in a transaction holding the schema lock, so that processes starting together migrate
   * one after the other (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: a transaction-level advisory lock).
   */
  withMigrationLock<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
