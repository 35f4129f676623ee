import type { Pool } from '../lib/db';
import { BENCH_SQL as SQL } from './bench-statements';
import { median } from './stats';

/** A rule in neutral terms; the lead maps it onto the alert branch's rule format. */
export interface BenchAlertRule {
  name: string;
  levels: string[];
  windowSeconds: number;
  threshold: number;
}

/** What the alert section reports. */
export interface AlertEvaluation {
  status: 'measured' | 'not measured: alert code not merged';
  /** Median wall time of one evaluation of all rules, when measured. */
  medianMs: number | null;
}

const LOAD_BATCH_ROWS = 1_000_000;

/**
 * Fill `log_entries` with `rows` rows, ending now (one every 60 ms), with
 * INSERT ... SELECT generate_series in batches of a million, then VACUUM
 * ANALYZE so the planner and the visibility map see the final table.
 * Returns the seconds it took.
 */
export async function loadAlertRows(pool: Pool, rows: number): Promise<number> {
  const started = performance.now();
  for (let first = 1; first <= rows; first += LOAD_BATCH_ROWS) {
    await pool.query(SQL.loadAlertRows, [Math.min(LOAD_BATCH_ROWS, rows - first + 1), first]);
  }
  await pool.query(SQL.vacuumAnalyzeEntries);
  return (performance.now() - started) / 1000;
}

/** 20 rules: 3 level sets × trailing windows of 1 to 60 minutes, thresholds that some breach. */
export function benchAlertRules(): BenchAlertRule[] {
  const levelSets = [['ERROR'], ['FATAL'], ['ERROR', 'FATAL']];
  const windows = [60, 300, 600, 900, 1800, 3600, 120];
  const rules: BenchAlertRule[] = [];
  for (let i = 0; rules.length < 20; i += 1) {
    const levels = levelSets[i % levelSets.length]!;
    const windowSeconds = windows[i % windows.length]!;
    rules.push({ name: `bench-rule-${i + 1}`, levels, windowSeconds, threshold: 10 ** (1 + (i % 4)) });
  }
  return rules;
}

/**
 * >>> CONNECT AFTER MERGING THE ALERT BRANCH <<<
 * Time one alert evaluation (runAlert) over `rules` against `pool`, whose
 * log_entries holds the loaded rows; return the median of `repeats` runs.
 * Until lib/alert lands on this branch there is nothing to call, and the
 * bench reports "not measured: alert code not merged". When connecting it:
 * map BenchAlertRule onto the alert config, pass a publisher that records
 * instead of sending (no network), and time runAlert alone (warm pool).
 */
export async function measureAlertEvaluation(pool: Pool, rules: BenchAlertRule[], repeats: number): Promise<AlertEvaluation> {
  return { status: 'not measured: alert code not merged', medianMs: null };
}

/**
 * A reference for the alert target, not the alert code: the time of one
 * COUNT(*) per rule over its trailing window, all 20 in sequence on one
 * connection (what any evaluation must at least read). Median of `repeats`.
 */
export async function measureWindowCounts(pool: Pool, rules: BenchAlertRule[], repeats: number): Promise<number> {
  const client = await pool.connect();
  try {
    const times: number[] = [];
    for (let r = 0; r < repeats; r += 1) {
      const started = performance.now();
      for (const rule of rules) await client.query(SQL.countWindow, [rule.windowSeconds, rule.levels]);
      times.push(performance.now() - started);
    }
    return median(times);
  } finally {
    client.release();
  }
}
