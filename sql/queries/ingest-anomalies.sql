-- Was ingestion complete? Run with: psql "$DATABASE_URL" -f sql/queries/ingest-anomalies.sql
-- Kinds and what their bytes mean: docs/tailing.md#anomaly-kinds

-- Bytes lost in the last 24 hours, per file and kind.
SELECT path, kind, count(*) AS rows, sum(occurrences) AS occurrences, sum(bytes) AS bytes, max(created_at) AS last_seen
FROM ingest_anomalies
WHERE created_at > now() - interval '24 hours'
  AND kind IN ('truncated', 'content_replaced', 'shrank', 'shrank_while_reading',
               'file_gone_unread', 'rotated_gone_unread', 'identity_mismatch', 'entry_rejected')
GROUP BY path, kind
ORDER BY bytes DESC;

-- Files that could not be read in the last hour. A row is written every run
-- while the problem lasts, so only the latest one counts (bytes = unread lag).
SELECT DISTINCT ON (path) path, bytes AS unread_bytes, detail, created_at
FROM ingest_anomalies
WHERE kind = 'file_unreadable' AND created_at > now() - interval '1 hour'
ORDER BY path, created_at DESC;

-- Bytes read but stored altered or not at all, in the last 24 hours.
SELECT kind, sum(occurrences) AS occurrences, sum(bytes) AS bytes
FROM ingest_anomalies
WHERE created_at > now() - interval '24 hours'
  AND kind IN ('unparseable_lines', 'truncated_lines', 'invalid_utf8', 'nul_bytes')
GROUP BY kind
ORDER BY kind;

-- Every checkpoint still followed: how far behind it is, and why it last failed.
SELECT id, path, status, read_offset, size_seen - read_offset AS seen_not_read, generation,
       pending_since, last_error, updated_at
FROM log_sources
WHERE status IN ('active', 'rotated', 'missing')
ORDER BY status, path;
