import type pg from 'pg';
import { ALERT_SQL as SQL } from '../sql/alert-statements';
import type { AlertRule } from './alert-rules';
import type { WindowDetails } from './notification';
import { SAMPLE_ENTRIES, TOP_MESSAGES, queryRule, ruleFilterParams, toMessageCounts, toSamples } from './rule-window';

// Late data, as logmon defines it: an entry already older than a rule's
// window when its ingestion began (a backlog read after downtime). No
// evaluation can count it, so it never moves a rule's state; instead each
// entry is examined once, by the first run after it is committed, and a rule
// whose late entries would have met its threshold within one window gets a
// single LATE DATA notification about that past period. All of it runs on
// the database's clock (ingested_at), not the job's.

type Queryable = Pick<pg.PoolClient, 'query'>;

/**
 * A transaction's start time is published in pg_stat_activity a moment
 * after it is taken; entries this close to the watermark wait for the next run.
 */
export const LATE_SAFETY_MARGIN_MS = 1000;

/** [from, until) of ingested_at, as PostgreSQL text (microseconds kept). */
export interface IngestRange {
  from: string;
  until: string;
}

export interface LateBurst {
  /** Late entries of the rule in the range. */
  total: number;
  /** Most late entries within any one window of the rule. */
  busiest: number;
  /** Filled only when `busiest` meets the threshold. */
  details: WindowDetails | null;
}

/**
 * Advance the cursor (in the caller's transaction) and return the range of
 * ingestion times to examine now; null on the first run or when nothing new
 * can be examined yet.
 */
export async function advanceLateCursor(client: Queryable, safetyMarginMs = LATE_SAFETY_MARGIN_MS): Promise<IngestRange | null> {
  const result = await client.query<{ from_text: string | null; until_text: string; advanced: boolean | null }>(SQL.advanceLateCursor, [safetyMarginMs]);
  const row = result.rows[0];
  if (!row || row.from_text === null || row.advanced !== true) return null;
  return { from: row.from_text, until: row.until_text };
}

/** Cheap pre-check for all rules: any entry in `range` late for the shortest window? */
export async function anyLateEntries(client: Queryable, range: IngestRange, shortestWindowMs: number, horizonMs: number): Promise<boolean> {
  const result = await client.query<{ found: boolean }>(SQL.anyLateEntries, [range.from, range.until, shortestWindowMs, horizonMs]);
  return result.rows[0]?.found === true;
}

/** The late entries of `rule` ingested in `range`, and their busiest window. */
export async function readLateBurst(client: Queryable, rule: AlertRule, range: IngestRange, horizonMs: number): Promise<LateBurst> {
  const params = [...ruleFilterParams(rule, '-infinity', 'infinity'), range.from, range.until, rule.windowMs, horizonMs];
  const bursts = await queryRule<{ n: string; first_at: Date | null; last_at: Date | null; busiest: string }>(client, rule, SQL.lateBursts, params);
  const row = bursts.rows[0];
  const total = Number(row?.n ?? 0);
  const busiest = Number(row?.busiest ?? 0);
  if (total === 0 || busiest < rule.threshold) return { total, busiest, details: null };
  const firstAt = row?.first_at ?? null;
  const lastAt = row?.last_at ?? null;
  return {
    total,
    busiest,
    details: {
      count: total,
      from: firstAt?.getTime() ?? 0,
      to: lastAt?.getTime() ?? 0,
      firstAt,
      lastAt,
      topMessages: toMessageCounts((await queryRule<{ message: string; n: string }>(client, rule, SQL.lateTopMessages, [...params, TOP_MESSAGES])).rows),
      samples: toSamples((await queryRule<{ logged_at: Date; level: string; message: string; path: string }>(client, rule, SQL.lateSampleEntries, [...params, SAMPLE_ENTRIES])).rows),
    },
  };
}
