import type { PublishCommand, PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { runAlert } from '../lib/alert/alert';
import type { AlertSummary } from '../lib/alert/alert';
import type { AlertRule } from '../lib/alert/rules';
import type { Pool } from '../lib/platform/db';
import { ensureSchema } from '../lib/platform/migrations';
import type pg from 'pg';
import { ALERT_SQL } from '../sql/alert-statements';
import type { CountRow, KeyCountRow } from '../sql/alert-statements';
import { countKeys } from '../lib/alert/grouped-rule';
import { ALERT_DEFAULT_MS } from '../lib/alert/defaults';
import { maintainPatternMinutes } from '../lib/alert/pattern-minutes';
import { readEvaluationCounts } from '../lib/alert/window-counts';
import { ruleStatement } from '../lib/alert/rule-sql';
import { countCap, countWindow, ruleFilterParams } from '../lib/alert/rule-window';
import { createDayPartitions } from './bench-database';
import { BENCH_SQL as SQL } from './bench-statements';
import { median } from './stats';

// The alert section of the bench: fill log_entries, then time runAlert (the
// alert handler's code path) over 20 rules written in the ALERT_RULES format.

/**
 * One steady-state window count of one rule: what runAlert reads (the
 * evaluation's one read of every rule that reads minutes, else the rule's own
 * countWindow or countKeys) and, as the same-run baseline, the same count
 * from the entries alone (the statements before the per-minute counts).
 */
export interface RuleCountTime {
  rule: string;
  /** Entries counted (the count stops at max(1000, threshold); a grouped rule: the sum over its keys). */
  count: number;
  /** Median ms of the rule's own statement (0: counted by the evaluation's one read, window-counts.ts). */
  ms: number;
  /** Median ms of the count from the entries alone. */
  rawMs: number;
  /** Whether runAlert counts it in the evaluation's one read (whole minutes from the per-minute counts or the pattern minutes). */
  minutes: boolean;
}

/** What the alert section measures. */
export interface AlertEvaluation {
  /** Median wall time of a steady-state runAlert (no transition, nothing to publish). */
  medianMs: number;
  /** Each steady-state run, in order. */
  runsMs: number[];
  /** The first run, when no state exists yet: rules go FIRING, notifications are rendered, queued and published. */
  firstRunMs: number;
  /** Of the first run: from its start to just before the evaluation transaction's COMMIT. */
  firstRunEvaluationMs: number;
  firstRunFiring: number;
  /** Notifications the first run published to the recording SNS stand-in. */
  firstRunMessages: number;
  /** Notifications queued by the steady-state runs (0: the clock is frozen, nothing changes). */
  steadyRunMessages: number;
}

/** What was loaded: `rows` entries over the `spanHours` ending at the load's start, and how long it took. */
export interface AlertLoad {
  rows: number;
  spanHours: number;
  seconds: number;
}

const LOAD_BATCH_ROWS = 1_000_000;
const BENCH_TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-bench';
/** The bench's default density: one entry every 60 ms (60,000 an hour). */
export const DEFAULT_ROW_INTERVAL_MS = 60;

/**
 * Fill `log_entries` with `rows` rows evenly spread over the `spanHours`
 * ending at the load's start (90% ERROR, 10% FATAL, 4 files in log_sources, 5 messages with
 * 1,000 variants each), with INSERT ... SELECT generate_series in batches of
 * a million, then VACUUM ANALYZE so the planner and the visibility map see
 * the final table. `spanHours` defaults to one row every 60 ms.
 */
export async function loadAlertRows(pool: Pool, rows: number, spanHours: number | null = null): Promise<AlertLoad> {
  const span = spanHours ?? (rows * DEFAULT_ROW_INTERVAL_MS) / 3_600_000;
  const intervalMs = (span * 3_600_000) / rows;
  const started = performance.now();
  const end = new Date();
  await pool.query(SQL.insertAlertSources);
  const days = Math.ceil(span / 24) + 1;
  await createDayPartitions(pool, end.getTime() - days * 24 * 3_600_000, days + 1);
  for (let first = 1; first <= rows; first += LOAD_BATCH_ROWS) {
    await pool.query(SQL.loadAlertRows, [Math.min(LOAD_BATCH_ROWS, rows - first + 1), first, intervalMs, end]);
  }
  await pool.query(SQL.vacuumAnalyzeEntries);
  return { rows, spanHours: span, seconds: (performance.now() - started) / 1000 };
}

/**
 * 20 rules in the ALERT_RULES format: {ERROR}, {FATAL}, {ERROR, FATAL} ×
 * windows of 1 to 60 minutes, thresholds 10 to 10,000 (some rules fire, some
 * do not); every fourth matches a message pattern, every fifth a file glob.
 * A rule below its threshold reads its whole window, one that reaches it
 * stops at its count cap.
 */
export function benchAlertRules(count = 20): Record<string, unknown>[] {
  const levelSets = [['ERROR'], ['FATAL'], ['ERROR', 'FATAL']];
  const windows = ['1m', '5m', '10m', '15m', '30m', '60m', '2m'];
  return Array.from({ length: count }, (_, i) => ({
    name: `bench-rule-${i + 1}`,
    levels: levelSets[i % levelSets.length],
    threshold: 10 ** (1 + (i % 4)),
    window: windows[i % windows.length],
    ...(i % 4 === 1 ? { pattern: 'timeout|refused' } : {}),
    ...(i % 5 === 2 ? { source: '/var/log/app-3*.log' } : {}),
    // a third of them per file, as the default rules are
    ...(i % 3 === 0 ? { groupBy: ['source'] } : {}),
  }));
}

function recordingSns(published: PublishCommandInput[]): Pick<SNSClient, 'send'> {
  return {
    send: async (command: PublishCommand) => {
      published.push(command.input);
      return { MessageId: `bench-${published.length}` };
    },
  } as unknown as Pick<SNSClient, 'send'>;
}

/**
 * Time `runAlert` over `rules` against `pool`, whose log_entries holds the
 * loaded rows. The clock is frozen at the newest entry, so every window is
 * full and every run sees the same counts. SNS is a stand-in that records
 * each PublishCommand and answers at once (no network): the time is the
 * evaluation plus the outbox's database work.
 *
 * The first run finds no state: the rules whose threshold the data meets go
 * FIRING and their notifications are rendered (window count, top messages,
 * samples), queued and published; it is reported on its own. The `repeats`
 * runs after it are the steady state of the minute-by-minute job (counts,
 * state writes, an empty outbox): their median is the figure.
 */
export async function measureAlertEvaluation(pool: Pool, rules: AlertRule[], repeats: number): Promise<AlertEvaluation> {
  const frozen = await newestEntryTime(pool);
  const published: PublishCommandInput[] = [];
  const sns = recordingSns(published);
  // Migrations are checked once per pool (once per Lambda container), not per run.
  await ensureSchema(pool);
  const run = async (): Promise<{ ms: number; evaluationMs: number; summary: AlertSummary }> => {
    const started = performance.now();
    let evaluated = started;
    const summary = await runAlert({
      pool,
      rules,
      sns,
      topicArn: BENCH_TOPIC,
      now: () => frozen,
      hooks: { beforeEvaluationCommit: () => void (evaluated = performance.now()) },
    });
    const ended = performance.now();
    return { ms: ended - started, evaluationMs: evaluated - started, summary };
  };
  const first = await run();
  const runsMs: number[] = [];
  let steadyRunMessages = 0;
  for (let r = 0; r < repeats; r += 1) {
    const { ms, summary } = await run();
    runsMs.push(ms);
    steadyRunMessages += summary.notifications.queued;
  }
  return {
    medianMs: median(runsMs),
    runsMs,
    firstRunMs: first.ms,
    firstRunEvaluationMs: first.evaluationMs,
    firstRunFiring: first.summary.rules.filter((r) => r.state === 'firing').length,
    firstRunMessages: published.length,
    steadyRunMessages,
  };
}

/** The count of `rule`'s window ending at `now` from the entries alone (the statements runAlert ran before the per-minute counts). */
async function rawWindowCount(client: Pick<pg.PoolClient, 'query'>, rule: AlertRule, now: number): Promise<number> {
  const filter = ruleFilterParams(rule, new Date(now - rule.windowMs), new Date(now));
  if (rule.groupBy.length > 0) {
    const s = ruleStatement(ALERT_SQL.countByKey, rule, filter);
    return (await client.query<KeyCountRow>(s.text, s.values)).rows.reduce((sum, k) => sum + Number(k.n), 0);
  }
  const s = ruleStatement(ALERT_SQL.countWindow, rule, [...filter, countCap(rule)]);
  return Number((await client.query<CountRow>(s.text, s.values)).rows[0]?.n ?? 0);
}

/**
 * The window counts alone, at the same frozen clock on one connection: what
 * runAlert reads (the pattern minutes brought up to the cursor, one read for
 * every rule that reads minutes, then each other rule's own statement, in a
 * transaction rolled back after), and, as the same-run baseline, each rule's
 * count from the entries alone. Returns the median totals and each rule's
 * count and medians (`ms` 0: the rule was counted by the one read); throws
 * when the two counts of a rule differ.
 */
export async function measureWindowCounts(
  pool: Pool,
  rules: AlertRule[],
  repeats: number,
): Promise<{ totalMs: number; rawTotalMs: number; perRule: RuleCountTime[] }> {
  const now = await newestEntryTime(pool);
  const client = await pool.connect();
  const grace = ALERT_DEFAULT_MS.grace;
  try {
    const position = (await client.query<{ at: string; id: string }>(SQL.cursorPosition)).rows[0] ?? { at: new Date(now).toISOString(), id: '0' };
    const totals: number[] = [];
    const rawTotals: number[] = [];
    const perRule = rules.map((rule) => ({ rule: rule.name, count: 0, once: false, times: [] as number[], rawTimes: [] as number[] }));
    for (let r = 0; r < repeats; r += 1) {
      await client.query('BEGIN');
      const started = performance.now();
      const patterns = await maintainPatternMinutes(client, rules, { position }, now, grace);
      const counts = await readEvaluationCounts(client, rules, now, null, null, grace, patterns);
      const owns: number[] = [];
      for (const [i, rule] of rules.entries()) {
        const once = rule.groupBy.length > 0 ? counts.keys(rule) : counts.count(rule);
        const ruleStarted = performance.now();
        const n =
          once instanceof Map
            ? [...once.values()].reduce((a, b) => a + b, 0)
            : (once ??
              (rule.groupBy.length > 0 ? [...(await countKeys(client, rule, now)).values()].reduce((a, b) => a + b, 0) : await countWindow(client, rule, now)));
        perRule[i]!.once = once !== undefined;
        perRule[i]!.times.push(once === undefined ? performance.now() - ruleStarted : 0);
        owns.push(n);
      }
      totals.push(performance.now() - started);
      await client.query('ROLLBACK');
      let rawTotal = 0;
      for (const [i, rule] of rules.entries()) {
        const rawStarted = performance.now();
        const raw = await rawWindowCount(client, rule, now);
        const ms = performance.now() - rawStarted;
        if (owns[i] !== raw) throw new Error(`bench: ${rule.name}: the window count is ${owns[i]}, from the entries alone ${raw}`);
        perRule[i]!.count = raw;
        perRule[i]!.rawTimes.push(ms);
        rawTotal += ms;
      }
      rawTotals.push(rawTotal);
    }
    return {
      totalMs: median(totals),
      rawTotalMs: median(rawTotals),
      perRule: perRule.map((p) => ({ rule: p.rule, count: p.count, ms: median(p.times), rawMs: median(p.rawTimes), minutes: p.once })),
    };
  } finally {
    client.release();
  }
}

async function newestEntryTime(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ t: Date | null }>(SQL.newestEntry);
  const t = rows[0]?.t;
  if (!t) throw new Error('log_entries is empty: load the alert rows first');
  return t.getTime();
}
