import type pg from 'pg';
import { ALERT_SQL as SQL, RULE_KEY } from '../../sql/alert-statements';
import type { GroupKeyRow, SliceGroupRow, SourceLikeRow, WindowGroupRow } from '../../sql/alert-statements';
import { rangeParams } from './commit-cursor';
import type { CommitRange } from './commit-cursor';
import { MINUTE_MS, readsMinutes, wholeMinutes } from './minute-counts';
import type { WholeMinutes } from './minute-counts';
import type { PatternCoverage } from './pattern-minutes';
import { keyExpression } from './rule-key';
import type { RuleKey } from './rule-key';
import { countCap, countableSince } from './rule-window';
import { RULE_TYPE } from './rules';
import type { AlertRule } from './rules';

// What an evaluation reads once for all its rules instead of once per rule
// (issue 16: 200 rules). The window counts of the rules that can read the
// per-minute counts (minute-counts.ts) come from one statement over every
// distinct window, and those of the rules with a pattern the evaluation
// counts per minute (pattern-minutes.ts) from a second, per file, template
// and level; each rule's count (or each
// key's, for a grouped rule) is then a sum of those groups here. The files
// and levels of the commit cursor's slice tell which rules can have a fresh
// entry at all, so a rule with none skips the fresh-window statements.
// Counts equal the per-rule statements' (countWindow, countKeys): tested
// against them in __tests__/integration/window-counts.test.ts.

type Queryable = Pick<pg.PoolClient, 'query'>;

/** A file, template and level: the grain both the minutes and these counts keep. */
interface Group {
  source: string;
  template: string | null;
  level: string;
  n: number;
}

/** What one evaluation read for its rules. */
export interface EvaluationCounts {
  /** The count of `rule`'s window ending at the evaluation's time, up to countCap(rule); undefined: count it on its own. */
  count(rule: AlertRule): number | undefined;
  /** The count of each key of grouped `rule` over that window (keys with entries); undefined: count them on their own. */
  keys(rule: AlertRule): Map<RuleKey, number> | undefined;
  /** False when the slice holds no entry `rule` could count in a window of the grace period (no fresh window to look for). */
  mayHaveFresh(rule: AlertRule): boolean;
}

/** Nothing read: every rule counts on its own and looks for fresh windows. */
export const COUNT_EACH_RULE: EvaluationCounts = {
  count: () => undefined,
  keys: () => undefined,
  mayHaveFresh: () => true,
};

/** Whether `rule`'s window is counted by readEvaluationCounts (`patterns`: the patterns pattern_minutes keeps): all but new-template rules and those of a pattern not kept. */
export function countedOnce(rule: AlertRule, patterns: ReadonlyMap<string, PatternCoverage> = NO_PATTERNS): boolean {
  if (rule.pattern !== null) return rule.type !== RULE_TYPE.NEW_TEMPLATE && patterns.has(rule.pattern);
  return readsMinutes(rule, null);
}

const NO_PATTERNS: ReadonlyMap<string, PatternCoverage> = new Map();

/**
 * The whole minutes [lo, hi) the statements read of the window (fromMs,
 * toMs]; a window holding none (at most two partial minutes) gets the empty
 * [hi, hi) at the minute holding `toMs`, so its two ends, (from, hi) and
 * [hi, to], are the whole window: `from` is before that minute, a window
 * being at least a minute long.
 */
export function windowMinutes(fromMs: number, toMs: number): WholeMinutes {
  const hi = new Date(Math.floor(toMs / MINUTE_MS) * MINUTE_MS);
  return wholeMinutes(fromMs, toMs) ?? { lo: hi, hi };
}

/** The windows one statement counts: each distinct length (and pattern) once. */
function windowKey(rule: AlertRule): string {
  return JSON.stringify([rule.windowMs, rule.pattern]);
}

/**
 * Read, in a few statements, the window counts ending at `now` of the
 * `rules` counted once (countedOnce) and the files and levels of
 * the slice `range`, for entries ingested before `visibleUntil` (the
 * evaluation's mark, null: none).
 *
 * @example
 *   const counts = await readEvaluationCounts(client, rules, now, step.visibleUntil, step.range, graceMs);
 *   counts.count(rule) // 412, or undefined for a new-template rule
 */
export async function readEvaluationCounts(
  client: Queryable,
  rules: readonly AlertRule[],
  now: number,
  visibleUntil: string | null,
  range: CommitRange | null,
  graceMs: number,
  patterns: ReadonlyMap<string, PatternCoverage> = NO_PATTERNS,
): Promise<EvaluationCounts> {
  const counted = rules.filter((r) => countedOnce(r, patterns));
  const slice = range === null ? [] : (await client.query<SliceGroupRow>(SQL.sliceGroups, rangeParams(range))).rows;
  const globs = [...new Set(rules.map((r) => r.sourceLike).filter((p): p is string => p !== null))];
  const filesOf = new Map<string, Set<string>>(globs.map((p) => [p, new Set()]));
  if (globs.length > 0) for (const row of (await client.query<SourceLikeRow>(SQL.sourcesLike, [globs])).rows) filesOf.get(row.pattern)?.add(row.source_id);
  const matches = (rule: AlertRule, source: string, level: string): boolean =>
    rule.levels.includes(level) && (rule.sourceLike === null || filesOf.get(rule.sourceLike)?.has(source) === true);

  const windows = new Map<string, Group[]>();
  const read = async (of: AlertRule[], sql: string, extra: (rule: AlertRule) => unknown[], more: unknown[] = []): Promise<void> => {
    const distinct = [...new Map(of.map((r) => [windowKey(r), r])).entries()];
    if (distinct.length === 0) return;
    // one array parameter per column of the windows
    const rows = distinct.map(([key, r]) => {
      windows.set(key, []);
      const minutes = windowMinutes(now - r.windowMs, now);
      return [new Date(now - r.windowMs), new Date(now), minutes.lo, minutes.hi, ...extra(r)];
    });
    const columns = (rows[0] ?? []).map((_, c) => rows.map((row) => row[c]));
    // and the span holding every window, for the planner (SPAN_7_8 in the statements)
    const span = [new Date(now - Math.max(...of.map((r) => r.windowMs))), new Date(now)];
    const params = [...columns, [...new Set(of.flatMap((r) => r.levels))], visibleUntil, ...more, ...span];
    for (const row of (await client.query<WindowGroupRow>(sql, params)).rows) {
      const key = distinct[row.i - 1]?.[0];
      if (key !== undefined) windows.get(key)?.push({ source: row.source_id, template: row.template_id, level: row.level, n: Number(row.n) });
    }
  };
  await read(
    counted.filter((r) => r.pattern === null),
    SQL.evaluationWindowGroups,
    () => [],
  );
  await read(
    counted.filter((r) => r.pattern !== null),
    SQL.evaluationPatternGroups,
    (r) => {
      const c = patterns.get(r.pattern ?? '');
      return [r.pattern, c?.coveredFrom, c?.addedUntil, c?.addedId];
    },
    // entries not counted yet lie before the mark only while the cursor works through a backlog (or when no slice says)
    [range === null || range.more],
  );
  const keysOf = await readGroupKeys(client, counted, windows);
  const groupsOf = (rule: AlertRule): Group[] | undefined =>
    countedOnce(rule, patterns) ? (windows.get(windowKey(rule)) ?? []).filter((g) => matches(rule, g.source, g.level)) : undefined;

  return {
    count(rule) {
      if (rule.groupBy.length > 0) return undefined;
      const groups = groupsOf(rule);
      return groups === undefined
        ? undefined
        : Math.min(
            countCap(rule),
            groups.reduce((sum, g) => sum + g.n, 0),
          );
    },
    keys(rule) {
      const groups = rule.groupBy.length > 0 ? groupsOf(rule) : undefined;
      const keyOf = keysOf.get(keyExpression(rule.groupBy));
      if (groups === undefined || keyOf === undefined) return undefined;
      const sums = new Map<RuleKey, number>();
      for (const g of groups) {
        const key = keyOf.get(groupId(g));
        if (key === undefined) return undefined;
        sums.set(key, (sums.get(key) ?? 0) + g.n);
      }
      for (const [key, n] of sums) if (n <= 0) sums.delete(key);
      return sums;
    },
    mayHaveFresh(rule) {
      if (range === null) return false;
      const since = countableSince(rule, now, graceMs);
      return slice.some((g) => matches(rule, g.source_id, g.level) && g.last_at.getTime() > since);
    },
  };
}

function groupId(g: { source: string; template: string | null; level: string }): string {
  return JSON.stringify([g.source, g.template, g.level]);
}

/**
 * The key of every group of the windows under each groupBy of the grouped
 * `rules` (by key expression), computed by PostgreSQL as countByKey does, so
 * a key compares equal to the stored ones.
 */
async function readGroupKeys(
  client: Queryable,
  rules: readonly AlertRule[],
  windows: ReadonlyMap<string, Group[]>,
): Promise<Map<string, Map<string, RuleKey>>> {
  const result = new Map<string, Map<string, RuleKey>>();
  const grouped = rules.filter((r) => r.groupBy.length > 0);
  if (grouped.length === 0) return result;
  const groups = new Map<string, Group>();
  for (const key of new Set(grouped.map(windowKey))) for (const g of windows.get(key) ?? []) groups.set(groupId(g), g);
  const all = [...groups.values()];
  for (const dims of new Map(grouped.map((r) => [keyExpression(r.groupBy), r.groupBy])).values()) {
    const expression = keyExpression(dims);
    const keys = new Map<string, RuleKey>();
    result.set(expression, keys);
    if (all.length === 0) continue;
    // RULE_KEY is code-written SQL (rule-key.ts), as in ruleStatement
    const text = SQL.groupKeys.replaceAll(RULE_KEY, expression);
    const rows = (await client.query<GroupKeyRow>(text, [all.map((g) => g.source), all.map((g) => g.template), all.map((g) => g.level)])).rows;
    for (const row of rows) keys.set(groupId({ source: row.source_id, template: row.template_id, level: row.level }), row.key);
  }
  return result;
}
