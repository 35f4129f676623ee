import { PublishCommand } from '@aws-sdk/client-sns';
import type { MessageAttributeValue, SNSClient } from '@aws-sdk/client-sns';
import type pg from 'pg';
import { ALERT_SQL as SQL } from '../../sql/alert-statements';
import type { CountRow, OutboxClaimRow } from '../../sql/alert-statements';
import type { NotificationKind } from './categories';
import { withTransaction } from '../platform/db';
import { PublishError, describeError } from '../platform/errors';
import type { AppLogger } from '../platform/logger';
import { MAX_GROUPED, combineRows, groupOf } from './outbox-group';
import { isServiceWideError } from './sns-client';
import { foldInhibited } from './inhibition';

/** An unsent notification, as claimed from `alert_outbox`. */
export interface OutboxRow {
  id: number;
  ruleName: string;
  /** The rule's key ('' for a rule without groupBy): rows of one rule and key go out in order. */
  groupKey: string;
  kind: NotificationKind;
  subject: string;
  body: string;
  attributes: Record<string, string>;
  attempts: number;
  /** When its evaluation queued it (rows of one evaluation share it). */
  createdAt: Date;
}

export interface PublishHooks {
  /** Called after SNS accepted a row and before its sent_at commits (tests inject crashes here). */
  afterPublish?: (row: OutboxRow) => Promise<void> | void;
}

export interface PublishOutboxDeps {
  pool: pg.Pool;
  sns: Pick<SNSClient, 'send'>;
  topicArn: string;
  /** Milliseconds since the epoch (sent_at, last_attempt_at). */
  now: () => number;
  logger?: AppLogger;
  /** True when the run must stop (Lambda time limit); rows left wait for the next run. */
  shouldStop?: () => boolean;
  /** Aborts an SNS request in flight (middy fires it before the time limit). */
  signal?: AbortSignal;
  hooks?: PublishHooks;
  /**
   * ALERT_GROUP_WAIT: a notification waits this long after it was queued, so
   * the ones later evaluations owe the same service on the same host within
   * it go out in its mail (health messages never wait); 0: at once.
   */
  groupWaitMs?: number;
}

export interface PublishFailure {
  outboxId: number;
  rule: string;
  error: string;
}

export interface PublishSummary {
  sent: number;
  failed: number;
  /** Unsent rows left in the outbox after this run. */
  pending: number;
  failures: PublishFailure[];
}

const MAX_ERROR_CHARS = 1000;

function toOutboxRow(r: OutboxClaimRow): OutboxRow {
  return {
    id: Number(r.id),
    ruleName: r.rule_name,
    groupKey: r.group_key,
    kind: r.kind,
    subject: r.subject,
    body: r.body,
    attributes: r.attributes,
    attempts: r.attempts,
    createdAt: r.created_at,
  };
}

function toMessageAttributes(attributes: Record<string, string>): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    // SNS rejects empty String values.
    if (typeof value === 'string' && value !== '') out[name] = { DataType: 'String', StringValue: value };
  }
  return out;
}

/** One publish: the claimed row and the rows sent in the same mail with it (outbox-group.ts). */
type Attempt = { row: OutboxRow; rows: OutboxRow[]; messageId: string } | { row: OutboxRow; rows: OutboxRow[]; error: PublishError };

/**
 * Publish one row: claim it (`FOR UPDATE SKIP LOCKED`), send it, and set
 * sent_at in the same transaction. A failure is recorded on the row, which
 * stays unsent for the next run. Null when no row is ready.
 */
async function publishNext(deps: PublishOutboxDeps, skipRules: string[]): Promise<Attempt | null> {
  return withTransaction(deps.pool, async (client) => {
    const groupWaitMs = deps.groupWaitMs ?? 0;
    const claimed = await client.query<OutboxClaimRow>(SQL.claimNextOutbox, [skipRules, new Date(deps.now() - groupWaitMs)]);
    if (!claimed.rows[0]) return null;
    const row = toOutboxRow(claimed.rows[0]);
    const group = groupOf(row);
    const companions =
      group === null
        ? []
        : (
            await client.query<OutboxClaimRow>(SQL.claimCompanions, [row.id, row.createdAt, group.service, group.host, skipRules, MAX_GROUPED - 1, groupWaitMs])
          ).rows.map(toOutboxRow);
    const rows = [row, ...companions];
    // the notifications a critical inhibited go out in its next mail
    for (const r of rows) r.body = await foldInhibited(client, r);
    const message = rows.length === 1 ? { subject: row.subject, body: row.body, attributes: toMessageAttributes(row.attributes) } : combineRows(rows);
    let messageId: string;
    try {
      const result = await deps.sns.send(
        new PublishCommand({ TopicArn: deps.topicArn, Subject: message.subject, Message: message.body, MessageAttributes: message.attributes }),
        { abortSignal: deps.signal },
      );
      messageId = result.MessageId ?? '';
    } catch (err) {
      const error = new PublishError(
        `SNS did not accept outbox row ${row.id} (rule "${row.ruleName}", ${row.kind})${rows.length > 1 ? ` and ${rows.length - 1} grouped with it` : ''}`,
        { outboxId: row.id, rule: row.ruleName },
        { cause: err },
      );
      for (const r of rows) await client.query(SQL.markFailed, [r.id, new Date(deps.now()), describeError(error).slice(0, MAX_ERROR_CHARS)]);
      return { row, rows, error };
    }
    // A crash from here to COMMIT sends this one message again on the next run:
    // the single in-flight message is delivered at least once.
    await deps.hooks?.afterPublish?.(row);
    for (const r of rows) await client.query(SQL.markSent, [r.id, new Date(deps.now()), messageId]);
    return { row, rows, messageId };
  });
}

/**
 * Publish the outbox, oldest first, each row once: rows of one rule go out
 * in order, a rule whose row failed waits for the next run, and an
 * unavailable SNS ends publishing for this run. SNS failures are reported in
 * the summary, never thrown; database failures are thrown.
 *
 * @example
 *   const { sent, failed, pending } = await publishOutbox({ pool, sns, topicArn, now: Date.now });
 */
export async function publishOutbox(deps: PublishOutboxDeps): Promise<PublishSummary> {
  const summary: PublishSummary = { sent: 0, failed: 0, pending: 0, failures: [] };
  const skipRules: string[] = [];
  while (!(deps.shouldStop?.() ?? false)) {
    const attempt = await publishNext(deps, skipRules);
    if (!attempt) break;
    if ('messageId' in attempt) {
      summary.sent += attempt.rows.length;
      deps.logger?.info('notification sent', {
        outboxId: attempt.row.id,
        rule: attempt.row.ruleName,
        kind: attempt.row.kind,
        messageId: attempt.messageId,
        ...(attempt.rows.length > 1 ? { groupedWith: attempt.rows.slice(1).map((r) => ({ outboxId: r.id, rule: r.ruleName })) } : {}),
      });
      continue;
    }
    summary.failed += 1;
    summary.failures.push({ outboxId: attempt.row.id, rule: attempt.row.ruleName, error: describeError(attempt.error) });
    deps.logger?.warn('notification not sent; it stays in the outbox', {
      outboxId: attempt.row.id,
      rule: attempt.row.ruleName,
      attempts: attempt.row.attempts + 1,
      error: describeError(attempt.error),
    });
    // SNS itself is unavailable (network, time limit, 5xx, throttling, auth,
    // the topic's key): the other rows would fail too, so the run stops
    // publishing. Only this message rejected lets the other rules' (and keys') rows go on.
    if (isServiceWideError(attempt.error.cause)) break;
    for (const r of attempt.rows) skipRules.push(`${r.ruleName}\n${r.groupKey}`);
  }
  const unsent = await deps.pool.query<CountRow>(SQL.countUnsent);
  summary.pending = Number(unsent.rows[0]?.n ?? 0);
  return summary;
}
