import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

import { UsageError } from '../core/errors.js';
import { PostgresDriver } from './postgres-driver.js';
import { SqliteDriver } from './sqlite-driver.js';
import { SqlStore } from './sql-store.js';
import type { Store } from './store.js';

/** The SQLite file used when no store is named: `<data dir>/vigil.db`. */
export const DEFAULT_DB_FILE = 'vigil.db';

/**
 * Open a store from `--store`: `postgres://…` or `postgresql://…` for PostgreSQL, `sqlite:FILE` or
 * a plain path for SQLite, and nothing for `<dataDir>/vigil.db`. The schema is migrated before the
 * store is returned.
 */
export async function openStore(
  spec: string | undefined,
  options: {
    dataDir: string;
    cwd?: string;
    /** Refuse to create a SQLite file (for readers: a mistyped path must not make an empty store). */
    mustExist?: boolean;
  },
): Promise<Store> {
  const cwd = options.cwd ?? process.cwd();
  let store: Store;
  if (spec !== undefined && /^postgres(?:ql)?:\/\//i.test(spec)) {
    store = new SqlStore(new PostgresDriver(spec));
  } else {
    if (spec !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
      throw new UsageError(`--store: unsupported store "${spec}"`, { hint: 'Use postgres://…, sqlite:FILE or a file path.' });
    }
    let file: string;
    if (spec === undefined || spec === '') file = join(resolve(cwd, options.dataDir), DEFAULT_DB_FILE);
    else {
      const path = spec.startsWith('sqlite:') ? spec.slice('sqlite:'.length) : spec;
      if (path === '') throw new UsageError('--store sqlite: needs a file name');
      file = path === ':memory:' || isAbsolute(path) ? path : resolve(cwd, path);
    }
    if (options.mustExist === true && file !== ':memory:' && !existsSync(file)) {
      throw new UsageError(`no store at ${file}`, {
        hint: 'Give --store the database `vigil monitor` writes (default: .vigil-data/vigil.db under its working folder), or postgres://….',
      });
    }
    store = new SqlStore(new SqliteDriver(file));
  }
  try {
    await store.migrate();
  } catch (err: unknown) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return store;
}
