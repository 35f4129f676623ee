-- Per-minute counts of the entries matching each rule `pattern` (issue 16):
-- 020's minutes keep (file, template, level), which a regular expression on
-- the message cannot be read from, so a rule with a pattern counted every
-- entry of its window at every run. These are kept by the alert job itself,
-- in its evaluation transaction, from what the commit cursor examines: each
-- entry is examined by exactly one evaluation, so each is added once
-- (lib/alert/pattern-minutes.ts).
--
-- pattern_coverage.covered_from: for every minute from there on, the rows
-- of pattern_minutes count exactly the entries matching the pattern whose
-- position (ingested_at, id) is before (added_until, added_id), where the
-- commit cursor stood when they were added. A rule's
-- window reads those minutes here; the minutes before covered_from, the two
-- partial minutes at its ends and the entries not examined yet are counted
-- from log_entries. A pattern is covered from its first evaluation on (one
-- pass over its rules' longest window then), and dropped when no rule has it.
--
-- Append-only like log_entry_minutes: a reader sums a group's rows. Minutes
-- are date_bin('1 minute', logged_at, '2000-01-01 00:00+00').
CREATE TABLE pattern_coverage (
  pattern      text        PRIMARY KEY,
  covered_from timestamptz NOT NULL,
  -- entries before this position (ingested_at, id) are counted: the commit
  -- cursor's position when they were last added (a rewound cursor adds none twice)
  added_until  timestamptz NOT NULL,
  added_id     bigint      NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pattern_minutes (
  pattern     text        NOT NULL REFERENCES pattern_coverage (pattern) ON DELETE CASCADE,
  minute      timestamptz NOT NULL,
  source_id   bigint      NOT NULL,
  template_id bigint,
  level       text        NOT NULL,
  n           bigint      NOT NULL
);
CREATE INDEX pattern_minutes_pattern_minute ON pattern_minutes (pattern, minute);

-- A DELETE or UPDATE of entries already counted (before the pattern's added
-- position, in a covered minute) adds their counts with the sign they take
-- (negative for the removed rows): the counts stay exact. The others are
-- added when the cursor passes them. The transition tables are visible in
-- the trigger function only, so each function says it in full.
-- An entry stored behind a pattern's counted position (its ingested_at
-- before where the cursor stood: a writer outside logmon's sessions, which
-- the cursor's watermark does not wait for, or a test's made-up times) is
-- added as it is stored; entries stored ahead of it, as ingest's are, are
-- added when the cursor passes them.
CREATE OR REPLACE FUNCTION log_entry_minutes_added() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO log_entry_minutes (minute, source_id, template_id, level, n, last_ingested)
  SELECT date_bin('1 minute', a.logged_at, '2000-01-01 00:00+00'), a.source_id, a.template_id, a.level, count(*), max(a.ingested_at)
  FROM added a GROUP BY 1, 2, 3, 4;
  IF EXISTS (SELECT 1 FROM pattern_coverage) THEN
    INSERT INTO pattern_minutes (pattern, minute, source_id, template_id, level, n)
    SELECT p.pattern, date_bin('1 minute', a.logged_at, '2000-01-01 00:00+00'), a.source_id, a.template_id, a.level, count(*)
    FROM added a JOIN pattern_coverage p ON a.logged_at >= p.covered_from AND (a.ingested_at, a.id) < (p.added_until, p.added_id)
    WHERE a.message ~ p.pattern
    GROUP BY 1, 2, 3, 4, 5;
  END IF;
  RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION log_entry_minutes_removed() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO log_entry_minutes (minute, source_id, template_id, level, n, last_ingested)
  SELECT date_bin('1 minute', r.logged_at, '2000-01-01 00:00+00'), r.source_id, r.template_id, r.level, -count(*), max(r.ingested_at)
  FROM removed r GROUP BY 1, 2, 3, 4;
  IF EXISTS (SELECT 1 FROM pattern_coverage) THEN
    INSERT INTO pattern_minutes (pattern, minute, source_id, template_id, level, n)
    SELECT p.pattern, date_bin('1 minute', r.logged_at, '2000-01-01 00:00+00'), r.source_id, r.template_id, r.level, -count(*)
    FROM removed r JOIN pattern_coverage p ON r.logged_at >= p.covered_from AND (r.ingested_at, r.id) < (p.added_until, p.added_id)
    WHERE r.message ~ p.pattern
    GROUP BY 1, 2, 3, 4, 5;
  END IF;
  RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION log_entry_minutes_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO log_entry_minutes (minute, source_id, template_id, level, n, last_ingested)
  SELECT minute, source_id, template_id, level, sum(n), max(last_ingested) FROM (
    SELECT date_bin('1 minute', r.logged_at, '2000-01-01 00:00+00') AS minute, r.source_id, r.template_id, r.level, -1 AS n, r.ingested_at AS last_ingested FROM removed r
    UNION ALL
    SELECT date_bin('1 minute', a.logged_at, '2000-01-01 00:00+00'), a.source_id, a.template_id, a.level, 1, a.ingested_at FROM added a
  ) d GROUP BY 1, 2, 3, 4;
  IF EXISTS (SELECT 1 FROM pattern_coverage) THEN
    INSERT INTO pattern_minutes (pattern, minute, source_id, template_id, level, n)
    SELECT p.pattern, date_bin('1 minute', d.logged_at, '2000-01-01 00:00+00'), d.source_id, d.template_id, d.level, sum(d.sign)
    FROM (
      SELECT r.logged_at, r.source_id, r.template_id, r.level, r.message, r.ingested_at, r.id, -1 AS sign FROM removed r
      UNION ALL
      SELECT a.logged_at, a.source_id, a.template_id, a.level, a.message, a.ingested_at, a.id, 1 FROM added a
    ) d JOIN pattern_coverage p ON d.logged_at >= p.covered_from AND (d.ingested_at, d.id) < (p.added_until, p.added_id)
    WHERE d.message ~ p.pattern
    GROUP BY 1, 2, 3, 4, 5;
  END IF;
  RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION log_entry_minutes_emptied() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  -- DELETE, not TRUNCATE: a TRUNCATE naming both tables is still running
  DELETE FROM log_entry_minutes;
  DELETE FROM pattern_coverage;
  RETURN NULL;
END
$fn$;

-- As in 020, plus the partition's pattern minutes: they go with its rows,
-- and no pattern is covered before the partition's end any more.
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
  DELETE FROM pattern_minutes WHERE minute < bounds.upper_bound;
  UPDATE pattern_coverage SET covered_from = bounds.upper_bound, updated_at = now() WHERE covered_from < bounds.upper_bound;
  RETURN true;
END
$fn$;
