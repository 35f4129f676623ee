import type pg from 'pg';
import { ALERT_SQL as SQL } from '../../sql/alert-statements';
import type { DatabaseNowRow } from '../../sql/alert-statements';

// The time an evaluation runs at (the end of every window, the time of every
// state change). The alert job's own clock, unless it disagrees with the
// reference clock: the database's, which already stamps `ingested_at` (the
// commit cursor runs on it). A wall-clock step of the function (forward or
// back, for a few runs or for good) then moves none of the rules' windows:
// no RESOLVED of an ongoing burst, no LATE DATA of entries that were on
// time, no FIRING held back until the clock comes back. And the rules' time
// never runs backwards: a run whose time would be behind the previous
// evaluation's evaluates at that one's (without a reference, the only
// defence against a step back).

/** A clock this far from the reference has stepped (two schedule periods: ordinary skew between two NTP-synced hosts is milliseconds). */
export const CLOCK_STEP_TOLERANCE_MS = 120_000;

/** The trusted clock an evaluation compares the job's clock with, read in the evaluation's transaction. */
export type ReferenceClock = (client: pg.PoolClient) => Promise<number>;

/** Where an evaluation's time came from. */
export type EvaluationTimeSource = 'clock' | 'reference' | 'previous';

export interface EvaluationTime {
  at: number;
  source: EvaluationTimeSource;
}

/**
 * The time to evaluate at, pure: the job's `clock`; the `reference` when the
 * clock is more than CLOCK_STEP_TOLERANCE_MS from it (null: no reference);
 * the `previous` evaluation's time when that is later (time never runs
 * backwards for the rules).
 *
 * @example
 *   chooseEvaluationTime(Date.parse('2026-11-23T11:05:00Z'), Date.parse('2026-11-23T10:05:00Z'), null)
 *   // { at: Date.parse('2026-11-23T10:05:00Z'), source: 'reference' }
 */
export function chooseEvaluationTime(clock: number, reference: number | null, previous: number | null): EvaluationTime {
  const chosen: EvaluationTime =
    reference !== null && Math.abs(clock - reference) > CLOCK_STEP_TOLERANCE_MS ? { at: reference, source: 'reference' } : { at: clock, source: 'clock' };
  return previous !== null && previous > chosen.at ? { at: previous, source: 'previous' } : chosen;
}

/**
 * The database's clock, the reference of the deployed function (handlers/alert.ts).
 *
 * @example
 *   const summary = await runAlert({ ...deps, referenceNow: databaseNow });
 */
export const databaseNow: ReferenceClock = async (client) => (await client.query<DatabaseNowRow>(SQL.databaseNow)).rows[0]!.now.getTime();
