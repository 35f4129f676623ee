import crypto from 'node:crypto';
import type { SNSClient } from '@aws-sdk/client-sns';
import type pg from 'pg';
import { ALERT_SQL as SQL } from '../../sql/alert-statements';
import type { ArrivalTimeRow, EvaluationLockRow, LastEvaluationRow, ReachedRow } from '../../sql/alert-statements';
import { evaluateRule, leavesRoomToFire } from './evaluator';
import type { AlertStateName, NotificationKind } from './categories';
import type { AlertRule } from './rules';
import { COMMIT_SAFETY_MARGIN_MS, advanceCommitCursor, endEvaluationMarks, setEvaluationMarks } from './commit-cursor';
import { ALERT_DEFAULTS, ALERT_DEFAULT_MS } from './defaults';
import type { CommitRange, CursorStep } from './commit-cursor';
import { evaluateGrouped, remindAfterSilence } from './grouped-rule';
import type { KeySummary } from './grouped-rule';
import { KEY_LIMIT, NO_KEY } from './rule-key';
import type { RuleKey } from './rule-key';
import { RULE_TYPE } from './rules';
import {
  abandonStateWrites,
  beginRuleStates,
  closeOutboxLedger,
  deferStateWrites,
  discardRuleStates,
  flushStateWrites,
  listStates,
  notificationsLastHour,
  openOutboxLedger,
  queueNotification,
  restoreRule,
  saveState,
  silenceEndedWhileFiring,
} from './state-store';
import type { StoredState } from './state-store';
import { catalogPolicy, updateTemplateCatalog } from './template-catalog';
import { withTransaction } from '../platform/db';
import type { AppLogger } from '../platform/logger';
import {
  LATE_REPORT_MAX_DELAY_MS,
  anyLateEntries,
  deleteLateTally,
  lateTallyDetails,
  mergeLateTally,
  readBusiestAcross,
  readLateBurst,
  readLateTallies,
  saveLateTally,
} from './late-data';
import type { LateLimits, LateTally } from './late-data';
import { readLateOnce } from './late-pass';
import type { LateRead } from './late-pass';
import { ensureSchema } from '../platform/migrations';
import { formatNotification } from './notification';
import { observeHealth } from './health-checks';
import type { HealthObservation, HealthRunFacts, RuleFailure } from './health-checks';
import { describeError } from '../platform/errors';
import { formatDuration } from '../platform/duration';
import { chooseEvaluationTime } from './evaluation-clock';
import { recordMuteOccurrences } from './mute-windows';
import { inhibitNotifications, releaseInhibited } from './inhibition';
import type { MuteWindow } from './mute-windows';
import type { ReferenceClock } from './evaluation-clock';
import { formatHealthNotification } from './health-notification';
import { DEFAULT_HEALTH_RULES, HEALTH_CHECK, HEALTH_RULE_PREFIX } from './health-rules';
import type { HealthRule } from './health-rules';
import { HEALTH_SQL } from '../../sql/health-statements';
import type { OutageRow } from '../../sql/health-statements';
import type { Notification, NotificationInput } from './notification';
import { publishOutbox } from './outbox-publisher';
import type { NotificationChannel } from './notification-channel';
import { snsChannel } from './sns-channel';
import type { ChannelPublishSummary, PublishFailure, PublishHooks } from './outbox-publisher';
import { busiestFreshWindow, countCap, countWindow, readIncidentDetails, readWindowDetails, windowEndingAt } from './rule-window';
import type { CountedWindow } from './rule-window';
import { COUNT_EACH_RULE, readEvaluationCounts } from './window-counts';
import { savepointOnFirstStatement } from './rule-savepoint';
import { maintainPatternMinutes } from './pattern-minutes';
import type { EvaluationCounts } from './window-counts';

export interface AlertHooks extends PublishHooks {
  /** Called inside the evaluation transaction just before COMMIT (tests hold it open here). */
  beforeEvaluationCommit?: () => Promise<void> | void;
  /** Called inside a rule's evaluation, under its savepoint and time limit (tests make a rule fail here). */
  duringRule?: (rule: AlertRule, client: pg.PoolClient) => Promise<void> | void;
  /** Called while the rules' window counts are read at once, under that read's savepoint (tests make the read fail here). */
  duringCounts?: (client: pg.PoolClient) => Promise<void> | void;
  /** Called while the rules' late entries are read at once, under that read's savepoint (tests make the read fail here). */
  duringLateRead?: (client: pg.PoolClient) => Promise<void> | void;
}

export interface AlertDeps {
  pool: pg.Pool;
  rules: AlertRule[];
  /** The built-in health rules evaluated by every run (AlertConfig.health); all of them with their defaults when omitted, none for []. */
  health?: readonly HealthRule[];
  /** The recurring mute windows (AlertConfig.muteWindows); none when omitted. */
  muteWindows?: readonly MuteWindow[];
  /** The notification channels (createChannels); without them the SNS topic of `sns` and `topicArn` alone. */
  channels?: readonly NotificationChannel[];
  sns?: Pick<SNSClient, 'send'>;
  topicArn?: string;
  /** Milliseconds since the epoch: the end of every window, and the time of every state change (see referenceNow). */
  now?: () => number;
  /**
   * The clock `now` is compared with at each evaluation (databaseNow in the
   * deployed function): when they are more than CLOCK_STEP_TOLERANCE_MS
   * apart, `now` has stepped and the run evaluates at the reference's time.
   * None: `now` is trusted, except that the rules' time never runs backwards.
   */
  referenceNow?: ReferenceClock;
  logger?: AppLogger;
  subjectPrefix?: string;
  /** ALERT_DASHBOARD_URL: the dashboard, linked from each notification's next step (null: the psql command instead). */
  dashboardUrl?: string | null;
  /**
   * Windows ending this long before `now` are still evaluated when entries
   * committed since the previous run fall in them (`ALERT_GRACE`); older
   * entries are late data.
   */
  graceMs?: number;
  /** ALERT_GROUP_WAIT (see PublishOutboxDeps.groupWaitMs); default 0. */
  groupWaitMs?: number;
  /** Late entries older than this at the run that examines them are not reported; 0 turns the late check off. */
  lateHorizonMs?: number;
  /** See COMMIT_SAFETY_MARGIN_MS (tests set 0 to need no waiting). */
  commitSafetyMarginMs?: number;
  /** Entries examined per evaluation, at most (MAX_EXAMINED_ENTRIES; tests set a small one). */
  maxExaminedEntries?: number;
  shouldStop?: () => boolean;
  signal?: AbortSignal;
  hooks?: AlertHooks;
  runId?: string;
  /**
   * Ingest asked for this run (it just stored entries, alert-event.ts): the
   * run waits out the commit safety margin, so the cursor can examine them,
   * and when another run holds the evaluation lock it waits for it (up to
   * `evaluationWaitMs`) and evaluates after it, instead of only publishing:
   * that run may have started before the entries were committed.
   */
  requested?: boolean;
  /** How long a requested run waits for the evaluation lock (default REQUESTED_LOCK_WAIT_MS). */
  evaluationWaitMs?: number;
  /** Waits (tests pass a fake). */
  sleep?: (ms: number) => Promise<void>;
}

/** How long a requested run waits for another run's evaluation to end. */
export const REQUESTED_LOCK_WAIT_MS = 20_000;
/** How often a requested run tries the evaluation lock again while it waits. */
const LOCK_RETRY_MS = 200;
/** Added to the commit safety margin a requested run waits out (clock granularity). */
const MARGIN_SLACK_MS = 100;

export interface RuleSummary {
  rule: string;
  /**
   * The count the state machine used, up to max(1000, threshold): the window
   * ending now or, when that alone is below the threshold (`clearBelow` while
   * FIRING), a busier one holding entries committed since the previous run
   * (see countRule).
   */
  count: number;
  /** End of the window `count` is about (ISO): the run's time, or an earlier one. */
  windowEnd: string;
  previous: AlertStateName;
  state: AlertStateName;
  /** Notification queued by this evaluation. */
  notification: Exclude<NotificationKind, 'late'> | null;
  /** Held back by the hourly cap (the rule stays FIRING). */
  held: 'resolution' | 'reminder' | null;
  /**
   * Late entries of this rule examined in this run, and its LATE DATA
   * report: queued; pending (added to the tally of a backlog still being
   * examined); held (due, but the hourly cap has no room: retried next run).
   */
  lateEntries: number;
  late: 'queued' | 'pending' | 'held' | null;
  /** Why this run could not evaluate the rule (its state and notifications are as before); null when it was. */
  error: string | null;
  /**
   * A rule with groupBy: each tracked key's evaluation (the fields above then
   * sum them up: the highest count, the worst state, the first notification).
   */
  keys: KeySummary[];
  /** Keys over the threshold past maxKeys, not tracked one by one. */
  keysOverLimit: number;
  /** Notifications this evaluation queued for the rule (all keys). */
  queued: number;
}

/** One health rule's evaluation. */
export interface HealthSummary {
  rule: string;
  previous: AlertStateName;
  state: AlertStateName;
  /** Queued by this evaluation (outbox-not-draining never queues: it is logged, and shown in status). */
  notification: Exclude<NotificationKind, 'late'> | null;
  held: 'resolution' | 'reminder' | null;
  /** What the check found. */
  headline: string;
  where: string[];
}

export interface AlertSummary {
  runId: string;
  startedAt: string;
  /** The time the rules were evaluated at (ISO): the run's clock; the reference's when the clock stepped; the previous evaluation's when it is later. */
  evaluatedAt: string;
  durationMs: number;
  /** `busy`: another run held the evaluation lock; this run only published. */
  evaluation: 'done' | 'busy';
  rulesEvaluated: number;
  transitions: number;
  rules: RuleSummary[];
  /** Rules no longer configured whose state was dropped (resolved if they were firing). */
  removedRules: string[];
  /** The health rules, evaluated after the threshold rules. */
  health: HealthSummary[];
  /** queued: by this evaluation (recorded ones too); inhibited: of those, folded into a critical's mail instead of sent (inhibition.ts). */
  notifications: {
    queued: number;
    inhibited: number;
    sent: number;
    failed: number;
    pending: number;
    failures: PublishFailure[];
    /** Per channel, when a `channels:` section configures them. */
    channels?: Record<string, ChannelPublishSummary>;
  };
}

interface Evaluation {
  evaluated: boolean;
  /** The time the rules were evaluated at: the clock, or the previous evaluation's time when the clock is behind it. */
  evaluatedAt: number;
  rules: RuleSummary[];
  removedRules: string[];
  health: HealthSummary[];
  queued: number;
  inhibited: number;
  /** The clock the run read for this evaluation (evaluatedAt differs when it was not followed). */
  clock: number;
  /** The evaluation's visibility mark (PostgreSQL text): the rules counted every entry ingested before it; null when not evaluated. */
  visibleUntil: string | null;
}

type RunDeps = Required<Pick<AlertDeps, 'pool' | 'rules' | 'health' | 'muteWindows' | 'subjectPrefix' | 'lateHorizonMs' | 'graceMs'>> & {
  /** The configured channels' names (health:channel-failing). */
  channelNames: readonly string[];
} & Pick<AlertDeps, 'dashboardUrl' | 'logger' | 'hooks' | 'commitSafetyMarginMs' | 'maxExaminedEntries' | 'referenceNow'>;

/**
 * The window that drives a rule's state machine: the one ending now, or,
 * when busier, the busiest one within the grace period that holds entries
 * committed since the previous run (`range`; null on the first run). The
 * latter is only looked for while the current count is below the bound the
 * state machine compares it with (the threshold; `clearBelow` while FIRING):
 * above it the decision is the same either way, and a busy log is spared
 * the rescan.
 */
async function countRule(
  client: pg.PoolClient,
  deps: RunDeps,
  rule: AlertRule,
  previous: StoredState | null,
  now: number,
  range: CommitRange | null,
  counts: EvaluationCounts,
): Promise<CountedWindow> {
  const current: CountedWindow = { ...windowEndingAt(rule, now), count: counts.count(rule) ?? (await countWindow(client, rule, now)) };
  const decisive = previous?.state === 'firing' ? rule.clearBelow : rule.threshold;
  if (range === null || current.count >= decisive || !counts.mayHaveFresh(rule)) return current;
  const fresh = await busiestFreshWindow(client, rule, range, now, deps.graceMs);
  return fresh !== null && fresh.count > current.count ? fresh : current;
}

/** One rule: count its windows, step its state machine, queue what the step owes. */
async function evaluateOne(
  client: pg.PoolClient,
  deps: RunDeps,
  rule: AlertRule,
  previous: StoredState | null,
  now: number,
  range: CommitRange | null,
  counts: EvaluationCounts,
): Promise<RuleSummary> {
  const window = await countRule(client, deps, rule, previous, now, range, counts);
  const count = window.count;
  const recent = previous?.state === 'firing' ? await notificationsLastHour(client, rule.name, now) : 0;
  const decision = evaluateRule(rule, previous, { count, now, notificationsLastHour: recent });
  if (decision.notify) {
    const input: NotificationInput = {
      kind: decision.notify,
      rule,
      now,
      prefix: deps.subjectPrefix,
      dashboardUrl: deps.dashboardUrl,
      details: await readWindowDetails(client, rule, window),
      firingSince: decision.notify === 'firing' ? null : (previous?.firingSince ?? null),
      heldSince: previous?.heldSince ?? null,
    };
    if (decision.notify === 'resolved') {
      input.peakCount = Math.max(previous?.peakCount ?? 0, count);
      input.peakAtLeast = input.peakCount >= countCap(rule);
      input.incident = await readIncidentDetails(client, rule, previous?.firingSince ?? null, now);
    }
    await queueNotification(client, rule.name, formatNotification(input), now);
  }
  let notified = decision.notify;
  if (
    !decision.notify &&
    decision.next.state === 'firing' &&
    (await remindAfterSilence(client, deps.subjectPrefix, deps.dashboardUrl, rule, NO_KEY, {}, window, previous, now))
  ) {
    decision.next = { ...decision.next, lastNotifiedAt: now };
    notified = 'reminder';
  }
  if (decision.held)
    deps.logger?.warn('notification held back by the hourly cap; the rule stays FIRING', {
      rule: rule.name,
      held: decision.held,
      cap: rule.maxNotificationsPerHour,
    });
  await saveState(client, rule, decision.next, count, now);
  return {
    rule: rule.name,
    count,
    windowEnd: new Date(window.toMs).toISOString(),
    previous: previous?.state ?? 'ok',
    state: decision.next.state,
    notification: notified,
    held: decision.held,
    lateEntries: 0,
    late: null,
    error: null,
    keys: [],
    keysOverLimit: 0,
    queued: notified ? 1 : 0,
  };
}

const STATE_RANK: Record<AlertStateName, number> = { ok: 0, pending: 1, firing: 2 };

/** PostgreSQL's "canceling statement due to statement timeout". */
const QUERY_CANCELED = '57014';

/** What made a rule fail, in words for its health notification. */
function ruleErrorText(err: unknown, timeoutMs: number): string {
  const cause = (err as { cause?: unknown }).cause ?? err;
  if ((cause as { code?: string }).code === QUERY_CANCELED)
    return `a statement ran past the rule's time limit of ${timeoutMs % 1000 === 0 ? formatDuration(timeoutMs) : `${timeoutMs}ms`} (timeout; a costly pattern, or a very busy window)`;
  return describeError(err).slice(0, 500);
}

/** The summary of a rule this run could not evaluate: its state is as stored. */
function failedRule(rule: AlertRule, stored: StoredState | null, now: number, error: string): RuleSummary {
  const state = stored?.state ?? 'ok';
  return {
    rule: rule.name,
    count: 0,
    windowEnd: new Date(now).toISOString(),
    previous: state,
    state,
    notification: null,
    held: null,
    lateEntries: 0,
    late: null,
    error,
    keys: [],
    keysOverLimit: 0,
    queued: 0,
  };
}

/**
 * A rule with groupBy: its keys (grouped-rule.ts), summed up in one summary,
 * and a rule-level row (key '') that `npm run status` shows: the worst state
 * of its keys and the highest count.
 */
async function evaluateGroupedRule(
  client: pg.PoolClient,
  deps: RunDeps,
  rule: AlertRule,
  stored: ReadonlyMap<RuleKey, StoredState>,
  now: number,
  range: CommitRange | null,
  counts: EvaluationCounts,
): Promise<RuleSummary> {
  const evaluation = await evaluateGrouped(client, deps, rule, stored, now, range, counts);
  const worst = evaluation.keys.reduce<AlertStateName>((w, k) => (STATE_RANK[k.state] > STATE_RANK[w] ? k.state : w), 'ok');
  const count = evaluation.keys.reduce((m, k) => Math.max(m, k.count), 0);
  // the key that notified, else the busiest, speaks for the rule
  const lead = evaluation.keys.find((k) => k.notification !== null) ?? evaluation.keys.find((k) => k.count === count);
  const previous = stored.get(NO_KEY);
  const firing = evaluation.keys.filter((k) => k.state === 'firing').length;
  const summaryState = {
    state: worst,
    stateSince: previous?.state === worst ? previous.stateSince : now,
    firingSince: null,
    lastNotifiedAt: null,
    peakCount: firing,
  };
  await saveState(client, rule, summaryState, count, now);
  return {
    rule: rule.name,
    count: lead?.count ?? count,
    windowEnd: lead?.windowEnd ?? new Date(now).toISOString(),
    previous: previous?.state ?? 'ok',
    state: worst,
    notification: evaluation.keys.find((k) => k.notification !== null)?.notification ?? null,
    held: evaluation.keys.find((k) => k.held !== null)?.held ?? null,
    lateEntries: 0,
    late: null,
    error: null,
    keys: evaluation.keys,
    keysOverLimit: evaluation.keysOverLimit,
    queued: evaluation.queued,
  };
}

/** Whether a stored row of a rule is one of its keys under its groupBy now (or its own row). */
function belongsToRule(rule: AlertRule, stored: StoredState): boolean {
  if (stored.key === NO_KEY) return true;
  if (rule.groupBy.length === 0) return false;
  if (stored.key === KEY_LIMIT) return true;
  const dims = Object.keys(stored.labels).sort().join(',');
  return dims === [...rule.groupBy].sort().join(',');
}

/** Whether the rule-level row of a rule stood for a rule-wide state (no groupBy) when it was stored. */
function wasRuleWide(stored: StoredState): boolean {
  const groupBy = (stored.rule as { groupBy?: unknown } | null)?.groupBy;
  return !Array.isArray(groupBy) || groupBy.length === 0;
}

/** The final RESOLVED of one firing state that is no longer evaluated (`reason` says why). */
async function resolveRetired(
  client: pg.PoolClient,
  deps: RunDeps,
  rule: AlertRule,
  stored: StoredState,
  now: number,
  reason: string,
  removed = false,
): Promise<void> {
  const key = stored.key === NO_KEY || stored.key === KEY_LIMIT ? null : stored.key;
  const notification = formatNotification({
    kind: 'resolved',
    rule,
    now,
    prefix: deps.subjectPrefix,
    dashboardUrl: deps.dashboardUrl,
    details: await readWindowDetails(client, rule, windowEndingAt(rule, now), key),
    firingSince: stored.firingSince,
    peakCount: stored.peakCount,
    peakAtLeast: stored.peakCount >= countCap(rule),
    reason,
    labels: key === null ? undefined : stored.labels,
    keysOverLimit: stored.key === KEY_LIMIT ? 0 : undefined,
    removed,
  });
  await queueNotification(client, rule.name, notification, now, stored.key, stored.labels);
}

/**
 * The rows of a configured rule that its groupBy no longer has (the rule
 * gained, lost or changed groupBy): a FIRING one gets its final RESOLVED,
 * saying so, and the row goes. The rule-level row of a rule that was rule-wide
 * and is grouped now is resolved the same way (it then holds the summary).
 */
async function retireOrphanKeys(client: pg.PoolClient, deps: RunDeps, rule: AlertRule, stored: Map<RuleKey, StoredState>, now: number): Promise<number> {
  let queued = 0;
  const why =
    rule.groupBy.length === 0
      ? 'The rule no longer has groupBy: it is evaluated as one state for all its entries from now on.'
      : `The rule now alerts per ${rule.groupBy.join('+')} (groupBy): this state is replaced by one per key.`;
  for (const [key, state] of stored) {
    const ruleWideRow = key === NO_KEY && rule.groupBy.length > 0 && wasRuleWide(state);
    if (belongsToRule(rule, state) && !ruleWideRow) continue;
    if (state.state === 'firing' && rule.type !== RULE_TYPE.NEW_TEMPLATE) {
      await resolveRetired(client, deps, restoreRule(rule.name, state.rule), state, now, why);
      queued += 1;
    }
    if (key !== NO_KEY) await client.query(SQL.deleteKeyState, [rule.name, key]);
    stored.delete(key);
  }
  return queued;
}

/** A rule gone from the configuration: each FIRING key (or the rule) gets its final RESOLVED. */
async function retireRule(client: pg.PoolClient, deps: RunDeps, name: string, keys: ReadonlyMap<RuleKey, StoredState>, now: number): Promise<number> {
  let queued = 0;
  for (const stored of keys.values()) {
    if (stored.state !== 'firing') continue;
    const rule = restoreRule(name, stored.rule);
    // a grouped rule's own row sums its keys up: each key is resolved by itself
    if (stored.key === NO_KEY && !wasRuleWide(stored)) continue;
    if (rule.type === RULE_TYPE.NEW_TEMPLATE) continue;
    await resolveRetired(client, deps, rule, stored, now, 'The rule was removed from ALERT_RULES while it was firing: it is no longer evaluated.', true);
    queued += 1;
  }
  await client.query(SQL.deleteState, [name]);
  await deleteLateTally(client, name);
  return queued;
}

/**
 * health:channel-failing names the failing channels in its `channel`
 * attribute: routing sends it to the other channels (channel-routing.ts).
 */
function routedAway(rule: HealthRule, notification: Notification, observation: HealthObservation): Notification {
  if (rule.check !== HEALTH_CHECK.CHANNEL_FAILING || !observation.active || observation.where.length === 0) return notification;
  const attributes = { ...notification.attributes, channel: observation.where.join(',') };
  return { ...notification, attributes };
}

/**
 * One health rule: observe its check, step the same state machine as a
 * threshold rule (the condition counts 1, the threshold is 1, no PENDING),
 * queue what the step owes. outbox-not-draining queues nothing (the outbox
 * is what is broken): it logs an ERROR while it fires, and status shows it.
 */
async function evaluateHealthRule(
  client: pg.PoolClient,
  deps: RunDeps,
  rule: HealthRule,
  previous: StoredState | null,
  now: number,
  run: HealthRunFacts,
): Promise<HealthSummary> {
  const observation = await observeHealth(client, rule, previous, now, run);
  const silent = rule.check === HEALTH_CHECK.OUTBOX_NOT_DRAINING;
  const recent = previous?.state === 'firing' && !silent ? await notificationsLastHour(client, rule.name, now) : 0;
  const evaluated = {
    threshold: 1,
    clearBelow: 1,
    forMs: 0,
    repeatIntervalMs: silent ? 0 : rule.repeatIntervalMs,
    maxNotificationsPerHour: rule.maxNotificationsPerHour,
  };
  const decision = evaluateRule(evaluated, previous, { count: observation.active ? 1 : 0, now, notificationsLastHour: recent });
  if (decision.notify && !silent) {
    const notification = formatHealthNotification({
      kind: decision.notify,
      rule,
      observation,
      now,
      prefix: deps.subjectPrefix,
      firingSince: decision.notify === 'firing' ? null : (previous?.firingSince ?? null),
    });
    await queueNotification(client, rule.name, routedAway(rule, notification, observation), now);
  }
  // a silence or mute window that recorded its latest notification ended while it still fails: one message says so
  let notified = silent ? null : decision.notify;
  const ended = !silent && !decision.notify && decision.next.state === 'firing' ? await silenceEndedWhileFiring(client, rule.name, NO_KEY, now) : null;
  if (ended) {
    const notification = formatHealthNotification({
      kind: 'reminder',
      rule,
      observation,
      now,
      prefix: deps.subjectPrefix,
      firingSince: previous?.firingSince ?? null,
      silenceEnded: ended,
    });
    await queueNotification(client, rule.name, routedAway(rule, notification, observation), now);
    decision.next = { ...decision.next, lastNotifiedAt: now };
    notified = 'reminder';
  }
  if (silent && observation.active)
    deps.logger?.error('notifications are not leaving the outbox: SNS does not accept them, and nobody is told through SNS', {
      rule: rule.name,
      headline: observation.headline,
    });
  if (silent && decision.notify === 'resolved') deps.logger?.info('the outbox drains again', { rule: rule.name });
  // The headline is kept with the rule: `npm run status` shows what is wrong now.
  const kept = { ...rule, headline: observation.headline, where: observation.where.slice(0, 20) };
  await saveState(client, kept, decision.next, observation.active ? 1 : 0, now);
  return {
    rule: rule.name,
    previous: previous?.state ?? 'ok',
    state: decision.next.state,
    notification: notified,
    held: decision.held,
    headline: observation.headline,
    where: observation.where,
  };
}

/** A health rule turned off while FIRING gets its final RESOLVED (outbox-not-draining: none). */
async function retireHealthRule(client: pg.PoolClient, deps: RunDeps, name: string, stored: StoredState, now: number): Promise<boolean> {
  const check = name.slice(HEALTH_RULE_PREFIX.length);
  const known = DEFAULT_HEALTH_RULES.find((r) => r.check === check);
  let queued = false;
  if (stored.state === 'firing' && known && known.check !== HEALTH_CHECK.OUTBOX_NOT_DRAINING) {
    const rule = { ...known, ...(typeof stored.rule === 'object' && stored.rule !== null ? (stored.rule as Partial<HealthRule>) : {}), name };
    const notification = formatHealthNotification({
      kind: 'resolved',
      rule,
      observation: { active: false, headline: 'no longer checked', lines: [], hint: '', where: [] },
      now,
      prefix: deps.subjectPrefix,
      firingSince: stored.firingSince,
      reason: 'The check was turned off in the health: section of ALERT_RULES while it was firing: it is no longer evaluated.',
    });
    await queueNotification(client, name, notification, now);
    queued = true;
  }
  await client.query(SQL.deleteState, [name]);
  return queued;
}

/** The latest ingest outage (health:ingest-not-running FIRING) when it ended after `firstLate` or lasts, within the late horizon. */
async function ingestOutageBefore(client: pg.PoolClient, deps: RunDeps, firstLate: number, now: number): Promise<{ from: number; to: number | null } | null> {
  const name = `${HEALTH_RULE_PREFIX}${HEALTH_CHECK.INGEST_NOT_RUNNING}`;
  const row = (await client.query<OutageRow>(HEALTH_SQL.latestOutage, [name])).rows[0];
  if (!row) return null;
  const from = row.from_at.getTime();
  const to = row.to_at?.getTime() ?? null;
  if (from < now - deps.lateHorizonMs || (to !== null && to < firstLate)) return null;
  return { from, to };
}

/**
 * Tally the late entries of this run's slice (see late-data.ts) and queue
 * each rule's LATE DATA report when it is due: once the cursor has caught up
 * with the backlog, or when the tally is LATE_REPORT_MAX_DELAY_MS old (then
 * it says "at least"). One report per rule per backlog, whatever the number
 * of runs it takes to examine.
 */
async function checkLateData(client: pg.PoolClient, deps: RunDeps, summaries: RuleSummary[], now: number, range: CommitRange | null): Promise<number> {
  if (deps.lateHorizonMs === 0 || deps.rules.length === 0) return 0;
  const tallies = await readLateTallies(client);
  const limits = { now, graceMs: deps.graceMs, horizonMs: deps.lateHorizonMs };
  const shortest = Math.min(...deps.rules.map((r) => r.windowMs));
  const anyLate = range !== null && (await anyLateEntries(client, range, shortest, limits));
  if (!anyLate && tallies.size === 0) return 0;
  const caughtUp = range === null || !range.more;
  // a new template is about now: late entries of one are catalogued, not reported; a failed rule is not looked at again
  const looked = deps.rules.filter((rule, i) => rule.type !== RULE_TYPE.NEW_TEMPLATE && summaries[i]?.error === null);
  const once = anyLate && range ? await readLateOnceOrEach(client, deps, looked, tallies, range, limits) : null;
  let queued = 0;
  for (const [i, rule] of deps.rules.entries()) {
    const summary = summaries[i]!;
    if (!looked.includes(rule)) continue;
    const stored = tallies.get(rule.name) ?? null;
    let tally = stored;
    if (anyLate && range) {
      const read = once?.get(rule.name);
      const burst = read?.burst ?? (await readLateBurst(client, rule, range, limits));
      summary.lateEntries = burst.total;
      const across = read?.across ?? (await readBusiestAcross(client, rule, stored, range, burst, limits));
      tally = mergeLateTally(stored, burst, now, range);
      if (tally && across > tally.busiest) tally = { ...tally, busiest: across };
    }
    if (!tally) continue;
    if (tally.busiest < rule.threshold) {
      if (caughtUp) await deleteLateTally(client, rule.name);
      else if (tally !== stored) await saveLateTally(client, rule.name, tally);
      continue;
    }
    if (!caughtUp && now - tally.since < LATE_REPORT_MAX_DELAY_MS) {
      if (tally !== stored) await saveLateTally(client, rule.name, tally);
      summary.late = 'pending';
      continue;
    }
    if (!leavesRoomToFire(rule, await notificationsLastHour(client, rule.name, now))) {
      if (tally !== stored) await saveLateTally(client, rule.name, tally);
      summary.late = 'held';
      deps.logger?.warn('late-data report held back by the hourly cap; retried next run', {
        rule: rule.name,
        lateEntries: tally.entries,
        busiest: tally.busiest,
      });
      continue;
    }
    const notification = formatNotification({
      kind: 'late',
      rule,
      now,
      prefix: deps.subjectPrefix,
      dashboardUrl: deps.dashboardUrl,
      details: lateTallyDetails(tally),
      busiestWindowCount: tally.busiest,
      // past its count cap a window across slices is not counted whole (late-pass.ts): at least this many
      busiestAtLeast: tally.busiest >= countCap(rule),
      lateStillExamining: !caughtUp,
      ingestOutage: await ingestOutageBefore(client, deps, tally.firstAt.getTime(), now),
    });
    await queueNotification(client, rule.name, notification, now);
    if (stored) await deleteLateTally(client, rule.name);
    summary.late = 'queued';
    queued += 1;
  }
  return queued;
}

/**
 * The late entries of every rule in the slice from one read (late-pass.ts),
 * under the longest `timeout` of the rules; null when it failed (logged):
 * each rule then reads its own, as before.
 */
async function readLateOnceOrEach(
  client: pg.PoolClient,
  deps: RunDeps,
  rules: AlertRule[],
  tallies: Map<string, LateTally>,
  range: CommitRange,
  limits: LateLimits,
): Promise<Map<string, LateRead> | null> {
  if (rules.length === 0) return null;
  const timeout = (await client.query<{ timeout: string }>(SQL.currentStatementTimeout)).rows[0]?.timeout ?? '0';
  const limit = Math.max(...rules.map((r) => r.timeoutMs));
  await client.query(SQL.setStatementTimeout, [`${limit}ms`]);
  await client.query(SQL.savepointRule);
  try {
    await deps.hooks?.duringLateRead?.(client);
    const read = await readLateOnce(client, rules, tallies, range, limits);
    await client.query(SQL.releaseRule);
    return read;
  } catch (err) {
    await client.query(SQL.rollbackRule);
    deps.logger?.warn('the late entries of all rules could not be read at once: each rule reads its own this run', { error: ruleErrorText(err, limit) });
    return null;
  } finally {
    await client.query(SQL.setStatementTimeout, [timeout]);
  }
}

/** Evaluate every rule in one transaction under the evaluation lock; busy when another run holds it. */
async function evaluateRules(deps: RunDeps, clock: number): Promise<Evaluation> {
  return withTransaction(deps.pool, async (client) => {
    try {
      return await evaluateLocked(client, deps, clock);
    } finally {
      endEvaluationMarks(client);
    }
  });
}

/** evaluateRules in its transaction: the lock, the cursor, every rule, the health rules, late data. */
async function evaluateLocked(client: pg.PoolClient, deps: RunDeps, clock: number): Promise<Evaluation> {
  const lock = await client.query<EvaluationLockRow>(SQL.tryLockEvaluation);
  if (lock.rows[0]?.locked !== true)
    return { evaluated: false, rules: [], removedRules: [], health: [], queued: 0, inhibited: 0, evaluatedAt: clock, clock, visibleUntil: null };
  // a clock that stepped (against the reference) is not followed, and time never runs backwards for the rules:
  // an ongoing burst is neither resolved nor fired again, entries on time are not late (evaluation-clock.ts)
  const last = (await client.query<LastEvaluationRow>(SQL.lastEvaluation)).rows[0]?.last?.getTime() ?? null;
  const reference = deps.referenceNow ? await deps.referenceNow(client) : null;
  const { at: now, source } = chooseEvaluationTime(clock, reference, last);
  if (source === 'reference')
    deps.logger?.warn('the clock disagrees with the reference clock (the database): this run evaluates at the reference time', {
      clock: new Date(clock).toISOString(),
      reference: new Date(now).toISOString(),
      aheadMs: clock - now,
    });
  if (source === 'previous')
    deps.logger?.warn('the clock is behind the previous evaluation: this run evaluates at that time', {
      clock: new Date(clock).toISOString(),
      previousEvaluation: new Date(now).toISOString(),
      behindMs: now - clock,
    });
  // the mute windows open now are silences for this evaluation's notifications
  await recordMuteOccurrences(client, deps.muteWindows, now);
  // Moved first: the entries it covers are examined by this run only, by the windows or as late data.
  const step = await advanceCommitCursor(client, deps.commitSafetyMarginMs, deps.maxExaminedEntries);
  await setEvaluationMarks(client, step, now);
  const range = step.range;
  if (range?.more)
    deps.logger?.info('backlog: this run examines a bounded slice of committed entries; the next goes on', { until: range.until, untilId: range.untilId });
  // the templates of the slice are catalogued before any rule reads the catalog
  await updateTemplateCatalog(client, step, catalogPolicy(deps.rules), now);
  const stored = await listStates(client);
  // what the firing keys' hourly caps and ended silences will ask of the outbox, read in one statement
  const firing = [...stored].flatMap(([rule, keys]) => [...keys.values()].filter((k) => k.state === 'firing').map((k) => ({ rule, key: k.key })));
  await openOutboxLedger(client, firing, now);
  try {
    return await evaluateEveryRule(client, deps, stored, now, clock, step);
  } finally {
    closeOutboxLedger(client);
  }
}

/**
 * The rules' window counts and the slice's files, read once for the whole
 * evaluation (window-counts.ts), after the pattern minutes took in what the
 * cursor passed (pattern-minutes.ts), under a savepoint and the longest rule
 * time limit: when that fails, it is logged and every rule counts on its own,
 * each under its own savepoint and limit as before.
 */
async function readCountsOnce(client: pg.PoolClient, deps: RunDeps, now: number, step: CursorStep): Promise<EvaluationCounts> {
  // every run, whatever else fails (with no rules: the patterns are dropped): the entries the cursor passed are added once, in this transaction
  const patterns = await maintainPatternMinutes(client, deps.rules, step, now, deps.graceMs, deps.logger);
  if (deps.rules.length === 0) return COUNT_EACH_RULE;
  const limit = Math.max(...deps.rules.map((r) => r.timeoutMs));
  await client.query(SQL.setStatementTimeout, [`${limit}ms`]);
  await client.query(SQL.savepointRule);
  try {
    await deps.hooks?.duringCounts?.(client);
    const counts = await readEvaluationCounts(client, deps.rules, now, step.visibleUntil, step.range, deps.graceMs, patterns);
    await client.query(SQL.releaseRule);
    return counts;
  } catch (err) {
    await client.query(SQL.rollbackRule);
    deps.logger?.warn('the window counts of all rules could not be read at once: each rule counts its own this run', {
      error: ruleErrorText(err, limit),
    });
    return COUNT_EACH_RULE;
  }
}

/** The rules, the health rules, the removed rules and the late data of one evaluation (see above). */
async function evaluateEveryRule(
  client: pg.PoolClient,
  deps: RunDeps,
  stored: Map<string, Map<RuleKey, StoredState>>,
  now: number,
  clock: number,
  step: CursorStep,
): Promise<Evaluation> {
  const range = step.range;
  const keysOf = (name: string): Map<RuleKey, StoredState> => stored.get(name) ?? new Map();
  let queued = 0;
  const rules: RuleSummary[] = [];
  const failures: RuleFailure[] = [];
  // each rule under its own savepoint and time limit (its `timeout`): one that fails is rolled back alone, and the others go on
  const timeout = (await client.query<{ timeout: string }>(SQL.currentStatementTimeout)).rows[0]?.timeout ?? '0';
  const counts = await readCountsOnce(client, deps, now, step);
  // the rules' states are written together after the last rule (one statement, not one per key)
  deferStateWrites(client);
  try {
    let limit: number | null = null;
    for (const rule of deps.rules) {
      const keys = keysOf(rule.name);
      // set outside the savepoint, so a rollback to it keeps the limit
      if (rule.timeoutMs !== limit) await client.query(SQL.setStatementTimeout, [`${rule.timeoutMs}ms`]);
      limit = rule.timeoutMs;
      // taken with the rule's first statement: a rule counted by readCountsOnce whose state stays runs none
      const savepoint = savepointOnFirstStatement(client, SQL.savepointRule);
      beginRuleStates(client);
      try {
        await deps.hooks?.duringRule?.(rule, client);
        let ruleQueued = await retireOrphanKeys(client, deps, rule, keys, now);
        const summary =
          rule.groupBy.length > 0
            ? await evaluateGroupedRule(client, deps, rule, keys, now, range, counts)
            : await evaluateOne(client, deps, rule, keys.get(NO_KEY) ?? null, now, range, counts);
        ruleQueued += summary.queued;
        savepoint.end();
        if (savepoint.taken) await client.query(SQL.releaseRule);
        rules.push(summary);
        queued += ruleQueued;
      } catch (err) {
        savepoint.end();
        if (savepoint.taken) await client.query(SQL.rollbackRule);
        discardRuleStates(client);
        const error = ruleErrorText(err, rule.timeoutMs);
        failures.push({ rule: rule.name, error });
        deps.logger?.error('rule not evaluated this run; the other rules are', { rule: rule.name, error });
        rules.push(failedRule(rule, keys.get(NO_KEY) ?? null, now, error));
      }
    }
    await client.query(SQL.setStatementTimeout, [timeout]);
    await flushStateWrites(client);
  } finally {
    abandonStateWrites(client);
  }
  const health: HealthSummary[] = [];
  for (const rule of deps.health)
    health.push(
      await evaluateHealthRule(client, deps, rule, keysOf(rule.name).get(NO_KEY) ?? null, now, {
        ruleFailures: failures,
        cursor: { backlog: range?.more === true, examinedUntil: step.position.at },
        channels: deps.channelNames,
      }),
    );
  queued += health.filter((h) => h.notification !== null).length;
  const configured = new Set([...deps.rules, ...deps.health].map((r) => r.name));
  const removedRules: string[] = [];
  for (const [name, keys] of stored) {
    if (configured.has(name)) continue;
    if (name.startsWith(HEALTH_RULE_PREFIX)) {
      const state = keys.get(NO_KEY);
      if (state && (await retireHealthRule(client, deps, name, state, now))) queued += 1;
      else if (!state) await client.query(SQL.deleteState, [name]);
    } else queued += await retireRule(client, deps, name, keys, now);
    removedRules.push(name);
  }
  queued += await checkLateData(client, deps, rules, now, range);
  // warnings for a source a critical fires for: folded into the critical's mail; those it no longer covers: sent
  queued += await releaseInhibited(client, deps, now);
  const inhibited = await inhibitNotifications(client, now);
  await deps.hooks?.beforeEvaluationCommit?.();
  return { evaluated: true, rules, removedRules, health, queued, inhibited, evaluatedAt: now, clock, visibleUntil: step.visibleUntil };
}

/**
 * A requested evaluation (AlertDeps.requested). The request arrives after
 * the entries it is about were committed, so every one of them was ingested
 * before the database's clock at its arrival: the run evaluates (after the
 * commit safety margin) until its visibility mark has passed that instant.
 * It tries again every LOCK_RETRY_MS, each try its own transaction (the
 * cursor's watermark is taken at its start), while another run holds the
 * evaluation lock or another logmon transaction holds the watermark back,
 * until `evaluationWaitMs` has passed.
 */
async function evaluateRequested(runDeps: RunDeps, deps: AlertDeps): Promise<Evaluation> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const clock = deps.now ?? Date.now;
  const arrivedAt = (await deps.pool.query<ArrivalTimeRow>(SQL.arrivalTime)).rows[0]!.now;
  await sleep((deps.commitSafetyMarginMs ?? COMMIT_SAFETY_MARGIN_MS) + MARGIN_SLACK_MS);
  const giveUpAt = clock() + (deps.evaluationWaitMs ?? REQUESTED_LOCK_WAIT_MS);
  for (;;) {
    const evaluation = await evaluateRules(runDeps, clock());
    const done = evaluation.visibleUntil !== null && (await deps.pool.query<ReachedRow>(SQL.reached, [evaluation.visibleUntil, arrivedAt])).rows[0]!.reached;
    if (done || clock() >= giveUpAt || deps.signal?.aborted === true || deps.shouldStop?.() === true) return evaluation;
    await sleep(LOCK_RETRY_MS);
  }
}

/**
 * One alert run: evaluate every rule at `now` (state change and the
 * notification it owes committed together in `alert_outbox`), then publish
 * the outbox. An overlapping run skips evaluation and only publishes rows no
 * one else holds. SNS failures are reported in the summary (rows stay for
 * the next run); database failures throw.
 *
 * @example
 *   const summary = await runAlert({ pool, rules: config.rules, sns, topicArn: config.topicArn });
 */
export async function runAlert(deps: AlertDeps): Promise<AlertSummary> {
  const started = Date.now();
  const runId = deps.runId ?? crypto.randomUUID();
  const now = (deps.now ?? Date.now)();
  const channels = deps.channels ?? (deps.sns && deps.topicArn ? [snsChannel(deps.sns, deps.topicArn)] : []);
  const runDeps: RunDeps = {
    pool: deps.pool,
    rules: deps.rules,
    // with one channel there is no other to tell: outbox-not-draining watches it
    health: (deps.health ?? DEFAULT_HEALTH_RULES).filter((r) => r.check !== HEALTH_CHECK.CHANNEL_FAILING || channels.length > 1),
    channelNames: channels.map((c) => c.name),
    muteWindows: deps.muteWindows ?? [],
    subjectPrefix: deps.subjectPrefix ?? ALERT_DEFAULTS.subjectPrefix,
    dashboardUrl: deps.dashboardUrl ?? null,
    lateHorizonMs: deps.lateHorizonMs ?? ALERT_DEFAULT_MS.lateHorizon,
    graceMs: deps.graceMs ?? ALERT_DEFAULT_MS.grace,
    commitSafetyMarginMs: deps.commitSafetyMarginMs,
    maxExaminedEntries: deps.maxExaminedEntries,
    referenceNow: deps.referenceNow,
    logger: deps.logger,
    hooks: deps.hooks,
  };
  await ensureSchema(deps.pool);
  const evaluation = deps.requested === true ? await evaluateRequested(runDeps, deps) : await evaluateRules(runDeps, now);
  if (!evaluation.evaluated) deps.logger?.info('another alert run is evaluating; this run only publishes', { runId });
  // the publisher's clock is corrected as the evaluation's was: the rows just queued are due (group wait), and sent after they were queued
  const clock = deps.now ?? Date.now;
  const correction = evaluation.evaluatedAt - evaluation.clock;
  const published = await publishOutbox({
    pool: deps.pool,
    channels,
    now: () => clock() + correction,
    logger: deps.logger,
    shouldStop: deps.shouldStop,
    signal: deps.signal,
    hooks: deps.hooks,
    groupWaitMs: deps.groupWaitMs ?? 0,
  });
  return {
    runId,
    startedAt: new Date(started).toISOString(),
    evaluatedAt: new Date(evaluation.evaluatedAt).toISOString(),
    durationMs: Date.now() - started,
    evaluation: evaluation.evaluated ? 'done' : 'busy',
    rulesEvaluated: evaluation.rules.length,
    transitions:
      evaluation.rules.filter((r) => r.previous !== r.state).length +
      evaluation.health.filter((h) => h.previous !== h.state).length +
      evaluation.removedRules.length,
    rules: evaluation.rules,
    removedRules: evaluation.removedRules,
    health: evaluation.health,
    notifications: { queued: evaluation.queued, inhibited: evaluation.inhibited, ...published },
  };
}
