import crypto from 'node:crypto';
import pg from 'pg';
import { createPool } from '../../lib/platform/db';
import type { Pool } from '../../lib/platform/db';
import { migrate } from '../../lib/platform/migrations';

function adminUrl(): string {
  const url = process.env.LOGMON_TEST_ADMIN_URL;
  if (!url) throw new Error('LOGMON_TEST_ADMIN_URL is not set: run the tests through jest (globalSetup)');
  return url;
}

export interface TestDatabase {
  url: string;
  pool: Pool;
  /** Drop the database (after closing the pool). */
  drop: () => Promise<void>;
}

/** A fresh, migrated database of its own for one test file (or one test). */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `logmon_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client(adminUrl());
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const pool = createPool(url.toString(), 10);
  if (options.migrate !== false) await migrate(pool);
  return {
    url: url.toString(),
    pool,
    drop: async () => {
      await pool.end();
      const c = new pg.Client(adminUrl());
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * Empty every table of the schema but the record of migrations (ids start
 * at 1 again): one database for a test file, a clean one for each test.
 *
 * @example
 *   beforeEach(() => emptyTables(db.pool));
 */
export async function emptyTables(pool: TestDatabase['pool']): Promise<void> {
  const tables = await pool.query<{ name: string }>(
    `SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'`,
  );
  if (tables.rows.length > 0) await pool.query(`TRUNCATE ${tables.rows.map((t) => t.name).join(', ')} RESTART IDENTITY`);
}
