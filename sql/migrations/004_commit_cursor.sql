-- The alert cursor now serves both the late-data check and the windows of
-- entries committed after their time: it marks which entries have been
-- examined, whatever for. Entries ingested before `examined_until` (by their
-- ingest transaction's start, log_entries.ingested_at) were examined by one
-- evaluation each.
ALTER TABLE alert_cursor RENAME COLUMN late_checked_until TO examined_until;
