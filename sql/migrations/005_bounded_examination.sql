-- The commit cursor examines a bounded slice of entries per evaluation, so a
-- backlog ingested in one transaction (one ingested_at) must be split: the
-- cursor becomes a position (ingested_at, id). Entries with (ingested_at, id)
-- below (examined_until, examined_id) were examined; 0 keeps the old meaning
-- (everything ingested before examined_until). The slice is read in that
-- order, hence the index on both columns (it replaces the one on ingested_at).
ALTER TABLE alert_cursor ADD COLUMN examined_id bigint NOT NULL DEFAULT 0;
CREATE INDEX log_entries_ingested_at_id ON log_entries (ingested_at, id);
DROP INDEX log_entries_ingested_at;

-- Late entries of a backlog examined over several evaluations, per rule,
-- until the rule's LATE DATA report goes out: one report per backlog, not one
-- per evaluation. top_messages and samples are merged from each slice.
CREATE TABLE alert_late_tally (
  rule_name     text        PRIMARY KEY,
  entries       bigint      NOT NULL,
  busiest       bigint      NOT NULL,
  first_at      timestamptz NOT NULL,
  last_at       timestamptz NOT NULL,
  top_messages  jsonb       NOT NULL DEFAULT '[]',
  samples       jsonb       NOT NULL DEFAULT '[]',
  -- the run's clock when the first of these entries was examined
  since         timestamptz NOT NULL
);
