-- The kinds of ingest anomaly, as the code knows them (ANOMALY_KINDS in
-- lib/ingest/anomaly.ts; a unit test keeps the two lists equal). These are
-- all the kinds ever written, so existing rows pass the check. A new kind
-- needs a migration that replaces this constraint.
ALTER TABLE ingest_anomalies ADD CONSTRAINT ingest_anomalies_kind_check
  CHECK (kind IN ('truncated', 'content_replaced', 'shrank', 'shrank_while_reading', 'file_gone_unread',
                  'rotated_gone_unread', 'identity_mismatch', 'file_unreadable', 'unparseable_lines',
                  'truncated_lines', 'invalid_utf8', 'nul_bytes', 'entry_rejected', 'time_out_of_range'));
