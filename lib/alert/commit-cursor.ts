import type pg from 'pg';
import { ALERT_SQL as SQL } from '../../sql/alert-statements';
import type { CommitCursorRow } from '../../sql/alert-statements';
import { LOGMON_APPLICATION } from '../platform/db';

// The commit cursor: which entries each evaluation examines as "committed
// since the previous evaluation". ingest commits entries up to a minute after
// their own time, so a window may have been evaluated before its entries
// existed; the first evaluation that can see an entry looks again at the
// windows around it (rule-window.ts) or reports it late (late-data.ts). Each
// entry is examined by exactly one evaluation: the cursor moves in the
// evaluation's transaction, under its lock. It runs on the database's clock
// (ingested_at), since commit order is the database's to tell; the entry's
// id orders the entries of one ingest transaction, so a slice can end inside
// one (a backlog is committed in few, large transactions).

type Queryable = Pick<pg.PoolClient, 'query'>;

/**
 * A transaction's start time is published in pg_stat_activity a moment
 * after it is taken; entries this close to the watermark wait for the next run.
 */
export const COMMIT_SAFETY_MARGIN_MS = 1000;

/**
 * Entries examined per evaluation, at most. A backlog ingested after downtime
 * (millions of entries committed at once) is worked through over successive
 * runs, so no evaluation's work grows with it: the windows of every rule are
 * still counted at every run. Known limit: a run's time still grows with
 * the unexamined rest of a backlog committed in one transaction
 * (docs/performance.md, "Late-data backlog").
 */
export const MAX_EXAMINED_ENTRIES = 100_000;

/**
 * The slice of entries an evaluation examines: positions (ingested_at, id)
 * from `from` (inclusive) to `until` (exclusive), as PostgreSQL text
 * (microseconds kept). An id of 0 means "every entry ingested before that time".
 */
export interface CommitRange {
  from: string;
  fromId: string;
  until: string;
  untilId: string;
  /** The slice stopped at the bound: more committed entries wait for the next evaluation. */
  more: boolean;
}

/** The four statement parameters of a slice: from, fromId, until, untilId. */
export function rangeParams(range: CommitRange): string[] {
  return [range.from, range.fromId, range.until, range.untilId];
}

/** The slice an evaluation examines (null: nothing new can be examined yet), and whether the cursor was just placed (the first evaluation ever). */
export interface CursorStep {
  range: CommitRange | null;
  first: boolean;
  /**
   * The visibility mark (PostgreSQL text): every entry ingested before it was
   * committed, and the rules count only those (setEvaluationMarks).
   */
  visibleUntil: string;
  /** Where the cursor stands after this step: entries before (at, id) are examined. */
  position: { at: string; id: string };
}

/**
 * Advance the cursor (in the caller's transaction) over at most `maxEntries`
 * committed entries and return the slice to examine now; no slice on the
 * first run (`first`: the cursor starts at the watermark) or when nothing
 * new can be examined yet.
 *
 * @example
 *   const { range } = await advanceCommitCursor(client);
 *   // { from: '2026-11-23 10:04:59.2+00', fromId: '0', until: '2026-11-23 10:05:59.1+00', untilId: '0', more: false }
 */
export async function advanceCommitCursor(client: Queryable, safetyMarginMs = COMMIT_SAFETY_MARGIN_MS, maxEntries = MAX_EXAMINED_ENTRIES): Promise<CursorStep> {
  const result = await client.query<CommitCursorRow>(SQL.advanceCommitCursor, [safetyMarginMs, maxEntries, LOGMON_APPLICATION]);
  const row = result.rows[0]!;
  const first = row.from_text === null;
  const step = { first, visibleUntil: row.visible_until, position: { at: row.until_text, id: row.until_id } };
  if (row.from_text === null || row.from_id === null || row.advanced !== true) return { ...step, range: null };
  return { ...step, range: { from: row.from_text, fromId: row.from_id, until: row.until_text, untilId: row.until_id, more: row.more } };
}

/**
 * The visibility mark of the evaluation running on `client` (its rule
 * statements take it as a parameter, rule-sql.ts: a value the planner sees,
 * so a window count keeps its plan), null outside an evaluation.
 */
export function visibleUntilOf(client: object): string | null {
  return VISIBLE_UNTIL.get(client) ?? null;
}

/** The evaluation on `client` is over (its transaction ends): its rule statements take no mark. */
export function endEvaluationMarks(client: object): void {
  VISIBLE_UNTIL.delete(client);
}

const VISIBLE_UNTIL = new WeakMap<object, string>();

/**
 * Give the evaluation's statements its visibility mark and clock (the rules
 * count entries ingested before the mark; late entries an earlier evaluation
 * counted are late as of that one), and record the mark while the cursor is
 * behind it, deleting the marks it passed (013_visibility_marks.sql).
 */
export async function setEvaluationMarks(client: Queryable, step: CursorStep, now: number): Promise<void> {
  const at = new Date(now).toISOString();
  VISIBLE_UNTIL.set(client, step.visibleUntil);
  await client.query(SQL.setEvaluationContext, [at]);
  // marks below this evaluation's slice are done with; the slice's own still say what was counted before
  const examinedBefore = step.range?.from ?? step.position.at;
  await client.query(SQL.recordVisibilityMark, [step.visibleUntil, at, step.position.at, step.position.id, examinedBefore]);
}
