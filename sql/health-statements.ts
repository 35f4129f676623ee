// Statements of logmon's own health: the ingest job's record of each run,
// and what the alert job's health rules read. Parameters are always $n.

export const HEALTH_SQL = {
  /** How far (ms) the database clock is past $1 (the commit cursor's position, as text). */
  behindMs: `SELECT greatest(0, extract(epoch FROM now() - $1::timestamptz) * 1000)::bigint::text AS ms`,
  insertIngestRun: `INSERT INTO ingest_runs (run_id, started_at, finished_at, outcome, files_read, entries_stored, files_with_errors,
      unmatched_patterns, silent_sources, lines)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
  /**
   * Today and tomorrow (UTC, the database's clock) when no day partition of
   * log_entries covers them (the retention job creates each day ahead:
   * entries of a day without one go to the default partition).
   */
  missingDayPartitions: `SELECT to_char(days.day, 'YYYY-MM-DD') AS day
    FROM (SELECT (now() AT TIME ZONE 'UTC')::date + ahead.n AS day FROM (VALUES (0), (1)) AS ahead(n)) AS days
    WHERE NOT EXISTS (SELECT 1 FROM log_entries_partitions() p
      WHERE NOT p.is_default AND (p.lower_bound IS NULL OR p.lower_bound <= days.day::timestamp AT TIME ZONE 'UTC')
        AND p.upper_bound >= (days.day + 1)::timestamp AT TIME ZONE 'UTC')
    ORDER BY days.day`,
  /** The latest recorded run (null columns when there is none). */
  latestIngestRun: `SELECT max(finished_at) AS finished_at,
      (SELECT unmatched_patterns FROM ingest_runs ORDER BY finished_at DESC, id DESC LIMIT 1) AS unmatched_patterns,
      (SELECT silent_sources FROM ingest_runs ORDER BY finished_at DESC, id DESC LIMIT 1) AS silent_sources
    FROM ingest_runs`,
  /**
   * Files (and S3 objects) that could not be read last time, S3 locations
   * that could not be listed last time, and checkpoints kept for a file gone
   * from its path (no live checkpoint there now: another file at the same
   * path is read instead of it).
   */
  problemSources: `SELECT path, source_name, status, last_error FROM (
      SELECT s.path, s.source_name, s.status, s.last_error, s.id FROM log_sources s
      WHERE (s.status IN ('active', 'rotated') AND s.last_error IS NOT NULL)
        OR (s.status = 'missing' AND NOT EXISTS (SELECT 1 FROM log_sources l WHERE l.path = s.path AND l.status IN ('active', 'rotated')))
      UNION ALL
      -- an S3 location whose last listing failed (access denied, no such bucket, throttled): unreadable
      SELECT location, source_name, 'active', last_error, 0 FROM s3_listings WHERE last_error IS NOT NULL
    ) p
    ORDER BY path, id`,
  /** Lines read and not understood per file by the runs finished after $1. */
  recentLines: `SELECT l->>'source' AS source, l->>'path' AS path, sum((l->>'lines')::bigint)::text AS lines,
      sum((l->>'unparsed')::bigint)::text AS unparsed
    FROM ingest_runs r, jsonb_array_elements(r.lines) l
    WHERE r.finished_at > $1
    GROUP BY 1, 2 ORDER BY 2`,
  readHealthCursor: 'SELECT loss_seen_id::text AS loss_seen_id FROM health_cursor WHERE singleton',
  saveHealthCursor: `INSERT INTO health_cursor (singleton, loss_seen_id) VALUES (true, $1)
    ON CONFLICT (singleton) DO UPDATE SET loss_seen_id = greatest(health_cursor.loss_seen_id, $1)`,
  /** Bytes lost (kinds $2) recorded after anomaly id $1, per file and kind, and the last id. */
  newLosses: `SELECT path, kind, sum(occurrences)::text AS occurrences, sum(bytes)::text AS bytes, max(id)::text AS last_id
    FROM ingest_anomalies WHERE id > $1 AND kind = ANY($2::text[]) AND bytes > 0
    GROUP BY path, kind ORDER BY sum(bytes) DESC, path, kind`,
  /** The oldest notification not yet accepted by SNS. */
  oldestUnsent: `SELECT min(created_at) AS oldest, count(*)::text AS n,
      (SELECT last_error FROM alert_outbox WHERE sent_at IS NULL AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1) AS last_error
    FROM alert_outbox WHERE sent_at IS NULL`,
  /** The latest FIRING of health rule $1 and the first RESOLVED after it (null while it fires). */
  latestOutage: `SELECT f.created_at AS from_at,
      (SELECT min(r.created_at) FROM alert_outbox r WHERE r.rule_name = $1 AND r.kind = 'resolved' AND r.id > f.id) AS to_at
    FROM alert_outbox f WHERE f.rule_name = $1 AND f.kind = 'firing' ORDER BY f.id DESC LIMIT 1`,
} as const;

/** latestIngestRun */
export type LatestIngestRunRow = {
  finished_at: Date | null;
  unmatched_patterns: string[] | null;
  silent_sources: { source: string; lastActivity: number | null; withinMs: number }[] | null;
};
/** missingDayPartitions: a day, YYYY-MM-DD (UTC) */
export type MissingDayRow = { day: string };
/** problemSources */
export type ProblemSourceRow = { path: string; source_name: string; status: string; last_error: string | null };
/** recentLines */
export type RecentLinesRow = { source: string; path: string; lines: string; unparsed: string };
/** readHealthCursor */
export type HealthCursorRow = { loss_seen_id: string };
/** newLosses */
export type NewLossRow = { path: string; kind: string; occurrences: string; bytes: string; last_id: string };
/** oldestUnsent */
export type OldestUnsentRow = { oldest: Date | null; n: string; last_error: string | null };
/** latestOutage */
export type OutageRow = { from_at: Date; to_at: Date | null };
