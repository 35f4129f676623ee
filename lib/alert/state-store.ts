import type pg from 'pg';
import { ALERT_SQL as SQL } from '../../sql/alert-statements';
import type { AlertStateRow, CountRow, InsertedOutboxRow, LastSilencedRow } from '../../sql/alert-statements';
import { ALERT_DEFAULTS, ALERT_DEFAULT_MS } from './defaults';
import type { RuleState } from './evaluator';
import type { Notification, SilenceEnded } from './notification';
import { NO_KEY } from './rule-key';
import type { KeyLabels, RuleKey } from './rule-key';
import { RULE_TYPE } from './rules';
import type { AlertRule } from './rules';

// What the alert job keeps per rule and key between runs (alert_state), and
// what it owes subscribers (alert_outbox), written in the evaluation's
// transaction: a state change and its notification commit together.

const HOUR_MS = 3_600_000;

/** One stored state: a rule's (key '') or one key's of a rule with groupBy. */
export interface StoredState extends RuleState {
  key: RuleKey;
  labels: KeyLabels;
  /** The rule as last evaluated (a removed rule is resolved with it). */
  rule: unknown;
}

export function toStoredState(r: AlertStateRow): StoredState {
  return {
    state: r.state,
    stateSince: r.state_since.getTime(),
    firingSince: r.firing_since?.getTime() ?? null,
    lastNotifiedAt: r.last_notified_at?.getTime() ?? null,
    peakCount: Number(r.peak_count),
    clearingSince: r.clearing_since?.getTime() ?? null,
    heldSince: r.held_since?.getTime() ?? null,
    key: r.group_key,
    labels: r.labels as KeyLabels,
    rule: r.rule,
  };
}

/** The stored states of every rule, by rule name, then key. */
export async function listStates(client: pg.PoolClient): Promise<Map<string, Map<RuleKey, StoredState>>> {
  const byRule = new Map<string, Map<RuleKey, StoredState>>();
  for (const row of (await client.query<AlertStateRow>(SQL.listStates)).rows) {
    const keys = byRule.get(row.rule_name) ?? new Map<RuleKey, StoredState>();
    byRule.set(row.rule_name, keys);
    keys.set(row.group_key, toStoredState(row));
  }
  return byRule;
}

/**
 * A removed rule, as it was last evaluated (stored by logmon itself). A field
 * missing from the stored copy takes the rules' default; those without one
 * (levels, threshold, window) a placeholder, only shown in its RESOLVED.
 */
export function restoreRule(name: string, stored: unknown): AlertRule {
  const fallback: AlertRule = {
    name,
    description: null,
    levels: ['ERROR', 'FATAL'],
    threshold: 1,
    clearBelow: 1,
    windowMs: 60_000,
    forMs: ALERT_DEFAULT_MS.for,
    keepFiringForMs: 0,
    repeatIntervalMs: ALERT_DEFAULT_MS.repeatInterval,
    maxNotificationsPerHour: ALERT_DEFAULTS.rule.maxNotificationsPerHour,
    severity: 'warning',
    source: null,
    sourceLike: null,
    pattern: null,
    type: RULE_TYPE.THRESHOLD,
    groupBy: [],
    maxKeys: ALERT_DEFAULTS.rule.maxKeys,
    unseenForMs: ALERT_DEFAULT_MS.unseenFor,
    learningPeriodMs: ALERT_DEFAULT_MS.learningPeriod,
    timeoutMs: ALERT_DEFAULT_MS.ruleTimeout,
  };
  return typeof stored === 'object' && stored !== null ? { ...fallback, ...(stored as Partial<AlertRule>), name } : fallback;
}

export interface StateKey {
  key: RuleKey;
  labels: KeyLabels;
}

const RULE_LEVEL: StateKey = { key: NO_KEY, labels: {} };

export async function saveState(
  client: pg.PoolClient,
  rule: Pick<AlertRule, 'name' | 'severity'>,
  state: RuleState,
  count: number,
  now: number,
  at: StateKey = RULE_LEVEL,
): Promise<void> {
  const date = (v: number | null): Date | null => (v === null ? null : new Date(v));
  await client.query(SQL.saveState, [
    rule.name,
    state.state,
    new Date(state.stateSince),
    date(state.firingSince),
    count,
    state.peakCount,
    new Date(now),
    date(state.lastNotifiedAt),
    JSON.stringify(rule),
    at.key,
    JSON.stringify(at.labels),
    date(state.clearingSince ?? null),
    date(state.heldSince ?? null),
  ]);
}

/** A key back to OK keeps no state. */
export async function deleteKeyState(client: pg.PoolClient, ruleName: string, key: RuleKey): Promise<void> {
  await client.query(SQL.deleteKeyState, [ruleName, key]);
}

/**
 * Queue a notification of a rule's key in the evaluation's transaction. A
 * silence matching the rule and the key's labels records it instead of
 * sending it: true when one did.
 */
export async function queueNotification(
  client: pg.PoolClient,
  ruleName: string,
  notification: Notification,
  now: number,
  key: RuleKey = NO_KEY,
  labels: KeyLabels = {},
): Promise<boolean> {
  const row = (
    await client.query<InsertedOutboxRow>(SQL.insertOutbox, [
      ruleName,
      notification.kind,
      notification.subject,
      notification.body,
      JSON.stringify(notification.attributes),
      new Date(now),
      key,
      JSON.stringify(labels),
    ])
  ).rows[0];
  return row?.silenced_by !== null && row?.silenced_by !== undefined;
}

/** The silence that recorded the key's latest notification instead of sending it, if any. */
export async function lastSilenced(client: pg.PoolClient, ruleName: string, key: RuleKey): Promise<LastSilencedRow | null> {
  return (await client.query<LastSilencedRow>(SQL.lastSilenced, [ruleName, key])).rows[0] ?? null;
}

/** Notifications a rule's key queued in the hour before `now` (the hourly cap is per key). */
export async function notificationsLastHour(client: pg.PoolClient, ruleName: string, now: number, key: RuleKey = NO_KEY): Promise<number> {
  const result = await client.query<CountRow>(SQL.countRecentNotifications, [ruleName, new Date(now - HOUR_MS), key]);
  return Number(result.rows[0]?.n ?? 0);
}

/**
 * When the key's latest notification was recorded by a silence that has
 * ended, the silence (the alert still fires: one message says so); else null.
 */
export async function silenceEndedWhileFiring(client: pg.PoolClient, ruleName: string, key: RuleKey, now: number): Promise<SilenceEnded | null> {
  const row = await lastSilenced(client, ruleName, key);
  if (row === null || row.ends_at.getTime() > now) return null;
  return { id: row.id, comment: row.comment, endedAt: row.ends_at.getTime(), muteWindow: row.mute_window };
}
