-- Health: logmon watches itself. Every ingest run that reaches its end
-- records itself here (a run that fails on the database cannot, and the
-- alert job's health rule `ingest-not-running` notices the gap); the alert
-- job reads these rows, log_sources and ingest_anomalies to say when it is blind.
CREATE TABLE ingest_runs (
  id                 bigserial   PRIMARY KEY,
  run_id             text        NOT NULL,
  -- the ingest job's clock (tests move it)
  started_at         timestamptz NOT NULL,
  finished_at        timestamptz NOT NULL,
  -- INGEST_RUN_OUTCOMES in lib/ingest/ingest-run.ts
  outcome            text        NOT NULL CHECK (outcome IN ('complete', 'file_errors', 'stopped_early')),
  files_read         integer     NOT NULL DEFAULT 0,
  entries_stored     bigint      NOT NULL DEFAULT 0,
  files_with_errors  integer     NOT NULL DEFAULT 0,
  -- configured paths/globs (absolute) that matched no file this run
  unmatched_patterns text[]      NOT NULL DEFAULT '{}',
  -- sources with expectActivityWithin whose files did not change within it: [{source, lastActivity, withinMs}]
  silent_sources     jsonb       NOT NULL DEFAULT '[]',
  -- lines read and not understood this run, per file that had lines: [{source, path, lines, unparsed}]
  lines              jsonb       NOT NULL DEFAULT '[]'
);
CREATE INDEX ingest_runs_finished_at ON ingest_runs (finished_at);

-- How far the health rule `loss-recorded` has looked in ingest_anomalies.
CREATE TABLE health_cursor (
  singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  loss_seen_id   bigint  NOT NULL DEFAULT 0
);

-- Health notifications carry the message attribute kind=health (the row's
-- kind stays firing/reminder/resolved), so subscription filter policies can route them.
ALTER TABLE alert_outbox DROP CONSTRAINT alert_outbox_attributes_kind_check;
ALTER TABLE alert_outbox ADD CONSTRAINT alert_outbox_attributes_kind_check
  CHECK (attributes->>'kind' = kind OR (attributes->>'kind' = 'health' AND rule_name LIKE 'health:%'));
