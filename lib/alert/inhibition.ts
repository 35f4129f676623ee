import type pg from 'pg';
import { ALERT_SQL as SQL } from '../../sql/alert-statements';
import type { InhibitedRow, InhibitionEndedRow, WaitingFoldedRow } from '../../sql/alert-statements';
import { formatNotification } from './notification';
import type { KeyLabels } from './rule-key';
import { readWindowDetails, windowEndingAt } from './rule-window';
import type { AlertRule } from './rules';
import { queueNotification } from './state-store';

// Inhibition (issue 13; Alertmanager's inhibit_rules with equal labels):
// while a critical key fires for a source — a key with a file label, and the
// same service and host — the notifications of lower severity (warning,
// info) that an evaluation owes the same source are not sent on their own.
// They are recorded (alert_outbox.suppressed = 'inhibited', naming the
// critical rule and key) and listed in the critical's next mail that goes
// out: its STILL FIRING, RESOLVED or REMOVED (folded at publish time, in the
// publish transaction). When no critical fires for the source any more and
// the key still fires, it gets its FIRING (a STILL FIRING when its incident
// had been announced before the critical came), saying why it comes now. A
// critical whose latest notification was silenced or muted folds nothing.

export interface InhibitionDeps {
  rules: readonly AlertRule[];
  subjectPrefix: string;
  dashboardUrl?: string | null;
}

/**
 * Queue the FIRING (or STILL FIRING) of each key whose latest notification
 * was inhibited and for whose source no critical fires any more; the number queued.
 */
export async function releaseInhibited(client: pg.PoolClient, deps: InhibitionDeps, now: number): Promise<number> {
  let queued = 0;
  for (const row of (await client.query<InhibitionEndedRow>(SQL.inhibitionEnded)).rows) {
    const rule = deps.rules.find((r) => r.name === row.rule_name);
    if (!rule) continue;
    const labels = row.labels as KeyLabels;
    const details = await readWindowDetails(client, rule, windowEndingAt(rule, now), row.group_key);
    const kind = row.announced ? 'reminder' : 'firing';
    const notification = formatNotification({
      kind,
      rule,
      now,
      prefix: deps.subjectPrefix,
      dashboardUrl: deps.dashboardUrl,
      details,
      firingSince: kind === 'reminder' ? (row.firing_since?.getTime() ?? null) : null,
      labels,
      templateText: 'template' in labels ? (details.topMessages[0]?.message ?? null) : null,
      inhibitionEnded: { by: row.inhibited_by_rule, since: row.inhibited_since?.getTime() ?? now },
    });
    await queueNotification(client, rule.name, notification, now, row.group_key, labels);
    await client.query(SQL.markNotified, [rule.name, row.group_key, new Date(now)]);
    queued += 1;
  }
  return queued;
}

/** Inhibit what this evaluation (at `now`) queued for a source a critical fires for; the number inhibited. */
export async function inhibitNotifications(client: pg.PoolClient, now: number): Promise<number> {
  return (await client.query<InhibitedRow>(SQL.inhibitNotifications, [new Date(now)])).rows.length;
}

/** An inhibited notification, as listed in the mail of the critical it was folded into. */
export interface FoldedNotification {
  subject: string;
  createdAt: Date;
}

function utc(value: Date): string {
  return `${value
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, '')} UTC`;
}

/**
 * `body` with the folded notifications listed before its footer, pure.
 *
 * @example
 *   withFolded(body, [{ subject: '[logmon] FIRING error-burst app@web-1: 6 ERROR+ in 5m (threshold 5)', createdAt }]);
 */
export function withFolded(body: string, folded: readonly FoldedNotification[]): string {
  if (folded.length === 0) return body;
  const list = [
    'Folded into this alert: notifications of lower severity for the same source, not sent on their own while it fires:',
    ...folded.map((f) => `  ${utc(f.createdAt)}  ${f.subject}`),
  ].join('\n');
  const footer = body.lastIndexOf('\n-- \n');
  return footer < 0 ? `${body}\n${list}\n` : `${body.slice(0, footer + 1)}${list}\n\n${body.slice(footer + 1)}`;
}

/**
 * In the publish transaction of a row about to be sent: list in its body
 * the inhibited notifications waiting for its rule and key, mark them
 * folded into it, and return its body as it goes out.
 */
export async function foldInhibited(client: pg.PoolClient, row: { id: number; ruleName: string; groupKey: string; body: string }): Promise<string> {
  const waiting = (await client.query<WaitingFoldedRow>(SQL.waitingFolded, [row.ruleName, row.groupKey])).rows;
  if (waiting.length === 0) return row.body;
  const body = withFolded(
    row.body,
    waiting.map((w) => ({ subject: w.subject, createdAt: w.created_at })),
  );
  await client.query(SQL.foldInto, [waiting.map((w) => w.id), row.id, body]);
  return body;
}
