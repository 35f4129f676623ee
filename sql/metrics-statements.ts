// Read-only statements behind the functions' CloudWatch metrics
// (lib/platform/metrics.ts). Parameters are always $n.
export const METRICS_SQL = {
  /**
   * Notifications owed and not yet accepted by SNS, and the age in seconds
   * of the oldest at $1 (0 when there is none). Served by the partial index
   * alert_outbox_unsent.
   */
  outboxBacklog: `SELECT count(*)::int AS unsent,
      COALESCE(EXTRACT(EPOCH FROM ($1::timestamptz - min(created_at))), 0)::float8 AS oldest_age_seconds
    FROM alert_outbox WHERE sent_at IS NULL`,
} as const;

export interface OutboxBacklogRow {
  unsent: number;
  oldest_age_seconds: number;
}
