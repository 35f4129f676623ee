import type pg from 'pg';
import { ALERT_SQL as SQL } from '../../sql/alert-statements';
import type { LateClassRow, LateEntryRow, PositionRow, TemplateCountRow } from '../../sql/alert-statements';
import type { AlertRule } from './rules';
import { rangeParams, visibleUntilOf } from './commit-cursor';
import type { CommitRange } from './commit-cursor';
import type { LateBurst, LateLimits, LateTally } from './late-data';
import { LATE_TOP_KEPT } from './late-data';
import { SAMPLE_ENTRIES, countCap, countableSince, readTemplateExamples, templateCountsOf, toSamples } from './rule-window';

// The late entries of every rule in a slice, read once (issue 16): the
// per-rule statements of late-data.ts (readLateBurst, readBusiestAcross)
// each read the slice, so a run during a backlog cost O(rules × slice),
// ~18 s at 20 rules and 100,000 entries a slice. lateSliceClasses reads the
// slice's late entries (for the latest bound of all rules) once, as
// classes: entries alike for every rule filter (file, level, template or
// first line, the rule bounds they meet, the patterns and file globs they
// match), each with its entries' times. Each rule's count, span and top
// templates are sums over its classes; its busiest window is one walk of
// the merged times in JavaScript; its samples come from the entries at its
// latest times (lateEntriesAt). For a rule with a tally whose busiest
// window is below its count cap, lateEarlierClasses reads the earlier
// slices' entries within one window of its late entries, and its busiest
// window across slices is walked alike; past the cap it is not (the slice's
// own window already meets the threshold: LATE DATA says "at least"). The
// result is what the per-rule statements return below the cap (tested side
// by side).

type Queryable = Pick<pg.PoolClient, 'query'>;

/** A rule's late entries in the slice and its busiest window across the tally's slices (readBusiestAcross; 0 without a tally, and when the slice's own reached the count cap). */
export interface LateRead {
  burst: LateBurst;
  across: number;
}

interface RuleFilter {
  rule: AlertRule;
  /** The entries' `tier` must be at least this (the rule's bound met). */
  tier: number;
  pattern: number | null;
  glob: number | null;
  /** The tally's start (a number of `starts`), null without a tally position. */
  start: number | null;
}

/** Every entry of the slice and of the earlier slices read, by time: `times` ascending (µs), `classes` each entry's class. */
interface Timeline {
  times: Float64Array;
  classes: Int32Array;
}

/**
 * The late entries of each of `rules` (none with a new-template condition)
 * in the slice `range`, and their busiest window across the slices of the
 * rule's tally in `tallies`: what readLateBurst and readBusiestAcross
 * return, for all rules from one read of the slice.
 *
 * @example
 *   const late = await readLateOnce(client, rules, tallies, range, { now, graceMs: 180_000, horizonMs: 86_400_000 });
 *   const { burst, across } = late.get(rule.name)!;
 */
export async function readLateOnce(
  client: Queryable,
  rules: AlertRule[],
  tallies: Map<string, LateTally>,
  range: CommitRange,
  limits: LateLimits,
): Promise<Map<string, LateRead>> {
  const read = new Map<string, LateRead>();
  if (rules.length === 0) return read;
  const bounds = [...new Set(rules.map((r) => countableSince(r, limits.now, limits.graceMs)))].sort((a, b) => a - b);
  const patterns = numbered(rules.map((r) => r.pattern));
  const globs = numbered(rules.map((r) => r.sourceLike));
  const filters: RuleFilter[] = rules.map((rule) => ({
    rule,
    tier: bounds.length - bounds.indexOf(countableSince(rule, limits.now, limits.graceMs)),
    pattern: rule.pattern === null ? null : (patterns.get(rule.pattern) ?? null),
    glob: rule.sourceLike === null ? null : (globs.get(rule.sourceLike) ?? null),
    start: null,
  }));
  // the statements' times are microseconds after the horizon
  const horizon = limits.now - limits.horizonMs;
  const shared = [
    new Date(bounds[bounds.length - 1]!),
    new Date(horizon),
    bounds.map((b) => new Date(b)),
    [...patterns.keys()],
    [...globs.keys()],
    visibleUntilOf(client),
  ];
  const params = [...rangeParams(range), ...shared];
  const rows: Classes = (await client.query<LateClassRow>(SQL.lateSliceClasses, params)).rows.map((c) => ({ ...c, current: true }));
  let timeline = timelineOf(rows);
  const partial = new Map<string, Partial>();
  // rules alike in all this reads (200 rules often have far fewer such filters) share one reading
  const alike = new Map<string, string>();
  for (const f of filters) {
    const same = sameReading(f);
    const earlier = partial.get(alike.get(same) ?? '');
    if (earlier) {
      partial.set(f.rule.name, earlier);
      continue;
    }
    alike.set(same, f.rule.name);
    partial.set(f.rule.name, readBurst(rows, timeline, f));
  }
  // the busiest window across the tally's slices, read for the rules whose busiest window is below their count cap
  const across = filters.filter((f) => tallyStart(tallies.get(f.rule.name)) !== null && (partial.get(f.rule.name)?.burst.busiest ?? 0) > 0);
  const capped = across.filter((f) => (partial.get(f.rule.name)?.burst.busiest ?? 0) >= countCap(f.rule));
  const counted = across.filter((f) => !capped.includes(f));
  if (counted.length > 0) {
    const starts = numbered(counted.map((f) => tallyStart(tallies.get(f.rule.name))));
    for (const f of counted) f.start = starts.get(tallyStart(tallies.get(f.rule.name)) ?? '') ?? null;
    const spans = counted.map((f) => acrossSpan(partial.get(f.rule.name)!, f.rule, horizon));
    const pairs = [...starts.keys()].map((k) => k.split('\n') as [string, string]);
    const first = (await client.query<PositionRow>(SQL.firstPosition, [pairs.map((p) => p[0]), pairs.map((p) => p[1])])).rows[0]!;
    const earlierRows = (
      await client.query<LateClassRow>(SQL.lateEarlierClasses, [
        range.from,
        range.fromId,
        new Date(Math.min(...spans.map((s) => s.lo))),
        // the last entries' times are whole milliseconds of their microseconds
        new Date(Math.max(...spans.map((s) => s.hi)) + 1),
        ...shared,
        pairs.map((p) => p[0]),
        pairs.map((p) => p[1]),
        [...new Set(counted.flatMap((f) => f.rule.levels))],
        first.at,
        first.id,
      ])
    ).rows.map((c) => ({ ...c, current: false }));
    const all = [...rows, ...earlierRows];
    timeline = timelineOf(all);
    for (const [k, f] of counted.entries()) {
      const p = partial.get(f.rule.name)!;
      const start = f.start;
      const span = spans[k]!;
      const since = all.map((c) => isOfRule(c, f) && (c.current || (start !== null && c.starts.includes(start))));
      const busiest = busiestWindow(timeline, since, f.rule.windowMs * 1000 - 1, (span.lo - horizon) * 1000, (span.hi - horizon) * 1000);
      partial.set(f.rule.name, { ...p, across: busiest });
    }
  }
  const parts = [...partial.values()];
  const examples = await readTemplateExamples(client, [...new Set(parts.flatMap((p) => p.top.map((t) => t.example_id)))]);
  // each rule's samples: its latest entries, among those logged at its latest times (ties included)
  const times = new Set(parts.flatMap((p) => p.latest));
  const latest = times.size === 0 ? [] : (await client.query<LateEntryRow>(SQL.lateEntriesAt, [...params, [...times]])).rows;
  for (const f of filters) {
    const p = partial.get(f.rule.name)!;
    const d = p.burst.details;
    const details = d && {
      ...d,
      topMessages: templateCountsOf(p.top, examples),
      samples: toSamples(
        latest
          .filter((e) => isOfRule(e, f))
          .sort((a, b) => b.us - a.us || byId(b.id, a.id))
          .slice(0, SAMPLE_ENTRIES),
      ),
    };
    read.set(f.rule.name, { burst: { ...p.burst, details }, across: p.across });
  }
  return read;
}

type Classes = (LateClassRow & { current: boolean })[];

/** What readLateOnce has of a rule before its examples and samples are read. */
interface Partial {
  burst: LateBurst;
  top: TemplateCountRow[];
  /** The times of its latest entries (SAMPLE_ENTRIES of them). */
  latest: number[];
  across: number;
}

/** The key under which rules read alike: their levels, glob, pattern, bound and window. */
function sameReading(f: RuleFilter): string {
  return `${[...f.rule.levels].sort().join(',')}\n${f.glob}\n${f.pattern}\n${f.tier}\n${f.rule.windowMs}`;
}

/** A rule's late entries in the slice: count, span, busiest window, top templates, the times of its latest entries. */
function readBurst(rows: Classes, timeline: Timeline, f: RuleFilter): Partial {
  const take = rows.map((c) => c.current && isOfRule(c, f));
  const current = rows.filter((_, i) => take[i]);
  const total = current.reduce((n, c) => n + Number(c.n), 0);
  if (total === 0) return { burst: { total: 0, busiest: 0, details: null }, top: [], latest: [], across: 0 };
  const firstAt = new Date(Math.min(...current.map((c) => c.first_at.getTime())));
  const lastAt = new Date(Math.max(...current.map((c) => c.last_at.getTime())));
  return {
    burst: {
      total,
      busiest: busiestWindow(timeline, take, f.rule.windowMs * 1000 - 1),
      details: { count: total, from: firstAt.getTime(), to: lastAt.getTime(), firstAt, lastAt, topMessages: [], samples: [] },
    },
    top: topTemplates(current),
    latest: latestTimes(timeline, take, SAMPLE_ENTRIES),
    across: 0,
  };
}

/** The entries readBusiestAcross counts a rule's windows over (ms): one window around the slice's late entries, after the horizon. */
function acrossSpan(p: Partial, rule: AlertRule, horizon: number): { lo: number; hi: number } {
  const d = p.burst.details!;
  return { lo: Math.max(horizon, d.from - rule.windowMs), hi: d.to + rule.windowMs };
}

/** The tally's start as one key (position text, newline, id), null without one. */
function tallyStart(tally: LateTally | undefined): string | null {
  return tally?.fromAt == null || tally.fromId == null ? null : `${tally.fromAt}\n${tally.fromId}`;
}

/** The distinct non-null values, numbered from 1 in order of appearance. */
function numbered(values: (string | null)[]): Map<string, number> {
  const numbers = new Map<string, number>();
  for (const v of values) if (v !== null && !numbers.has(v)) numbers.set(v, numbers.size + 1);
  return numbers;
}

/** Whether a class's entries (or an entry) are the rule's (its levels, file glob, pattern, bound). */
function isOfRule(c: Pick<LateClassRow, 'level' | 'tier' | 'globs' | 'pats'>, f: RuleFilter): boolean {
  return (
    f.rule.levels.includes(c.level) && c.tier >= f.tier && (f.glob === null || c.globs.includes(f.glob)) && (f.pattern === null || c.pats.includes(f.pattern))
  );
}

/** Big-endian float8 values (float8send) as numbers. */
function float8s(bytes: Buffer): Float64Array {
  const values = new Float64Array(bytes.length / 8);
  for (let i = 0; i < values.length; i += 1) values[i] = bytes.readDoubleBE(i * 8);
  return values;
}

/** The entries of all classes in time order: each class's times sorted, then merged (a heap of the classes by their next time). */
function timelineOf(rows: Classes): Timeline {
  const runs = rows.map((c) => float8s(c.times).sort());
  const size = runs.reduce((n, r) => n + r.length, 0);
  const times = new Float64Array(size);
  const classes = new Int32Array(size);
  const next = new Int32Array(runs.length);
  const head = (k: number): number => (runs[k] as Float64Array)[next[k] as number] as number;
  const heap = runs.map((_, k) => k).filter((k) => (runs[k] as Float64Array).length > 0);
  const down = (from: number): void => {
    let i = from;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) return;
      const r = l + 1;
      const c = r < heap.length && head(heap[r] as number) < head(heap[l] as number) ? r : l;
      if (head(heap[c] as number) >= head(heap[i] as number)) return;
      [heap[i], heap[c]] = [heap[c] as number, heap[i] as number];
      i = c;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i -= 1) down(i);
  for (let at = 0; at < size; at += 1) {
    const k = heap[0] as number;
    times[at] = head(k);
    classes[at] = k;
    next[k] = (next[k] as number) + 1;
    if ((next[k] as number) >= (runs[k] as Float64Array).length) {
      const last = heap.pop() as number;
      if (heap.length === 0) break;
      if (last !== k) heap[0] = last;
    }
    down(0);
  }
  return { times, classes };
}

/**
 * The most entries of the classes `take` within `frame` µs of one of them
 * (a window starting at an entry, as lateBursts' RANGE frame), over the
 * entries logged in (lo, hi] µs: two positions walk the timeline once.
 */
export function busiestWindow(line: Timeline, take: boolean[], frame: number, lo = Number.NEGATIVE_INFINITY, hi = Number.POSITIVE_INFINITY): number {
  const { times, classes } = line;
  let begin = 0;
  while (begin < times.length && (times[begin] as number) <= lo) begin += 1;
  let end = begin;
  while (end < times.length && (times[end] as number) <= hi) end += 1;
  let best = 0;
  let inWindow = 0;
  let j = begin;
  for (let i = begin; i < end; i += 1) {
    if (!take[classes[i] as number]) continue;
    const start = times[i] as number;
    while (j < end && (times[j] as number) - start <= frame) {
      if (take[classes[j] as number]) inWindow += 1;
      j += 1;
    }
    if (inWindow > best) best = inWindow;
    inWindow -= 1;
  }
  return best;
}

/** lateTopTemplates from a rule's classes: per template (or first line) the count, the latest entry, the first time, the files. */
function topTemplates(current: Classes): TemplateCountRow[] {
  const groups = new Map<string, { row: TemplateCountRow; rank: number; files: Set<string> }>();
  for (const c of current) {
    const key = `${c.rank}`;
    const seen = groups.get(key);
    if (!seen) {
      groups.set(key, {
        row: { template_id: c.template_id, line: c.line, n: c.n, example_id: c.max_id, first_at: c.first_at, files: '0' },
        rank: c.rank,
        files: new Set(c.source_id === null ? [] : [c.source_id]),
      });
      continue;
    }
    seen.row.n = String(Number(seen.row.n) + Number(c.n));
    if (BigInt(c.max_id) > BigInt(seen.row.example_id)) seen.row.example_id = c.max_id;
    if (c.first_at < seen.row.first_at) seen.row.first_at = c.first_at;
    if (c.source_id !== null) seen.files.add(c.source_id);
  }
  return [...groups.values()]
    .sort((a, b) => Number(b.row.n) - Number(a.row.n) || a.rank - b.rank)
    .slice(0, LATE_TOP_KEPT)
    .map((g) => ({ ...g.row, files: String(g.files.size) }));
}

/** The order of two ids (the integers they are). */
function byId(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The times of the latest `n` entries of the classes `take` (walking the timeline back). */
function latestTimes(line: Timeline, take: boolean[], n: number): number[] {
  const found: number[] = [];
  for (let i = line.times.length - 1; i >= 0 && found.length < n; i -= 1) if (take[line.classes[i] as number]) found.push(line.times[i] as number);
  return found;
}
