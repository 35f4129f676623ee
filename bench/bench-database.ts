import crypto from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { createPool } from '../lib/platform/db';
import type { Pool } from '../lib/platform/db';
import { loadMigrations, migrate } from '../lib/platform/migrations';
import { PARTITION_DAYS_AHEAD, maintainEntryPartitions } from '../lib/retention/entry-partitions';
import { START_MS } from './log-data';
import { BENCH_SQL as SQL, DURABILITY_SETTINGS, createDatabaseSql, dropDatabaseSql } from './bench-statements';

/** The PostgreSQL server the bench runs against. */
export interface BenchServer {
  /** Admin URL (the server's default database). */
  url: string;
  embedded: boolean;
  version: string;
  settings: Record<string, string>;
  stop: () => Promise<void>;
}

/** One migrated scratch database on the bench server. */
export interface ScratchDatabase {
  name: string;
  url: string;
  pool: Pool;
  drop: () => Promise<void>;
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * DATABASE_URL when set, else an embedded PostgreSQL started exactly like
 * `npm start` does (scripts/embedded-db.mjs, default durability: no flags),
 * in a temp folder removed on stop.
 */
export async function openBenchServer(env: Record<string, string | undefined>, log: (line: string) => void): Promise<BenchServer> {
  let url = env.DATABASE_URL ?? '';
  let embedded = false;
  let stop = async (): Promise<void> => {};
  if (!url) {
    const { startEmbeddedPostgres, makeTempBaseDir } = await import('../scripts/embedded-db.mjs');
    const baseDir = makeTempBaseDir('logmon-bench-');
    const db = await startEmbeddedPostgres({ baseDir, persistent: false, log });
    url = db.url;
    embedded = true;
    stop = async () => {
      await db.stop();
      fs.rmSync(baseDir, { recursive: true, force: true });
    };
  }
  const { version, settings } = await withClient(url, async (client) => {
    const out: Record<string, string> = {};
    for (const name of DURABILITY_SETTINGS) out[name] = String((await client.query(SQL.showSetting, [name])).rows[0]?.value);
    return { version: String((await client.query(SQL.serverVersion)).rows[0]?.server_version), settings: out };
  });
  return { url, embedded, version, settings, stop };
}

/**
 * A fresh database with logmon's migrations applied (this checkout's, or
 * those of `migrationsDir`: compare-ingest measures another checkout on its
 * own schema); `drop()` removes it.
 */
export async function createScratchDatabase(server: BenchServer, label: string, migrationsDir?: string): Promise<ScratchDatabase> {
  const name = `logmon_bench_${label}_${crypto.randomBytes(4).toString('hex')}`;
  try {
    await withClient(server.url, (c) => c.query(createDatabaseSql(name)));
  } catch (err) {
    throw new Error(`cannot create the scratch database ${name} (the bench needs CREATEDB on DATABASE_URL)`, { cause: err });
  }
  const target = new URL(server.url);
  target.pathname = `/${name}`;
  const url = target.toString();
  const pool = createPool(url, 4);
  const migrations = loadMigrations(migrationsDir);
  await migrate(pool, migrations);
  // the generated logs' days (16 lines/s from START_MS: a 1 GB backlog spans 9.4 days) get their partitions, as in production
  if (migrations.some((m) => m.version >= PARTITIONED_SCHEMA)) await createDayPartitions(pool, START_MS, BENCH_LOG_DAYS);
  return {
    name,
    url,
    pool,
    drop: async () => {
      await pool.end();
      await withClient(server.url, (c) => c.query(dropDatabaseSql(name)));
    },
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** The migration that partitions log_entries (019_partitioned_entries.sql). */
const PARTITIONED_SCHEMA = 19;
/** Days of log_entries partitions from START_MS in every scratch database. */
const BENCH_LOG_DAYS = 12;

/**
 * The day partitions of log_entries covering `days` UTC days from `fromMs`
 * (what the retention job creates ahead of time in production; a day it did not
 * create goes to the default partition).
 */
export async function createDayPartitions(pool: Pool, fromMs: number, days: number): Promise<void> {
  for (let d = 0; d < days; d += PARTITION_DAYS_AHEAD + 1) await maintainEntryPartitions(pool, { now: fromMs + d * DAY_MS, cutoff: new Date(0) });
}

/** Ask for a checkpoint; a server that refuses (no superuser) is measured as it is. */
export async function requestCheckpoint(pool: Pool): Promise<void> {
  await pool.query(SQL.checkpoint).catch(() => undefined);
}

/** libpq variables for `url`, so psql gets the password through its environment, not argv. */
export function libpqEnvironment(url: string): Record<string, string> {
  const u = new URL(url);
  return {
    PGHOST: u.hostname,
    PGPORT: u.port || '5432',
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: decodeURIComponent(u.pathname.slice(1)),
  };
}
