import type pg from 'pg';
import { PARTITION_SQL as SQL } from '../../sql/partition-statements';
import { DatabaseError } from '../platform/errors';
import { withTransaction } from '../platform/db';
import type { AppLogger } from '../platform/logger';

// The day partitions of log_entries (019_partitioned_entries.sql): created
// ahead, and dropped whole once the day is past the retention cutoff. Every
// DDL statement waits at most PARTITION_LOCK_TIMEOUT_MS for its locks, so
// ingest's COPY and the alert job's reads, queued behind it, wait no longer
// than that; a run that cannot get them leaves the work to the next run.
// Entries of a day without a partition go to the default partition, so none
// of this is needed for ingest to work, only for retention to be cheap.

const DAY_MS = 24 * 60 * 60 * 1000;

/** Days created ahead of today (UTC): today's partition exists two days before it is needed. */
export const PARTITION_DAYS_AHEAD = 2;

/** Longest wait for a lock of one partition statement (what a COPY behind it may wait too). */
export const PARTITION_LOCK_TIMEOUT_MS = 500;

/** PostgreSQL's lock_not_available: lock_timeout ran out. */
const LOCK_NOT_AVAILABLE = '55P03';

export interface PartitionSummary {
  /** Day partitions created by this run (log_entries_YYYYMMDD). */
  created: string[];
  /** Partitions dropped whole (their days ended before the cutoff). */
  dropped: string[];
  /** Rows they held, counted just before each drop (after the detach: exact). */
  droppedRows: number;
  /** Why some of the work was left to the next run: another run held it, or a lock wait ran out; null when none was. */
  deferred: 'busy' | 'lock_timeout' | null;
}

export interface PartitionOptions {
  /** Milliseconds since the epoch. */
  now: number;
  /** Partitions whose upper bound is at or before this are dropped. */
  cutoff: Date;
  daysAhead?: number;
  lockTimeoutMs?: number;
  shouldStop?: () => boolean;
  logger?: AppLogger;
}

/**
 * The UTC days from the day of `now` to `daysAhead` days after it, as YYYY-MM-DD.
 *
 * @example
 *   daysToCreate(Date.parse('2026-11-23T23:30:00Z'), 2); // ['2026-11-23', '2026-11-24', '2026-11-25']
 */
export function daysToCreate(now: number, daysAhead: number): string[] {
  return Array.from({ length: daysAhead + 1 }, (_, i) => new Date(now + i * DAY_MS).toISOString().slice(0, 10));
}

type Step<T> = { done: true; value: T } | { done: false; deferred: 'busy' | 'lock_timeout' };

/** One DDL step in its own transaction, under the maintenance lock and lock_timeout. */
async function underMaintenanceLock<T>(pool: pg.Pool, lockTimeoutMs: number, what: string, work: (client: pg.PoolClient) => Promise<T>): Promise<Step<T>> {
  try {
    return await withTransaction(pool, async (client): Promise<Step<T>> => {
      await client.query(SQL.setLockTimeout, [String(lockTimeoutMs)]);
      const locked = (await client.query<{ locked: boolean }>(SQL.tryLockPartitions)).rows[0]?.locked === true;
      if (!locked) return { done: false, deferred: 'busy' };
      return { done: true, value: await work(client) };
    });
  } catch (err) {
    if (findCode(err) === LOCK_NOT_AVAILABLE) return { done: false, deferred: 'lock_timeout' };
    throw new DatabaseError(`partition maintenance failed: ${what}`, { what }, { cause: err });
  }
}

/** The SQLSTATE of `err` or of the first cause that has one. */
function findCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * Create the partitions of today (UTC) and the next `daysAhead` days that do
 * not exist yet, moving their rows out of the default partition; then detach
 * and drop every partition whose day ended before `cutoff`, counting its rows
 * once detached (no lock on log_entries while counting). Tables a stopped run
 * detached but did not drop are dropped first. The straddling day, the
 * legacy partition while it straddles, and the default partition keep their
 * rows here: the batched delete removes the expired ones.
 *
 * @example
 *   const summary = await maintainEntryPartitions(pool, { now: Date.now(), cutoff });
 *   // { created: ['log_entries_20261205'], dropped: ['log_entries_20261101'], droppedRows: 1412000, deferred: null }
 */
export async function maintainEntryPartitions(pool: pg.Pool, options: PartitionOptions): Promise<PartitionSummary> {
  const lockTimeoutMs = options.lockTimeoutMs ?? PARTITION_LOCK_TIMEOUT_MS;
  const shouldStop = options.shouldStop ?? (() => false);
  const summary: PartitionSummary = { created: [], dropped: [], droppedRows: 0, deferred: null };
  const dropDetached = async (name: string): Promise<void> => {
    const rows = Number((await pool.query<{ n: string }>(SQL.dropDetached, [name])).rows[0]?.n ?? 0);
    summary.dropped.push(name);
    summary.droppedRows += rows;
    options.logger?.info('log partition dropped', { partition: name, rows });
  };

  // shouldStop is asked before each drop only: creating three days is quick, dropping after a long pause may not be
  for (const day of daysToCreate(options.now, options.daysAhead ?? PARTITION_DAYS_AHEAD)) {
    const step = await underMaintenanceLock(pool, lockTimeoutMs, `create ${day}`, async (client) => {
      return (await client.query<{ created: boolean }>(SQL.addDay, [day])).rows[0]?.created === true;
    });
    if (!step.done) {
      summary.deferred = step.deferred;
      break;
    }
    if (step.value) summary.created.push(`log_entries_${day.replaceAll('-', '')}`);
  }

  for (const { name } of (await pool.query<{ name: string }>(SQL.listDetached)).rows) {
    if (shouldStop()) return summary;
    await dropDetached(name);
  }
  for (const { name } of (await pool.query<{ name: string }>(SQL.listExpired, [options.cutoff])).rows) {
    if (shouldStop()) return summary;
    const step = await underMaintenanceLock(pool, lockTimeoutMs, `detach ${name}`, async (client) => {
      return (await client.query<{ detached: boolean }>(SQL.detach, [name, options.cutoff])).rows[0]?.detached === true;
    });
    if (!step.done) {
      summary.deferred = step.deferred;
      break;
    }
    if (step.value) await dropDetached(name);
  }
  if (summary.deferred) options.logger?.warn('log partition maintenance deferred to the next run', { deferred: summary.deferred });
  return summary;
}
