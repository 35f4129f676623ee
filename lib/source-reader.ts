import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { INGEST_SQL as SQL } from '../sql/ingest-statements';
import type { IngestConfig } from './config';
import { encodeCopyRow } from './copy-encoder';
import { EntryScanner, emptyCounts } from './entry-scanner';
import type { EntryRecord, ScanCounts } from './entry-scanner';
import { SourceReadError } from './errors';
import { FINGERPRINT_BYTES, readFingerprint } from './fingerprint';

/** A checkpoint row of `log_sources`, numbers converted from PostgreSQL's bigint strings. */
export interface SourceRow {
  id: number;
  path: string;
  dev: string;
  ino: string;
  fingerprint: string;
  fingerprintLen: number;
  readOffset: number;
  skippingLine: boolean;
  pendingSince: Date | null;
  generation: number;
  sizeSeen: number;
  status: 'active' | 'rotated' | 'missing' | 'retired';
}

export function toSourceRow(r: Record<string, unknown>): SourceRow {
  return {
    id: Number(r.id),
    path: String(r.path),
    dev: String(r.dev),
    ino: String(r.ino),
    fingerprint: String(r.fingerprint),
    fingerprintLen: Number(r.fingerprint_len),
    readOffset: Number(r.read_offset),
    skippingLine: Boolean(r.skipping_line),
    pendingSince: (r.pending_since as Date | null) ?? null,
    generation: Number(r.generation),
    sizeSeen: Number(r.size_seen),
    status: r.status as SourceRow['status'],
  };
}

/** Something that could not be read or stored as written; kept in `ingest_anomalies`. */
export interface Anomaly {
  kind: string;
  occurrences: number;
  bytes: number;
  firstOffset: number | null;
  detail: string;
}

export interface BatchResult {
  /** `replaced`: a rotated file's identity no longer matches; it must not be read. */
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
}

export interface BatchDeps {
  client: pg.PoolClient;
  config: IngestConfig;
  now: () => number;
  shouldStop: () => boolean;
  /** Insert rows one by one (after COPY rejected a row), recording each rejected one. */
  safeMode?: boolean;
}

const CHUNK_BYTES = 1024 * 1024;
const COPY_FLUSH_CHARS = 256 * 1024;
/** Read size past the batch limit, to finish the line that straddles it. */
const STRADDLE_READ_BYTES = 4096;

/** Writes entries as COPY data, with back-pressure. */
class CopySink {
  private parts: string[] = [];
  private size = 0;
  public rows = 0;
  private failure: unknown = null;
  private readonly stream: NodeJS.WritableStream & { on: NodeJS.EventEmitter['on'] };

  public constructor(client: pg.PoolClient, private readonly sourceId: number) {
    this.stream = client.query(copyFrom(SQL.copyEntries));
    this.stream.on('error', (err: unknown) => {
      this.failure ??= err;
    });
  }

  public add = (entry: EntryRecord): void => {
    const row = encodeCopyRow(entry, this.sourceId);
    this.parts.push(row);
    this.size += row.length;
    this.rows += 1;
  };

  public async drain(force = false): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.parts.length === 0 || (!force && this.size < COPY_FLUSH_CHARS)) return;
    const data = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.size = 0;
    if (!this.stream.write(data)) await Promise.race([once(this.stream, 'drain'), once(this.stream, 'error')]);
    if (this.failure) throw this.failure;
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

  public constructor(private readonly client: pg.PoolClient, private readonly sourceId: number) {}

  public add = (entry: EntryRecord): void => {
    this.queue.push(entry);
  };

  public async drain(): Promise<void> {
    const entries = this.queue;
    this.queue = [];
    for (const e of entries) {
      await this.client.query(SQL.savepoint);
      try {
        await this.client.query(SQL.insertEntry, [e.timestamp, e.level, e.message, this.sourceId, e.offset]);
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

async function openSource(path: string): Promise<FileHandle> {
  try {
    return await fs.open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new SourceReadError(`cannot open ${path}: ${code}`, { path, code }, { cause: err });
  }
}

function countAnomalies(counts: ScanCounts, firstOffset: number): Anomaly[] {
  const out: Anomaly[] = [];
  const add = (kind: string, occurrences: number, bytes: number, detail: string): void => {
    if (occurrences > 0 || bytes > 0) out.push({ kind, occurrences, bytes, firstOffset, detail });
  };
  add('unparseable_lines', counts.unparseableLines, 0, 'lines without a valid timestamp and known [LEVEL], or with no entry to continue');
  add('truncated_lines', counts.truncatedLines, counts.truncatedBytes, 'lines over LOG_MAX_LINE_BYTES stored truncated; bytes = bytes dropped');
  add('invalid_utf8', counts.invalidUtf8Lines, 0, 'stored lines with invalid UTF-8 replaced by U+FFFD');
  add('nul_bytes', counts.nulBytes > 0 ? 1 : 0, counts.nulBytes, 'NUL bytes replaced by U+FFFD');
  return out;
}

/**
 * Read one batch of `source` (locked by the caller's transaction `client`)
 * from its checkpoint, write its entries, and save the new checkpoint in the
 * same transaction. Nothing is committed here: the caller commits.
 */
export async function ingestBatch(source: SourceRow, deps: BatchDeps): Promise<BatchResult> {
  const { client, config } = deps;
  const handle = await openSource(source.path);
  try {
    const st = await handle.stat({ bigint: true });
    const size = Number(st.size);
    const mtimeMs = Number(st.mtimeMs);
    const base = { fromOffset: source.readOffset, toOffset: source.readOffset, size, reachedEnd: false, anomalies: [], rowsWritten: 0 };
    if (st.dev.toString() !== source.dev || st.ino.toString() !== source.ino) {
      return { ...base, outcome: 'identity-changed', counts: emptyCounts() };
    }

    const anomalies: Anomaly[] = [];
    let { readOffset: offset, skippingLine: skipping, generation, pendingSince, fingerprint, fingerprintLen } = source;
    let replaced = false;
    if (fingerprintLen > 0) {
      const current = await readFingerprint(handle, fingerprintLen);
      replaced = current.length < fingerprintLen || current.hash !== fingerprint;
    }
    if (replaced || size < offset) {
      if (source.status === 'rotated') {
        return { ...base, outcome: 'replaced', counts: emptyCounts() };
      }
      const unread = Math.max(0, source.sizeSeen - offset);
      anomalies.push({
        kind: replaced ? 'content_replaced' : 'truncated',
        occurrences: 1,
        bytes: unread,
        firstOffset: offset,
        detail:
          `${replaced ? 'the first bytes changed (copytruncate or rewrite)' : `file shrank to ${size} bytes, below the checkpoint ${offset}`}; ` +
          `reading restarts at 0. ${unread} bytes seen but not yet read were lost, plus anything written and truncated between runs`,
      });
      offset = 0;
      skipping = false;
      generation += 1;
      pendingSince = null;
      fingerprint = '';
      fingerprintLen = 0;
    }

    await client.query(SQL.setTimeZone, [config.timeZone]);
    const safe = deps.safeMode === true;
    const sink = safe ? new InsertSink(client, source.id) : new CopySink(client, source.id);
    const scanner = new EntryScanner({ levels: config.levels, maxLineBytes: config.maxLineBytes, emit: sink.add }, offset, skipping);
    const batchLimit = offset + config.batchBytes;
    const buf = Buffer.allocUnsafe(CHUNK_BYTES + config.maxLineBytes + 1);
    let carry = 0;
    let readPos = offset;
    let stopped = false;
    while (readPos < size && scanner.position < batchLimit) {
      if (deps.shouldStop()) {
        stopped = true;
        break;
      }
      // up to the batch limit, then in small steps until the line straddling it ends
      const want = Math.min(CHUNK_BYTES, size - readPos, readPos < batchLimit ? batchLimit - readPos : STRADDLE_READ_BYTES);
      const { bytesRead } = await handle.read(buf, carry, want, readPos);
      if (bytesRead === 0) break; // shrank while reading: the next run sees the truncation
      readPos += bytesRead;
      const view = buf.subarray(0, carry + bytesRead);
      const consumed = scanner.scan(view);
      carry = view.length - consumed;
      if (carry > 0) buf.copyWithin(0, consumed, view.length);
      await sink.drain();
    }
    const reachedEnd = !stopped && readPos >= size && scanner.position + carry >= size;

    let newPendingSince: Date | null = null;
    if (scanner.hasPending()) {
      const now = deps.now();
      const heldOffset = scanner.checkpoint().offset;
      const heldBefore = pendingSince !== null && heldOffset === source.readOffset ? pendingSince : null;
      const quiet = now - mtimeMs >= config.multilineFlushMs;
      const heldLongEnough = heldBefore !== null && now - heldBefore.getTime() >= config.multilineFlushMs;
      const noProgress = !reachedEnd && heldOffset === offset;
      if (!reachedEnd && !noProgress) {
        // batch boundary: the entry is finished by the next batch of this run
      } else if (config.multilineFlushMs === 0 || quiet || heldLongEnough || noProgress) {
        scanner.flush();
      } else {
        newPendingSince = heldBefore ?? new Date(now);
      }
    }
    await sink.end();

    const checkpoint = scanner.checkpoint();
    if (fingerprintLen < FINGERPRINT_BYTES && size > fingerprintLen) {
      const fp = await readFingerprint(handle, Math.min(size, FINGERPRINT_BYTES));
      fingerprint = fp.hash;
      fingerprintLen = fp.length;
    }
    await client.query(SQL.saveCheckpoint, [
      source.id,
      checkpoint.offset,
      checkpoint.skipping,
      newPendingSince,
      fingerprint,
      fingerprintLen,
      generation,
      size,
      new Date(mtimeMs),
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
    };
  } finally {
    await handle.close().catch(() => undefined);
  }
}
