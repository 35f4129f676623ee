import type pg from 'pg';
import { INGEST_SQL as SQL } from '../../sql/ingest-statements';
import type { SourceRowDb } from '../../sql/ingest-statements';
import { DatabaseError } from '../platform/errors';
import { FINGERPRINT_BYTES, fingerprintAt } from './fingerprint';
import type { Fingerprint } from './fingerprint';

/**
 * `log_sources.status` (the CHECK of migration 001; a unit test compares them):
 * - `active`: matched by a configured path;
 * - `rotated`: found by identity under another name in its directory, read to its end;
 * - `missing`: not found, the checkpoint is kept in case it comes back;
 * - `retired`: never read again.
 */
export const SOURCE_STATUSES = ['active', 'rotated', 'missing', 'retired'] as const;
export type SourceStatus = (typeof SOURCE_STATUSES)[number];

export function isSourceStatus(value: string): value is SourceStatus {
  return SOURCE_STATUSES.some((status) => status === value);
}

/**
 * `log_sources.kind` (the CHECK of migration 018): what the row reads — a
 * file (by dev+inode and first bytes), or one generation of an S3 object
 * (by `s3://bucket/key` and ETag; lib/ingest/s3-object-reader.ts).
 */
export const SOURCE_KINDS = ['file', 's3'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/**
 * `log_sources.content_encoding` (the CHECK of migration 018): how an S3
 * object's bytes are stored, decided on its first read; '' before it and for files.
 */
export const OBJECT_ENCODINGS = ['', 'identity', 'gzip'] as const;
export type ObjectEncoding = (typeof OBJECT_ENCODINGS)[number];

function isSourceKind(value: string): value is SourceKind {
  return SOURCE_KINDS.some((kind) => kind === value);
}

function isObjectEncoding(value: string): value is ObjectEncoding {
  return OBJECT_ENCODINGS.some((encoding) => encoding === value);
}

/** A checkpoint row of `log_sources`, numbers converted from PostgreSQL's bigint strings. */
export interface SourceRow {
  id: number;
  path: string;
  dev: string;
  ino: string;
  /** Birth time in ns, '0' when unknown. */
  birthTimeNs: string;
  fingerprint: string;
  fingerprintLen: number;
  readOffset: number;
  skippingLine: boolean;
  pendingSince: Date | null;
  generation: number;
  sizeSeen: number;
  /** The file's mtime at the last visit (ms), null before the first. */
  mtimeSeenMs: number | null;
  status: SourceStatus;
  /** The configured source the file belongs to ('default': the LOG_FILES shorthand). */
  sourceName: string;
  /** Format of most entry lines of the last batch, '' before the first. */
  format: string;
  /** When the checkpoint was last saved (or an error recorded): the least recent is read first. */
  updatedAt: Date;
  /** The last visit could not read it (last_error is set): visited again even with nothing new, to clear it. */
  failing: boolean;
  kind: SourceKind;
  /** S3: the ETag of the object generation this row reads ('' for files). */
  objectEtag: string;
  /** S3: how the object is stored ('' until its first read, and for files). */
  contentEncoding: ObjectEncoding;
}

export function toSourceRow(r: SourceRowDb): SourceRow {
  if (!isSourceStatus(r.status)) throw new DatabaseError(`log_sources row ${r.id} has an unknown status`, { id: r.id, status: r.status });
  if (!isSourceKind(r.kind)) throw new DatabaseError(`log_sources row ${r.id} has an unknown kind`, { id: r.id, kind: r.kind });
  if (!isObjectEncoding(r.content_encoding))
    throw new DatabaseError(`log_sources row ${r.id} has an unknown content encoding`, { id: r.id, contentEncoding: r.content_encoding });
  return {
    id: Number(r.id),
    path: r.path,
    dev: r.dev,
    ino: r.ino,
    birthTimeNs: r.birth_time_ns,
    fingerprint: r.fingerprint,
    fingerprintLen: r.fingerprint_len,
    readOffset: Number(r.read_offset),
    skippingLine: r.skipping_line,
    pendingSince: r.pending_since,
    generation: r.generation,
    sizeSeen: Number(r.size_seen),
    mtimeSeenMs: r.mtime_seen?.getTime() ?? null,
    status: r.status,
    sourceName: r.source_name,
    format: r.format,
    updatedAt: r.updated_at,
    failing: r.failing,
    kind: r.kind,
    objectEtag: r.object_etag,
    contentEncoding: r.content_encoding,
  };
}

/** What a batch saves: where the next one starts, and what it saw of the file. */
export interface Checkpoint {
  /** The first byte not consumed. */
  offset: number;
  /** An over-long line is being discarded up to its newline. */
  skipping: boolean;
  /** When the entry held at `offset` was first held back (null: none held). */
  pendingSince: Date | null;
  fingerprint: Fingerprint;
  generation: number;
  sizeSeen: number;
  mtimeSeen: Date;
  /** Format of most entry lines of the batch ('' keeps the one saved). */
  format: string;
  /** Lines read and lines no format understood in the batch (added to the row's totals). */
  linesRead: number;
  linesUnparsed: number;
}

/**
 * The fingerprint to save with a checkpoint at `offset`: taken again from
 * `head` (the file's first bytes, read this batch) while it covers fewer
 * bytes than the checkpoint could; otherwise `current` is kept.
 *
 * @example
 *   nextFingerprint({ hash: '', length: 0 }, head, 39); // the hash of head[0, 39)
 */
export function nextFingerprint(current: Fingerprint, head: Uint8Array, offset: number): Fingerprint {
  if (current.length >= Math.min(offset, FINGERPRINT_BYTES)) return current;
  return fingerprintAt(head, offset) ?? current;
}

/** Save `checkpoint` in the caller's transaction: the one that stores the entries before it. */
export async function saveCheckpoint(client: pg.ClientBase, sourceId: number, checkpoint: Checkpoint): Promise<void> {
  await client.query(SQL.saveCheckpoint, [
    sourceId,
    checkpoint.offset,
    checkpoint.skipping,
    checkpoint.pendingSince,
    checkpoint.fingerprint.hash,
    checkpoint.fingerprint.length,
    checkpoint.generation,
    checkpoint.sizeSeen,
    checkpoint.mtimeSeen,
    checkpoint.format,
    checkpoint.linesRead,
    checkpoint.linesUnparsed,
  ]);
}
