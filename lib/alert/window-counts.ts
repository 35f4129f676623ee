import type pg from 'pg';
import { ALERT_SQL as SQL, RULE_KEY } from '../../sql/alert-statements';
import type { GroupKeyRow, SliceGroupRow, SourceLikeRow, WindowGroupRow } from '../../sql/alert-statements';
import { rangeParams } from './commit-cursor';
import type { CommitRange } from './commit-cursor';
import { readsMinutes, wholeMinutes } from './minute-counts';
import { keyExpression } from './rule-key';
import type { RuleKey } from './rule-key';
import { countCap, countableSince } from './rule-window';
import type { AlertRule } from './rules';

// What an evaluation reads once for all its rules instead of once per rule
// (issue 16: 200 rules). The window counts of the rules that can read the
// per-minute counts (minute-counts.ts) come from one statement over every
// distinct window, per file, template and level; each rule's count (or each
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

/** Whether `rule`'s window ending at `now` is counted by readEvaluationCounts. */
export function countedOnce(rule: AlertRule, now: number): boolean {
  return readsMinutes(rule, null) && wholeMinutes(now - rule.windowMs, now) !== null;
}

/**
 * Read, in a few statements, the window counts ending at `now` of the
 * `rules` that can read minutes (countedOnce) and the files and levels of
 * the slice `range`, for entries ingested before `visibleUntil` (the
 * evaluation's mark, null: none).
 *
 * @example
 *   const counts = await readEvaluationCounts(client, rules, now, step.visibleUntil, step.range, graceMs);
 *   counts.count(rule) // 412, or undefined for a rule with a pattern
 */
export async function readEvaluationCounts(
  client: Queryable,
  rules: readonly AlertRule[],
  now: number,
  visibleUntil: string | null,
  range: CommitRange | null,
  graceMs: number,
): Promise<EvaluationCounts> {
  const counted = rules.filter((r) => countedOnce(r, now));
  const slice = range === null ? [] : (await client.query<SliceGroupRow>(SQL.sliceGroups, rangeParams(range))).rows;
  const patterns = [...new Set(rules.map((r) => r.sourceLike).filter((p): p is string => p !== null))];
  const filesOf = new Map<string, Set<string>>(patterns.map((p) => [p, new Set()]));
  if (patterns.length > 0)
    for (const row of (await client.query<SourceLikeRow>(SQL.sourcesLike, [patterns])).rows) filesOf.get(row.pattern)?.add(row.source_id);
  const matches = (rule: AlertRule, source: string, level: string): boolean =>
    rule.levels.includes(level) && (rule.sourceLike === null || filesOf.get(rule.sourceLike)?.has(source) === true);

  const windows = new Map<number, Group[]>();
  if (counted.length > 0) {
    const lengths = [...new Set(counted.map((r) => r.windowMs))];
    const params = [
      lengths.map((w) => new Date(now - w)),
      lengths.map(() => new Date(now)),
      lengths.map((w) => wholeMinutes(now - w, now)?.lo),
      lengths.map((w) => wholeMinutes(now - w, now)?.hi),
      [...new Set(counted.flatMap((r) => r.levels))],
      visibleUntil,
    ];
    for (const length of lengths) windows.set(length, []);
    for (const row of (await client.query<WindowGroupRow>(SQL.evaluationWindowGroups, params)).rows) {
      const length = lengths[row.i - 1];
      if (length !== undefined) windows.get(length)?.push({ source: row.source_id, template: row.template_id, level: row.level, n: Number(row.n) });
    }
  }
  const keysOf = await readGroupKeys(client, counted, windows);
  const groupsOf = (rule: AlertRule): Group[] | undefined =>
    countedOnce(rule, now) ? (windows.get(rule.windowMs) ?? []).filter((g) => matches(rule, g.source, g.level)) : undefined;

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
  windows: ReadonlyMap<number, Group[]>,
): Promise<Map<string, Map<string, RuleKey>>> {
  const result = new Map<string, Map<string, RuleKey>>();
  const grouped = rules.filter((r) => r.groupBy.length > 0);
  if (grouped.length === 0) return result;
  const groups = new Map<string, Group>();
  for (const length of new Set(grouped.map((r) => r.windowMs))) for (const g of windows.get(length) ?? []) groups.set(groupId(g), g);
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
