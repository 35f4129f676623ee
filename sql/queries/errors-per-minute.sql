-- Stored ERROR/FATAL entries per minute, every minute shown (empty ones too).
--   psql "$DATABASE_URL" -f sql/queries/errors-per-minute.sql
--   psql "$DATABASE_URL" -v minutes=180 -f sql/queries/errors-per-minute.sql
-- Times are shown in the session time zone (PGTZ=Europe/Paris psql ... to change it).
\if :{?minutes}
\else
  \set minutes 60
\endif

WITH minutes AS (
  SELECT generate_series(
           date_trunc('minute', now()) - ((:'minutes')::int - 1) * interval '1 minute',
           date_trunc('minute', now()),
           interval '1 minute') AS minute
)
SELECT m.minute,
       count(e.id) FILTER (WHERE e.level = 'ERROR') AS errors,
       count(e.id) FILTER (WHERE e.level = 'FATAL') AS fatals,
       count(e.id) AS total,
       repeat('#', least(count(e.id), 60)::int) AS bar
FROM minutes m
LEFT JOIN log_entries e ON e.logged_at >= m.minute AND e.logged_at < m.minute + interval '1 minute'
GROUP BY m.minute
ORDER BY m.minute;
