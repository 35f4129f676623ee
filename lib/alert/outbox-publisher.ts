import { settleAtMost } from '../platform/concurrency';
import type { SNSClient } from '@aws-sdk/client-sns';
import type pg from 'pg';
import { ALERT_SQL as SQL } from '../../sql/alert-statements';
import type { CountRow } from '../../sql/alert-statements';
import { DELIVERY_SQL } from '../../sql/channel-statements';
import type { DeliveryClaimRow, OutboxBodyRow, UnroutedOutboxRow } from '../../sql/channel-statements';
import type { NotificationKind } from './categories';
import { withTransaction } from '../platform/db';
import { ChannelDeliveryError, PublishError, describeError } from '../platform/errors';
import type { AppLogger } from '../platform/logger';
import { CHANNEL_TYPE } from './channel-config';
import { routeOf } from './channel-routing';
import type { NotificationChannel } from './notification-channel';
import { MAX_GROUPED, groupOf } from './outbox-group';
import { snsChannel } from './sns-channel';
import { foldInhibited } from './inhibition';

// Each outbox row goes to every channel its routing names (channel-routing.ts;
// the SNS topic alone by default), each channel with its own delivery row
// (alert_deliveries): claimed FOR UPDATE SKIP LOCKED, sent, and marked sent
// in that one transaction, so a row a channel took is never sent to it
// again, and at most the one message in flight of each channel repeats
// after a crash. Channels publish side by side, each on its own connection
// and its own order; a failing channel stops for the run and is retried at
// the next one, alone. The row is done (alert_outbox.sent_at) once every
// configured channel it routes to has it.

/** An unsent notification, as claimed for a channel. */
export interface OutboxRow {
  id: number;
  ruleName: string;
  /** The rule's key ('' for a rule without groupBy): rows of one rule and key go out in order. */
  groupKey: string;
  kind: NotificationKind;
  subject: string;
  body: string;
  attributes: Record<string, string>;
  /** The key's labels (service, host, file, template, level). */
  labels: Record<string, string>;
  attempts: number;
  /** When its evaluation queued it (rows of one evaluation share it). */
  createdAt: Date;
}

export interface PublishHooks {
  /** Called after a channel accepted a row and before its delivery commits (tests inject crashes here). */
  afterPublish?: (row: OutboxRow, channel: string) => Promise<void> | void;
}

export interface PublishOutboxDeps {
  pool: pg.Pool;
  /** The channels (createChannels); without them the SNS topic of `sns` and `topicArn` alone. */
  channels?: readonly NotificationChannel[];
  sns?: Pick<SNSClient, 'send'>;
  topicArn?: string;
  /** Milliseconds since the epoch (sent_at, last_attempt_at). */
  now: () => number;
  logger?: AppLogger;
  /** True when the run must stop (Lambda time limit); rows left wait for the next run. */
  shouldStop?: () => boolean;
  /** Aborts a request in flight (middy fires it before the time limit). */
  signal?: AbortSignal;
  hooks?: PublishHooks;
  /**
   * ALERT_GROUP_WAIT: a notification waits this long after it was queued, so
   * the ones later evaluations owe the same service on the same host within
   * it go out in its mail (health messages never wait); 0: at once. Only the
   * channels that group (sns, smtp) wait.
   */
  groupWaitMs?: number;
}

export interface PublishFailure {
  outboxId: number;
  rule: string;
  /** The channel that failed; absent when the SNS topic is the only channel, as before channels. */
  channel?: string;
  error: string;
}

/** One channel's part of a run. */
export interface ChannelPublishSummary {
  /** Rows this channel delivered. */
  sent: number;
  failed: number;
  /** The run stopped this channel at a failure of the channel itself (it is retried at the next run). */
  stopped: boolean;
}

export interface PublishSummary {
  /** Deliveries made (a row sent to two channels counts twice; with the SNS topic alone, the rows sent). */
  sent: number;
  failed: number;
  /** Unsent rows left in the outbox after this run (rows some channel still owes). */
  pending: number;
  failures: PublishFailure[];
  /** Per channel, when a `channels:` section configures them. */
  channels?: Record<string, ChannelPublishSummary>;
}

const MAX_ERROR_CHARS = 1000;
/** Rows routed per transaction. */
const ROUTE_BATCH = 500;

function labelsOf(labels: Record<string, string | null> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {})) if (typeof v === 'string') out[k] = v;
  return out;
}

function toOutboxRow(r: DeliveryClaimRow): OutboxRow {
  return {
    id: Number(r.id),
    ruleName: r.rule_name,
    groupKey: r.group_key,
    kind: r.kind,
    subject: r.subject,
    body: r.body,
    attributes: r.attributes,
    labels: labelsOf(r.labels),
    attempts: r.attempts,
    createdAt: r.created_at,
  };
}

/**
 * Give each unsent row not routed yet its delivery rows, one per channel
 * whose match takes it (routeOf). A row no channel takes is recorded, not
 * sent (suppressed = 'unrouted'). Routing is decided once: a channel added
 * later takes the rows queued after it.
 */
async function routeNewRows(deps: PublishOutboxDeps, channels: readonly NotificationChannel[]): Promise<void> {
  for (;;) {
    const routed = await withTransaction(deps.pool, async (client) => {
      const rows = (await client.query<UnroutedOutboxRow>(DELIVERY_SQL.unroutedOutbox, [ROUTE_BATCH])).rows;
      const ids: string[] = [];
      const names: string[] = [];
      const unrouted: string[] = [];
      for (const r of rows) {
        const route = routeOf({ ruleName: r.rule_name, attributes: r.attributes, labels: labelsOf(r.labels) }, channels);
        if (route.length === 0) unrouted.push(r.id);
        for (const name of route) {
          ids.push(r.id);
          names.push(name);
        }
      }
      const now = new Date(deps.now());
      if (ids.length > 0) await client.query(DELIVERY_SQL.insertDeliveries, [ids, names, now]);
      if (unrouted.length > 0) {
        await client.query(DELIVERY_SQL.markUnrouted, [unrouted, now]);
        deps.logger?.warn('notifications no channel takes: recorded, not sent (a match of the channels: section)', { outboxIds: unrouted.map(Number) });
      }
      return rows.length;
    });
    if (routed < ROUTE_BATCH) return;
  }
}

/** One send of one channel: the claimed row and the rows sent in the same mail with it (outbox-group.ts). */
type Attempt = { row: OutboxRow; rows: OutboxRow[]; messageId: string } | { row: OutboxRow; rows: OutboxRow[]; error: PublishError | ChannelDeliveryError };

/**
 * Deliver one row to `channel`: claim its delivery (`FOR UPDATE SKIP
 * LOCKED`), send, and mark it sent in the same transaction; the outbox row
 * is done in it when no other configured channel owes it. A failure is
 * recorded on both and the row stays owed. Null when nothing is ready.
 */
async function deliverNext(deps: PublishOutboxDeps, channel: NotificationChannel, configured: readonly string[], skipRules: string[]): Promise<Attempt | null> {
  return withTransaction(deps.pool, async (client) => {
    const groupWaitMs = channel.grouped ? (deps.groupWaitMs ?? 0) : 0;
    const claimed = await client.query<DeliveryClaimRow>(DELIVERY_SQL.claimNextDelivery, [channel.name, skipRules, new Date(deps.now() - groupWaitMs)]);
    if (!claimed.rows[0]) return null;
    const row = toOutboxRow(claimed.rows[0]);
    const group = channel.grouped ? groupOf(row) : null;
    const companions =
      group === null
        ? []
        : (
            await client.query<DeliveryClaimRow>(DELIVERY_SQL.claimDeliveryCompanions, [
              channel.name,
              row.id,
              row.createdAt,
              group.service,
              group.host,
              skipRules,
              MAX_GROUPED - 1,
              groupWaitMs,
            ])
          ).rows.map(toOutboxRow);
    // outbox rows are written in id order by every channel: two channels' transactions never wait on each other in a cycle
    const rows = [row, ...companions].sort((a, b) => a.id - b.id);
    // the notifications a critical inhibited go out in its next mail (kept in its body for the other channels)
    for (const r of rows) {
      const folded = await foldInhibited(client, r);
      // nothing (left) to fold: another channel may have folded them into it since the claim read it (its fold's locks held us until it committed)
      r.body =
        folded !== r.body || configured.length === 1 ? folded : ((await client.query<OutboxBodyRow>(DELIVERY_SQL.outboxBody, [r.id])).rows[0]?.body ?? r.body);
    }
    let messageId: string;
    try {
      messageId = await channel.send(rows, deps.signal);
    } catch (err) {
      const grouped = rows.length > 1 ? ` and ${rows.length - 1} grouped with it` : '';
      const error =
        channel.type === CHANNEL_TYPE.SNS
          ? new PublishError(
              `SNS did not accept outbox row ${row.id} (rule "${row.ruleName}", ${row.kind})${grouped}`,
              { outboxId: row.id, rule: row.ruleName },
              { cause: err },
            )
          : new ChannelDeliveryError(
              `channel "${channel.name}" (${channel.type}) did not accept outbox row ${row.id} (rule "${row.ruleName}", ${row.kind})${grouped}`,
              { channel: channel.name, outboxId: row.id, rule: row.ruleName },
              { cause: err },
            );
      const text = describeError(error).slice(0, MAX_ERROR_CHARS);
      const at = new Date(deps.now());
      for (const r of rows) {
        await client.query(DELIVERY_SQL.markDeliveryFailed, [r.id, channel.name, at, text]);
        await client.query(SQL.markFailed, [r.id, at, text]);
      }
      return { row, rows, error };
    }
    // A crash from here to COMMIT sends this one message again to this channel on the next run:
    // the single in-flight message of each channel is delivered at least once.
    await deps.hooks?.afterPublish?.(row, channel.name);
    const at = new Date(deps.now());
    for (const r of rows) {
      await client.query(DELIVERY_SQL.markDelivered, [r.id, channel.name, at, messageId]);
      await client.query(DELIVERY_SQL.completeOutbox, [r.id, at, messageId, configured]);
    }
    return { row, rows, messageId };
  });
}

/**
 * One channel's part of a run: its owed rows, oldest first, each once;
 * rows of one rule and key in order; a row the channel refuses for its
 * content holds back that rule's (key's) rows only; a failure of the
 * channel itself ends it for this run.
 */
async function publishChannel(
  deps: PublishOutboxDeps,
  channel: NotificationChannel,
  configured: readonly string[],
  failures: PublishFailure[],
  named: boolean,
): Promise<ChannelPublishSummary> {
  const summary: ChannelPublishSummary = { sent: 0, failed: 0, stopped: false };
  const skipRules: string[] = [];
  while (!(deps.shouldStop?.() ?? false)) {
    const attempt = await deliverNext(deps, channel, configured, skipRules);
    if (!attempt) break;
    if ('messageId' in attempt) {
      summary.sent += attempt.rows.length;
      deps.logger?.info('notification sent', {
        outboxId: attempt.row.id,
        rule: attempt.row.ruleName,
        kind: attempt.row.kind,
        channel: channel.name,
        messageId: attempt.messageId,
        ...(attempt.rows.length > 1 ? { groupedWith: attempt.rows.filter((r) => r !== attempt.row).map((r) => ({ outboxId: r.id, rule: r.ruleName })) } : {}),
      });
      continue;
    }
    summary.failed += 1;
    const error = describeError(attempt.error);
    failures.push({ outboxId: attempt.row.id, rule: attempt.row.ruleName, ...(named ? { channel: channel.name } : {}), error });
    deps.logger?.warn('notification not sent; it stays in the outbox', {
      outboxId: attempt.row.id,
      rule: attempt.row.ruleName,
      channel: channel.name,
      attempts: attempt.row.attempts + 1,
      error,
    });
    // The channel itself is unavailable (network, time limit, 5xx, throttling, auth):
    // its other rows would fail too, so it stops for this run. Only this message
    // refused lets the other rules' (and keys') rows go on.
    if (!channel.isMessageError(attempt.error.cause)) {
      summary.stopped = true;
      break;
    }
    for (const r of attempt.rows) skipRules.push(`${r.ruleName}\n${r.groupKey}`);
  }
  return summary;
}

/**
 * Publish the outbox to every channel, each on its own: route the new rows,
 * then each channel's owed rows (side by side), then mark done the rows no
 * configured channel owes any more. Channel failures are reported in the
 * summary, never thrown; database failures are thrown.
 *
 * @example
 *   const { sent, failed, pending } = await publishOutbox({ pool, channels, now: Date.now });
 */
/** The pool's largest number of connections (pg.Pool's `options.max`), when it says. */
function poolSize(pool: unknown): number | undefined {
  const max = (pool as { options?: { max?: unknown } }).options?.max;
  return typeof max === 'number' && max > 0 ? max : undefined;
}

export async function publishOutbox(deps: PublishOutboxDeps): Promise<PublishSummary> {
  const channels = deps.channels ?? (deps.sns && deps.topicArn ? [snsChannel(deps.sns, deps.topicArn)] : []);
  if (channels.length === 0) throw new Error('publishOutbox needs channels, or an SNS client and topic');
  const named = deps.channels !== undefined && !(channels.length === 1 && channels[0]!.type === CHANNEL_TYPE.SNS && channels[0]!.name === CHANNEL_TYPE.SNS);
  const configured = channels.map((c) => c.name);
  await routeNewRows(deps, channels);
  const failures: PublishFailure[] = [];
  // side by side, each holding a connection in its transaction while it sends: at most the pool's size less one at a time,
  // so channels that hang cannot starve the others of connections (they wait their turn instead of failing to connect);
  // a database failure of one is thrown once every channel has stopped
  const slots = Math.max(1, (poolSize(deps.pool) ?? 3) - 1);
  const settled = await settleAtMost(
    slots,
    channels.map((c) => () => publishChannel(deps, c, configured, failures, named)),
  );
  const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
  const parts = settled.map((r) => (r as PromiseFulfilledResult<ChannelPublishSummary>).value);
  await deps.pool.query(DELIVERY_SQL.completeDelivered, [configured, new Date(deps.now())]);
  const unsent = await deps.pool.query<CountRow>(SQL.countUnsent);
  const summary: PublishSummary = {
    sent: parts.reduce((n, p) => n + p.sent, 0),
    failed: parts.reduce((n, p) => n + p.failed, 0),
    pending: Number(unsent.rows[0]?.n ?? 0),
    failures,
  };
  if (named) summary.channels = Object.fromEntries(channels.map((c, i) => [c.name, parts[i]!]));
  return summary;
}
