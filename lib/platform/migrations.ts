import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { DatabaseError } from './errors';
import { withTransaction } from './db';
import { SCHEMA_SQL as SQL } from '../../sql/schema-statements';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATION_FILE = /^(\d+)_([\w-]+)\.sql$/;

/** Folder of the numbered migrations, in the source tree or next to a bundled handler. */
export function findMigrationsDir(): string {
  const candidates = [
    process.env.LOGMON_MIGRATIONS_DIR,
    path.resolve(__dirname, '../../sql/migrations'),
    path.resolve(__dirname, 'sql/migrations'),
    process.env.LAMBDA_TASK_ROOT && path.join(process.env.LAMBDA_TASK_ROOT, 'sql/migrations'),
    path.resolve(process.cwd(), 'sql/migrations'),
  ].filter((c): c is string => typeof c === 'string' && c.length > 0);
  const found = candidates.find((dir) => fs.existsSync(dir));
  if (!found) throw new DatabaseError('sql/migrations not found', { candidates });
  return found;
}

/** Read `NNN_name.sql` files, ordered by number. */
export function loadMigrations(dir: string = findMigrationsDir()): Migration[] {
  return fs
    .readdirSync(dir)
    .map((file) => ({ file, match: MIGRATION_FILE.exec(file) }))
    .filter((f): f is { file: string; match: RegExpExecArray } => f.match !== null)
    .map(({ file, match }) => ({
      version: Number(match[1]),
      name: match[2] ?? file,
      sql: fs.readFileSync(path.join(dir, file), 'utf8'),
    }))
    .sort((a, b) => a.version - b.version);
}

/**
 * Apply the migrations not yet recorded in `schema_migrations`, each in its own
 * transaction, serialised by an advisory lock so concurrent cold starts are safe.
 * Returns the versions applied.
 */
export async function migrate(pool: pg.Pool, migrations: Migration[] = loadMigrations()): Promise<number[]> {
  return withTransaction(pool, async (client) => {
    await client.query(SQL.lockMigrations);
    await client.query(SQL.createMigrationsTable);
    const done = new Set((await client.query<{ version: number }>(SQL.listMigrations)).rows.map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      try {
        await client.query(m.sql);
      } catch (err) {
        throw new DatabaseError(`migration ${m.version}_${m.name} failed`, { version: m.version }, { cause: err });
      }
      await client.query(SQL.recordMigration, [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}

const readyByPool = new WeakMap<pg.Pool, Promise<unknown>>();

/** Migrate once per pool (per Lambda container), retrying after a failure. */
export function ensureSchema(pool: pg.Pool): Promise<unknown> {
  let ready = readyByPool.get(pool);
  if (!ready) {
    ready = migrate(pool).catch((err: unknown) => {
      readyByPool.delete(pool);
      throw err;
    });
    readyByPool.set(pool, ready);
  }
  return ready;
}
