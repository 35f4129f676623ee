-- The most frequent errors of the last hours, by error template (the
-- template_id ingest stores with each entry: numbers, ids, addresses, quoted
-- strings, key=value values… masked; stack traces by their first line and
-- top frames; lib/ingest/template.ts), with where they come from and one real
-- line each. The template's text and its first sighting (known_since) come
-- from error_templates, which the alert job keeps. Entries stored before
-- templates existed (template_id NULL) are grouped by their first line with
-- numbers folded to N.
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

SELECT g.template_id,
       left(coalesce(t.template, g.pattern, '(not catalogued yet) ' || split_part(x.message, E'\n', 1)), 300) AS template,
       g.entries,
       g.first_seen,
       g.last_seen,
       t.first_seen AS known_since,
       g.files,
       g.services,
       g.hosts,
       left(split_part(x.message, E'\n', 1), 300) AS example,
       x.path AS example_file
FROM (
  SELECT e.template_id,
         CASE WHEN e.template_id IS NULL
              THEN left(regexp_replace(split_part(e.message, E'\n', 1), '[0-9]+', 'N', 'g'), 160) END AS pattern,
         count(*) AS entries,
         min(e.logged_at) AS first_seen,
         max(e.logged_at) AS last_seen,
         max(e.id) AS example_id,
         count(DISTINCT e.source_id) AS files,
         string_agg(DISTINCT nullif(s.service, ''), ', ') AS services,
         string_agg(DISTINCT nullif(s.host, ''), ', ') AS hosts
  FROM log_entries e
  LEFT JOIN log_sources s ON s.id = e.source_id
  WHERE e.logged_at >= now() - make_interval(hours => (:'hours')::int)
  GROUP BY 1, 2
  ORDER BY entries DESC
  LIMIT (:'limit')::int
) g
LEFT JOIN error_templates t ON t.id = g.template_id
LEFT JOIN LATERAL (
  SELECT e.message, coalesce(s.path, '(unknown file)') AS path
  FROM log_entries e LEFT JOIN log_sources s ON s.id = e.source_id
  WHERE e.id = g.example_id
) x ON true
ORDER BY g.entries DESC, g.last_seen DESC;
