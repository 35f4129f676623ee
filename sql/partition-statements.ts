// Statements on the day partitions of log_entries (019_partitioned_entries.sql
// holds the functions that run the DDL: a partition's name is an identifier,
// which no parameter can carry, so it is quoted by format('%I') in the
// database, never built here). Parameters are always $n.
const PARTITION_LOCK_KEY = 7380004;

/** A row of `listPartitions`. */
export interface EntryPartitionRow {
  name: string;
  /** null: MINVALUE (the legacy partition) or the default partition */
  lower_bound: Date | null;
  /** null: the default partition */
  upper_bound: Date | null;
  is_default: boolean;
}

export const PARTITION_SQL = {
  /** Bounds every lock wait of the transaction ($1: milliseconds, as text). */
  setLockTimeout: `SELECT set_config('lock_timeout', $1 || 'ms', true)`,
  /** One partition maintenance at a time (ensure or drop); a run finding it taken skips it. */
  tryLockPartitions: `SELECT pg_try_advisory_xact_lock(${PARTITION_LOCK_KEY}) AS locked`,
  listPartitions: 'SELECT name, lower_bound, upper_bound, is_default FROM log_entries_partitions() ORDER BY lower_bound NULLS FIRST, name',
  /** The partition of UTC day $1 (YYYY-MM-DD), unless one covers it: true when created. */
  addDay: 'SELECT log_entries_add_day($1::date) AS created',
  /** Day partitions (and the legacy one) ending at or before $1: whole days past the cutoff. */
  listExpired: 'SELECT name FROM log_entries_partitions() WHERE NOT is_default AND upper_bound <= $1 ORDER BY upper_bound',
  detach: 'SELECT log_entries_detach($1, $2) AS detached',
  /** Tables detached and not dropped yet (a run that stopped in between). */
  listDetached: 'SELECT name FROM log_entries_detached() AS name ORDER BY 1',
  /** Count a detached table's rows and drop it (bigint as text). */
  dropDetached: 'SELECT log_entries_drop_detached($1)::text AS n',
} as const;
