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
  /** Flush dirty pages so neither timed run pays for the other's writes. */
  checkpoint: 'CHECKPOINT',
  countEntries: 'SELECT count(*)::bigint AS n FROM log_entries',
  countBaseline: 'SELECT count(*)::bigint AS n FROM bench_copy_baseline',
  /** Content digests, to show both sides stored the same rows. */
  digestEntries: `SELECT md5(string_agg(concat_ws('|', logged_at, level, message, byte_offset), E'\\n' ORDER BY byte_offset)) AS d
    FROM log_entries`,
  digestBaseline: `SELECT md5(string_agg(concat_ws('|', logged_at, level, message, byte_offset), E'\\n' ORDER BY byte_offset)) AS d
    FROM bench_copy_baseline`,
  checkpointOffset: 'SELECT read_offset::bigint AS n FROM log_sources ORDER BY id LIMIT 1',
  /**
   * $1 rows ending now, one every 60 ms (10M rows span about a week), 90% ERROR
   * and 10% FATAL over 4 sources; $2 is the first series number (for batches).
   */
  loadAlertRows: `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset)
    SELECT now() - g * interval '60 milliseconds',
           CASE WHEN g % 10 = 0 THEN 'FATAL' ELSE 'ERROR' END,
           'bench alert row ' || g,
           1 + g % 4,
           g * 80
    FROM generate_series($2::bigint, $2::bigint + $1::bigint - 1) AS g`,
  vacuumAnalyzeEntries: 'VACUUM (ANALYZE) log_entries',
  /** Reference only (not the alert code): entries of some levels in a trailing window. */
  countWindow: `SELECT count(*)::bigint AS n FROM log_entries
    WHERE logged_at >= now() - make_interval(secs => $1) AND level = ANY($2::text[])`,
} as const;

/** The psql meta-command loading COPY rows from standard input into one of the baseline tables. */
export function copyCommand(table: 'bench_copy_baseline' | 'bench_copy_floor'): string {
  return `\\copy ${table} (logged_at, level, message, source_id, byte_offset) FROM STDIN`;
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
