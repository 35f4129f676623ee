// Statements of the retention job. Each one deletes the next batch of rows
// past the cutoff in primary-key order, starting after the last id the
// previous batch removed ($1), at most $3 rows, and reports how many it
// removed and the last id. Every batch is its own short transaction holding
// only the row locks of the rows it deletes: COPY into log_entries and the
// alert job's reads go on undisturbed, and no id range is visited twice.
// Parameters are always $n.
//
// log_entries is partitioned by day (019_partitioned_entries.sql): whole days
// past the cutoff are dropped first (lib/retention/entry-partitions.ts), so
// deleteEntries only meets the day that straddles the cutoff, the default
// partition and the legacy one. Its `logged_at < $2` prunes the others from
// the plan, and the delete joins on the whole key (id, logged_at): joined on
// id alone, each doomed row would be looked up in every partition.
export const RETENTION_SQL = {
  deleteEntries: `WITH doomed AS (
    SELECT id, logged_at FROM log_entries WHERE id > $1 AND logged_at < $2 ORDER BY id LIMIT $3
  ), deleted AS (
    DELETE FROM log_entries t USING doomed WHERE t.id = doomed.id AND t.logged_at = doomed.logged_at AND t.logged_at < $2 RETURNING t.id
  )
  SELECT count(*)::int AS deleted, max(id)::text AS last_id FROM deleted`,
  deleteAnomalies: `WITH doomed AS (
    SELECT id FROM ingest_anomalies WHERE id > $1 AND created_at < $2 ORDER BY id LIMIT $3
  ), deleted AS (
    DELETE FROM ingest_anomalies t USING doomed WHERE t.id = doomed.id RETURNING t.id
  )
  SELECT count(*)::int AS deleted, max(id)::text AS last_id FROM deleted`,
  deleteUnparsed: `WITH doomed AS (
    SELECT id FROM ingest_unparsed WHERE id > $1 AND created_at < $2 ORDER BY id LIMIT $3
  ), deleted AS (
    DELETE FROM ingest_unparsed t USING doomed WHERE t.id = doomed.id RETURNING t.id
  )
  SELECT count(*)::int AS deleted, max(id)::text AS last_id FROM deleted`,
  /** The ingest job's record of its runs (by when they finished, on its clock). */
  deleteIngestRuns: `WITH doomed AS (
    SELECT id FROM ingest_runs WHERE id > $1 AND finished_at < $2 ORDER BY id LIMIT $3
  ), deleted AS (
    DELETE FROM ingest_runs t USING doomed WHERE t.id = doomed.id RETURNING t.id
  )
  SELECT count(*)::int AS deleted, max(id)::text AS last_id FROM deleted`,
  /**
   * Error templates last seen before the cutoff (their entries are gone): one
   * seen again later is new again, as it should be after that long. Ids are
   * signed: the first batch starts after the smallest bigint.
   */
  deleteTemplates: `WITH doomed AS (
    SELECT id FROM error_templates WHERE id > $1::bigint AND last_seen < $2 ORDER BY id LIMIT $3
  ), deleted AS (
    DELETE FROM error_templates t USING doomed WHERE t.id = doomed.id RETURNING t.id
  )
  SELECT count(*)::int AS deleted, max(id)::text AS last_id FROM deleted`,
  /** Only notifications already sent (a NULL sent_at never compares): an unsent row is still owed to someone. */
  deleteSentNotifications: `WITH doomed AS (
    SELECT id FROM alert_outbox WHERE id > $1 AND sent_at < $2 ORDER BY id LIMIT $3
  ), deleted AS (
    DELETE FROM alert_outbox t USING doomed WHERE t.id = doomed.id RETURNING t.id
  )
  SELECT count(*)::int AS deleted, max(id)::text AS last_id FROM deleted`,
} as const;
