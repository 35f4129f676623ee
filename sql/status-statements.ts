// Statements of `npm run status`. Read-only; parameters are always $n.
export const STATUS_SQL = {
  /** Each threshold rule's threshold and window, as its state rows last saw them (the chart's threshold lines). */
  ruleThresholds: `SELECT DISTINCT ON (rule_name) rule_name, (rule->>'threshold')::float8 AS threshold, (rule->>'windowMs')::float8 AS window_ms
    FROM alert_state
    WHERE rule_name NOT LIKE 'health:%' AND rule ? 'threshold' AND rule ? 'windowMs' AND coalesce(rule->>'type', 'threshold') = 'threshold'
    ORDER BY rule_name, updated_at DESC`,
  /** Every checkpoint that is still read or waited for (retired ones are done). */
  listSources: `SELECT id, path, status, dev::text AS dev, ino::text AS ino, read_offset::text AS read_offset,
      size_seen::text AS size_seen, mtime_seen, updated_at, last_error,
      source_name, service, host, format, lines_read::text AS lines_read, lines_unparsed::text AS lines_unparsed
    FROM log_sources WHERE status <> 'retired' ORDER BY path, id`,
  /** The latest lines no format understood: $1 how many. */
  recentUnparsed: `SELECT created_at, path, byte_offset::text AS byte_offset, reason, line
    FROM ingest_unparsed ORDER BY id DESC LIMIT $1`,
  /** Each rule's state with its latest notification, if any. */
  listRules: `SELECT s.rule_name, s.state, s.state_since, s.last_count::text AS last_count, s.last_evaluated_at,
      s.last_notified_at, n.kind AS last_kind, n.created_at AS last_created_at, n.sent_at AS last_sent_at,
      n.last_error AS last_error
    FROM alert_state s
    LEFT JOIN LATERAL (
      SELECT kind, created_at, sent_at, last_error FROM alert_outbox o
      WHERE o.rule_name = s.rule_name ORDER BY o.id DESC LIMIT 1
    ) n ON true
    WHERE s.group_key = ''
    ORDER BY s.rule_name`,
  /** The keys of grouped rules that are not OK (an OK key keeps no row), $1: how many, with their latest notification. */
  listKeys: `SELECT s.rule_name, s.group_key, s.labels, s.state, s.state_since, s.firing_since, s.last_count::text AS last_count,
      n.kind AS last_kind, n.sent_at AS last_sent_at
    FROM alert_state s
    LEFT JOIN LATERAL (
      SELECT kind, sent_at FROM alert_outbox o
      WHERE o.rule_name = s.rule_name AND o.group_key = s.group_key ORDER BY o.id DESC LIMIT 1
    ) n ON true
    WHERE s.group_key <> ''
    ORDER BY s.rule_name, s.state DESC, s.state_since, s.group_key LIMIT $1`,
  /**
   * The most frequent error templates logged in [$1, $2), $3: how many, with
   * their catalogued text and first sighting (error_templates), where they
   * come from and one real line each. Entries stored before templates are
   * grouped by their first line.
   */
  topTemplates: `SELECT g.template_id, coalesce(t.template, g.line) AS template, g.entries::int AS entries, g.first_at, g.last_at,
      t.first_seen AS known_since, g.files::int AS files, g.services, left(x.message, 300) AS example, x.path AS example_path
    FROM (
      SELECT e.template_id::text AS template_id,
        CASE WHEN e.template_id IS NULL THEN left(split_part(e.message, E'\\n', 1), 300) END AS line,
        count(*) AS entries, min(e.logged_at) AS first_at, max(e.logged_at) AS last_at, max(e.id) AS example_id,
        count(DISTINCT e.source_id) AS files,
        string_agg(DISTINCT nullif(s.service, ''), ', ') AS services
      FROM log_entries e LEFT JOIN log_sources s ON s.id = e.source_id
      WHERE e.logged_at >= $1 AND e.logged_at < $2
      GROUP BY 1, 2
      ORDER BY entries DESC, 1, 2 LIMIT $3
    ) g
    LEFT JOIN error_templates t ON t.id = g.template_id::bigint
    LEFT JOIN LATERAL (SELECT e.message, coalesce(s.path, '(unknown file)') AS path FROM log_entries e
      LEFT JOIN log_sources s ON s.id = e.source_id WHERE e.id = g.example_id) x ON true
    ORDER BY g.entries DESC, g.last_at DESC`,
  /** The built-in health rules' state, with what their check last found (kept in alert_state.rule by the alert job). */
  listHealth: `SELECT rule_name, state, state_since, firing_since, last_evaluated_at, rule->>'headline' AS headline
    FROM alert_state WHERE rule_name LIKE 'health:%' ORDER BY rule_name`,
  /** When ingest and alert last got through a run. */
  lastRuns: `SELECT (SELECT max(finished_at) FROM ingest_runs) AS last_ingest,
      (SELECT max(last_evaluated_at) FROM alert_state) AS last_evaluation`,
  /**
   * The alert job's commit cursor (entries committed before examined_until
   * were examined by the rules) and how far the database clock is past it.
   * What holds it is ALERT_SQL.oldestLogmonTransaction, as the health rule reads it.
   */
  alertCursor: `SELECT examined_until, (extract(epoch FROM now() - examined_until) * 1000)::bigint::text AS behind_ms
    FROM alert_cursor WHERE singleton`,
  /** Notifications owed but not yet accepted by SNS. */
  unsentNotifications: `SELECT count(*)::int AS unsent, min(created_at) AS oldest,
      (SELECT last_error FROM alert_outbox WHERE sent_at IS NULL AND last_error IS NOT NULL
        ORDER BY last_attempt_at DESC NULLS LAST, id DESC LIMIT 1) AS last_error
    FROM alert_outbox WHERE sent_at IS NULL`,
  /**
   * Each notification channel's delivery state (alert_deliveries: rows exist
   * only with a channels: section): delivered since $1, owed, the oldest owed,
   * the last delivery and the newest error of what it owes.
   */
  channelDeliveries: `SELECT channel,
      count(*) FILTER (WHERE sent_at >= $1)::int AS sent_since,
      count(*) FILTER (WHERE sent_at IS NULL)::int AS unsent,
      min(created_at) FILTER (WHERE sent_at IS NULL) AS oldest_unsent,
      max(sent_at) AS last_sent_at,
      (array_agg(last_error ORDER BY last_attempt_at DESC NULLS LAST) FILTER (WHERE sent_at IS NULL AND last_error IS NOT NULL))[1] AS last_error
    FROM alert_deliveries GROUP BY channel ORDER BY channel`,
  /** $1: since, $2: how many. */
  recentAnomalies: `SELECT created_at, path, kind, occurrences::text AS occurrences, bytes::text AS bytes, detail
    FROM ingest_anomalies WHERE created_at >= $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
  /** Stored entries per minute and level in [$1, $2). */
  entriesPerMinute: `SELECT date_trunc('minute', logged_at) AS minute, level, count(*)::int AS entries
    FROM log_entries WHERE logged_at >= $1 AND logged_at < $2
    GROUP BY 1, 2 ORDER BY 1, 2`,
} as const;

/** channelDeliveries */
export type ChannelDeliveryRow = {
  channel: string;
  sent_since: number;
  unsent: number;
  oldest_unsent: Date | null;
  last_sent_at: Date | null;
  last_error: string | null;
};

/** ruleThresholds */
export type RuleThresholdRow = { rule_name: string; threshold: number; window_ms: number };
