import type pg from 'pg';
import { ALERT_SQL as SQL } from '../sql/alert-statements';
import type { AlertRule } from './alert-rules';
import { ConfigError, DatabaseError } from './errors';
import type { MessageCount, SampleEntry, WindowDetails } from './notification';

/** The state machine's count stops here (or at the threshold, when higher); notifications count exactly. */
export const COUNT_CAP = 1000;

/** How many distinct messages and sample entries a notification shows. */
export const TOP_MESSAGES = 5;
export const SAMPLE_ENTRIES = 3;

type Queryable = Pick<pg.PoolClient, 'query'>;

/** PostgreSQL's "invalid regular expression". */
const INVALID_REGEX = '2201B';

/** The filter parameters $1..$5 of a rule over (from, to]. */
export function ruleFilterParams(rule: AlertRule, from: Date | string, to: Date | string): unknown[] {
  return [from, to, rule.levels, rule.sourceLike, rule.pattern];
}

/**
 * Run one of a rule's statements; a pattern PostgreSQL rejects becomes a
 * ConfigError naming the rule and field (the start-up check is JavaScript's).
 */
export async function queryRule<R extends pg.QueryResultRow>(client: Queryable, rule: AlertRule, sql: string, params: unknown[]): Promise<pg.QueryResult<R>> {
  try {
    return await client.query<R>(sql, params);
  } catch (err) {
    if ((err as { code?: string }).code === INVALID_REGEX) {
      throw new ConfigError(`ALERT_RULES: rule "${rule.name}": pattern is not a valid PostgreSQL regular expression: ${(err as Error).message}`, { rule: rule.name, field: 'pattern' }, { cause: err });
    }
    throw new DatabaseError(`alert query for rule "${rule.name}" failed`, { rule: rule.name }, { cause: err });
  }
}

export function toMessageCounts(rows: { message: string; n: string }[]): MessageCount[] {
  return rows.map((r) => ({ message: r.message, count: Number(r.n) }));
}

export function toSamples(rows: { logged_at: Date; level: string; message: string; path: string }[]): SampleEntry[] {
  return rows.map((r) => ({ loggedAt: r.logged_at, level: r.level, message: r.message, path: r.path }));
}

/** The most a window count can return for `rule`: enough to compare with its thresholds. */
export function countCap(rule: AlertRule): number {
  return Math.max(COUNT_CAP, rule.threshold);
}

/**
 * Entries of `rule` in its window ending at `now`: (now - window, now] on
 * the entries' own timestamps (logged_at), up to `countCap(rule)`.
 */
export async function countWindow(client: Queryable, rule: AlertRule, now: number): Promise<number> {
  const params = [...ruleFilterParams(rule, new Date(now - rule.windowMs), new Date(now)), countCap(rule)];
  const result = await queryRule<{ n: string }>(client, rule, SQL.countWindow, params);
  return Number(result.rows[0]?.n ?? 0);
}

/** What a notification shows about the window ending at `now`. */
export async function readWindowDetails(client: Queryable, rule: AlertRule, now: number): Promise<WindowDetails> {
  const from = now - rule.windowMs;
  const params = ruleFilterParams(rule, new Date(from), new Date(now));
  const bounds = await queryRule<{ n: string; first_at: Date | null; last_at: Date | null }>(client, rule, SQL.windowBounds, params);
  const count = Number(bounds.rows[0]?.n ?? 0);
  const details: WindowDetails = {
    count,
    from,
    to: now,
    firstAt: bounds.rows[0]?.first_at ?? null,
    lastAt: bounds.rows[0]?.last_at ?? null,
    topMessages: [],
    samples: [],
  };
  if (count === 0) return details;
  details.topMessages = toMessageCounts((await queryRule<{ message: string; n: string }>(client, rule, SQL.topMessages, [...params, TOP_MESSAGES])).rows);
  details.samples = toSamples((await queryRule<{ logged_at: Date; level: string; message: string; path: string }>(client, rule, SQL.sampleEntries, [...params, SAMPLE_ENTRIES])).rows);
  return details;
}
