import type pg from 'pg';
import { ALERT_SQL as SQL } from '../sql/alert-statements';
import type { AlertRule } from './alert-rules';
import type { CommitRange } from './commit-cursor';
import type { WindowDetails } from './notification';
import { SAMPLE_ENTRIES, TOP_MESSAGES, countableSince, queryRule, ruleFilterParams, toMessageCounts, toSamples } from './rule-window';

// Late data, as logmon defines it: an entry committed since the previous
// evaluation (commit-cursor.ts) that is already too old for any window the
// run evaluates (at or before `countableSince`: now - grace - window),
// typically a backlog read after downtime. It never moves a rule's state (a
// rule firing now about the past and resolving a minute later would be
// noise); instead a rule whose late entries would have met its threshold
// within one window gets a single LATE DATA notification about that past
// period. Younger entries are counted by the fresh windows (rule-window.ts):
// the two share the line, so every entry is on exactly one side of it.

type Queryable = Pick<pg.PoolClient, 'query'>;

export interface LateBurst {
  /** Late entries of the rule in the range. */
  total: number;
  /** Most late entries within any one window of the rule. */
  busiest: number;
  /** Filled only when `busiest` meets the threshold. */
  details: WindowDetails | null;
}

/** The run's clock and the bounds of lateness: at or before `now - grace - window`, after `now - horizon` (`ALERT_LATE_HORIZON`). */
export interface LateLimits {
  now: number;
  graceMs: number;
  horizonMs: number;
}

/** Cheap pre-check for all rules: any entry in `range` late for the shortest window? */
export async function anyLateEntries(client: Queryable, range: CommitRange, shortestWindowMs: number, limits: LateLimits): Promise<boolean> {
  const latest = limits.now - limits.graceMs - shortestWindowMs;
  const result = await client.query<{ found: boolean }>(SQL.anyLateEntries, [range.from, range.until, new Date(latest), new Date(limits.now - limits.horizonMs)]);
  return result.rows[0]?.found === true;
}

/**
 * The late entries of `rule` committed in `range`, and their busiest window.
 *
 * @example
 *   const burst = await readLateBurst(client, rule, range, { now: Date.now(), graceMs: 180_000, horizonMs: 86_400_000 });
 *   if (burst.details) formatNotification({ kind: 'late', rule, now, prefix, details: burst.details, busiestWindowCount: burst.busiest });
 */
export async function readLateBurst(client: Queryable, rule: AlertRule, range: CommitRange, limits: LateLimits): Promise<LateBurst> {
  const late = ruleFilterParams(rule, new Date(limits.now - limits.horizonMs), new Date(countableSince(rule, limits.now, limits.graceMs)));
  const params = [...late, range.from, range.until];
  const bursts = await queryRule<{ n: string; first_at: Date | null; last_at: Date | null; busiest: string }>(client, rule, SQL.lateBursts, [...params, rule.windowMs]);
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
