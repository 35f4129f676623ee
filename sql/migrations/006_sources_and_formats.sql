-- Sources and formats: each monitored file belongs to a configured source
-- (its name, labels and detected format are kept on the checkpoint row, so
-- entries get them by joining log_sources), and every entry keeps its
-- normalised severity, the level as written, its structured fields and
-- whether its time was taken from the line or stood in for a missing one.

ALTER TABLE log_sources ADD COLUMN source_name text NOT NULL DEFAULT 'default';
ALTER TABLE log_sources ADD COLUMN service text NOT NULL DEFAULT '';
ALTER TABLE log_sources ADD COLUMN host text NOT NULL DEFAULT '';
ALTER TABLE log_sources ADD COLUMN labels jsonb NOT NULL DEFAULT '{}';
-- the format of most entry lines read in the last batch ('' before the first)
ALTER TABLE log_sources ADD COLUMN format text NOT NULL DEFAULT '';
-- lines read and lines no format understood, since the checkpoint was created
ALTER TABLE log_sources ADD COLUMN lines_read bigint NOT NULL DEFAULT 0;
ALTER TABLE log_sources ADD COLUMN lines_unparsed bigint NOT NULL DEFAULT 0;

-- OpenTelemetry-style severity number (ERROR 17, CRITICAL 19, FATAL 21; 0 before this migration)
ALTER TABLE log_entries ADD COLUMN severity smallint NOT NULL DEFAULT 0;
-- the level as the line wrote it (`err`, `50`, `E`); NULL when equal to `level`
ALTER TABLE log_entries ADD COLUMN level_text text;
-- the whole object of a JSON or logfmt line
ALTER TABLE log_entries ADD COLUMN fields jsonb;
-- 'line': the line's own time; 'wrapper': the container runtime's; 'read': the line had none, the read time stands in
ALTER TABLE log_entries ADD COLUMN time_source text NOT NULL DEFAULT 'line'
  CHECK (time_source IN ('line', 'wrapper', 'read'));

-- The first lines of each batch that no format understood, as bytes, with
-- where they are: what `npm run status` and operators look at to fix a format.
CREATE TABLE ingest_unparsed (
  id           bigserial   PRIMARY KEY,
  run_id       text        NOT NULL,
  source_id    bigint      NOT NULL,
  path         text        NOT NULL,
  byte_offset  bigint      NOT NULL,
  line         bytea       NOT NULL,
  reason       text        NOT NULL CHECK (reason IN ('no_format', 'bad_timestamp', 'unknown_level', 'orphan_continuation')),
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ingest_unparsed_created_at ON ingest_unparsed (created_at);
CREATE INDEX ingest_unparsed_source ON ingest_unparsed (source_id, id);
