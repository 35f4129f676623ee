import crypto from 'node:crypto';
import type { NotificationKind, NotifiedState, Severity } from './categories';
import { HEALTH_MESSAGE_KIND } from './categories';

// The JSON a `webhook` channel POSTs (docs/alerting.md#webhook): one
// notification per request, and its signature. The signature covers the
// timestamp and the body, so a receiver that refuses old timestamps also
// refuses a captured request replayed later.

/** The `version` of the schema below; a change that removes or renames a field raises it. */
export const WEBHOOK_SCHEMA_VERSION = 1;
export const SIGNATURE_HEADER = 'X-Logmon-Signature';
export const TIMESTAMP_HEADER = 'X-Logmon-Timestamp';
export const DELIVERY_HEADER = 'X-Logmon-Delivery';

/** What a payload is made from: one outbox row. */
export interface PayloadRow {
  id: number;
  ruleName: string;
  groupKey: string;
  kind: NotificationKind;
  subject: string;
  body: string;
  attributes: Record<string, string>;
  labels: Record<string, string>;
  createdAt: Date;
}

/** The webhook's JSON body, version 1. */
export interface WebhookPayload {
  version: typeof WEBHOOK_SCHEMA_VERSION;
  /** The notification's id (its outbox row): the same on every retry, so a receiver can drop a repeat. */
  id: string;
  rule: string;
  /** The rule's key ('' for a rule without groupBy): the JSON text of its groupBy values. */
  key: string;
  /** firing, reminder, resolved, late. */
  kind: NotificationKind;
  /** firing (reminders too), resolved, late. */
  state: NotifiedState;
  severity: Severity;
  /** A built-in health rule's notification (attributes.kind is `health`). */
  health: boolean;
  /** The key's labels: service, host, file, template, level, as the rule groups by them. */
  labels: Record<string, string>;
  /** The message attributes, as SNS subscribers get them. */
  attributes: Record<string, string>;
  subject: string;
  /** The plain-text body, as in the e-mail. */
  text: string;
  /** When its evaluation queued it (ISO 8601). */
  queuedAt: string;
}

/**
 * The webhook JSON of one outbox row, pure.
 *
 * @example
 *   JSON.stringify(webhookPayload(row));
 */
export function webhookPayload(row: PayloadRow): WebhookPayload {
  return {
    version: WEBHOOK_SCHEMA_VERSION,
    id: String(row.id),
    rule: row.ruleName,
    key: row.groupKey,
    kind: row.kind,
    state: (row.attributes.state ?? row.kind) as NotifiedState,
    severity: (row.attributes.severity ?? 'info') as Severity,
    health: row.attributes.kind === HEALTH_MESSAGE_KIND,
    labels: row.labels,
    attributes: row.attributes,
    subject: row.subject,
    text: row.body,
    queuedAt: row.createdAt.toISOString(),
  };
}

/**
 * The X-Logmon-Signature value: `sha256=` and the hex HMAC-SHA256, keyed by
 * the channel's secret, of `<timestamp>.<body>` (the X-Logmon-Timestamp
 * value, a dot, the raw body bytes).
 *
 * @example
 *   const ok = crypto.timingSafeEqual(Buffer.from(signWebhook(secret, ts, raw)), Buffer.from(header));
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}
