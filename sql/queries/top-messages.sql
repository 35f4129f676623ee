-- The most frequent messages, numbers folded to N so that "timeout after 31 ms"
-- and "timeout after 32 ms" count together (first line of each entry only).
--   psql "$DATABASE_URL" -f sql/queries/top-messages.sql
--   psql "$DATABASE_URL" -v hours=168 -v limit=50 -f sql/queries/top-messages.sql
\if :{?hours}
\else
  \set hours 24
\endif
\if :{?limit}
\else
  \set limit 20
\endif

SELECT e.level,
       s.service,
       s.host,
       left(regexp_replace(split_part(e.message, E'\n', 1), '[0-9]+', 'N', 'g'), 160) AS message_pattern,
       count(*) AS entries,
       min(e.logged_at) AS first_seen,
       max(e.logged_at) AS last_seen
FROM log_entries e
LEFT JOIN log_sources s ON s.id = e.source_id
WHERE e.logged_at >= now() - make_interval(hours => (:'hours')::int)
GROUP BY 1, 2, 3, 4
ORDER BY entries DESC, last_seen DESC
LIMIT (:'limit')::int;
