import type pg from 'pg';
import { ALERT_SQL as SQL } from '../../sql/alert-statements';
import type { KeyCountRow, KeyRow } from '../../sql/alert-statements';
import type { AlertStateName, NotificationKind } from './categories';
import { rangeParams, visibleUntilOf } from './commit-cursor';
import type { CommitRange } from './commit-cursor';
import { evaluateRule } from './evaluator';
import type { EvaluatedRule } from './evaluator';
import { formatNotification } from './notification';
import type { NotificationInput } from './notification';
import { readsMinutes, wholeMinutes } from './minute-counts';
import { KEY_LIMIT, NO_KEY, keyLabels } from './rule-key';
import type { KeyLabels, RuleKey } from './rule-key';
import {
  busiestFreshWindow,
  countCap,
  countableSince,
  queryRule,
  readIncidentDetails,
  readWindowDetails,
  ruleFilterParams,
  windowEndingAt,
} from './rule-window';
import type { CountedWindow, RuleWindow } from './rule-window';
import { RULE_TYPE } from './rules';
import type { AlertRule } from './rules';
import { deleteKeyState, notificationsLastHour, queueNotification, saveState, silenceEndedWhileFiring } from './state-store';
import type { StoredState } from './state-store';
import type { AppLogger } from '../platform/logger';
import type { EvaluationCounts } from './window-counts';

// A rule with `groupBy` (every new-template rule): one state machine per key
// (its values of service, host, file, template, level), each with its own
// PENDING, FIRING, reminders, resolution and hourly cap, so a second incident
// is never hidden behind the first. A key is tracked from the evaluation its
// count reaches the threshold until it is OK again; an OK key keeps no state.
// At most `maxKeys` keys are tracked at once: keys over the threshold past
// that are counted into the rule's key-limit notice (one FIRING when the
// limit is hit, one RESOLVED when it is not any more), never one mail each.

/** One key's evaluation. */
export interface KeySummary {
  key: RuleKey;
  labels: KeyLabels;
  count: number;
  /** End of the window `count` is about (ISO). */
  windowEnd: string;
  previous: AlertStateName;
  state: AlertStateName;
  notification: Exclude<NotificationKind, 'late'> | null;
  held: 'resolution' | 'reminder' | null;
}

export interface GroupedEvaluation {
  keys: KeySummary[];
  /** Keys over the threshold that the limit kept from being tracked. */
  keysOverLimit: number;
  queued: number;
}

export interface GroupedDeps {
  subjectPrefix: string;
  dashboardUrl?: string | null;
  graceMs: number;
  logger?: AppLogger;
}

/** The key-limit notice's state machine: FIRING while any key is over the limit. */
function keyLimitRule(rule: AlertRule): EvaluatedRule {
  return { threshold: 1, clearBelow: 1, forMs: 0, repeatIntervalMs: 0, maxNotificationsPerHour: rule.maxNotificationsPerHour };
}

/** The window count of each key of `rule` ending at `now` (its whole minutes from the per-minute counts when the rule allows). */
export async function countKeys(client: Pick<pg.PoolClient, 'query'>, rule: AlertRule, now: number): Promise<Map<RuleKey, number>> {
  const window = windowEndingAt(rule, now);
  const minutes = readsMinutes(rule, null) ? wholeMinutes(window.fromMs, window.toMs) : null;
  const rows =
    minutes === null
      ? (await queryRule<KeyCountRow>(client, rule, SQL.countByKey, ruleFilterParams(rule, window.from, window.to))).rows
      : (
          await queryRule<KeyCountRow>(
            client,
            rule,
            SQL.minuteCountByKey,
            [window.from, window.to, rule.levels, rule.sourceLike, minutes.lo, minutes.hi, visibleUntilOf(client), null],
            null,
            null,
          )
        ).rows;
  return new Map(rows.map((r) => [r.key, Number(r.n)]));
}

/** Keys with an entry committed in `range` that a window of the grace period can count. */
async function freshKeys(client: pg.PoolClient, rule: AlertRule, range: CommitRange, now: number, graceMs: number): Promise<RuleKey[]> {
  const params = [...ruleFilterParams(rule, new Date(countableSince(rule, now, graceMs)), new Date(now)), ...rangeParams(range)];
  return (await queryRule<KeyRow>(client, rule, SQL.freshKeys, params)).rows.map((r) => r.key);
}

/**
 * Evaluate every key of a grouped rule at `now`, queue what each key's step
 * owes, and keep its state (`stored`: the rule's stored keys).
 */
export async function evaluateGrouped(
  client: pg.PoolClient,
  deps: GroupedDeps,
  rule: AlertRule,
  stored: ReadonlyMap<RuleKey, StoredState>,
  now: number,
  range: CommitRange | null,
  counts: EvaluationCounts,
): Promise<GroupedEvaluation> {
  const cap = countCap(rule);
  const current = counts.keys(rule) ?? (await countKeys(client, rule, now));
  const windows = new Map<RuleKey, CountedWindow>();
  const base = windowEndingAt(rule, now);
  for (const [key, n] of current) windows.set(key, { ...base, count: Math.min(n, cap) });
  if (range !== null && counts.mayHaveFresh(rule)) {
    // a key below what decides its state may have had a busier window its entries were committed too late for
    for (const key of await freshKeys(client, rule, range, now, deps.graceMs)) {
      const decisive = stored.get(key)?.state === 'firing' ? rule.clearBelow : rule.threshold;
      const count = windows.get(key)?.count ?? 0;
      if (count >= decisive) continue;
      const fresh = await busiestFreshWindow(client, rule, range, now, deps.graceMs, key);
      if (fresh !== null && fresh.count > count) windows.set(key, fresh);
    }
  }
  const tracked = [...stored.keys()].filter((k) => k !== KEY_LIMIT && k !== NO_KEY);
  const candidates = [...windows]
    .filter(([key, w]) => !stored.has(key) && w.count >= rule.threshold)
    .sort(([a, wa], [b, wb]) => wb.count - wa.count || (a < b ? -1 : 1))
    .map(([key]) => key);
  const room = Math.max(0, rule.maxKeys - tracked.length);
  const admitted = candidates.slice(0, room);
  const keysOverLimit = candidates.length - admitted.length;

  const result: GroupedEvaluation = { keys: [], keysOverLimit, queued: 0 };
  for (const key of [...tracked, ...admitted]) {
    const summary = await evaluateKey(client, deps, rule, key, stored.get(key) ?? null, windows.get(key) ?? { ...base, count: 0 }, now);
    if (summary.queued) result.queued += 1;
    result.keys.push(summary.key);
  }
  if (await evaluateKeyLimit(client, deps, rule, stored.get(KEY_LIMIT) ?? null, keysOverLimit, now)) result.queued += 1;
  return result;
}

async function evaluateKey(
  client: pg.PoolClient,
  deps: GroupedDeps,
  rule: AlertRule,
  key: RuleKey,
  previous: StoredState | null,
  window: CountedWindow,
  now: number,
): Promise<{ key: KeySummary; queued: boolean }> {
  const labels = previous?.labels ?? keyLabels(rule.groupBy, key);
  const recent = previous?.state === 'firing' ? await notificationsLastHour(client, rule.name, now, key) : 0;
  const decision = evaluateRule(rule, previous, { count: window.count, now, notificationsLastHour: recent });
  // a new template is news when it comes, not when it goes
  const silent = rule.type === RULE_TYPE.NEW_TEMPLATE && decision.notify !== 'firing';
  let queued = false;
  if (decision.notify && !silent) {
    const details = await readWindowDetails(client, rule, window, key);
    const input: NotificationInput = {
      kind: decision.notify,
      rule,
      now,
      prefix: deps.subjectPrefix,
      dashboardUrl: deps.dashboardUrl,
      details,
      firingSince: decision.notify === 'firing' ? null : (previous?.firingSince ?? null),
      labels,
      templateText: 'template' in labels ? (details.topMessages[0]?.message ?? null) : null,
      heldSince: previous?.heldSince ?? null,
    };
    if (decision.notify === 'resolved') {
      input.peakCount = Math.max(previous?.peakCount ?? 0, window.count);
      input.peakAtLeast = input.peakCount >= countCap(rule);
      input.incident = await readIncidentDetails(client, rule, previous?.firingSince ?? null, now, key);
    }
    await queueNotification(client, rule.name, formatNotification(input), now, key, labels);
    queued = true;
  }
  let notified = silent ? null : decision.notify;
  if (
    !decision.notify &&
    decision.next.state === 'firing' &&
    (await remindAfterSilence(client, deps.subjectPrefix, deps.dashboardUrl, rule, key, labels, window, previous, now))
  ) {
    decision.next = { ...decision.next, lastNotifiedAt: now };
    notified = 'reminder';
    queued = true;
  }
  if (decision.held)
    deps.logger?.warn('notification held back by the hourly cap; the key stays FIRING', {
      rule: rule.name,
      key: labels,
      held: decision.held,
      cap: rule.maxNotificationsPerHour,
    });
  if (decision.next.state === 'ok') {
    if (previous) await deleteKeyState(client, rule.name, key);
  } else await saveState(client, rule, decision.next, window.count, now, { key, labels });
  return {
    key: {
      key,
      labels,
      count: window.count,
      windowEnd: new Date(window.toMs).toISOString(),
      previous: previous?.state ?? 'ok',
      state: decision.next.state,
      notification: notified,
      held: decision.held,
    },
    queued,
  };
}

/** The rule's key-limit notice: FIRING while keys over the threshold are past maxKeys. */
async function evaluateKeyLimit(
  client: pg.PoolClient,
  deps: GroupedDeps,
  rule: AlertRule,
  previous: StoredState | null,
  over: number,
  now: number,
): Promise<boolean> {
  if (previous === null && over === 0) return false;
  const recent = previous?.state === 'firing' ? await notificationsLastHour(client, rule.name, now, KEY_LIMIT) : 0;
  const decision = evaluateRule(keyLimitRule(rule), previous, { count: over, now, notificationsLastHour: recent });
  if (decision.notify) {
    const window = windowEndingAt(rule, now);
    const notification = formatNotification({
      kind: decision.notify,
      rule,
      now,
      prefix: deps.subjectPrefix,
      dashboardUrl: deps.dashboardUrl,
      details: await readWindowDetails(client, rule, window),
      keysOverLimit: over,
      firingSince: previous?.firingSince ?? null,
    });
    await queueNotification(client, rule.name, notification, now, KEY_LIMIT);
  }
  if (over > 0 && decision.notify === 'firing')
    deps.logger?.warn('rule has more keys over its threshold than maxKeys: the rest are not tracked one by one', {
      rule: rule.name,
      maxKeys: rule.maxKeys,
      keysOverLimit: over,
    });
  if (decision.next.state === 'ok') {
    if (previous) await deleteKeyState(client, rule.name, KEY_LIMIT);
  } else await saveState(client, rule, decision.next, over, now, { key: KEY_LIMIT, labels: {} });
  return decision.notify !== null;
}

/**
 * A rule's key (NO_KEY: the rule's own state) that still fires when the
 * silence that recorded its latest notification has ended: queue the one
 * STILL FIRING that says so. True when one was queued.
 */
export async function remindAfterSilence(
  client: pg.PoolClient,
  subjectPrefix: string,
  dashboardUrl: string | null | undefined,
  rule: AlertRule,
  key: RuleKey,
  labels: KeyLabels,
  window: RuleWindow,
  previous: StoredState | null,
  now: number,
): Promise<boolean> {
  const ended = await silenceEndedWhileFiring(client, rule.name, key, now);
  if (!ended) return false;
  const details = await readWindowDetails(client, rule, window, key === NO_KEY ? null : key);
  const input: NotificationInput = {
    kind: 'reminder',
    rule,
    now,
    prefix: subjectPrefix,
    dashboardUrl,
    details,
    firingSince: previous?.firingSince ?? null,
    labels,
    templateText: 'template' in labels ? (details.topMessages[0]?.message ?? null) : null,
    silenceEnded: ended,
  };
  await queueNotification(client, rule.name, formatNotification(input), now, key, labels);
  return true;
}
