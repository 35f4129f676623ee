// Statements of the dashboard (lib/dashboard/) that `npm run status` does not
// already have (sql/status-statements.ts: the dashboard reads those through
// readStatus). Read-only; parameters are always $n. The rows they return are
// typed at the end.
export const DASHBOARD_SQL = {
  /** Stored entries per minute in [$1, $2), per service and host of their file ('' when the file has none). */
  entriesPerMinuteBySource: `SELECT date_trunc('minute', e.logged_at) AS minute, coalesce(s.service, '') AS service, coalesce(s.host, '') AS host,
      count(*)::int AS entries
    FROM log_entries e LEFT JOIN log_sources s ON s.id = e.source_id
    WHERE e.logged_at >= $1 AND e.logged_at < $2
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  /**
   * Notifications owed by rules, newest first: $1 rule name (null: every
   * rule), $2 key (null: every key; '' is a rule without groupBy), $3 how many.
   */
  alertHistory: `SELECT o.id::text AS id, o.rule_name, o.group_key, o.kind, o.subject, o.created_at, o.sent_at, o.attempts, o.last_error,
      o.silenced_by::text AS silenced_by
    FROM alert_outbox o
    WHERE ($1::text IS NULL OR o.rule_name = $1) AND ($2::text IS NULL OR o.group_key = $2)
    ORDER BY o.id DESC LIMIT $3`,
  /**
   * Every stored entry from $1 - $2 minutes to $1 + $2 minutes, with its file
   * and byte offset, at most $3 (sql/queries/entries-around.sql, for psql, is the same query).
   */
  entriesAround: `SELECT e.id::text AS id, e.logged_at, e.level, e.level_text, coalesce(s.service, '') AS service, coalesce(s.host, '') AS host,
      coalesce(s.path, '(unknown file)') AS path, e.byte_offset::text AS byte_offset, e.message
    FROM log_entries e
    LEFT JOIN log_sources s ON s.id = e.source_id
    WHERE e.logged_at >= $1::timestamptz - make_interval(mins => $2::int)
      AND e.logged_at <= $1::timestamptz + make_interval(mins => $2::int)
    ORDER BY e.logged_at, e.source_id, e.byte_offset
    LIMIT $3`,
  /** Bytes never read per checkpoint since $1, counting the anomaly kinds $2 (LOSS_KINDS of lib/ingest/anomaly.ts). */
  lossesPerSource: `SELECT source_id::text AS source_id, sum(bytes)::text AS bytes, sum(occurrences)::text AS occurrences, max(created_at) AS last_at
    FROM ingest_anomalies
    WHERE created_at >= $1 AND kind = ANY($2::text[]) AND source_id IS NOT NULL
    GROUP BY source_id`,
} as const;

/** entriesPerMinuteBySource */
export type MinuteBySourceRow = { minute: Date; service: string; host: string; entries: number };

/** alertHistory */
export type AlertHistoryRow = {
  id: string;
  rule_name: string;
  group_key: string;
  kind: string;
  subject: string;
  created_at: Date;
  sent_at: Date | null;
  attempts: number;
  last_error: string | null;
  silenced_by: string | null;
};

/** entriesAround */
export type EntryAroundRow = {
  id: string;
  logged_at: Date;
  level: string;
  level_text: string | null;
  service: string;
  host: string;
  path: string;
  byte_offset: string;
  message: string;
};

/** lossesPerSource */
export type SourceLossRow = { source_id: string; bytes: string; occurrences: string; last_at: Date };
