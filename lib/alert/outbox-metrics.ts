import type pg from 'pg';
import { METRICS_SQL as SQL } from '../../sql/metrics-statements';
import type { OutboxBacklogRow } from '../../sql/metrics-statements';
import type { Metric } from '../platform/metrics';
import type { AlertSummary } from './alert';

/** What the outbox still owes after a run. */
export interface OutboxBacklog {
  /** Unsent notifications (every run's, not only this one's). */
  unsent: number;
  /** Age of the oldest of them, 0 when there is none. */
  oldestUnsentAgeSeconds: number;
}

/**
 * Read the outbox's backlog at `now` (ms since the epoch), read-only.
 *
 * @example
 *   const backlog = await readOutboxBacklog(pool, Date.now()); // { unsent: 2, oldestUnsentAgeSeconds: 185.2 }
 */
export async function readOutboxBacklog(pool: pg.Pool, now: number): Promise<OutboxBacklog> {
  const row = (await pool.query<OutboxBacklogRow>(SQL.outboxBacklog, [new Date(now)])).rows[0];
  return { unsent: Number(row?.unsent ?? 0), oldestUnsentAgeSeconds: Math.max(0, Number(row?.oldest_age_seconds ?? 0)) };
}

/**
 * The metrics of one alert run: what SNS accepted and refused in it, and
 * what the outbox still owes (the alarms "outbox not draining" and "oldest
 * notification unsent" watch the last two).
 *
 * @example
 *   metrics.emit(alertMetrics(summary, await readOutboxBacklog(pool, Date.now())));
 */
export function alertMetrics(summary: AlertSummary, backlog: OutboxBacklog): Metric[] {
  return [
    { name: 'NotificationsPublished', unit: 'Count', value: summary.notifications.sent },
    { name: 'PublishFailures', unit: 'Count', value: summary.notifications.failed },
    { name: 'UnsentNotifications', unit: 'Count', value: backlog.unsent },
    { name: 'OldestUnsentAgeSeconds', unit: 'Seconds', value: backlog.oldestUnsentAgeSeconds },
  ];
}
