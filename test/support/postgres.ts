import { randomBytes } from 'node:crypto';

import pg from 'pg';

/**
 * The PostgreSQL server for store tests: `.ci/run` starts one and sets VIGIL_TEST_POSTGRES_URL. In CI
 * (CI=true) it must be there; on a developer machine without it the PostgreSQL half of the store
 * suite is skipped with a message saying how to run it (`source .ci/postgres.sh`).
 */
export const POSTGRES_URL = process.env.VIGIL_TEST_POSTGRES_URL;

if (POSTGRES_URL === undefined) {
  if (process.env.CI === 'true') throw new Error('VIGIL_TEST_POSTGRES_URL is not set in CI: .ci/run must start PostgreSQL');
  console.warn(
    'store tests: VIGIL_TEST_POSTGRES_URL is not set, so the PostgreSQL store tests are SKIPPED (run `source .ci/postgres.sh` first)',
  );
}

/** A fresh, empty database on the test server; returns its URL and a function that drops it. */
export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (POSTGRES_URL === undefined) throw new Error('no PostgreSQL server');
  const name = `vigil_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
