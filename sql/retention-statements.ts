// Statements of the retention job. Each one deletes the next batch of rows
// past the cutoff in primary-key order, starting after the last id the
// previous batch removed ($1), at most $3 rows, and reports how many it
// removed and the last id. Every batch is its own short transaction holding
// only the row locks of the rows it deletes: COPY into log_entries and the
// alert job's reads go on undisturbed, and no id range is visited twice.
// Parameters are always $n.
const batchDelete = (table: string, aged: string): string => `WITH doomed AS (
    SELECT id FROM ${table} WHERE id > $1 AND ${aged} ORDER BY id LIMIT $3
  ), deleted AS (
    DELETE FROM ${table} t USING doomed WHERE t.id = doomed.id RETURNING t.id
  )
  SELECT count(*)::int AS deleted, max(id)::text AS last_id FROM deleted`;

export const RETENTION_SQL = {
  deleteEntries: batchDelete('log_entries', 'logged_at < $2'),
  deleteAnomalies: batchDelete('ingest_anomalies', 'created_at < $2'),
  /** Only notifications already sent (a NULL sent_at never compares): an unsent row is still owed to someone. */
  deleteSentNotifications: batchDelete('alert_outbox', 'sent_at < $2'),
} as const;
