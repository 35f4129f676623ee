// Every statement of the ingest job, named for what it does (Fluent Bit's tail_sql.h idea).
// Parameters are always $n, log text only ever travels as COPY data or a parameter.
const DISCOVERY_LOCK_KEY = 7380002;

const SOURCE_COLUMNS = `id, path, dev::text AS dev, ino::text AS ino, birth_time_ns::text AS birth_time_ns,
  fingerprint, fingerprint_len, read_offset, skipping_line, pending_since, generation, size_seen, mtime_seen, status,
  source_name, format, updated_at, last_error IS NOT NULL AS failing, kind, object_etag, content_encoding`;

/**
 * A `log_sources` row as `SOURCE_COLUMNS` returns it (listKnownSources,
 * insertSources, lockSource), in node-postgres' types: bigint and numeric
 * columns arrive as strings, integer as number, timestamptz as Date.
 */
export interface SourceRowDb {
  /** bigserial */
  id: string;
  path: string;
  /** numeric, as text */
  dev: string;
  /** numeric, as text */
  ino: string;
  /** numeric nanoseconds, as text; '0' when the file system does not report it */
  birth_time_ns: string;
  fingerprint: string;
  fingerprint_len: number;
  /** bigint */
  read_offset: string;
  skipping_line: boolean;
  pending_since: Date | null;
  generation: number;
  /** bigint */
  size_seen: string;
  mtime_seen: Date | null;
  /** CHECK: one of SOURCE_STATUSES (lib/ingest/checkpoint.ts) */
  status: string;
  source_name: string;
  format: string;
  updated_at: Date;
  /** last_error IS NOT NULL: the last visit could not read it */
  failing: boolean;
  /** CHECK: one of SOURCE_KINDS (lib/ingest/checkpoint.ts) */
  kind: string;
  /** S3: the ETag of the object generation; '' for files */
  object_etag: string;
  /** CHECK: one of OBJECT_ENCODINGS (lib/ingest/checkpoint.ts) */
  content_encoding: string;
}

export const INGEST_SQL = {
  /** Serialises discovery (creating and re-pathing checkpoints) between overlapping runs. */
  lockDiscovery: `SELECT pg_advisory_xact_lock(${DISCOVERY_LOCK_KEY})`,
  /** The files' checkpoints (S3 objects are registered by listing: sql/s3-statements.ts). */
  listKnownSources: `SELECT ${SOURCE_COLUMNS} FROM log_sources
    WHERE status IN ('active', 'rotated', 'missing') AND kind = 'file' ORDER BY id`,
  /**
   * The checkpoints of new files: $n[i] is the i-th file's path, dev, ino,
   * birth time, mtime, source name, service, host and labels (json text); a
   * file another live checkpoint has by dev+inode gets no row. origin_path:
   * the path the file is discovered under, kept for good (relocateSource
   * moves `path` only).
   */
  insertSources: `INSERT INTO log_sources (path, origin_path, dev, ino, birth_time_ns, size_seen, mtime_seen, source_name, service, host, labels)
    SELECT v.path, v.path, v.dev, v.ino, v.birth_time_ns, 0, v.mtime_seen, v.source_name, v.service, v.host, v.labels::jsonb
    FROM unnest($1::text[], $2::numeric[], $3::numeric[], $4::numeric[], $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::text[])
      WITH ORDINALITY AS v(path, dev, ino, birth_time_ns, mtime_seen, source_name, service, host, labels, i)
    ORDER BY v.i
    ON CONFLICT (dev, ino) WHERE status IN ('active', 'rotated') AND kind = 'file' DO NOTHING
    RETURNING ${SOURCE_COLUMNS}`,
  /** A rename (rotation) or a status change: `path` follows the file, origin_path stays. */
  relocateSource: `UPDATE log_sources SET path = $2, status = $3, updated_at = now()
    WHERE id = $1`,
  /**
   * Files now matched by (another) configured source take its name and labels:
   * the discovered checkpoints' ids with their names, services, hosts and
   * labels (json text), one row each; only the rows that differ are written.
   */
  labelSources: `UPDATE log_sources AS s SET source_name = v.source_name, service = v.service, host = v.host, labels = v.labels, updated_at = now()
    FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::jsonb[]) AS v(id, source_name, service, host, labels)
    WHERE s.id = v.id AND (s.source_name, s.service, s.host, s.labels) IS DISTINCT FROM (v.source_name, v.service, v.host, v.labels)`,
  /** The same file seen through a file system mounted again under another device number. */
  adoptDevice: 'UPDATE log_sources SET dev = $2, updated_at = now() WHERE id = $1',
  /** Checkpoints made before birth times were recorded adopt their file's. */
  adoptBirthTime: 'UPDATE log_sources SET birth_time_ns = $2 WHERE id = $1 AND birth_time_ns = 0',
  /** Takes the file for this run; another run holding it makes this return no row. */
  lockSource: `SELECT ${SOURCE_COLUMNS} FROM log_sources WHERE id = $1 FOR UPDATE SKIP LOCKED`,
  saveCheckpoint: `UPDATE log_sources SET read_offset = $2, skipping_line = $3, pending_since = $4,
    fingerprint = $5, fingerprint_len = $6, generation = $7, size_seen = $8, mtime_seen = $9,
    format = CASE WHEN $10 = '' THEN format ELSE $10 END, lines_read = lines_read + $11, lines_unparsed = lines_unparsed + $12,
    last_error = NULL, updated_at = now()
    WHERE id = $1`,
  /** S3: the objects of these sources not yet read to their end, oldest checkpoint first. */
  listOpenObjects: `SELECT ${SOURCE_COLUMNS} FROM log_sources
    WHERE kind = 's3' AND status = 'active' AND source_name = ANY($1::text[]) ORDER BY id`,
  /** S3: one generation's checkpoint (an S3 event names the object). */
  findObject: `SELECT ${SOURCE_COLUMNS} FROM log_sources
    WHERE kind = 's3' AND path = $1 AND object_etag = $2`,
  recordSourceError: 'UPDATE log_sources SET last_error = $2, updated_at = now() WHERE id = $1',
  /** Timestamps without an offset are read in LOG_TIMEZONE, for this transaction only. */
  setTimeZone: `SELECT set_config('TimeZone', $1, true)`,
  /** template_id: lib/ingest/template.ts templateOf, as decimal text. Ingest writes no error_templates row (the alert job keeps them). */
  copyEntries: 'COPY log_entries (logged_at, level, message, source_id, byte_offset, severity, level_text, fields, time_source, template_id) FROM STDIN',
  insertEntry: `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset, severity, level_text, fields, time_source, template_id)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
  insertUnparsed: `INSERT INTO ingest_unparsed (run_id, source_id, path, byte_offset, line, reason)
    VALUES ($1, $2, $3, $4, $5, $6)`,
  savepoint: 'SAVEPOINT entry',
  releaseSavepoint: 'RELEASE SAVEPOINT entry',
  rollbackSavepoint: 'ROLLBACK TO SAVEPOINT entry',
  insertAnomaly: `INSERT INTO ingest_anomalies (run_id, source_id, path, kind, occurrences, bytes, first_offset, detail)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
} as const;
