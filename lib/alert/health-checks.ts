import path from 'node:path';
import type pg from 'pg';
import { HEALTH_SQL as SQL } from '../../sql/health-statements';
import type {
  HealthCursorRow,
  LatestIngestRunRow,
  MissingDayRow,
  NewLossRow,
  OldestUnsentRow,
  ProblemSourceRow,
  RecentLinesRow,
} from '../../sql/health-statements';
import { ALERT_SQL } from '../../sql/alert-statements';
import { DELIVERY_SQL } from '../../sql/channel-statements';
import type { ChannelBacklogRow } from '../../sql/channel-statements';
import type { LogmonTransactionRow } from '../../sql/alert-statements';
import { LOSS_KINDS } from '../ingest/anomaly';
import { LOGMON_APPLICATION } from '../platform/db';
import { formatDuration } from '../platform/duration';
import type { RuleState } from './evaluator';
import type { HealthRule } from './health-rules';

/** What one health check found at one evaluation. */
/** A threshold rule this run could not evaluate, and why. */
export interface RuleFailure {
  rule: string;
  error: string;
}

/** What the alert run itself found, for the checks about it. */
export interface HealthRunFacts {
  ruleFailures: readonly RuleFailure[];
  /** The commit cursor after this run's step: still behind what is committed (a backlog), and where it stands. */
  cursor?: { backlog: boolean; examinedUntil: string };
  /** The configured channels' names (channel-failing). */
  channels?: readonly string[];
}

/**
 * rule-failing: rules this run could not evaluate (PostgreSQL rejected the
 * pattern, a statement ran past the rule's time limit, its `timeout`). The other rules were
 * evaluated as usual; these are blind until fixed.
 */
function ruleFailing(failures: readonly RuleFailure[]): HealthObservation {
  if (failures.length === 0) return { active: false, headline: 'every rule is evaluated', lines: [], hint: '', where: [] };
  const names = failures.map((f) => f.rule);
  return {
    active: true,
    headline: `${failures.length} rule${failures.length === 1 ? '' : 's'} could not be evaluated: ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''}`,
    lines: failures.slice(0, 20).map((f) => `${f.rule}: ${f.error}`),
    hint: 'These rules are blind until fixed (every other rule is evaluated as usual). Fix the pattern or narrow the rule in ALERT_RULES.',
    where: names,
  };
}

export interface HealthObservation {
  /** The condition holds (the rule is, or goes, FIRING). */
  active: boolean;
  /** One line for the subject: what is wrong (or, inactive, that it is not any more). */
  headline: string;
  /** The facts behind it, for the body. */
  lines: string[];
  /** What to do about it. */
  hint: string;
  /** Where, for status and the summary (paths, patterns, sources). */
  where: string[];
}

/** Where the ingest anomalies that lost bytes are queried (named in the loss-recorded mail). */
export const ANOMALY_QUERY_FILE = 'sql/queries/ingest-anomalies.sql';

function utc(ms: number | Date): string {
  return `${new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, '')} UTC`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

async function latestRun(client: pg.PoolClient): Promise<LatestIngestRunRow> {
  return (await client.query<LatestIngestRunRow>(SQL.latestIngestRun)).rows[0] ?? { finished_at: null, unmatched_patterns: null, silent_sources: null };
}

async function ingestNotRunning(client: pg.PoolClient, rule: HealthRule, previous: RuleState | null, now: number): Promise<HealthObservation> {
  const last = (await latestRun(client)).finished_at?.getTime() ?? null;
  const limit = formatDuration(rule.afterMs);
  const hint =
    'Look at the ingest function: its logs and errors, its schedule, whether it reaches the database. Entries logged meanwhile are read when it resumes (they arrive as LATE DATA).';
  if (last === null) {
    // Never ran (or its runs were pruned): counted from this rule's first evaluation.
    const since = previous?.stateSince ?? now;
    const active = previous?.state === 'firing' || now - since >= rule.afterMs;
    return {
      active,
      headline: `no ingest run recorded for ${formatDuration(now - since)} (limit ${limit})`,
      lines: ['Last run:   none recorded', `Limit:      ${limit}`],
      hint,
      where: [],
    };
  }
  const quiet = Math.max(0, now - last);
  const active = quiet >= rule.afterMs;
  return {
    active,
    headline: active ? `no ingest run for ${formatDuration(quiet)} (limit ${limit})` : 'ingest runs again',
    lines: [`Last run:   ${utc(last)}`, `Limit:      ${limit}`],
    hint,
    where: [],
  };
}

/**
 * A configured file or pattern that yields nothing: a pattern (a literal path
 * included) that matched no file at the last run, or a file that could not be
 * read. A checkpoint kept for a file that left a glob (deleted by a cleanup,
 * say) is not a problem by itself: it is named only when its path is a
 * literal configured path that matches nothing now.
 */
async function sourceMissing(client: pg.PoolClient): Promise<HealthObservation> {
  const rows = (await client.query<ProblemSourceRow>(SQL.problemSources)).rows;
  const unmatched = (await latestRun(client)).unmatched_patterns ?? [];
  const missing = [...new Set(rows.filter((r) => r.status === 'missing' && unmatched.includes(r.path)).map((r) => r.path))];
  const unreadable = rows.filter((r) => r.status !== 'missing');
  const noMatch = unmatched.filter((p) => !missing.includes(p));
  const lines = [
    ...missing.map((p) => `  missing     ${p}`),
    ...unreadable.map((r) => `  unreadable  ${r.path} (source ${r.source_name}): ${r.last_error ?? ''}`),
    ...noMatch.map((p) => `  no match    ${p}: the pattern matches no file`),
  ];
  const parts = [
    missing.length > 0 ? `${plural(missing.length, 'file')} missing` : '',
    unreadable.length > 0 ? `${plural(unreadable.length, 'file')} unreadable` : '',
    noMatch.length > 0 ? `${plural(noMatch.length, 'pattern')} matching no file` : '',
  ].filter((p) => p !== '');
  const active = lines.length > 0;
  return {
    active,
    headline: active ? parts.join(', ') : 'every configured file is there and readable',
    lines: active ? ['Files and patterns:', ...lines] : [],
    hint: 'Check the paths in LOG_FILES or the sources file, that the files exist where ingest runs (mounts) and that it may read them. Nothing is read from these files meanwhile.',
    where: [...missing, ...unreadable.map((r) => r.path), ...noMatch],
  };
}

async function sourceSilent(client: pg.PoolClient): Promise<HealthObservation> {
  const silent = (await latestRun(client)).silent_sources ?? [];
  const lines = silent.map(
    (s) => `  ${s.source}: ${s.lastActivity === null ? 'no file' : `last change ${utc(s.lastActivity)}`}, expected within ${formatDuration(s.withinMs)}`,
  );
  const active = silent.length > 0;
  return {
    active,
    headline: active
      ? `${plural(silent.length, 'source')} silent: ${silent.map((s) => s.source).join(', ')}`
      : 'every source with expectActivityWithin is active',
    lines: active ? ['Sources:', ...lines] : [],
    hint: 'The application writing these files may have stopped, or now logs elsewhere. expectActivityWithin in the sources file sets the limit.',
    where: silent.map((s) => s.source),
  };
}

async function notUnderstood(client: pg.PoolClient, rule: HealthRule, now: number): Promise<HealthObservation> {
  const rows = (await client.query<RecentLinesRow>(SQL.recentLines, [new Date(now - rule.afterMs)])).rows;
  const bad = rows
    .map((r) => ({ ...r, lines: Number(r.lines), unparsed: Number(r.unparsed) }))
    .filter((r) => r.lines >= rule.minLines && r.unparsed > r.lines * rule.share);
  const pct = (r: { lines: number; unparsed: number }): string => `${Math.round((r.unparsed * 100) / r.lines)}%`;
  const active = bad.length > 0;
  const first = bad[0];
  return {
    active,
    headline: active
      ? bad.length === 1 && first
        ? `${pct(first)} of ${first.lines} lines of ${path.basename(first.path)} not understood`
        : `${plural(bad.length, 'file')} mostly not understood`
      : 'the lines read are understood',
    lines: active
      ? [
          `Limit:      more than ${Math.round(rule.share * 100)}% of at least ${rule.minLines} lines, over the runs of the last ${formatDuration(rule.afterMs)}`,
          'Files:',
          ...bad.map((r) => `  ${pct(r).padStart(4)} of ${r.lines} lines  ${r.path} (source ${r.source})`),
        ]
      : [],
    hint: "Lines no format understands are not stored, so no rule counts them. `npm run inspect -- FILE` shows how logmon reads a file; set the source's format (docs/sources.md).",
    where: bad.map((r) => r.path),
  };
}

/** New losses since the last evaluation; moves the cursor (same transaction as the state it drives). */
async function lossRecorded(client: pg.PoolClient): Promise<HealthObservation> {
  const seen = (await client.query<HealthCursorRow>(SQL.readHealthCursor)).rows[0]?.loss_seen_id ?? '0';
  const rows = (await client.query<NewLossRow>(SQL.newLosses, [seen, [...LOSS_KINDS]])).rows;
  const last = rows.reduce((max, r) => (BigInt(r.last_id) > max ? BigInt(r.last_id) : max), BigInt(seen));
  if (rows.length > 0) await client.query(SQL.saveHealthCursor, [last.toString()]);
  const bytes = rows.reduce((sum, r) => sum + Number(r.bytes), 0);
  const files = new Set(rows.map((r) => r.path));
  const active = rows.length > 0;
  return {
    active,
    headline: active ? `${bytes} bytes lost in ${plural(files.size, 'file')}` : 'no bytes lost since the last check',
    lines: active
      ? [
          'Lost since the last check (bytes, kind, file):',
          ...rows.map((r) => `  ${r.bytes.padStart(10)}  ${r.kind.padEnd(20)}  ${r.path} (${plural(Number(r.occurrences), 'occurrence')})`),
          '',
          `See them: psql "$DATABASE_URL" -f ${ANOMALY_QUERY_FILE}`,
          'What each kind means: docs/tailing.md#anomaly-kinds',
        ]
      : [],
    hint: 'These bytes were never read (truncated or rotated away before ingest reached them, or rejected): rules never counted them.',
    where: [...files],
  };
}

async function outboxNotDraining(client: pg.PoolClient, rule: HealthRule, now: number): Promise<HealthObservation> {
  const row = (await client.query<OldestUnsentRow>(SQL.oldestUnsent)).rows[0];
  const oldest = row?.oldest?.getTime() ?? null;
  const age = oldest === null ? 0 : Math.max(0, now - oldest);
  const active = oldest !== null && age >= rule.afterMs;
  return {
    active,
    headline: active ? `${row?.n} notifications unsent, the oldest for ${formatDuration(age)}` : 'the outbox drains',
    lines: active ? [`Unsent:     ${row?.n}, oldest ${utc(oldest)}`, `Last error: ${row?.last_error ?? '(none recorded)'}`] : [],
    hint: 'SNS does not accept the publishes (network path, permissions, the topic or its key): see docs/alerting.md#delivery-guarantees.',
    where: [],
  };
}

/**
 * channel-failing: a configured channel owes a notification it failed to
 * deliver, queued `after` or longer ago (a channel that has nothing to send
 * is not looked at). Names each such channel; its notification is routed
 * to the other channels (channel-routing.ts).
 */
async function channelFailing(client: pg.PoolClient, rule: HealthRule, now: number, channels: readonly string[]): Promise<HealthObservation> {
  const rows = (await client.query<ChannelBacklogRow>(DELIVERY_SQL.channelBacklog, [channels])).rows;
  const failing = rows.filter((r) => r.oldest_failed !== null && now - r.oldest_failed.getTime() >= rule.afterMs);
  const age = (r: ChannelBacklogRow): string => formatDuration(Math.max(0, now - (r.oldest_failed?.getTime() ?? now)));
  const first = failing[0];
  const active = first !== undefined;
  return {
    active,
    headline: !active
      ? 'every channel delivers'
      : failing.length === 1
        ? `channel ${first.channel} failing for ${age(first)}: ${plural(Number(first.unsent), 'notification')} unsent`
        : `${failing.length} channels failing: ${failing.map((r) => r.channel).join(', ')}`,
    lines: active
      ? [
          'Channels:',
          ...failing.map(
            (r) =>
              `  ${r.channel}: ${r.unsent} unsent, the oldest failed one queued ${utc(r.oldest_failed!)}; last error: ${r.last_error ?? '(none recorded)'}`,
          ),
        ]
      : [],
    hint: 'Look at the channel named: its receiver, its credentials (the variables its urlFrom / secretFrom / routingKeyFrom name), the network path from the alert function (docs/alerting.md#channels). Nothing is lost: each notification is sent to it once it accepts them again.',
    where: failing.map((r) => r.channel),
  };
}

/**
 * alert-behind: the rules are not seeing entries as they are committed. A
 * transaction of a logmon session open for `after` or longer holds the
 * commit cursor (a stuck or frozen ingest: entries committed since it began
 * are counted, once, when it ends), or the cursor has been working through a
 * backlog for that long (its position `after` or more behind the clock).
 * Transactions of other programs (pg_dump, an operator's) never hold it.
 */
async function alertBehind(client: pg.PoolClient, rule: HealthRule, run: HealthRunFacts): Promise<HealthObservation> {
  const holder = (await client.query<LogmonTransactionRow>(ALERT_SQL.oldestLogmonTransaction, [LOGMON_APPLICATION])).rows[0];
  const heldMs = holder ? Number(holder.age_ms) : 0;
  const held = holder !== undefined && heldMs >= rule.afterMs;
  const behind = run.cursor?.backlog ? Number((await client.query<{ ms: string }>(SQL.behindMs, [run.cursor.examinedUntil])).rows[0]?.ms ?? 0) : 0;
  const backlog = run.cursor?.backlog === true && behind >= rule.afterMs;
  const lines: string[] = [];
  if (held) {
    lines.push(
      `Holder:     a transaction of ${LOGMON_APPLICATION} (pid ${holder.pid}, ${holder.state ?? 'unknown state'}), open since ${utc(holder.xact_start.getTime())}`,
      `Query:      ${holder.query ?? ''}`,
    );
  }
  if (run.cursor) lines.push(`Examined:   entries committed up to ${run.cursor.examinedUntil}${run.cursor.backlog ? ' (a backlog: the next runs go on)' : ''}`);
  const headline = held
    ? `held back by a transaction of ${LOGMON_APPLICATION} (pid ${holder.pid}) open for ${formatDuration(heldMs)}: entries committed since are not counted yet`
    : backlog
      ? `working through a backlog of committed entries, ${formatDuration(behind)} behind`
      : 'the rules see entries as they are committed';
  return {
    active: held || backlog,
    headline,
    lines: held || backlog ? lines : [],
    hint: held
      ? 'A logmon session keeps a transaction open (an ingest stuck or frozen): PostgreSQL ends it when idle for idle_in_transaction_session_timeout (logmon sets 5 minutes), the function time limit ends a running one; pg_terminate_backend(pid) ends it now. Its entries and those committed meanwhile are then counted once.'
      : 'A backlog (an outage caught up, a large file) is examined 100,000 entries per run: alerts on entries behind it wait for it.',
    where: [],
  };
}

/**
 * partition-missing: no day partition of log_entries covers today or
 * tomorrow (UTC, the database's clock). The retention job creates each day
 * two days ahead, every run (hourly), so tomorrow's missing means about a
 * day of runs that did not (deferred behind locks every time, failing, or
 * not scheduled). Entries of such a day go to the default partition: kept,
 * but expired only by the batched delete, whose cost grows with them.
 */
async function partitionMissing(client: pg.PoolClient): Promise<HealthObservation> {
  const days = (await client.query<MissingDayRow>(SQL.missingDayPartitions)).rows.map((r) => r.day);
  const active = days.length > 0;
  return {
    active,
    headline: active ? `no partition of log_entries for ${days.join(' and ')} (UTC)` : "today's and tomorrow's partitions of log_entries exist",
    lines: active ? ['Days without a partition (UTC):', ...days.map((d) => `  ${d}`)] : [],
    hint: "Look at the retention function: its schedule, its errors, and 'log partition maintenance deferred' warnings (a lock it waited 500 ms for every run: a long transaction on log_entries). `npm run job -- retention` creates them now; docs/performance.md#retention-by-day-partitions-issue-16.",
    where: days,
  };
}

/**
 * Look at one health check now. Reads only; loss-recorded also moves its
 * cursor in health_cursor, in the caller's transaction.
 *
 * @example
 *   const seen = await observeHealth(client, rule, stored ?? null, Date.now());
 */
export async function observeHealth(
  client: pg.PoolClient,
  rule: HealthRule,
  previous: RuleState | null,
  now: number,
  run: HealthRunFacts = { ruleFailures: [] },
): Promise<HealthObservation> {
  switch (rule.check) {
    case 'rule-failing':
      return ruleFailing(run.ruleFailures);
    case 'ingest-not-running':
      return ingestNotRunning(client, rule, previous, now);
    case 'source-missing':
      return sourceMissing(client);
    case 'source-silent':
      return sourceSilent(client);
    case 'not-understood':
      return notUnderstood(client, rule, now);
    case 'loss-recorded':
      return lossRecorded(client);
    case 'outbox-not-draining':
      return outboxNotDraining(client, rule, now);
    case 'alert-behind':
      return alertBehind(client, rule, run);
    case 'channel-failing':
      return channelFailing(client, rule, now, run.channels ?? []);
    case 'partition-missing':
      return partitionMissing(client);
  }
}
