import type pg from 'pg';
import { INGEST_SQL as SQL } from '../../sql/ingest-statements';
import type { ScanCounts } from './entry-scanner';

/**
 * Every kind of `ingest_anomalies.kind`; migration 008 holds the same list as
 * a CHECK (a unit test compares them). What each means: docs/tailing.md.
 */
export const ANOMALY_KINDS = [
  'truncated',
  'content_replaced',
  'shrank',
  'shrank_while_reading',
  'file_gone_unread',
  'rotated_gone_unread',
  'identity_mismatch',
  'file_unreadable',
  'unparseable_lines',
  'truncated_lines',
  'invalid_utf8',
  'nul_bytes',
  'entry_rejected',
  'time_out_of_range',
] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/** Something that could not be read or stored as written; kept in `ingest_anomalies`. */
export interface Anomaly {
  kind: AnomalyKind;
  occurrences: number;
  bytes: number;
  firstOffset: number | null;
  detail: string;
}

/**
 * Whether a kind's `bytes` were never read (counted in `bytesLost`), as
 * opposed to read and stored altered or not stored. A record, so a new kind
 * cannot be added without deciding. `file_unreadable` is not lost yet (the
 * checkpoint is kept); `entry_rejected` counts message bytes, which were
 * read and are in the scan's byte buckets already.
 */
const BYTES_NEVER_READ: Readonly<Record<AnomalyKind, boolean>> = {
  truncated: true,
  content_replaced: true,
  shrank: true,
  shrank_while_reading: true,
  file_gone_unread: true,
  rotated_gone_unread: true,
  identity_mismatch: true,
  file_unreadable: false,
  unparseable_lines: false,
  truncated_lines: false,
  invalid_utf8: false,
  nul_bytes: false,
  entry_rejected: false,
  time_out_of_range: false,
};

/** Anomaly kinds whose `bytes` were never read (as opposed to read and stored altered). */
export const LOSS_KINDS: ReadonlySet<string> = new Set<AnomalyKind>(ANOMALY_KINDS.filter((kind) => BYTES_NEVER_READ[kind]));

/** True for the kinds whose `bytes` count in `bytesLost`. */
export function isLoss(kind: AnomalyKind): boolean {
  return BYTES_NEVER_READ[kind];
}

/**
 * The anomalies a batch's scan counts amount to: one per kind met, all at
 * the batch's first offset.
 *
 * @example
 *   scanAnomalies({ ...emptyCounts(), nulBytes: 3 }, 0); // [{ kind: 'nul_bytes', occurrences: 1, bytes: 3, … }]
 */
export function scanAnomalies(counts: ScanCounts, firstOffset: number): Anomaly[] {
  const out: Anomaly[] = [];
  const add = (kind: AnomalyKind, occurrences: number, bytes: number, detail: string): void => {
    if (occurrences > 0 || bytes > 0) out.push({ kind, occurrences, bytes, firstOffset, detail });
  };
  add(
    'unparseable_lines',
    counts.unparseableLines,
    counts.unparseableBytes,
    'lines no format understood (with their continuation lines), or with no entry to continue; the first ones are kept in ingest_unparsed',
  );
  add('truncated_lines', counts.truncatedLines, counts.truncatedBytes, 'lines over LOG_MAX_LINE_BYTES stored truncated; bytes = bytes dropped');
  add('invalid_utf8', counts.invalidUtf8Lines, counts.invalidUtf8Bytes, 'stored lines with invalid UTF-8 replaced by U+FFFD; bytes = invalid bytes');
  add('nul_bytes', counts.nulBytes > 0 ? 1 : 0, counts.nulBytes, 'NUL bytes replaced by U+FFFD');
  add(
    'time_out_of_range',
    counts.timeOutOfRange,
    0,
    'stored entries timed more than a day after the file was last written, or more than a year before: a wrong clock, year or time zone (stored as written)',
  );
  return out;
}

/** The bytes a checkpoint had seen but not consumed when its file went away: lost, if any. */
export function unreadAnomaly(kind: AnomalyKind, sizeSeen: number, readOffset: number, detail: (unread: number) => string): Anomaly | null {
  const unread = Math.max(0, sizeSeen - readOffset);
  if (unread === 0) return null;
  return { kind, occurrences: 1, bytes: unread, firstOffset: readOffset, detail: detail(unread) };
}

/** Store `anomalies`, one row each (in the caller's transaction when `client` is one). */
export async function recordAnomalies(
  client: pg.ClientBase | pg.Pool,
  runId: string,
  sourceId: number | null,
  filePath: string,
  anomalies: readonly Anomaly[],
): Promise<void> {
  for (const a of anomalies) {
    await client.query(SQL.insertAnomaly, [runId, sourceId, filePath, a.kind, a.occurrences, a.bytes, a.firstOffset, a.detail]);
  }
}
