-- Every stored entry a few minutes either side of a moment, with its file and
-- byte offset (to open the file right there: tail -c +OFFSET).
--   psql "$DATABASE_URL" -v at='2026-11-23 10:00:00+00' -f sql/queries/entries-around.sql
--   psql "$DATABASE_URL" -v at='2026-11-23 10:00:00+00' -v minutes=15 -v limit=1000 -f sql/queries/entries-around.sql
\if :{?at}
\else
  \echo 'usage: psql "$DATABASE_URL" -v at=''2026-11-23 10:00:00+00'' [-v minutes=5] [-v limit=200] -f sql/queries/entries-around.sql'
  \quit
\endif
\if :{?minutes}
\else
  \set minutes 5
\endif
\if :{?limit}
\else
  \set limit 200
\endif

SELECT e.logged_at, e.level, e.level_text, s.service, s.host, s.path, e.byte_offset, e.message
FROM log_entries e
LEFT JOIN log_sources s ON s.id = e.source_id
WHERE e.logged_at >= (:'at')::timestamptz - make_interval(mins => (:'minutes')::int)
  AND e.logged_at <= (:'at')::timestamptz + make_interval(mins => (:'minutes')::int)
ORDER BY e.logged_at, e.source_id, e.byte_offset
LIMIT (:'limit')::int;
