// Every statement the benchmark runs, named for what it does. Database and
// table names are fixed identifiers chosen by the bench, never data.

/** Names of the PostgreSQL settings that decide durability, recorded with the results. */
export const DURABILITY_SETTINGS = ['fsync', 'synchronous_commit', 'full_page_writes', 'wal_level', 'shared_buffers', 'max_wal_size'] as const;

export const BENCH_SQL = {
  showSetting: 'SELECT current_setting($1) AS value',
  serverVersion: 'SHOW server_version',
  /** The baselines' tables: log_entries' columns, defaults and indexes (they share its id sequence, which costs the same). */
  createBaselineTable: 'CREATE TABLE bench_copy_baseline (LIKE log_entries INCLUDING ALL)',
  createFloorTable: 'CREATE TABLE bench_copy_floor (LIKE log_entries INCLUDING ALL)',
  /**
   * Issue 16's limit: the same columns and defaults (the id sequence too) with only the primary key, no other index.
   * Two statements: simple protocol only (no parameters).
   */
  createBareTable: 'CREATE TABLE bench_copy_bare (LIKE log_entries INCLUDING DEFAULTS); ALTER TABLE bench_copy_bare ADD PRIMARY KEY (id)',
  /** An index design measured against it: the primary key and BRIN instead of the two B-trees on logged_at and (ingested_at, id). */
  createBrinTable: `CREATE TABLE bench_copy_brin (LIKE log_entries INCLUDING DEFAULTS); ALTER TABLE bench_copy_brin ADD PRIMARY KEY (id);
    CREATE INDEX ON bench_copy_brin USING brin (logged_at); CREATE INDEX ON bench_copy_brin USING brin (ingested_at, id)`,
  /** The same with BRIN on logged_at only, the (ingested_at, id) B-tree kept (the commit cursor's ordered slices need it). */
  createBrinLoggedTable: `CREATE TABLE bench_copy_brin_logged (LIKE log_entries INCLUDING DEFAULTS); ALTER TABLE bench_copy_brin_logged ADD PRIMARY KEY (id);
    CREATE INDEX ON bench_copy_brin_logged USING brin (logged_at); CREATE INDEX ON bench_copy_brin_logged (ingested_at, id)`,
  /**
   * log_entries' own shape without logmon: partitioned by day like it (the
   * generated log's two days and a default), the same primary key and
   * indexes; against bench_copy_floor (one table, the same indexes) it shows
   * what partitioning costs a COPY.
   */
  createPartitionedTable: `CREATE TABLE bench_copy_partitioned (LIKE log_entries INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (logged_at);
    ALTER TABLE bench_copy_partitioned ADD PRIMARY KEY (id, logged_at);
    CREATE INDEX ON bench_copy_partitioned (logged_at); CREATE INDEX ON bench_copy_partitioned (ingested_at, id);
    CREATE TABLE bench_copy_partitioned_20261123 PARTITION OF bench_copy_partitioned FOR VALUES FROM ('2026-11-23 00:00:00+00') TO ('2026-11-24 00:00:00+00');
    CREATE TABLE bench_copy_partitioned_20261124 PARTITION OF bench_copy_partitioned FOR VALUES FROM ('2026-11-24 00:00:00+00') TO ('2026-11-25 00:00:00+00');
    CREATE TABLE bench_copy_partitioned_default PARTITION OF bench_copy_partitioned DEFAULT`,
  /** The other formats' baseline table: their pre-extracted rows, the columns ingest writes but template_id (only logmon computes it). */
  createRowsTable: 'CREATE TABLE bench_copy_rows (LIKE log_entries INCLUDING ALL)',
  /** Flush dirty pages so neither timed run pays for the other's writes. */
  checkpoint: 'CHECKPOINT',
  countEntries: 'SELECT count(*)::bigint AS n FROM log_entries',
  countBaseline: 'SELECT count(*)::bigint AS n FROM bench_copy_baseline',
  countRows: 'SELECT count(*)::bigint AS n FROM bench_copy_rows',
  /**
   * Rows of log_entries not in bench_copy_rows and the other way round
   * (instants compared as instants, fields as jsonb values): 0 when the
   * ingest stored exactly the pre-extracted rows.
   */
  differingRows: `WITH a AS (SELECT logged_at, level, message, byte_offset, severity, level_text, fields, time_source FROM log_entries),
         b AS (SELECT logged_at, level, message, byte_offset, severity, level_text, fields, time_source FROM bench_copy_rows)
    SELECT (SELECT count(*) FROM (TABLE a EXCEPT ALL TABLE b) AS x) + (SELECT count(*) FROM (TABLE b EXCEPT ALL TABLE a) AS y) AS n`,
  /** Content digests, to show both sides stored the same rows. */
  digestEntries: `SELECT md5(string_agg(concat_ws('|', logged_at, level, message, byte_offset), E'\\n' ORDER BY byte_offset)) AS d
    FROM log_entries`,
  digestBaseline: `SELECT md5(string_agg(concat_ws('|', logged_at, level, message, byte_offset), E'\\n' ORDER BY byte_offset)) AS d
    FROM bench_copy_baseline`,
  checkpointOffset: 'SELECT read_offset::bigint AS n FROM log_sources ORDER BY id LIMIT 1',
  /** The alert rows' four files (ids 1 to 4, referenced by loadAlertRows; a fresh database). */
  insertAlertSources: `INSERT INTO log_sources (id, path, dev, ino)
    SELECT i, '/var/log/app-' || i || '.log', 1, i FROM generate_series(1, 4) AS i`,
  /**
   * $1 rows ending at $4, one every $3 ms, 90% ERROR and 10% FATAL over 4 files,
   * 5 messages with 1,000 variants each (5 templates); $2 is the first series number (for batches).
   * Each row is ingested when it was logged, as a live log is: none is late data
   * (a bulk load stamped now() would look like a week of backlog to the late check).
   */
  loadAlertRows: `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset, ingested_at, template_id)
    SELECT t,
           CASE WHEN g % 10 = 0 THEN 'FATAL' ELSE 'ERROR' END,
           (ARRAY['db timeout after 30s', 'connection refused by upstream', 'null pointer in handler',
                  'disk full on /var', 'payment declined: card expired'])[1 + (g / 10) % 5] || ' #' || (g % 1000),
           1 + g % 4,
           g * 80,
           t,
           1 + (g / 10) % 5
    FROM generate_series($2::bigint, $2::bigint + $1::bigint - 1) AS g,
         LATERAL (SELECT $4::timestamptz - g * make_interval(secs => $3::float8 / 1000) AS t) AS at`,
  vacuumAnalyzeEntries: 'VACUUM (ANALYZE) log_entries',
  /**
   * The retention scenario's rows: $1 rows from $2 over $3 ms, evenly (each
   * ingested when logged), into log_entries or (retentionPlainRows) into the
   * unpartitioned stand-in with log_entries' former indexes.
   */
  loadRetentionRows: `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset, ingested_at, template_id)
    SELECT t, 'ERROR', 'db timeout after 30s #' || (g % 1000), 1 + g % 4, g * 80, t, 1
    FROM generate_series(0, $1::bigint - 1) AS g,
         LATERAL (SELECT $2::timestamptz + make_interval(secs => g * ($3::float8 / $1::bigint) / 1000) AS t) AS at`,
  /** log_entries before 019_partitioned_entries.sql: one table, primary key id, B-trees on logged_at and (ingested_at, id). */
  createRetentionPlainTable: `CREATE TABLE bench_retention_plain (LIKE log_entries INCLUDING DEFAULTS); ALTER TABLE bench_retention_plain ADD PRIMARY KEY (id);
    CREATE INDEX ON bench_retention_plain (logged_at); CREATE INDEX ON bench_retention_plain (ingested_at, id)`,
  loadRetentionPlainRows: `INSERT INTO bench_retention_plain (logged_at, level, message, source_id, byte_offset, ingested_at, template_id)
    SELECT t, 'ERROR', 'db timeout after 30s #' || (g % 1000), 1 + g % 4, g * 80, t, 1
    FROM generate_series(0, $1::bigint - 1) AS g,
         LATERAL (SELECT $2::timestamptz + make_interval(secs => g * ($3::float8 / $1::bigint) / 1000) AS t) AS at`,
  vacuumAnalyzeRetentionPlain: 'VACUUM (ANALYZE) bench_retention_plain',
  /** Retention's batched delete as it was before partitioning (sql/retention-statements.ts at 25e03ef), on the stand-in. */
  deleteRetentionPlainBatch: `WITH doomed AS (
    SELECT id FROM bench_retention_plain WHERE id > $1 AND logged_at < $2 ORDER BY id LIMIT $3
  ), deleted AS (
    DELETE FROM bench_retention_plain t USING doomed WHERE t.id = doomed.id RETURNING t.id
  )
  SELECT count(*)::int AS deleted, max(id)::text AS last_id FROM deleted`,
  /** Where the alert bench freezes its clock: every window is then full. */
  newestEntry: 'SELECT max(logged_at) AS t FROM log_entries',
  /** Where the alert job's commit cursor stands (PostgreSQL text: microseconds kept). */
  cursorPosition: 'SELECT examined_until::text AS at, examined_id::text AS id FROM alert_cursor WHERE singleton',
} as const;

/** The columns of the brief's baselines (what its `awk` writes; the others take their defaults). */
const BRIEF_COLUMNS = '(logged_at, level, message, source_id, byte_offset)';
/** The columns ingest's COPY writes (sql/ingest-statements.ts `copyEntries`) but template_id: the pre-extracted rows have no template. */
const INGEST_COLUMNS = '(logged_at, level, message, source_id, byte_offset, severity, level_text, fields, time_source)';

/** The psql meta-command loading COPY rows from standard input into one of the baseline tables. */
export function copyCommand(
  table:
    | 'bench_copy_baseline'
    | 'bench_copy_floor'
    | 'bench_copy_bare'
    | 'bench_copy_brin'
    | 'bench_copy_brin_logged'
    | 'bench_copy_partitioned'
    | 'bench_copy_rows',
): string {
  return `\\copy ${table} ${table === 'bench_copy_rows' ? INGEST_COLUMNS : BRIEF_COLUMNS} FROM STDIN`;
}

/** Admin statements on fixed `logmon_bench_*` names (CREATE DATABASE takes no parameters). */
export function createDatabaseSql(name: string): string {
  if (!/^logmon_bench_[a-z0-9_]+$/.test(name)) throw new Error(`refusing database name ${name}`);
  return `CREATE DATABASE ${name}`;
}

export function dropDatabaseSql(name: string): string {
  if (!/^logmon_bench_[a-z0-9_]+$/.test(name)) throw new Error(`refusing database name ${name}`);
  return `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`;
}
