import fs from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type pg from 'pg';
import { INGEST_SQL as SQL } from '../../sql/ingest-statements';
import type { IngestConfig } from './config';
import { effectiveSources } from './config';
import { FormatDetector } from './formats/detector';
import { ALL_FORMATS, WRAPPERS } from './formats/index';
import { levelsAtOrAbove } from './formats/severity';
import { epochTime, wallClockMs } from './formats/timestamp';
import type { SourceConfig } from './sources';
import { scanAnomalies } from './anomaly';
import type { Anomaly } from './anomaly';
import { nextFingerprint, saveCheckpoint } from './checkpoint';
import type { SourceRow } from './checkpoint';
import { openEntrySink } from './entry-sink';
import type { EntrySink } from './entry-sink';
import { EntryScanner, emptyCounts } from './entry-scanner';
import type { ScanCounts, UnparsedSample } from './entry-scanner';
import { SourceReadError, sourceReadErrorCode } from '../platform/errors';
import { FINGERPRINT_BYTES, readHead } from './fingerprint';
import { completesLastLine, decidePending, isQuiet, settlesAt } from './pending-decision';
import { decideStart, sameIdentity } from './restart-check';
import type { FileIdentity, ScanStart } from './restart-check';
import { scanBatch, shrankWhileReading } from './scan-loop';
import { isCompressedPath, openDecompressed } from './compressed';
import { toFsPath } from '../platform/fs-name';

/**
 * - `read`: read from the checkpoint (or from 0 after a restart), checkpoint saved;
 * - `identity-changed`: the path now holds another file (nothing done);
 * - `replaced`: a rotated file's content no longer matches its checkpoint (it must not be read);
 *   an S3 object was written again under its key (its new generation is read instead);
 * - `gone`: an S3 object was deleted before it was read to its end (its checkpoint is retired).
 */
export const BATCH_OUTCOMES = ['read', 'identity-changed', 'replaced', 'gone'] as const;
export type BatchOutcome = (typeof BATCH_OUTCOMES)[number];

export interface BatchResult {
  outcome: BatchOutcome;
  fromOffset: number;
  toOffset: number;
  /** File size when the batch started. */
  size: number;
  /** The whole file up to `size` was consumed (or held as a pending entry). */
  reachedEnd: boolean;
  counts: ScanCounts;
  anomalies: Anomaly[];
  rowsWritten: number;
  /** Entry lines per format in this batch. */
  formats: Map<string, number>;
  /** The first lines of the batch no format understood. */
  unparsed: UnparsedSample[];
  /** The entry held at the end of the file is stored by a read at or after this time (settlesAt), or null: none is held. */
  settlesAt: number | null;
}

/** Opens a monitored file for reading (injected by tests to simulate failures). */
export type OpenFile = (path: string) => Promise<FileHandle>;

/**
 * O_NONBLOCK: a FIFO put where a log file was must not hang the run (it is
 * then refused as not a file). A `.gz` (a rotated file logrotate compressed,
 * followed by its content: reconcile-sources.ts) is opened as its content.
 */
export const openForReading: OpenFile = (filePath) =>
  isCompressedPath(filePath) ? openDecompressed(filePath) : fs.open(toFsPath(filePath), fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);

export interface BatchDeps {
  client: pg.PoolClient;
  config: IngestConfig;
  now: () => number;
  shouldStop: () => boolean;
  openFile?: OpenFile;
  /** Insert rows one by one (after COPY rejected a row), recording each rejected one. */
  safeMode?: boolean;
  /** How to read the file (default: the shorthand source of `config`). */
  source?: SourceConfig;
}

/** The format most entry lines were in, '' when there were none. */
export function dominantFormat(formats: ReadonlyMap<string, number>): string {
  let best = '';
  let most = 0;
  for (const [format, n] of formats) {
    if (n > most) {
      best = format;
      most = n;
    }
  }
  return best;
}

/** The code of a failed fs call as it came ('EIO' when it has none). */
function errnoText(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return 'EIO';
}

/** Run a file operation, turning its failure into a SourceReadError (a per-file problem, not a run failure). */
async function fileOp<T>(what: string, filePath: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof SourceReadError) throw err;
    const code = errnoText(err);
    throw new SourceReadError(`cannot ${what} ${filePath}: ${code}`, sourceReadErrorCode(code), { path: filePath }, { cause: err });
  }
}

/** The opened file as fstat sees it: identity, size and mtime. Anything but a regular file is refused. */
interface OpenedFile extends FileIdentity {
  size: number;
  mtimeMs: number;
}

async function statOpened(handle: FileHandle, filePath: string): Promise<OpenedFile> {
  const st = await fileOp('stat', filePath, () => handle.stat({ bigint: true }));
  if (!st.isFile()) throw new SourceReadError(`${filePath} is not a regular file`, 'ENOTFILE', { path: filePath });
  return { dev: st.dev.toString(), ino: st.ino.toString(), birthTimeNs: st.birthtimeNs.toString(), size: Number(st.size), mtimeMs: Number(st.mtimeMs) };
}

/** A batch that read nothing. */
function unreadBatch(outcome: BatchOutcome, source: SourceRow, size: number, anomalies: Anomaly[]): BatchResult {
  return {
    outcome,
    fromOffset: source.readOffset,
    toOffset: source.readOffset,
    size,
    reachedEnd: false,
    counts: emptyCounts(),
    anomalies,
    rowsWritten: 0,
    formats: new Map(),
    unparsed: [],
    settlesAt: null,
  };
}

/** The scanner of one batch: the source's levels, format, multi-line rule; entries to `sink`. */
export function newScanner(
  how: SourceConfig,
  deps: Pick<BatchDeps, 'config' | 'now'>,
  sink: EntrySink,
  start: ScanStart,
  mtimeMs: number,
  unparsed: UnparsedSample[],
): EntryScanner {
  return new EntryScanner(
    {
      levels: levelsAtOrAbove(how.minLevel),
      maxLineBytes: deps.config.maxLineBytes,
      emit: sink.add,
      detector: new FormatDetector(how.format, ALL_FORMATS, WRAPPERS, { referenceMs: wallClockMs(mtimeMs, how.timeZone) }),
      briefFastPath: how.format.kind === 'auto' || (how.format.kind === 'named' && how.format.name === 'brief'),
      multilineStart: how.multilineStart,
      readTime: epochTime(deps.now()),
      onUnparsed: (sample) => unparsed.push(sample),
      mtimeMs,
    },
    start.offset,
    start.skipping,
  );
}

/** The bytes scanned must still be the file's: a rewrite while reading rolls the batch back (`ECHANGED`). */
async function assertHeadUnchanged(handle: FileHandle, filePath: string, head: Buffer): Promise<void> {
  const headAfter = await fileOp('read', filePath, () => readHead(handle, head.length));
  if (!headAfter.equals(head)) throw new SourceReadError(`${filePath} was rewritten while being read; the batch is retried`, 'ECHANGED', { path: filePath });
}

/**
 * Read one batch of `source` (locked by the caller's transaction `client`)
 * from its checkpoint, write its entries, and save the new checkpoint in the
 * same transaction. Nothing is committed here: the caller commits.
 * File-system failures throw SourceReadError; database failures throw as they are.
 *
 * Steps: open and identity check (restart-check), restart check, scan
 * (scan-loop), pending decision (pending-decision), checkpoint save (checkpoint).
 */
export async function ingestBatch(source: SourceRow, deps: BatchDeps): Promise<BatchResult> {
  const openFile = deps.openFile ?? openForReading;
  const filePath = source.path;
  const handle = await fileOp('open', filePath, () => openFile(filePath));
  try {
    const file = await statOpened(handle, filePath);
    // a compressed copy is another file by construction (its content, decompressed): its first bytes say whether it is this one's
    if (!isCompressedPath(filePath) && !sameIdentity(file, source)) return unreadBatch('identity-changed', source, file.size, []);
    const head = await fileOp('read', filePath, () => readHead(handle, Math.min(file.size, FINGERPRINT_BYTES)));
    const decision = decideStart(source, file.size, head);
    if (decision.kind === 'replaced') return unreadBatch('replaced', source, file.size, [decision.anomaly]);
    return await readBatch(handle, source, file, head, decision.start, decision.anomalies, deps);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Scan from `start`, store the entries, decide on the held entry, check the file was not rewritten, save the checkpoint. */
async function readBatch(
  handle: FileHandle,
  source: SourceRow,
  file: OpenedFile,
  head: Buffer,
  start: ScanStart,
  anomalies: Anomaly[],
  deps: BatchDeps,
): Promise<BatchResult> {
  const { client, config } = deps;
  const how = deps.source ?? effectiveSources(config)[0]!;
  await client.query(SQL.setTimeZone, [how.timeZone]);
  const sink = openEntrySink(client, source.id, deps.safeMode === true);
  const unparsed: UnparsedSample[] = [];
  const scanner = newScanner(how, deps, sink, start, file.mtimeMs, unparsed);
  const scan = await scanBatch({
    readAt: async (buf, offset, length, position) => (await fileOp('read', source.path, () => handle.read(buf, offset, length, position))).bytesRead,
    scanner,
    drain: () => sink.drain(),
    shouldStop: deps.shouldStop,
    from: start.offset,
    size: file.size,
    batchBytes: config.batchBytes,
    maxLineBytes: config.maxLineBytes,
  });
  if (scan.shrankAt !== null) anomalies.push(shrankWhileReading(file.size, scan.shrankAt));
  const now = deps.now();
  const quiet = isQuiet(now, file.mtimeMs, config.multilineFlushMs);
  if (completesLastLine({ reachedEnd: scan.reachedEnd, unterminatedBytes: scan.unterminated.length, rotated: source.status === 'rotated', quiet })) {
    scanner.scan(scan.unterminated, true);
  }
  const pending = decidePending({
    heldOffset: scanner.hasPending() ? scanner.checkpoint().offset : null,
    batchStart: start.offset,
    pendingSince: start.pendingSince,
    reachedEnd: scan.reachedEnd,
    batchFull: scan.batchFull,
    quiet,
    nowMs: now,
    multilineFlushMs: config.multilineFlushMs,
  });
  if (pending.flush) scanner.flush();
  await sink.end();
  await assertHeadUnchanged(handle, source.path, head);

  const end = scanner.checkpoint();
  await saveCheckpoint(client, source.id, {
    offset: end.offset,
    skipping: end.skipping,
    pendingSince: pending.pendingSince,
    fingerprint: nextFingerprint(start.fingerprint, head, end.offset),
    generation: start.generation,
    sizeSeen: scan.shrankAt ?? file.size,
    mtimeSeen: new Date(file.mtimeMs),
    format: dominantFormat(scanner.formats),
    linesRead: scanner.counts.lines,
    linesUnparsed: scanner.counts.unparseableLines,
  });
  anomalies.push(...scanAnomalies(scanner.counts, start.offset), ...sink.rejected);
  return {
    outcome: 'read',
    fromOffset: start.offset,
    toOffset: end.offset,
    size: file.size,
    reachedEnd: scan.reachedEnd,
    counts: scanner.counts,
    anomalies,
    rowsWritten: sink.rows,
    formats: scanner.formats,
    unparsed,
    settlesAt: scan.reachedEnd ? settlesAt(pending, file.mtimeMs, config.multilineFlushMs) : null,
  };
}
