// Statements of the per-channel delivery state (017_channel_deliveries.sql,
// lib/alert/outbox-publisher.ts). Parameters are always $n. A row waits for
// a channel while that channel has an older unsent row of the same rule and
// key, or an older row of it is not routed yet: each channel keeps a rule's
// (a key's) order on its own.

import type { NotificationKind } from '../lib/alert/categories';

const DELIVERY_COLUMNS = `o.id::text AS id, o.rule_name, o.group_key, o.kind, o.subject, o.body, o.attributes, o.labels, o.attempts, o.created_at,
  d.attempts AS channel_attempts`;

/** No older row of the same rule and key is still owed to channel $1 (or not routed yet). */
const IN_ORDER = `NOT EXISTS (SELECT 1 FROM alert_outbox older
    WHERE older.rule_name = o.rule_name AND older.group_key = o.group_key AND older.sent_at IS NULL AND older.id < o.id
      AND (NOT EXISTS (SELECT 1 FROM alert_deliveries x WHERE x.outbox_id = older.id)
        OR EXISTS (SELECT 1 FROM alert_deliveries x WHERE x.outbox_id = older.id AND x.channel = $1 AND x.sent_at IS NULL)))`;

export const DELIVERY_SQL = {
  /** Unsent rows not routed yet, oldest first, at most $1, locked while their deliveries are written. */
  unroutedOutbox: `SELECT o.id::text AS id, o.rule_name, o.attributes, o.labels FROM alert_outbox o
    WHERE o.sent_at IS NULL AND NOT EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.outbox_id = o.id)
    ORDER BY o.id LIMIT $1 FOR UPDATE SKIP LOCKED`,
  /** One delivery per (row $1[i], channel $2[i]), at time $3. */
  insertDeliveries: `INSERT INTO alert_deliveries (outbox_id, channel, created_at)
    SELECT r.outbox_id, r.channel, $3 FROM unnest($1::bigint[], $2::text[]) AS r (outbox_id, channel)
    ON CONFLICT DO NOTHING`,
  /** Rows $1 that no channel's match takes: recorded, not sent, at $2. */
  markUnrouted: `UPDATE alert_outbox SET suppressed = 'unrouted', sent_at = $2, message_id = 'unrouted' WHERE id = ANY($1::bigint[]) AND sent_at IS NULL`,
  /**
   * The oldest row owed to channel $1 that no other run holds, locked for
   * the send. $2: rule/key pairs to skip (rule_name, newline, group_key).
   * $3: rows queued after it wait out the group wait (health messages never wait).
   */
  claimNextDelivery: `SELECT ${DELIVERY_COLUMNS} FROM alert_deliveries d JOIN alert_outbox o ON o.id = d.outbox_id
    WHERE d.channel = $1 AND d.sent_at IS NULL AND o.sent_at IS NULL
      AND NOT ((o.rule_name || E'\\n' || o.group_key) = ANY($2::text[]))
      AND (o.created_at <= $3::timestamptz OR o.attributes->>'kind' = 'health')
      AND ${IN_ORDER}
    ORDER BY o.id LIMIT 1 FOR UPDATE OF d SKIP LOCKED`,
  /**
   * The rows owed to channel $1 to send in one mail with row $2 (queued at
   * $3; within the group wait, $8 ms, after it), for the same service ($4)
   * and host ($5), not health messages, each in order, no other run holding
   * it; at most $7. $6: pairs to skip.
   */
  claimDeliveryCompanions: `SELECT ${DELIVERY_COLUMNS} FROM alert_deliveries d JOIN alert_outbox o ON o.id = d.outbox_id
    WHERE d.channel = $1 AND d.sent_at IS NULL AND o.sent_at IS NULL AND o.id <> $2
      AND o.created_at >= $3 AND o.created_at <= $3::timestamptz + make_interval(secs => $8::bigint / 1000.0)
      AND (o.attributes->>'service') IS NOT DISTINCT FROM $4::text AND (o.attributes->>'host') IS NOT DISTINCT FROM $5::text
      AND o.attributes->>'kind' <> 'health'
      AND NOT ((o.rule_name || E'\\n' || o.group_key) = ANY($6::text[]))
      AND ${IN_ORDER}
    ORDER BY o.id LIMIT $7 FOR UPDATE OF d SKIP LOCKED`,
  /** Row $1's body as committed now (another channel may have folded notifications into it). */
  outboxBody: 'SELECT body FROM alert_outbox WHERE id = $1',
  /** Row $1 went out through channel $2 at $3, as message $4. */
  markDelivered: `UPDATE alert_deliveries SET sent_at = $3, message_id = $4, attempts = attempts + 1, last_attempt_at = $3, last_error = NULL
    WHERE outbox_id = $1 AND channel = $2`,
  /** Channel $2 did not take row $1 at $3: error $4. */
  markDeliveryFailed: 'UPDATE alert_deliveries SET attempts = attempts + 1, last_attempt_at = $3, last_error = $4 WHERE outbox_id = $1 AND channel = $2',
  /**
   * Row $1 is done at $2 (message $3) once no configured channel ($4) still
   * owes it; a channel no longer configured owes nothing.
   */
  completeOutbox: `UPDATE alert_outbox o SET sent_at = $2, message_id = $3, attempts = attempts + 1, last_attempt_at = $2, last_error = NULL
    WHERE o.id = $1 AND o.sent_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.outbox_id = o.id AND d.sent_at IS NULL AND d.channel = ANY($4::text[]))`,
  /**
   * Every routed row no configured channel ($1) owes any more is done at
   * $2 (two channels finishing one row in two runs at once; a channel
   * removed from the configuration). Rows another run holds wait.
   */
  completeDelivered: `UPDATE alert_outbox o SET sent_at = $2, last_error = NULL,
      message_id = coalesce((SELECT d.message_id FROM alert_deliveries d WHERE d.outbox_id = o.id AND d.sent_at IS NOT NULL ORDER BY d.sent_at DESC LIMIT 1), 'delivered')
    WHERE o.id IN (SELECT x.id FROM alert_outbox x
      WHERE x.sent_at IS NULL AND EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.outbox_id = x.id)
        AND NOT EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.outbox_id = x.id AND d.sent_at IS NULL AND d.channel = ANY($1::text[]))
      FOR UPDATE SKIP LOCKED)`,
  /**
   * Per configured channel ($1): its unsent deliveries of rows not done,
   * the oldest one's queueing time, of those that failed at least once,
   * and its latest error (health:channel-failing, npm run status).
   */
  channelBacklog: `SELECT d.channel, count(*)::text AS unsent, min(o.created_at) FILTER (WHERE d.attempts > 0) AS oldest_failed,
      (array_agg(d.last_error ORDER BY d.last_attempt_at DESC NULLS LAST) FILTER (WHERE d.last_error IS NOT NULL))[1] AS last_error
    FROM alert_deliveries d JOIN alert_outbox o ON o.id = d.outbox_id
    WHERE d.sent_at IS NULL AND o.sent_at IS NULL AND d.channel = ANY($1::text[])
    GROUP BY d.channel ORDER BY d.channel`,
} as const;

/** unroutedOutbox */
export type UnroutedOutboxRow = { id: string; rule_name: string; attributes: Record<string, string>; labels: Record<string, string | null> };
/** claimNextDelivery, claimDeliveryCompanions (kind: CHECK in 002_alerting.sql) */
export type DeliveryClaimRow = {
  id: string;
  rule_name: string;
  group_key: string;
  kind: NotificationKind;
  subject: string;
  body: string;
  attributes: Record<string, string>;
  labels: Record<string, string | null>;
  attempts: number;
  created_at: Date;
  channel_attempts: number;
};
/** outboxBody */
export type OutboxBodyRow = { body: string };
/** channelBacklog */
export type ChannelBacklogRow = { channel: string; unsent: string; oldest_failed: Date | null; last_error: string | null };
