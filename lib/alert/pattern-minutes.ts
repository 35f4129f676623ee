import type pg from 'pg';
import { ALERT_SQL as SQL } from '../../sql/alert-statements';
import type { PatternCoverageRow } from '../../sql/alert-statements';
import type { CursorStep } from './commit-cursor';
import { MINUTE_MS } from './minute-counts';
import { RULE_TYPE } from './rules';
import type { AlertRule } from './rules';
import { describeError } from '../platform/errors';
import type { AppLogger } from '../platform/logger';

// The per-minute counts of the entries matching each rule `pattern`
// (021_pattern_minutes.sql), kept by the evaluation itself after the commit
// cursor moved, in the evaluation's transaction: the entries the cursor
// passed are added to every pattern, once (a pattern records up to which
// position it counted). A pattern new to the rules is counted over its
// rules' longest window in one pass, a pattern no rule has is dropped, and
// minutes no window reads any more are pruned hourly. A pattern counted past
// the cursor (moved back by hand) is not used until the cursor is there
// again. A pattern PostgreSQL rejects is not kept (its rules fail alone, as before; window-counts.ts
// counts only the patterns kept), and so is one whose work here runs past the
// shortest `timeout` of its rules: each of them then counts its window alone,
// under its own limit. The caller sets the time limit again after.

type Queryable = Pick<pg.PoolClient, 'query'>;

/** What pattern_minutes counts of one pattern: its minutes from `coveredFrom` on, its entries before position (addedUntil, addedId). */
export interface PatternCoverage {
  coveredFrom: Date;
  /** PostgreSQL text (microseconds kept). */
  addedUntil: string;
  addedId: string;
}

/** Minutes older than a pattern's rules need are pruned once they are this much older (one statement an hour, not one a run). */
const PRUNE_SLACK_MS = 60 * MINUTE_MS;
const SAVEPOINT = 'SAVEPOINT pattern_minutes';
const RELEASE = 'RELEASE SAVEPOINT pattern_minutes';
const ROLLBACK = 'ROLLBACK TO SAVEPOINT pattern_minutes';

/** The first minute a run at `now` reads of a window of `windowMs`, less the grace period (a little ahead of what the next runs read). */
function neededFrom(now: number, windowMs: number, graceMs: number): number {
  return Math.floor((now - windowMs - graceMs) / MINUTE_MS) * MINUTE_MS;
}

/** The patterns of `rules` whose window counts can read pattern minutes, with the longest window and the shortest time limit of their rules. */
export function keptPatterns(rules: readonly AlertRule[]): Map<string, { windowMs: number; timeoutMs: number }> {
  const kept = new Map<string, { windowMs: number; timeoutMs: number }>();
  for (const r of rules) {
    if (r.pattern === null || r.type === RULE_TYPE.NEW_TEMPLATE) continue;
    const seen = kept.get(r.pattern);
    kept.set(r.pattern, { windowMs: Math.max(seen?.windowMs ?? 0, r.windowMs), timeoutMs: Math.min(seen?.timeoutMs ?? Number.POSITIVE_INFINITY, r.timeoutMs) });
  }
  return kept;
}

/**
 * Bring pattern_minutes up to the cursor's position after `step` (in the
 * evaluation's transaction, under its lock) for the patterns of `rules` at
 * `now`, and return what it counts of each pattern kept.
 *
 * @example
 *   const coverage = await maintainPatternMinutes(client, rules, step, now, graceMs, logger);
 *   coverage.get('timeout|refused') // { coveredFrom: 10:02, addedUntil: '2026-12-04 10:59:58.1+00', addedId: '0' }
 */
export async function maintainPatternMinutes(
  client: Queryable,
  rules: readonly AlertRule[],
  step: Pick<CursorStep, 'position'>,
  now: number,
  graceMs: number,
  logger?: AppLogger,
): Promise<Map<string, PatternCoverage>> {
  const wanted = keptPatterns(rules);
  await client.query(SQL.dropPatterns, [[...wanted.keys()]]);
  const { at, id } = step.position;
  const stored = new Map((await client.query<PatternCoverageRow>(SQL.patternCoverage, [at, id])).rows.map((r) => [r.pattern, r]));
  const counted = new Set<string>();
  for (const [pattern, { windowMs, timeoutMs }] of wanted) {
    const needed = new Date(neededFrom(now, windowMs, graceMs));
    const row = stored.get(pattern);
    // under the shortest time limit of its rules: a pattern too costly for one of them is read by each rule alone, under its own
    await client.query(SQL.setStatementTimeout, [`${timeoutMs}ms`]);
    await client.query(SAVEPOINT);
    try {
      if (row === undefined) {
        await client.query(SQL.startPattern, [pattern, needed, at, id]);
        await client.query(SQL.addPatternMinutes, [pattern, needed, 'infinity', null, null, at, id]);
      } else {
        // the minutes a longer window or an earlier clock needs, counted as far as the rest
        if (needed < row.covered_from)
          await client.query(SQL.addPatternMinutes, [pattern, needed, row.covered_from, null, null, row.added_until, row.added_id]);
        // what the cursor passed since (nothing after a rewound cursor: the statement keeps the furthest position)
        await client.query(SQL.addPatternMinutes, [
          pattern,
          needed < row.covered_from ? needed : row.covered_from,
          'infinity',
          row.added_until,
          row.added_id,
          at,
          id,
        ]);
        if (row.covered_from.getTime() < needed.getTime() - PRUNE_SLACK_MS) await client.query(SQL.prunePattern, [pattern, needed]);
      }
      await client.query(RELEASE);
    } catch (err) {
      await client.query(ROLLBACK);
      logger?.warn('rule pattern not counted per minute this run: its rules count their windows from the entries', {
        pattern,
        error: describeError(err).slice(0, 300),
      });
      continue;
    }
    counted.add(pattern);
  }
  const kept = new Map<string, PatternCoverage>();
  if (counted.size === 0) return kept;
  for (const r of (await client.query<PatternCoverageRow>(SQL.patternCoverage, [at, id])).rows)
    if (counted.has(r.pattern) && !r.ahead) kept.set(r.pattern, { coveredFrom: r.covered_from, addedUntil: r.added_until, addedId: r.added_id });
  return kept;
}
