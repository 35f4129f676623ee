import type pg from 'pg';
import { ALERT_SQL as SQL } from '../../sql/alert-statements';
import type { FoundRow, LateBurstRow, LateBusiestRow, LateTallyRow, SampleEntryRow, TemplateCountRow } from '../../sql/alert-statements';
import type { AlertRule } from './rules';
import { rangeParams } from './commit-cursor';
import type { CommitRange } from './commit-cursor';
import type { MessageCount, SampleEntry, WindowDetails } from './notification';
import { SAMPLE_ENTRIES, TOP_MESSAGES, countableSince, queryRule, ruleFilterParams, toSamples, toTemplateCounts } from './rule-window';

// Late data, as logmon defines it: an entry examined by an evaluation (the
// commit cursor's slice, commit-cursor.ts) that is already too old for any
// window the run evaluates (at or before `countableSince`: now - grace -
// window), typically a backlog read after downtime. It never moves a rule's
// state (a rule firing now about the past and resolving a minute later would
// be noise); instead a rule whose late entries would have met its threshold
// within one window gets a LATE DATA notification about that past period.
// Younger entries are counted by the fresh windows (rule-window.ts): the two
// share the line, so every entry is on exactly one side of it.
//
// A large backlog is examined in slices over several evaluations. Each
// slice's late entries are added to the rule's tally (alert_late_tally), and
// the report goes out once, when the cursor has caught up with the backlog,
// or after LATE_REPORT_MAX_DELAY_MS (then it says "at least": more follows).

type Queryable = Pick<pg.PoolClient, 'query'>;

/** A backlog still being examined is reported after this long anyway (with "at least"). */
export const LATE_REPORT_MAX_DELAY_MS = 3_600_000;

/**
 * Distinct first lines kept per slice and in a tally: the report's top
 * messages are summed over the slices, each counting the messages among its
 * own most frequent, so over several slices their counts are a lower bound.
 */
export const LATE_TOP_KEPT = 20;

export interface LateBurst {
  /** Late entries of the rule in the slice. */
  total: number;
  /** Most late entries within any one window of the rule, in the slice. */
  busiest: number;
  /** Filled when `total` > 0. */
  details: WindowDetails | null;
}

/** A rule's late entries over the slices examined since its last report. */
export interface LateTally {
  entries: number;
  /** Most late entries within one window of the rule (a window a slice boundary split counted whole: readBusiestAcross). */
  busiest: number;
  firstAt: Date;
  lastAt: Date;
  topMessages: MessageCount[];
  samples: SampleEntry[];
  /** The run's clock when the tally began. */
  since: number;
  /** The commit cursor's position at the tally's first slice (PostgreSQL text, id); null for a tally from before migration 014. */
  fromAt: string | null;
  fromId: string | null;
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
  const result = await client.query<FoundRow>(SQL.anyLateEntries, [...rangeParams(range), new Date(latest), new Date(limits.now - limits.horizonMs)]);
  return result.rows[0]?.found === true;
}

/**
 * The late entries of `rule` in the slice `range`, and their busiest window.
 *
 * @example
 *   const burst = await readLateBurst(client, rule, range, { now: Date.now(), graceMs: 180_000, horizonMs: 86_400_000 });
 *   const tally = mergeLateTally(stored, burst, Date.now());
 */
export async function readLateBurst(client: Queryable, rule: AlertRule, range: CommitRange, limits: LateLimits): Promise<LateBurst> {
  const late = ruleFilterParams(rule, new Date(limits.now - limits.horizonMs), new Date(countableSince(rule, limits.now, limits.graceMs)));
  const params = [...late, ...rangeParams(range)];
  const bursts = await queryRule<LateBurstRow>(client, rule, SQL.lateBursts, [...params, rule.windowMs]);
  const row = bursts.rows[0];
  const total = Number(row?.n ?? 0);
  const busiest = Number(row?.busiest ?? 0);
  if (total === 0) return { total, busiest, details: null };
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
      topMessages: await toTemplateCounts(client, (await queryRule<TemplateCountRow>(client, rule, SQL.lateTopTemplates, [...params, LATE_TOP_KEPT])).rows),
      samples: toSamples((await queryRule<SampleEntryRow>(client, rule, SQL.lateSampleEntries, [...params, SAMPLE_ENTRIES])).rows),
    },
  };
}

/**
 * The busiest window of `rule`'s late entries examined since `tally` began
 * (its first slice's position) up to this slice's end, around this slice's
 * late entries (`burst`): with the slices before, a window a slice boundary
 * split is counted whole. 0 without a tally position or late entries.
 */
export async function readBusiestAcross(
  client: Queryable,
  rule: AlertRule,
  tally: LateTally | null,
  range: CommitRange,
  burst: LateBurst,
  limits: LateLimits,
): Promise<number> {
  const d = burst.details;
  if (tally?.fromAt == null || tally.fromId == null || !d?.firstAt || !d.lastAt) return 0;
  const from = new Date(Math.max(limits.now - limits.horizonMs, d.firstAt.getTime() - rule.windowMs));
  const late = ruleFilterParams(rule, from, new Date(countableSince(rule, limits.now, limits.graceMs)));
  const since: CommitRange = { ...range, from: tally.fromAt, fromId: tally.fromId };
  const params = [...late, ...rangeParams(since), rule.windowMs, new Date(d.lastAt.getTime() + rule.windowMs)];
  const row = (await queryRule<LateBusiestRow>(client, rule, SQL.lateBusiest, params)).rows[0];
  return Number(row?.busiest ?? 0);
}

/** Add a slice's late entries to a rule's tally (pure); `range`: the slice (where a new tally begins). */
export function mergeLateTally(tally: LateTally | null, burst: LateBurst, now: number, range?: CommitRange): LateTally | null {
  const d = burst.details;
  if (!d?.firstAt || !d.lastAt) return tally;
  if (!tally)
    return {
      entries: burst.total,
      busiest: burst.busiest,
      firstAt: d.firstAt,
      lastAt: d.lastAt,
      topMessages: d.topMessages,
      samples: d.samples,
      since: now,
      fromAt: range?.from ?? null,
      fromId: range?.fromId ?? null,
    };
  const counts = new Map<string, MessageCount>();
  for (const m of [...tally.topMessages, ...d.topMessages]) {
    const seen = counts.get(m.message);
    counts.set(m.message, seen ? { ...seen, count: seen.count + m.count } : m);
  }
  return {
    entries: tally.entries + burst.total,
    busiest: Math.max(tally.busiest, burst.busiest),
    firstAt: new Date(Math.min(d.firstAt.getTime(), tally.firstAt.getTime())),
    lastAt: new Date(Math.max(d.lastAt.getTime(), tally.lastAt.getTime())),
    topMessages: [...counts.values()].sort((a, b) => b.count - a.count || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)).slice(0, LATE_TOP_KEPT),
    samples: [...d.samples, ...tally.samples].sort((a, b) => b.loggedAt.getTime() - a.loggedAt.getTime()).slice(0, SAMPLE_ENTRIES),
    since: tally.since,
    fromAt: tally.fromAt,
    fromId: tally.fromId,
  };
}

/** What the LATE DATA notification shows about a tally. */
export function lateTallyDetails(tally: LateTally): WindowDetails {
  return {
    count: tally.entries,
    from: tally.firstAt.getTime(),
    to: tally.lastAt.getTime(),
    firstAt: tally.firstAt,
    lastAt: tally.lastAt,
    topMessages: tally.topMessages.slice(0, TOP_MESSAGES),
    samples: tally.samples,
  };
}

/** Every rule's tally not reported yet, by rule name. */
export async function readLateTallies(client: Queryable): Promise<Map<string, LateTally>> {
  const rows = (await client.query<LateTallyRow>(SQL.listLateTallies)).rows;
  const tallies = new Map<string, LateTally>();
  for (const r of rows) {
    tallies.set(r.rule_name, {
      entries: Number(r.entries),
      busiest: Number(r.busiest),
      firstAt: r.first_at,
      lastAt: r.last_at,
      topMessages: r.top_messages,
      samples: r.samples.map((s) => ({ ...s, loggedAt: new Date(s.loggedAt) })),
      since: r.since.getTime(),
      fromAt: r.from_at,
      fromId: r.from_id,
    });
  }
  return tallies;
}

export async function saveLateTally(client: Queryable, ruleName: string, tally: LateTally): Promise<void> {
  await client.query(SQL.saveLateTally, [
    ruleName,
    tally.entries,
    tally.busiest,
    tally.firstAt,
    tally.lastAt,
    JSON.stringify(tally.topMessages),
    JSON.stringify(tally.samples),
    new Date(tally.since),
    tally.fromAt,
    tally.fromId,
  ]);
}

export async function deleteLateTally(client: Queryable, ruleName: string): Promise<void> {
  await client.query(SQL.deleteLateTally, [ruleName]);
}
