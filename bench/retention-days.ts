import type { Pool } from '../lib/platform/db';
import { readRetentionConfig } from '../lib/retention/config';
import { runRetention } from '../lib/retention/retention';
import type { BenchServer } from './bench-database';
import { createDayPartitions, createScratchDatabase, requestCheckpoint } from './bench-database';
import { BENCH_SQL as SQL } from './bench-statements';
import { median } from './stats';

// Issue 16: retention of a day of entries, whatever the table size. For each
// size, `dayRows` entries a day over size / dayRows days in log_entries
// (partitioned by day), vacuumed and analysed as autovacuum would leave
// them; then ROUNDS retention runs whose cutoff is the end of the oldest day
// left (that day is dropped whole, nothing straddles), each followed by the
// hourly run after it (its cutoff one hour into the next day: that hour is
// deleted in batches, as every hourly run does in steady state). At the
// smallest size, the same day is also deleted with the batched delete retention
// used before partitioning, on an unpartitioned copy with log_entries' former
// indexes: the same-run baseline.

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;
/** The first day of the loaded entries (UTC midnight). */
const FIRST_DAY_MS = Date.UTC(2026, 8, 1);
const RETENTION_DAYS = 30;
const ROUNDS = 3;
const BATCH_SIZE = 5000;

export interface RetentionSizeResult {
  rows: number;
  days: number;
  loadSeconds: number;
  /** Median ms of the runs that dropped one day (the whole retention run). */
  dayMs: number;
  /** Rows of the day each of those runs removed (median; a day less the hour the previous round's hourly run deleted). */
  removedRows: number;
  /** Median ms of the hourly runs deleting the next hour of the following day in batches. */
  hourMs: number;
  hourRows: number;
  runsMs: number[];
}

export interface RetentionDaysResult {
  status: 'measured' | 'skipped';
  dayRows: number;
  sizes: RetentionSizeResult[];
  /** dayMs at the largest size over dayMs at the smallest. */
  ratio: number | null;
  /** The same day deleted in batches of 5,000 from the unpartitioned table of the smallest size (ms), the way retention did before. */
  plainDayMs: number | null;
}

async function loadDays(pool: Pool, rows: number, days: number): Promise<number> {
  const started = performance.now();
  await createDayPartitions(pool, FIRST_DAY_MS, days);
  const chunk = Math.min(rows, 1_000_000);
  for (let done = 0; done < rows; done += chunk) {
    const n = Math.min(chunk, rows - done);
    const span = (days * DAY_MS * n) / rows;
    await pool.query(SQL.loadRetentionRows, [n, new Date(FIRST_DAY_MS + (days * DAY_MS * done) / rows), span]);
  }
  await pool.query(SQL.vacuumAnalyzeEntries);
  return (performance.now() - started) / 1000;
}

async function measureSize(server: BenchServer, rows: number, dayRows: number, log: (line: string) => void): Promise<RetentionSizeResult> {
  const days = Math.max(ROUNDS + 1, Math.round(rows / dayRows));
  const db = await createScratchDatabase(server, 'retention');
  try {
    const loadSeconds = await loadDays(db.pool, days * dayRows, days);
    log(`  ${(days * dayRows).toLocaleString('en-US')} rows over ${days} days loaded in ${loadSeconds.toFixed(1)} s`);
    const config = readRetentionConfig({ RETENTION_DAYS: String(RETENTION_DAYS), RETENTION_BATCH_SIZE: String(BATCH_SIZE) });
    const dayRuns: { ms: number; rows: number }[] = [];
    const hourRuns: { ms: number; rows: number }[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      await requestCheckpoint(db.pool);
      const dayEnd = FIRST_DAY_MS + (round + 1) * DAY_MS;
      const run = async (cutoffMs: number) => {
        const started = performance.now();
        const summary = await runRetention({ pool: db.pool, config, now: () => cutoffMs + RETENTION_DAYS * DAY_MS });
        return { ms: performance.now() - started, rows: summary.entries.deleted, dropped: summary.entryPartitions.dropped };
      };
      const day = await run(dayEnd);
      dayRuns.push(day);
      const hour = await run(dayEnd + HOUR_MS);
      hourRuns.push(hour);
      log(
        `  round ${round + 1}/${ROUNDS}: a day dropped (${day.dropped.join(', ')}, ${day.rows.toLocaleString('en-US')} rows) in ${day.ms.toFixed(0)} ms; the next hour (${hour.rows.toLocaleString('en-US')} rows) deleted in ${hour.ms.toFixed(0)} ms`,
      );
    }
    return {
      rows: days * dayRows,
      days,
      loadSeconds,
      dayMs: median(dayRuns.map((r) => r.ms)),
      removedRows: median(dayRuns.map((r) => r.rows)),
      hourMs: median(hourRuns.map((r) => r.ms)),
      hourRows: median(hourRuns.map((r) => r.rows)),
      runsMs: dayRuns.map((r) => r.ms),
    };
  } finally {
    await db.drop();
  }
}

/** The batched delete of the oldest day from an unpartitioned table of `rows` rows over `days` days (ms). */
async function measurePlainDay(server: BenchServer, rows: number, days: number, log: (line: string) => void): Promise<number> {
  const db = await createScratchDatabase(server, 'retention_plain');
  try {
    await db.pool.query(SQL.createRetentionPlainTable);
    await db.pool.query(SQL.loadRetentionPlainRows, [rows, new Date(FIRST_DAY_MS), days * DAY_MS]);
    await db.pool.query(SQL.vacuumAnalyzeRetentionPlain);
    await requestCheckpoint(db.pool);
    const cutoff = new Date(FIRST_DAY_MS + DAY_MS);
    const started = performance.now();
    let afterId = '0';
    let deleted = 0;
    for (;;) {
      const row = (await db.pool.query<{ deleted: number; last_id: string | null }>(SQL.deleteRetentionPlainBatch, [afterId, cutoff, BATCH_SIZE])).rows[0];
      deleted += row?.deleted ?? 0;
      if (!row || row.deleted < BATCH_SIZE || row.last_id === null) break;
      afterId = row.last_id;
    }
    const ms = performance.now() - started;
    log(`  unpartitioned, before: ${deleted.toLocaleString('en-US')} rows of a day deleted in batches of ${BATCH_SIZE} in ${ms.toFixed(0)} ms`);
    return ms;
  } finally {
    await db.drop();
  }
}

/**
 * Retention of one day at each table size in `sizes` (rows), `dayRows` entries a day.
 *
 * @example
 *   const result = await measureRetentionDays(server, [1_000_000, 4_000_000], 250_000, say);
 */
export async function measureRetentionDays(
  server: BenchServer,
  sizes: readonly number[],
  dayRows: number,
  log: (line: string) => void,
): Promise<RetentionDaysResult> {
  if (dayRows <= 0 || sizes.length === 0) return { status: 'skipped', dayRows, sizes: [], ratio: null, plainDayMs: null };
  const results: RetentionSizeResult[] = [];
  for (const rows of sizes) results.push(await measureSize(server, rows, dayRows, log));
  const first = results[0]!;
  const last = results[results.length - 1]!;
  const plainDayMs = await measurePlainDay(server, first.rows, first.days, log);
  return { status: 'measured', dayRows, sizes: results, ratio: last.dayMs / first.dayMs, plainDayMs };
}
