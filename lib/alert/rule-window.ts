import type pg from 'pg';
import { ALERT_SQL as SQL } from '../../sql/alert-statements';
import type {
  BusiestFreshWindowRow,
  CountRow,
  FreshWindowsSpanRow,
  SampleEntryRow,
  TemplateCountRow,
  TemplateExampleRow,
  WindowBoundsRow,
} from '../../sql/alert-statements';
import { templateOf } from '../ingest/template';
import { readsMinutes, wholeMinutes } from './minute-counts';
import { ruleStatement } from './rule-sql';
import type { RuleKey } from './rule-key';
import type { AlertRule } from './rules';
import { rangeParams, visibleUntilOf } from './commit-cursor';
import type { CommitRange } from './commit-cursor';
import { ConfigError, DatabaseError } from '../platform/errors';
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
 * Run one of a rule's statements (made for the rule by ruleStatement; `key`:
 * that key's entries only; `visibleUntil`: the mark ruleStatement appends, null
 * for a statement taking it as its own parameter); a pattern PostgreSQL rejects becomes a
 * ConfigError naming the rule and field (the start-up check is JavaScript's).
 */
export async function queryRule<R extends pg.QueryResultRow>(
  client: Queryable,
  rule: AlertRule,
  sql: string,
  params: unknown[],
  key: RuleKey | null = null,
  visibleUntil: string | null = visibleUntilOf(client),
): Promise<pg.QueryResult<R>> {
  const statement = ruleStatement(sql, rule, params, key, visibleUntil);
  try {
    return await client.query<R>(statement.text, statement.values);
  } catch (err) {
    if ((err as { code?: string }).code === INVALID_REGEX) {
      throw new ConfigError(
        `ALERT_RULES: rule "${rule.name}": pattern is not a valid PostgreSQL regular expression: ${(err as Error).message}`,
        { rule: rule.name, field: 'pattern' },
        { cause: err },
      );
    }
    throw new DatabaseError(`alert query for rule "${rule.name}" failed`, { rule: rule.name }, { cause: err });
  }
}

/**
 * The top templates of `rows` with their examples: the template as the
 * alert job catalogued it (or as templateOf makes it of the example, when
 * not catalogued yet), one real line of it, its file, and since when it is
 * known. Entries stored before templates existed show their first line.
 */
export async function toTemplateCounts(client: Queryable, rows: TemplateCountRow[]): Promise<MessageCount[]> {
  if (rows.length === 0) return [];
  return templateCountsOf(
    rows,
    await readTemplateExamples(
      client,
      rows.map((r) => r.example_id),
    ),
  );
}

/** The example entries `ids` of template counts (templateExamples), by id. */
export async function readTemplateExamples(client: Queryable, ids: string[]): Promise<Map<string, TemplateExampleRow>> {
  const examples = new Map<string, TemplateExampleRow>();
  if (ids.length === 0) return examples;
  for (const r of (await client.query<TemplateExampleRow>(SQL.templateExamples, [ids])).rows) examples.set(r.id, r);
  return examples;
}

/** toTemplateCounts with the examples read (readTemplateExamples). */
export function templateCountsOf(rows: TemplateCountRow[], examples: Map<string, TemplateExampleRow>): MessageCount[] {
  return rows.map((r) => {
    const example = examples.get(r.example_id);
    const message = r.template_id === null ? (r.line ?? '') : (example?.template ?? templateOf(example?.message ?? '').template);
    return {
      message,
      count: Number(r.n),
      example: example?.message ?? null,
      examplePath: example?.path ?? null,
      knownSince: example?.first_seen ?? null,
      files: Number(r.files),
    };
  });
}

export function toSamples(rows: SampleEntryRow[]): SampleEntry[] {
  return rows.map((r) => ({ loggedAt: r.logged_at, level: r.level, message: r.message, path: r.path }));
}

/** The most a window count can return for `rule`: enough to compare with its thresholds. */
export function countCap(rule: AlertRule): number {
  return Math.max(COUNT_CAP, rule.threshold);
}

/** A window of a rule: (from, to] on the entries' own timestamps (logged_at). */
export interface RuleWindow {
  /** Bounds for the statements: PostgreSQL text keeps the microseconds a Date would drop. */
  from: Date | string;
  to: Date | string;
  /** The same bounds in milliseconds, for messages. */
  fromMs: number;
  toMs: number;
}

/** A window and its count, up to `countCap(rule)`. */
export interface CountedWindow extends RuleWindow {
  count: number;
}

/** The window of `rule` ending at `end` (ms). */
export function windowEndingAt(rule: AlertRule, end: number): RuleWindow {
  return { from: new Date(end - rule.windowMs), to: new Date(end), fromMs: end - rule.windowMs, toMs: end };
}

/**
 * The oldest time a run at `now` still counts for `rule` (exclusive): the
 * run evaluates windows ending from `now - grace` to `now`, so an entry at
 * or before `now - grace - window` is in none of them and is late. Both the
 * fresh windows and the late-data check draw the line here, so an entry is
 * always on exactly one side.
 */
export function countableSince(rule: AlertRule, now: number, graceMs: number): number {
  return now - graceMs - rule.windowMs;
}

/**
 * Entries of `rule` in its window ending at `now`: (now - window, now] on
 * the entries' own timestamps (logged_at), up to `countCap(rule)`. Its whole
 * minutes come from the per-minute counts when the rule allows (minute-counts.ts).
 */
export async function countWindow(client: Queryable, rule: AlertRule, now: number, key: RuleKey | null = null): Promise<number> {
  const from = new Date(now - rule.windowMs);
  const to = new Date(now);
  const minutes = readsMinutes(rule, key) ? wholeMinutes(now - rule.windowMs, now) : null;
  if (minutes !== null) {
    const params = [from, to, rule.levels, rule.sourceLike, minutes.lo, minutes.hi, visibleUntilOf(client), countCap(rule)];
    const result = await queryRule<CountRow>(client, rule, SQL.minuteCountWindow, params, null, null);
    return Number(result.rows[0]?.n ?? 0);
  }
  const params = [...ruleFilterParams(rule, from, to), countCap(rule)];
  const result = await queryRule<CountRow>(client, rule, SQL.countWindow, params, key);
  return Number(result.rows[0]?.n ?? 0);
}

/**
 * The busiest window of `rule` that holds an entry committed in `range` (since
 * the previous evaluation) and ends within the grace period, from
 * `now - grace` to `now`: the windows that evaluation could not see whole.
 * Null when no such entry exists. Entries stamped after `now` wait for a
 * window ending after them; older than `countableSince` are late data.
 *
 * @example
 *   const missed = await busiestFreshWindow(client, rule, range, Date.now(), 180_000);
 *   // { count: 5, from: '2026-11-23 10:03:26.5+00', to: '2026-11-23 10:08:26.5+00', ... }
 */
export async function busiestFreshWindow(
  client: Queryable,
  rule: AlertRule,
  range: CommitRange,
  now: number,
  graceMs: number,
  key: RuleKey | null = null,
): Promise<CountedWindow | null> {
  const fresh = [...ruleFilterParams(rule, new Date(countableSince(rule, now, graceMs)), new Date(now)), ...rangeParams(range), rule.windowMs];
  const span = (await queryRule<FreshWindowsSpanRow>(client, rule, SQL.freshWindowsSpan, fresh, key)).rows[0];
  if (!span || Number(span.n) === 0) return null;
  const params = [...ruleFilterParams(rule, span.from_text, span.to_text), ...rangeParams(range), rule.windowMs, new Date(now - graceMs), countCap(rule)];
  const row = (await queryRule<BusiestFreshWindowRow>(client, rule, SQL.busiestFreshWindow, params, key)).rows[0];
  if (!row) return null;
  const end = row.end_at.getTime();
  return { count: Number(row.n), from: row.start_text, to: row.end_text, fromMs: end - rule.windowMs, toMs: end };
}

/** What a notification shows about `window` (of one key, when given). */
export async function readWindowDetails(client: Queryable, rule: AlertRule, window: RuleWindow, key: RuleKey | null = null): Promise<WindowDetails> {
  const params = ruleFilterParams(rule, window.from, window.to);
  const bounds = await queryRule<WindowBoundsRow>(client, rule, SQL.windowBounds, params, key);
  const count = Number(bounds.rows[0]?.n ?? 0);
  const details: WindowDetails = {
    count,
    from: window.fromMs,
    to: window.toMs,
    firstAt: bounds.rows[0]?.first_at ?? null,
    lastAt: bounds.rows[0]?.last_at ?? null,
    files: Number(bounds.rows[0]?.files ?? 0),
    topMessages: [],
    samples: [],
  };
  if (count === 0) return details;
  details.topMessages = await toTemplateCounts(
    client,
    (await queryRule<TemplateCountRow>(client, rule, SQL.topTemplates, [...params, TOP_MESSAGES], key)).rows,
  );
  details.samples = toSamples((await queryRule<SampleEntryRow>(client, rule, SQL.sampleEntries, [...params, SAMPLE_ENTRIES], key)).rows);
  return details;
}

/**
 * What a RESOLVED shows about the incident: the entries from one window
 * before it fired to `now` (of one key, when given), so the last of them says
 * when the errors stopped. Null when the firing time is unknown.
 */
export async function readIncidentDetails(
  client: Queryable,
  rule: AlertRule,
  firingSince: number | null,
  now: number,
  key: RuleKey | null = null,
): Promise<WindowDetails | null> {
  if (firingSince === null) return null;
  const from = firingSince - rule.windowMs;
  return readWindowDetails(client, rule, { from: new Date(from), to: new Date(now), fromMs: from, toMs: now }, key);
}
