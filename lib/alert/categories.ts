// The categories the alert job writes to PostgreSQL, each an `as const`
// object with its union type derived from it. Each has a CHECK constraint in
// sql/migrations listing the same values (002_alerting.sql for the columns,
// 007_alert_categories.sql for the values kept in JSON), and
// __tests__/unit/persisted-categories.test.ts compares the two: a value added
// here without a migration fails that test, not a production INSERT.

/** `alert_state.state`: a rule's place in its state machine (docs/alerting.md). */
export const ALERT_STATE = { OK: 'ok', PENDING: 'pending', FIRING: 'firing' } as const;
export type AlertStateName = (typeof ALERT_STATE)[keyof typeof ALERT_STATE];

/** `alert_outbox.kind`, and the `kind` message attribute. */
export const NOTIFICATION_KIND = { FIRING: 'firing', REMINDER: 'reminder', RESOLVED: 'resolved', LATE: 'late' } as const;
export type NotificationKind = (typeof NOTIFICATION_KIND)[keyof typeof NOTIFICATION_KIND];

/** The `kind` message attribute of every health notification (the row's kind stays firing/reminder/resolved; 009_health.sql). */
export const HEALTH_MESSAGE_KIND = 'health' as const;
/** The `kind` message attribute: a threshold rule's notification kind, or `health`. */
export type MessageKind = NotificationKind | typeof HEALTH_MESSAGE_KIND;

/** A rule's `severity` (kept in `alert_state.rule`) and the `severity` message attribute (in `alert_outbox.attributes`). */
export const SEVERITY = { CRITICAL: 'critical', WARNING: 'warning', INFO: 'info' } as const;
export type Severity = (typeof SEVERITY)[keyof typeof SEVERITY];

/**
 * `alert_outbox.suppressed`: why a notification was recorded and not sent
 * (016_inhibition.sql): a silence, a mute window's opening, a critical
 * alert of the same source it was folded into, or no channel's `match`
 * taking it (017_channel_deliveries.sql). NULL: it was sent.
 */
export const SUPPRESSION = { SILENCED: 'silenced', MUTED: 'muted', INHIBITED: 'inhibited', UNROUTED: 'unrouted' } as const;
export type Suppression = (typeof SUPPRESSION)[keyof typeof SUPPRESSION];

/** The `state` message attribute (in `alert_outbox.attributes`): a reminder is sent as `firing`. */
export const NOTIFIED_STATE = { FIRING: 'firing', RESOLVED: 'resolved', LATE: 'late' } as const;
export type NotifiedState = (typeof NOTIFIED_STATE)[keyof typeof NOTIFIED_STATE];

/**
 * Whether `value` is one of a category's values.
 *
 * @example
 *   if (isOneOf(SEVERITY, spec.severity)) severity = spec.severity;
 */
export function isOneOf<T extends Readonly<Record<string, string>>>(category: T, value: unknown): value is T[keyof T] {
  return typeof value === 'string' && Object.values(category).includes(value);
}
