import type pg from 'pg';
import { ALERT_SQL as SQL } from '../../sql/alert-statements';
import type { AlertStateRow, CountRow, InsertedOutboxRow, LastSilencedRow, OutboxLedgerRow } from '../../sql/alert-statements';
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

/** One saveState's values, in SQL.saveState's parameter order. */
type StateValues = [string, string, Date, Date | null, number, number, Date, Date | null, string, RuleKey, string, Date | null, Date | null];

/**
 * States saved while the rules of an evaluation run (issue 16: one upsert for
 * every key of every rule, where each key was one statement), held per
 * transaction's client between deferStateWrites and flushStateWrites. A
 * rule's own are dropped when its savepoint is rolled back
 * (discardRuleStates), as its statements would have been.
 */
interface DeferredStates {
  rows: Map<string, StateValues>;
  /** The keys saved since the current rule began (beginRuleStates). */
  rule: string[];
}

const deferred = new WeakMap<pg.PoolClient, DeferredStates>();
const stateKey = (ruleName: string, key: RuleKey): string => `${ruleName}\u0000${key}`;

/** From now on `client`'s saveState calls are held until flushStateWrites. */
export function deferStateWrites(client: pg.PoolClient): void {
  deferred.set(client, { rows: new Map(), rule: [] });
}

/** A rule begins: what it saves is its own until the next rule begins. */
export function beginRuleStates(client: pg.PoolClient): void {
  const d = deferred.get(client);
  if (d) d.rule = [];
}

/** The rule's savepoint was rolled back: forget the states it saved. */
export function discardRuleStates(client: pg.PoolClient): void {
  const d = deferred.get(client);
  if (!d) return;
  for (const k of d.rule) d.rows.delete(k);
  d.rule = [];
}

/** Forget the held states (the evaluation failed: its transaction is rolled back); saveState writes at once again. */
export function abandonStateWrites(client: pg.PoolClient): void {
  deferred.delete(client);
}

/** Write the held states in one statement; saveState writes at once again. */
export async function flushStateWrites(client: pg.PoolClient): Promise<void> {
  const d = deferred.get(client);
  deferred.delete(client);
  if (!d || d.rows.size === 0) return;
  const rows = [...d.rows.values()];
  const column = (i: number) => rows.map((r) => r[i]);
  await client.query(
    SQL.saveStates,
    Array.from({ length: 13 }, (_, i) => column(i)),
  );
}

export async function saveState(
  client: pg.PoolClient,
  rule: Pick<AlertRule, 'name' | 'severity'>,
  state: RuleState,
  count: number,
  now: number,
  at: StateKey = RULE_LEVEL,
): Promise<void> {
  const date = (v: number | null): Date | null => (v === null ? null : new Date(v));
  const values: StateValues = [
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
  ];
  const d = deferred.get(client);
  if (d) {
    const k = stateKey(rule.name, at.key);
    d.rows.set(k, values);
    d.rule.push(k);
    return;
  }
  await client.query(SQL.saveState, values);
}

/** A key back to OK keeps no state. */
export async function deleteKeyState(client: pg.PoolClient, ruleName: string, key: RuleKey): Promise<void> {
  // a state held for this key is not to be written after it
  deferred.get(client)?.rows.delete(stateKey(ruleName, key));
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
  // what the ledger read ahead for this key is not the outbox any more
  ledgers.get(client)?.entries.delete(ledgerKey(ruleName, key));
  return row?.silenced_by !== null && row?.silenced_by !== undefined;
}

/**
 * The outbox as the evaluation's lookups see it, read once for every key
 * that fires (issue 16: one statement per run, where each firing key asked
 * twice): for each, its notifications of the last hour and the silence that
 * recorded its latest one. Held per transaction's client between
 * openOutboxLedger and closeOutboxLedger; a key's entry is dropped when the
 * evaluation queues a notification for it (queueNotification), so a lookup
 * after that reads the outbox itself, and a lookup for another `now` or a
 * key not read ahead does too.
 */
interface OutboxLedger {
  now: number;
  entries: Map<string, { recent: number; lastSilenced: LastSilencedRow | null }>;
}

const ledgers = new WeakMap<pg.PoolClient, OutboxLedger>();
const ledgerKey = (ruleName: string, key: RuleKey): string => `${ruleName}\u0000${key}`;

/**
 * Read ahead, for the evaluation at `now` in `client`'s transaction, what
 * notificationsLastHour and lastSilenced will ask about `keys`.
 *
 * @example
 *   await openOutboxLedger(client, firingKeys, now);
 *   try { ... evaluate ... } finally { closeOutboxLedger(client); }
 */
export async function openOutboxLedger(client: pg.PoolClient, keys: ReadonlyArray<{ rule: string; key: RuleKey }>, now: number): Promise<void> {
  const entries: OutboxLedger['entries'] = new Map();
  if (keys.length > 0) {
    const rows = (await client.query<OutboxLedgerRow>(SQL.outboxLedger, [keys.map((k) => k.rule), keys.map((k) => k.key), new Date(now - HOUR_MS)])).rows;
    for (const r of rows) {
      const lastSilenced = r.silence_id === null ? null : { id: r.silence_id, ends_at: r.ends_at!, comment: r.comment ?? '', mute_window: r.mute_window };
      entries.set(ledgerKey(r.rule_name, r.group_key), { recent: Number(r.recent), lastSilenced });
    }
  }
  ledgers.set(client, { now, entries });
}

/** The evaluation is done with the outbox ledger: lookups read the outbox again. */
export function closeOutboxLedger(client: pg.PoolClient): void {
  ledgers.delete(client);
}

/** The silence that recorded the key's latest notification instead of sending it, if any. */
export async function lastSilenced(client: pg.PoolClient, ruleName: string, key: RuleKey): Promise<LastSilencedRow | null> {
  const read = ledgers.get(client)?.entries.get(ledgerKey(ruleName, key));
  if (read !== undefined) return read.lastSilenced;
  return (await client.query<LastSilencedRow>(SQL.lastSilenced, [ruleName, key])).rows[0] ?? null;
}

/** Notifications a rule's key queued in the hour before `now` (the hourly cap is per key). */
export async function notificationsLastHour(client: pg.PoolClient, ruleName: string, now: number, key: RuleKey = NO_KEY): Promise<number> {
  const ledger = ledgers.get(client);
  const read = ledger?.now === now ? ledger.entries.get(ledgerKey(ruleName, key)) : undefined;
  if (read !== undefined) return read.recent;
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
