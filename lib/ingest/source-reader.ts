import fs from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { INGEST_SQL as SQL } from '../../sql/ingest-statements';
import type { IngestConfig } from './config';
import { effectiveSources } from './config';
import { FormatDetector } from './formats/detector';
import { ALL_FORMATS, WRAPPERS } from './formats/index';
import { levelsAtOrAbove } from './formats/severity';
import { epochTime } from './formats/timestamp';
import type { SourceConfig } from './sources';
import { encodeCopyRow } from './copy-encoder';
import { EntryScanner, emptyCounts } from './entry-scanner';
import type { EntryRecord, ScanCounts, UnparsedSample } from './entry-scanner';
import { SourceReadError } from '../platform/errors';
import { sameBirth } from './file-discovery';
import { FINGERPRINT_BYTES, fingerprintAt, headMatches, readHead } from './fingerprint';

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
  status: 'active' | 'rotated' | 'missing' | 'retired';
  /** The configured source the file belongs to ('default': the LOG_FILES shorthand). */
  sourceName: string;
  /** Format of most entry lines of the last batch, '' before the first. */
  format: string;
}

export function toSourceRow(r: Record<string, unknown>): SourceRow {
  return {
    id: Number(r.id),
    path: String(r.path),
    dev: String(r.dev),
    ino: String(r.ino),
    birthTimeNs: String(r.birth_time_ns ?? '0'),
    fingerprint: String(r.fingerprint),
    fingerprintLen: Number(r.fingerprint_len),
    readOffset: Number(r.read_offset),
    skippingLine: Boolean(r.skipping_line),
    pendingSince: (r.pending_since as Date | null) ?? null,
    generation: Number(r.generation),
    sizeSeen: Number(r.size_seen),
    status: r.status as SourceRow['status'],
    sourceName: String(r.source_name ?? 'default'),
    format: String(r.format ?? ''),
  };
}

/** Something that could not be read or stored as written; kept in `ingest_anomalies` (kinds: docs/tailing.md). */
export interface Anomaly {
  kind: string;
  occurrences: number;
  bytes: number;
  firstOffset: number | null;
  detail: string;
}

export interface BatchResult {
  /**
   * `identity-changed`: the path now holds another file (nothing done);
   * `replaced`: a rotated file's content no longer matches its checkpoint (it must not be read).
   */
  outcome: 'read' | 'identity-changed' | 'replaced';
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
}

/** Opens a monitored file for reading (injected by tests to simulate failures). */
export type OpenFile = (path: string) => Promise<FileHandle>;

/** O_NONBLOCK: a FIFO put where a log file was must not hang the run (it is then refused as not a file). */
export const openForReading: OpenFile = (filePath) => fs.open(filePath, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);

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

const CHUNK_BYTES = 1024 * 1024;
/** Read size past the batch limit, to finish the line that straddles it. */
const STRADDLE_READ_BYTES = 4096;
const COPY_FLUSH_BYTES = 256 * 1024;
/** UTF-8 bytes per UTF-16 code unit, at most. */
const MAX_UTF8_PER_UNIT = 3;

/**
 * Writes entries as COPY data, with back-pressure. Rows are encoded straight
 * into COPY_FLUSH_BYTES buffers (no joined string, no second copy); a full
 * buffer is handed to the stream, which keeps it until the socket sent it.
 */
class CopySink {
  private buf = Buffer.allocUnsafe(COPY_FLUSH_BYTES);
  private used = 0;
  private full: Buffer[] = [];
  public rows = 0;
  private failure: unknown = null;
  private readonly stream: NodeJS.WritableStream & { on: NodeJS.EventEmitter['on'] };

  public constructor(
    client: pg.PoolClient,
    private readonly sourceId: number,
  ) {
    this.stream = client.query(copyFrom(SQL.copyEntries));
    this.stream.on('error', (err: unknown) => {
      this.failure ??= err;
    });
  }

  public add = (entry: EntryRecord): void => {
    const row = encodeCopyRow(entry, this.sourceId);
    const worst = row.length * MAX_UTF8_PER_UNIT;
    if (this.used + worst > this.buf.length) this.nextBuffer(worst);
    this.used += this.buf.write(row, this.used, 'utf8');
    this.rows += 1;
  };

  private nextBuffer(atLeast: number): void {
    if (this.used > 0) this.full.push(this.buf.subarray(0, this.used));
    this.buf = Buffer.allocUnsafe(Math.max(COPY_FLUSH_BYTES, atLeast));
    this.used = 0;
  }

  public async drain(force = false): Promise<void> {
    if (this.failure) throw this.failure;
    if (force && this.used > 0) this.nextBuffer(0);
    const ready = this.full;
    this.full = [];
    for (const data of ready) {
      if (!this.stream.write(data)) await Promise.race([once(this.stream, 'drain'), once(this.stream, 'error')]);
      if (this.failure) throw this.failure;
    }
  }

  public async end(): Promise<void> {
    await this.drain(true);
    const done = Promise.race([once(this.stream, 'finish'), once(this.stream, 'error').then(([e]) => Promise.reject(e))]);
    this.stream.end();
    await done;
    if (this.failure) throw this.failure;
  }
}

/** Inserts entries one at a time under savepoints; a row PostgreSQL rejects becomes an anomaly. */
class InsertSink {
  private queue: EntryRecord[] = [];
  public rows = 0;
  public readonly rejected: Anomaly[] = [];

  public constructor(
    private readonly client: pg.PoolClient,
    private readonly sourceId: number,
  ) {}

  public add = (entry: EntryRecord): void => {
    this.queue.push(entry);
  };

  public async drain(): Promise<void> {
    const entries = this.queue;
    this.queue = [];
    for (const e of entries) {
      await this.client.query(SQL.savepoint);
      try {
        await this.client.query(SQL.insertEntry, [
          e.timestamp,
          e.level,
          e.message,
          this.sourceId,
          e.offset,
          e.severity,
          e.levelText === '' ? null : e.levelText,
          e.fields,
          e.timeSource,
        ]);
        await this.client.query(SQL.releaseSavepoint);
        this.rows += 1;
      } catch (err) {
        await this.client.query(SQL.rollbackSavepoint);
        this.rejected.push({
          kind: 'entry_rejected',
          occurrences: 1,
          bytes: Buffer.byteLength(e.message),
          firstOffset: e.offset,
          detail: `PostgreSQL rejected the entry: ${(err as Error).message}`,
        });
      }
    }
  }

  public async end(): Promise<void> {
    await this.drain();
  }
}

function errnoCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? 'EIO';
}

/** Run a file operation, turning its failure into a SourceReadError (a per-file problem, not a run failure). */
async function fileOp<T>(what: string, filePath: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof SourceReadError) throw err;
    const code = errnoCode(err);
    throw new SourceReadError(`cannot ${what} ${filePath}: ${code}`, { path: filePath, code }, { cause: err });
  }
}

function countAnomalies(counts: ScanCounts, firstOffset: number): Anomaly[] {
  const out: Anomaly[] = [];
  const add = (kind: string, occurrences: number, bytes: number, detail: string): void => {
    if (occurrences > 0 || bytes > 0) out.push({ kind, occurrences, bytes, firstOffset, detail });
  };
  add(
    'unparseable_lines',
    counts.unparseableLines,
    counts.unparseableBytes,
    'lines without a valid timestamp and known [LEVEL] (with their continuation lines), or with no entry to continue',
  );
  add('truncated_lines', counts.truncatedLines, counts.truncatedBytes, 'lines over LOG_MAX_LINE_BYTES stored truncated; bytes = bytes dropped');
  add('invalid_utf8', counts.invalidUtf8Lines, counts.invalidUtf8Bytes, 'stored lines with invalid UTF-8 replaced by U+FFFD; bytes = invalid bytes');
  add('nul_bytes', counts.nulBytes > 0 ? 1 : 0, counts.nulBytes, 'NUL bytes replaced by U+FFFD');
  return out;
}

/** How the file changed since the checkpoint was saved. */
function detectRestart(source: SourceRow, size: number, head: Buffer): Anomaly | null {
  const offset = source.readOffset;
  const unread = Math.max(0, source.sizeSeen - offset);
  const next = source.status === 'rotated' ? 'the rotated file is retired' : 'reading restarts at 0';
  const lost = `${next}. ${unread} bytes seen but not yet read were lost, plus anything written and removed between runs`;
  if (size < offset) {
    return {
      kind: 'truncated',
      occurrences: 1,
      bytes: unread,
      firstOffset: offset,
      detail: `file shrank to ${size} bytes, below the checkpoint ${offset}; ${lost}`,
    };
  }
  if (!headMatches(head, { hash: source.fingerprint, length: source.fingerprintLen })) {
    return {
      kind: 'content_replaced',
      occurrences: 1,
      bytes: unread,
      firstOffset: offset,
      detail: `the bytes before the checkpoint ${offset} changed (copytruncate, or truncated and written again); ${lost}`,
    };
  }
  return null;
}

/**
 * Read one batch of `source` (locked by the caller's transaction `client`)
 * from its checkpoint, write its entries, and save the new checkpoint in the
 * same transaction. Nothing is committed here: the caller commits.
 * File-system failures throw SourceReadError; database failures throw as they are.
 */
export async function ingestBatch(source: SourceRow, deps: BatchDeps): Promise<BatchResult> {
  const { client, config } = deps;
  const openFile = deps.openFile ?? openForReading;
  const filePath = source.path;
  const handle = await fileOp('open', filePath, () => openFile(filePath));
  try {
    const st = await fileOp('stat', filePath, () => handle.stat({ bigint: true }));
    if (!st.isFile()) {
      throw new SourceReadError(`${filePath} is not a regular file`, { path: filePath, code: 'ENOTFILE' });
    }
    const size = Number(st.size);
    const mtimeMs = Number(st.mtimeMs);
    const base = {
      fromOffset: source.readOffset,
      toOffset: source.readOffset,
      size,
      reachedEnd: false,
      anomalies: [],
      rowsWritten: 0,
      formats: new Map<string, number>(),
      unparsed: [],
    };
    if (st.dev.toString() !== source.dev || st.ino.toString() !== source.ino || !sameBirth(st.birthtimeNs.toString(), source.birthTimeNs)) {
      return { ...base, outcome: 'identity-changed', counts: emptyCounts() };
    }
    const head = await fileOp('read', filePath, () => readHead(handle, Math.min(size, FINGERPRINT_BYTES)));

    const anomalies: Anomaly[] = [];
    let { readOffset: offset, skippingLine: skipping, generation, pendingSince, fingerprint, fingerprintLen } = source;
    const restart = detectRestart(source, size, head);
    if (restart) {
      if (source.status === 'rotated') {
        return { ...base, outcome: 'replaced', counts: emptyCounts(), anomalies: [restart] };
      }
      anomalies.push(restart);
      offset = 0;
      skipping = false;
      generation += 1;
      pendingSince = null;
      fingerprint = '';
      fingerprintLen = 0;
    } else if (size < source.sizeSeen) {
      // Cut after the checkpoint: what was before it is intact, so reading goes on.
      anomalies.push({
        kind: 'shrank',
        occurrences: 1,
        bytes: source.sizeSeen - size,
        firstOffset: size,
        detail: `file shrank from ${source.sizeSeen} to ${size} bytes, not below the checkpoint ${offset}; the bytes after ${size} were seen but never read`,
      });
    }

    const how = deps.source ?? effectiveSources(config)[0]!;
    await client.query(SQL.setTimeZone, [how.timeZone]);
    const sink = deps.safeMode === true ? new InsertSink(client, source.id) : new CopySink(client, source.id);
    const unparsed: UnparsedSample[] = [];
    const scanner = new EntryScanner(
      {
        levels: levelsAtOrAbove(how.minLevel),
        maxLineBytes: config.maxLineBytes,
        emit: sink.add,
        detector: new FormatDetector(how.format, ALL_FORMATS, WRAPPERS, { referenceMs: mtimeMs }),
        briefFastPath: how.format.kind === 'auto' || (how.format.kind === 'named' && how.format.name === 'brief'),
        multilineStart: how.multilineStart,
        readTime: epochTime(deps.now()),
        onUnparsed: (sample) => unparsed.push(sample),
      },
      offset,
      skipping,
    );
    const batchLimit = offset + config.batchBytes;
    // The scanner leaves at most maxLineBytes + 1 bytes unconsumed (see its contract).
    const buf = Buffer.allocUnsafe(CHUNK_BYTES + config.maxLineBytes + 1);
    let carry = 0;
    let readPos = offset;
    let stopped = false;
    let shrankAt = -1;
    while (readPos < size && scanner.position < batchLimit) {
      if (deps.shouldStop()) {
        stopped = true;
        break;
      }
      // Reads stop near the batch limit (a partial line may need a little more).
      const want = Math.min(CHUNK_BYTES, size - readPos, Math.max(batchLimit - readPos, STRADDLE_READ_BYTES));
      const { bytesRead } = await fileOp('read', filePath, () => handle.read(buf, carry, want, readPos));
      if (bytesRead === 0) {
        shrankAt = readPos;
        break;
      }
      readPos += bytesRead;
      const view = buf.subarray(0, carry + bytesRead);
      const consumed = scanner.scan(view);
      carry = view.length - consumed;
      if (carry > 0) buf.copyWithin(0, consumed, view.length);
      await sink.drain();
    }
    if (shrankAt >= 0) {
      anomalies.push({
        kind: 'shrank_while_reading',
        occurrences: 1,
        bytes: size - shrankAt,
        firstOffset: shrankAt,
        detail: `the file ended at ${shrankAt} while being read, ${size - shrankAt} bytes before the size it had when the batch started`,
      });
    }
    const reachedEnd = !stopped && shrankAt < 0 && readPos >= size;
    const batchFull = !stopped && shrankAt < 0 && !reachedEnd;
    const now = deps.now();
    const quiet = config.multilineFlushMs === 0 || now - mtimeMs >= config.multilineFlushMs;

    if (reachedEnd && carry > 0 && source.status === 'rotated' && quiet) {
      // A rotated file nobody writes to any more: its unterminated last line is complete.
      scanner.scan(buf.subarray(0, carry), true);
      carry = 0;
    }

    let newPendingSince: Date | null = null;
    if (scanner.hasPending()) {
      const heldOffset = scanner.checkpoint().offset;
      const heldBefore = pendingSince !== null && heldOffset === offset ? pendingSince : null;
      if (reachedEnd) {
        const heldLongEnough = heldBefore !== null && now - heldBefore.getTime() >= config.multilineFlushMs;
        if (quiet || heldLongEnough) scanner.flush();
        else newPendingSince = heldBefore ?? new Date(now);
      } else if (batchFull && heldOffset === offset) {
        // An entry filling a whole batch cannot wait for the next one.
        scanner.flush();
      } else {
        // Batch boundary, deadline or shrinking file: the next batch or run finishes the entry.
        newPendingSince = heldBefore;
      }
    }
    await sink.end();

    // The bytes scanned must still be the file's: a rewrite while reading rolls the batch back.
    const headAfter = await fileOp('read', filePath, () => readHead(handle, head.length));
    if (!headAfter.equals(head)) {
      throw new SourceReadError(`${filePath} was rewritten while being read; the batch is retried`, { path: filePath, code: 'ECHANGED' });
    }

    const checkpoint = scanner.checkpoint();
    if (fingerprintLen < Math.min(checkpoint.offset, FINGERPRINT_BYTES)) {
      const fp = fingerprintAt(head, checkpoint.offset);
      if (fp) {
        fingerprint = fp.hash;
        fingerprintLen = fp.length;
      }
    }
    await client.query(SQL.saveCheckpoint, [
      source.id,
      checkpoint.offset,
      checkpoint.skipping,
      newPendingSince,
      fingerprint,
      fingerprintLen,
      generation,
      shrankAt >= 0 ? shrankAt : size,
      new Date(mtimeMs),
      dominantFormat(scanner.formats),
      scanner.counts.lines,
      scanner.counts.unparseableLines,
    ]);
    anomalies.push(...countAnomalies(scanner.counts, offset));
    if (sink instanceof InsertSink) anomalies.push(...sink.rejected);
    return {
      outcome: 'read',
      fromOffset: offset,
      toOffset: checkpoint.offset,
      size,
      reachedEnd,
      counts: scanner.counts,
      anomalies,
      rowsWritten: sink.rows,
      formats: scanner.formats,
      unparsed,
    };
  } finally {
    await handle.close().catch(() => undefined);
  }
}
