-- What ingest could not read or store as written (truncations, rotations lost,
-- invalid UTF-8, over-long lines, rejected rows), per kind and then one by one.
--   psql "$DATABASE_URL" -f sql/queries/ingest-anomalies.sql
--   psql "$DATABASE_URL" -v days=30 -f sql/queries/ingest-anomalies.sql
\if :{?days}
\else
  \set days 7
\endif

SELECT kind, count(*) AS runs, sum(occurrences) AS occurrences, sum(bytes) AS bytes,
       min(created_at) AS first_seen, max(created_at) AS last_seen
FROM ingest_anomalies
WHERE created_at >= now() - make_interval(days => (:'days')::int)
GROUP BY kind
ORDER BY last_seen DESC;

SELECT created_at, path, kind, occurrences, bytes, first_offset, detail, run_id
FROM ingest_anomalies
WHERE created_at >= now() - make_interval(days => (:'days')::int)
ORDER BY created_at DESC, id DESC;
