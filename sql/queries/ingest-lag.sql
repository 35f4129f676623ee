-- Per monitored file: the checkpoint, the bytes the last run saw but did not
-- store yet (lag), and how long ago a run last touched it. A lag that keeps
-- growing, or an old "since_last_run", means ingest is falling behind or failing.
--   psql "$DATABASE_URL" -f sql/queries/ingest-lag.sql
SELECT path, status, read_offset, size_seen,
       size_seen - read_offset AS lag_bytes,
       pg_size_pretty(size_seen - read_offset) AS lag,
       mtime_seen,
       now() - updated_at AS since_last_run,
       last_error
FROM log_sources
WHERE status <> 'retired'
ORDER BY lag_bytes DESC, path;
