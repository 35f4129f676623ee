-- Per-minute counts of log_entries (issue 16): a rule's window count reads
-- its whole minutes here and only the partial minutes at its two ends from
-- log_entries, so its cost follows the window's minutes and groups, not the
-- entries in it (lib/alert/minute-counts.ts; measured in docs/performance.md).
--
-- Append-only: every statement that inserts, deletes or updates entries adds
-- one row per (minute, file, template, level) it touched, with n negative for
-- deleted entries. No unique key, so no upsert, row lock or deadlock between
-- concurrent ingests; a reader sums the rows of a group. last_ingested is the
-- latest ingested_at of the entries a row counts: a reader compares it with
-- its visibility mark (commit-cursor.ts) and counts a group whose rows reach
-- the mark from the entries themselves instead.
--
-- Kept by statement-level triggers with transition tables on the partitioned
-- parent (one INSERT per COPY, not one per row). Not fired by statements on a
-- partition itself: log_entries_add_day moves a day's rows from the default
-- partition to the new one, which changes no minute, file, template or level.
-- A TRUNCATE of log_entries empties it; log_entries_detach (retention) deletes
-- the detached partition's minutes in the same transaction.
--
-- Minutes are date_bin('1 minute', logged_at, '2000-01-01 00:00+00'): the
-- UTC minute, whatever the session's time zone.
CREATE TABLE log_entry_minutes (
  minute        timestamptz NOT NULL,
  source_id     bigint      NOT NULL,
  template_id   bigint,
  level         text        NOT NULL,
  n             bigint      NOT NULL,
  last_ingested timestamptz NOT NULL
);
CREATE INDEX log_entry_minutes_minute ON log_entry_minutes (minute);

CREATE FUNCTION log_entry_minutes_added() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO log_entry_minutes (minute, source_id, template_id, level, n, last_ingested)
  SELECT date_bin('1 minute', a.logged_at, '2000-01-01 00:00+00'), a.source_id, a.template_id, a.level, count(*), max(a.ingested_at)
  FROM added a GROUP BY 1, 2, 3, 4;
  RETURN NULL;
END
$fn$;

CREATE FUNCTION log_entry_minutes_removed() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO log_entry_minutes (minute, source_id, template_id, level, n, last_ingested)
  SELECT date_bin('1 minute', r.logged_at, '2000-01-01 00:00+00'), r.source_id, r.template_id, r.level, -count(*), max(r.ingested_at)
  FROM removed r GROUP BY 1, 2, 3, 4;
  RETURN NULL;
END
$fn$;

CREATE FUNCTION log_entry_minutes_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO log_entry_minutes (minute, source_id, template_id, level, n, last_ingested)
  SELECT minute, source_id, template_id, level, sum(n), max(last_ingested) FROM (
    SELECT date_bin('1 minute', r.logged_at, '2000-01-01 00:00+00') AS minute, r.source_id, r.template_id, r.level, -1 AS n, r.ingested_at AS last_ingested FROM removed r
    UNION ALL
    SELECT date_bin('1 minute', a.logged_at, '2000-01-01 00:00+00'), a.source_id, a.template_id, a.level, 1, a.ingested_at FROM added a
  ) d GROUP BY 1, 2, 3, 4;
  RETURN NULL;
END
$fn$;

CREATE FUNCTION log_entry_minutes_emptied() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  -- DELETE, not TRUNCATE: a TRUNCATE naming both tables is still running
  DELETE FROM log_entry_minutes;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER log_entries_minutes_added AFTER INSERT ON log_entries
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION log_entry_minutes_added();
CREATE TRIGGER log_entries_minutes_removed AFTER DELETE ON log_entries
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION log_entry_minutes_removed();
CREATE TRIGGER log_entries_minutes_changed AFTER UPDATE ON log_entries
  REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION log_entry_minutes_changed();
CREATE TRIGGER log_entries_minutes_emptied AFTER TRUNCATE ON log_entries
  FOR EACH STATEMENT EXECUTE FUNCTION log_entry_minutes_emptied();

-- As in 019, plus the partition's minutes: they go with its rows.
CREATE OR REPLACE FUNCTION log_entries_detach(part text, cutoff timestamptz) RETURNS boolean LANGUAGE plpgsql AS $fn$
DECLARE
  bounds record;
BEGIN
  SELECT p.lower_bound, p.upper_bound INTO bounds FROM log_entries_partitions() p WHERE p.name = part AND NOT p.is_default AND p.upper_bound <= cutoff;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  EXECUTE format('ALTER TABLE log_entries DETACH PARTITION %I', part);
  DELETE FROM log_entry_minutes WHERE minute >= coalesce(bounds.lower_bound, '-infinity') AND minute < bounds.upper_bound;
  RETURN true;
END
$fn$;

-- The entries stored so far, in one pass. The triggers exist already and
-- CREATE TRIGGER's lock keeps ingest out until this migration commits, so
-- no entry is counted twice or missed.
INSERT INTO log_entry_minutes (minute, source_id, template_id, level, n, last_ingested)
SELECT date_bin('1 minute', e.logged_at, '2000-01-01 00:00+00'), e.source_id, e.template_id, e.level, count(*), max(e.ingested_at)
FROM log_entries e GROUP BY 1, 2, 3, 4;
