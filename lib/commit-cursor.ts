import type pg from 'pg';
import { ALERT_SQL as SQL } from '../sql/alert-statements';

// The commit cursor: which entries each evaluation examines as "committed
// since the previous evaluation". ingest commits entries up to a minute after
// their own time, so a window may have been evaluated before its entries
// existed; the first evaluation that can see an entry looks again at the
// windows around it (rule-window.ts) or reports it late (late-data.ts). Each
// entry is examined by exactly one evaluation: the cursor moves in the
// evaluation's transaction, under its lock. It runs on the database's clock
// (ingested_at), since commit order is the database's to tell.

type Queryable = Pick<pg.PoolClient, 'query'>;

/**
 * A transaction's start time is published in pg_stat_activity a moment
 * after it is taken; entries this close to the watermark wait for the next run.
 */
export const COMMIT_SAFETY_MARGIN_MS = 1000;

/** [from, until) of ingested_at, as PostgreSQL text (microseconds kept). */
export interface CommitRange {
  from: string;
  until: string;
}

/**
 * Advance the cursor (in the caller's transaction) and return the range of
 * ingestion times to examine now; null on the first run or when nothing new
 * can be examined yet.
 *
 * @example
 *   const range = await advanceCommitCursor(client); // { from: '2026-11-23 10:04:59.2+00', until: '2026-11-23 10:05:59.1+00' }
 */
export async function advanceCommitCursor(client: Queryable, safetyMarginMs = COMMIT_SAFETY_MARGIN_MS): Promise<CommitRange | null> {
  const result = await client.query<{ from_text: string | null; until_text: string; advanced: boolean | null }>(SQL.advanceCommitCursor, [safetyMarginMs]);
  const row = result.rows[0];
  if (!row || row.from_text === null || row.advanced !== true) return null;
  return { from: row.from_text, until: row.until_text };
}
