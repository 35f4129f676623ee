-- log_entries partitioned by RANGE on logged_at, one partition per UTC day
-- (issue 16): retention drops a whole day instead of deleting its rows.
--
-- Existing rows are not copied: the old table becomes one partition,
-- log_entries_legacy, covering everything logged before tomorrow (UTC) at the
-- time of the migration, after a CHECK proving it (so ATTACH does not scan
-- again). Its entries logged from tomorrow on (clocks ahead, bogus years) are
-- few: they move to where the new table routes them. What it costs on a large
-- table, all under this migration's lock (ingest and alert wait): one scan for
-- the CHECK and one build of the (id, logged_at) primary key index; the other
-- two indexes are reused by ATTACH. An empty old table is simply dropped.
-- Retention drops log_entries_legacy once tomorrow-at-migration is older than
-- RETENTION_DAYS, and deletes its expired rows in batches until then.
--
-- The DEFAULT partition takes every entry no day partition covers (a day not
-- created yet, a far-past or far-future timestamp in a log): ingest never
-- fails for want of a partition. log_entries_add_day moves a day's rows out
-- of it when that day gets its partition.
--
-- The primary key must include the partition key: (id, logged_at). ids still
-- come from the one sequence (log_entries_id_seq, now owned by the new table,
-- so dropping the legacy partition keeps it), unique in practice but no
-- longer enforced alone; nothing refers to an entry by id with a foreign key.
ALTER TABLE log_entries RENAME TO log_entries_legacy;
ALTER TABLE log_entries_legacy RENAME CONSTRAINT log_entries_pkey TO log_entries_legacy_id;
ALTER INDEX log_entries_logged_at RENAME TO log_entries_legacy_logged_at;
ALTER INDEX log_entries_ingested_at_id RENAME TO log_entries_legacy_ingested_at_id;

CREATE TABLE log_entries (
  id           bigint      NOT NULL DEFAULT nextval('log_entries_id_seq'),
  logged_at    timestamptz NOT NULL,
  level        text        NOT NULL,
  message      text        NOT NULL,
  source_id    bigint      NOT NULL,
  byte_offset  bigint      NOT NULL,
  ingested_at  timestamptz NOT NULL DEFAULT now(),
  severity     smallint    NOT NULL DEFAULT 0,
  level_text   text,
  fields       jsonb,
  time_source  text        NOT NULL DEFAULT 'line'
               CONSTRAINT log_entries_time_source_check CHECK (time_source IN ('line', 'wrapper', 'read')),
  template_id  bigint,
  PRIMARY KEY (id, logged_at)
) PARTITION BY RANGE (logged_at);
ALTER SEQUENCE log_entries_id_seq OWNED BY log_entries.id;
-- Alert windows and operator queries are time ranges (pruned to their days).
CREATE INDEX log_entries_logged_at ON log_entries (logged_at);
-- The commit cursor's slices (005_bounded_examination.sql): a Merge Append of the partitions' indexes.
CREATE INDEX log_entries_ingested_at_id ON log_entries (ingested_at, id);
CREATE TABLE log_entries_default PARTITION OF log_entries DEFAULT;

-- The partitions of log_entries and their bounds (lower NULL: MINVALUE;
-- both NULL: the default), read from the catalogue in this session's time zone.
CREATE FUNCTION log_entries_partitions()
  RETURNS TABLE (name text, lower_bound timestamptz, upper_bound timestamptz, is_default boolean)
  LANGUAGE sql STABLE AS $fn$
  SELECT c.relname::text,
    substring(b.expr FROM $re$FROM \('([^']*)'\)$re$)::timestamptz,
    substring(b.expr FROM $re$TO \('([^']*)'\)$re$)::timestamptz,
    b.expr = 'DEFAULT'
  FROM pg_inherits i
  JOIN pg_class c ON c.oid = i.inhrelid
  CROSS JOIN LATERAL (SELECT pg_get_expr(c.relpartbound, c.oid) AS expr) b
  WHERE i.inhparent = 'log_entries'::regclass
$fn$;

-- Create the partition of UTC day `day` (log_entries_YYYYMMDD) unless a
-- partition already covers any of it; true when created. The day's rows in
-- the default partition move into it first (ATTACH would fail on them).
-- log_entries itself is locked ACCESS EXCLUSIVE for the few milliseconds this
-- takes (an empty table, the default partition's rows of that day, ATTACH's
-- scan of the default): ATTACH alone would take only SHARE UPDATE EXCLUSIVE,
-- but then a COPY that started before it commits still routes that day's
-- rows to the default partition and fails its new constraint (seen in
-- __tests__/integration/entry-partitions.test.ts). The caller bounds the lock
-- wait with lock_timeout (what a COPY or alert read queued behind it waits
-- too) and serialises runs with an advisory lock; a concurrent creation of
-- the same day that slipped through is a duplicate table or an overlap,
-- which is "already there".
CREATE FUNCTION log_entries_add_day(day date) RETURNS boolean LANGUAGE plpgsql AS $fn$
DECLARE
  lower_at timestamptz := day::timestamp AT TIME ZONE 'UTC';
  upper_at timestamptz := (day + 1)::timestamp AT TIME ZONE 'UTC';
  part text := 'log_entries_' || to_char(day, 'YYYYMMDD');
BEGIN
  IF EXISTS (SELECT 1 FROM log_entries_partitions() p
             WHERE NOT p.is_default AND (p.lower_bound IS NULL OR p.lower_bound < upper_at) AND p.upper_bound > lower_at) THEN
    RETURN false;
  END IF;
  LOCK TABLE ONLY log_entries IN ACCESS EXCLUSIVE MODE;
  LOCK TABLE log_entries_default IN ACCESS EXCLUSIVE MODE;
  EXECUTE format('CREATE TABLE %I (LIKE log_entries INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
  EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (logged_at >= %L AND logged_at < %L)', part, part || '_range', lower_at, upper_at);
  EXECUTE format('WITH moved AS (DELETE FROM log_entries_default WHERE logged_at >= $1 AND logged_at < $2 RETURNING *)
    INSERT INTO %I SELECT * FROM moved', part) USING lower_at, upper_at;
  EXECUTE format('ALTER TABLE log_entries ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, lower_at, upper_at);
  EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', part, part || '_range');
  RETURN true;
EXCEPTION WHEN duplicate_table OR invalid_object_definition THEN
  RETURN false;
END
$fn$;

-- Detach partition `part` of log_entries if it is not the default and ends
-- at or before `cutoff`; true when detached. Plain DETACH (an ACCESS
-- EXCLUSIVE lock on log_entries, held for a catalogue change only): DETACH
-- CONCURRENTLY is not allowed while a default partition exists.
CREATE FUNCTION log_entries_detach(part text, cutoff timestamptz) RETURNS boolean LANGUAGE plpgsql AS $fn$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM log_entries_partitions() p WHERE p.name = part AND NOT p.is_default AND p.upper_bound <= cutoff) THEN
    RETURN false;
  END IF;
  EXECUTE format('ALTER TABLE log_entries DETACH PARTITION %I', part);
  RETURN true;
END
$fn$;

-- Tables detached by log_entries_detach and not dropped yet (a run that
-- stopped in between): named like a partition, in no partitioned table.
CREATE FUNCTION log_entries_detached() RETURNS SETOF text LANGUAGE sql STABLE AS $fn$
  SELECT c.relname::text FROM pg_class c
  WHERE c.relkind = 'r' AND NOT c.relispartition AND c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = 'log_entries'::regclass)
    AND c.relname ~ '^log_entries_([0-9]{8}|legacy)$'
  ORDER BY 1
$fn$;

-- Count the rows of a detached table (log_entries_detached) and drop it; the count.
CREATE FUNCTION log_entries_drop_detached(part text) RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
  n bigint;
BEGIN
  IF part NOT IN (SELECT log_entries_detached()) THEN
    RETURN 0;
  END IF;
  EXECUTE format('SELECT count(*) FROM %I', part) INTO n;
  EXECUTE format('DROP TABLE %I', part);
  RETURN n;
END
$fn$;

DO $migrate$
DECLARE
  tomorrow timestamptz := (date_trunc('day', now() AT TIME ZONE 'UTC') + interval '1 day') AT TIME ZONE 'UTC';
BEGIN
  IF EXISTS (SELECT 1 FROM log_entries_legacy) THEN
    WITH moved AS (DELETE FROM log_entries_legacy WHERE logged_at >= tomorrow RETURNING *)
    INSERT INTO log_entries SELECT * FROM moved;
    EXECUTE format('ALTER TABLE log_entries_legacy ADD CONSTRAINT log_entries_legacy_range CHECK (logged_at < %L)', tomorrow);
    ALTER TABLE log_entries_legacy DROP CONSTRAINT log_entries_legacy_id;
    CREATE UNIQUE INDEX log_entries_legacy_pkey ON log_entries_legacy (id, logged_at);
    ALTER TABLE log_entries_legacy ADD CONSTRAINT log_entries_legacy_pkey PRIMARY KEY USING INDEX log_entries_legacy_pkey;
    EXECUTE format('ALTER TABLE log_entries ATTACH PARTITION log_entries_legacy FOR VALUES FROM (MINVALUE) TO (%L)', tomorrow);
    ALTER TABLE log_entries_legacy DROP CONSTRAINT log_entries_legacy_range;
  ELSE
    DROP TABLE log_entries_legacy;
  END IF;
  -- today (unless the legacy partition covers it) and the next two days; the jobs keep creating them ahead
  PERFORM log_entries_add_day((now() AT TIME ZONE 'UTC')::date + d) FROM generate_series(0, 2) AS d;
END
$migrate$;
