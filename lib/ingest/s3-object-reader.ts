import type { FileHandle } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';
import { INGEST_SQL as SQL } from '../../sql/ingest-statements';
import type { SourceRowDb } from '../../sql/ingest-statements';
import { S3_SQL } from '../../sql/s3-statements';
import type { RetiredGenerationRowDb } from '../../sql/s3-statements';
import { withTransaction } from '../platform/db';
import { SourceReadError } from '../platform/errors';
import { recordAnomalies, scanAnomalies } from './anomaly';
import type { Anomaly } from './anomaly';
import { saveCheckpoint, toSourceRow } from './checkpoint';
import type { ObjectEncoding, SourceRow } from './checkpoint';
import { openDecompressedStream } from './compressed';
import type { IngestConfig } from './config';
import { openEntrySink } from './entry-sink';
import type { UnparsedSample } from './entry-scanner';
import { emptyCounts } from './entry-scanner';
import { completesLastLine, decidePending } from './pending-decision';
import type { ScanStart } from './restart-check';
import { describeS3Failure } from './s3-client';
import { parseObjectUrl } from './s3-location';
import { ObjectChangedError, RangedObjectReader, getObject } from './s3-ranged-reader';
import { STRADDLE_READ_BYTES, scanBatch } from './scan-loop';
import type { ReadAt } from './scan-loop';
import { dominantFormat, newScanner } from './source-reader';
import type { BatchResult } from './source-reader';
import type { SourceConfig } from './sources';
import { labelsFor } from './sources';

// One batch of one S3 object generation, through the same scanner, formats,
// sink and checkpoint as a file's batch (source-reader.ts), in one
// transaction. Differences, all because an object does not change once written:
// - the bytes come from ranged GETs from the checkpoint (plain objects), or
//   from the object decompressed whole into an unlinked temporary file once
//   per run and read from the checkpoint there (gzip: Content-Encoding, a
//   `.gz` key or gzip's magic bytes; a resumed run decompresses from the
//   start again and skips to the checkpoint, which counts decompressed bytes);
// - its end is final: the last line and the held entry are stored at once
//   (no MULTILINE_FLUSH_MS wait) and the checkpoint is retired, never read again;
// - every GET must answer the checkpoint's ETag: another one means the key
//   was written again, a new generation (a row of its own, read from its
//   start); the old one's unread bytes are recorded lost (content_replaced);
// - an object deleted before it was read to its end (NoSuchKey) is retired
//   with its unread bytes recorded lost (file_gone_unread).

const GZIP_MAGIC = [0x1f, 0x8b];

/** The per-run decompressed copies of gzip objects, closed when the object is done or the run ends. */
export class DecompressedObjects {
  private readonly open = new Map<number, Promise<{ handle: FileHandle; size: number }>>();

  public get(id: number, load: () => Promise<FileHandle>): Promise<{ handle: FileHandle; size: number }> {
    let entry = this.open.get(id);
    if (!entry) {
      entry = load().then(async (handle) => ({ handle, size: (await handle.stat()).size }));
      // a failed load is not kept: the next batch tries again
      entry.catch(() => this.open.delete(id));
      this.open.set(id, entry);
    }
    return entry;
  }

  public async release(id: number): Promise<void> {
    const entry = this.open.get(id);
    this.open.delete(id);
    await entry?.then((e) => e.handle.close()).catch(() => undefined);
  }

  public async closeAll(): Promise<void> {
    await Promise.all([...this.open.keys()].map((id) => this.release(id)));
  }
}

export interface ObjectBatchDeps {
  pool: pg.Pool;
  s3: S3Client;
  config: IngestConfig;
  now: () => number;
  shouldStop: () => boolean;
  /** Insert rows one by one (after COPY rejected a row). */
  safeMode: boolean;
  /** The object's configured source. */
  source: SourceConfig;
  decompressed: DecompressedObjects;
  cwd: string;
  /** Called inside the batch's transaction just before COMMIT (tests inject crashes here). */
  beforeCommit?: (info: { sourceId: number; path: string; toOffset: number }) => Promise<void> | void;
}

/** An object opened for one batch. */
interface OpenedObject {
  readAt: ReadAt;
  /** Its size (decompressed, for gzip). */
  size: number;
  encoding: Exclude<ObjectEncoding, ''>;
  close: () => void;
}

/** An S3 call of a batch: its failure becomes a SourceReadError (an outcome of this object, not of the run); a new generation passes through. */
async function s3Call<T>(row: SourceRow, what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof ObjectChangedError || err instanceof SourceReadError) throw err;
    const failure = describeS3Failure(err);
    throw new SourceReadError(`cannot ${what} ${row.path}: ${failure.text}`, failure.code, { path: row.path, s3Code: failure.s3Code }, { cause: err });
  }
}

function isGone(err: unknown): err is SourceReadError {
  return err instanceof SourceReadError && err.context.s3Code === 'NoSuchKey';
}

async function openGzip(row: SourceRow, deps: ObjectBatchDeps, bucket: string, key: string): Promise<OpenedObject> {
  const { handle, size } = await deps.decompressed.get(row.id, async () => {
    const response = await s3Call(row, 'read', () => getObject(deps.s3, bucket, key, row.objectEtag));
    try {
      return await openDecompressedStream(response.body);
    } catch (err) {
      throw new SourceReadError(`cannot decompress ${row.path}: ${(err as Error).message}`, 'EIO', { path: row.path }, { cause: err });
    }
  });
  return {
    readAt: async (buf, offset, length, position) => (await handle.read(buf, offset, length, position)).bytesRead,
    size,
    encoding: 'gzip',
    close: () => undefined,
  };
}

/** Open the object at its checkpoint: decide (first read) or follow its encoding. */
async function openObject(row: SourceRow, deps: ObjectBatchDeps): Promise<OpenedObject> {
  const { bucket, key } = parseObjectUrl(row.path);
  if (row.contentEncoding === 'gzip' || (row.contentEncoding === '' && key.endsWith('.gz'))) return openGzip(row, deps, bucket, key);
  const windowBytes = deps.config.batchBytes + deps.config.maxLineBytes + 4 * STRADDLE_READ_BYTES;
  const empty: OpenedObject = { readAt: async () => 0, size: row.sizeSeen, encoding: 'identity', close: () => undefined };
  if (row.readOffset >= row.sizeSeen && row.sizeSeen === 0) return empty;
  const from = row.readOffset;
  const to = from + windowBytes - 1;
  const response = await s3Call(row, 'read', () => getObject(deps.s3, bucket, key, row.objectEtag, { from, to }));
  const size = response.totalSize ?? row.sizeSeen;
  const iterator: AsyncIterator<Buffer> = response.body[Symbol.asyncIterator]();
  let first: Buffer | undefined;
  if (row.contentEncoding === '') {
    const next = await s3Call(row, 'read', () => iterator.next());
    first = next.done ? Buffer.alloc(0) : Buffer.from(next.value);
    if (/gzip/i.test(response.contentEncoding) || (first[0] === GZIP_MAGIC[0] && first[1] === GZIP_MAGIC[1])) {
      response.body.destroy();
      return openGzip(row, deps, bucket, key);
    }
  }
  const reader = new RangedObjectReader(deps.s3, bucket, key, row.objectEtag, size, windowBytes);
  reader.adopt(response, from, Math.min(size - 1, to), iterator, first);
  return {
    readAt: (buf, offset, length, position) => s3Call(row, 'read', () => reader.readAt(buf, offset, length, position)),
    size,
    encoding: 'identity',
    close: () => reader.close(),
  };
}

/** Scan from the checkpoint, store the entries, save the checkpoint; retire it at the object's end. Caller commits. */
async function readObjectBatch(client: pg.PoolClient, row: SourceRow, object: OpenedObject, deps: ObjectBatchDeps): Promise<BatchResult> {
  const { config } = deps;
  const how = deps.source;
  await client.query(SQL.setTimeZone, [how.timeZone]);
  if (object.encoding !== row.contentEncoding) await client.query(S3_SQL.setContentEncoding, [row.id, object.encoding]);
  const sink = openEntrySink(client, row.id, deps.safeMode);
  const unparsed: UnparsedSample[] = [];
  const start: ScanStart = {
    offset: row.readOffset,
    skipping: row.skippingLine,
    pendingSince: row.pendingSince,
    generation: row.generation,
    fingerprint: { hash: row.fingerprint, length: row.fingerprintLen },
  };
  const mtimeMs = row.mtimeSeenMs ?? deps.now();
  const scanner = newScanner(how, deps, sink, start, mtimeMs, unparsed);
  const scan = await scanBatch({
    readAt: object.readAt,
    scanner,
    drain: () => sink.drain(),
    shouldStop: deps.shouldStop,
    from: start.offset,
    size: object.size,
    batchBytes: config.batchBytes,
    maxLineBytes: config.maxLineBytes,
  });
  const anomalies: Anomaly[] = [];
  if (scan.shrankAt !== null) {
    anomalies.push({
      kind: 'shrank_while_reading',
      occurrences: 1,
      bytes: object.size - scan.shrankAt,
      firstOffset: scan.shrankAt,
      detail: `the object's body ended at ${scan.shrankAt}, before its size ${object.size}; read again from the checkpoint next run`,
    });
  }
  // the object is complete: its last line and last entry are final at its end
  if (completesLastLine({ reachedEnd: scan.reachedEnd, unterminatedBytes: scan.unterminated.length, rotated: true, quiet: true })) {
    scanner.scan(scan.unterminated, true);
  }
  const pending = decidePending({
    heldOffset: scanner.hasPending() ? scanner.checkpoint().offset : null,
    batchStart: start.offset,
    pendingSince: start.pendingSince,
    reachedEnd: scan.reachedEnd,
    batchFull: scan.batchFull,
    quiet: true,
    nowMs: deps.now(),
    multilineFlushMs: config.multilineFlushMs,
  });
  if (pending.flush) scanner.flush();
  await sink.end();
  const end = scanner.checkpoint();
  await saveCheckpoint(client, row.id, {
    offset: end.offset,
    skipping: end.skipping,
    pendingSince: pending.pendingSince,
    fingerprint: start.fingerprint,
    generation: start.generation,
    sizeSeen: object.size,
    mtimeSeen: new Date(mtimeMs),
    format: dominantFormat(scanner.formats),
    linesRead: scanner.counts.lines,
    linesUnparsed: scanner.counts.unparseableLines,
  });
  const complete = scan.reachedEnd && end.offset >= object.size;
  if (complete) await client.query(S3_SQL.completeObject, [row.id]);
  anomalies.push(...scanAnomalies(scanner.counts, start.offset), ...sink.rejected);
  return {
    outcome: 'read',
    fromOffset: start.offset,
    toOffset: end.offset,
    size: object.size,
    reachedEnd: complete,
    counts: scanner.counts,
    anomalies,
    rowsWritten: sink.rows,
    formats: scanner.formats,
    unparsed,
    settlesAt: null,
  };
}

function unreadBatch(outcome: BatchResult['outcome'], row: SourceRow, anomalies: Anomaly[]): BatchResult {
  return {
    outcome,
    fromOffset: row.readOffset,
    toOffset: row.readOffset,
    size: row.sizeSeen,
    reachedEnd: false,
    counts: emptyCounts(),
    anomalies,
    rowsWritten: 0,
    formats: new Map(),
    unparsed: [],
    settlesAt: null,
  };
}

/** The bytes of a retired generation not read: known for a plain object and a gzip one read once; else its stored size less the checkpoint. */
function unreadBytes(row: { read_offset: string; size_seen: string }): number {
  return Math.max(0, Number(row.size_seen) - Number(row.read_offset));
}

/** The key holds another generation: register it (read from its start by the next visit) and retire this one. */
async function supersede(client: pg.PoolClient, row: SourceRow, change: ObjectChangedError, deps: ObjectBatchDeps, runId: string): Promise<BatchResult> {
  const labels = labelsFor(deps.source, row.path, deps.cwd);
  await client.query(S3_SQL.registerObjects, [
    row.sourceName,
    [row.path],
    [change.etag],
    [change.size ?? 0],
    [change.lastModified ?? new Date(deps.now())],
    [labels.service ?? ''],
    [labels.host ?? ''],
    [JSON.stringify(labels)],
  ]);
  const retired = (await client.query<RetiredGenerationRowDb>(S3_SQL.retireOlderGenerations, [[row.path], [change.etag]])).rows;
  const anomalies: Anomaly[] = retired
    .filter((r) => Number(r.id) === row.id)
    .map((r) => ({
      kind: 'content_replaced',
      occurrences: 1,
      bytes: unreadBytes(r),
      firstOffset: Number(r.read_offset),
      detail: `${row.path} was written again (ETag ${row.objectEtag} → ${change.etag}) before it was read to its end: the new generation is read from its start`,
    }));
  await recordAnomalies(client, runId, row.id, row.path, anomalies);
  return unreadBatch('replaced', row, anomalies);
}

/** The object was deleted before it was read to its end: retired, its unread bytes recorded lost. */
async function retireGone(client: pg.PoolClient, row: SourceRow, err: SourceReadError, runId: string): Promise<BatchResult> {
  await client.query(SQL.relocateSource, [row.id, row.path, 'retired']);
  const anomaly: Anomaly = {
    kind: 'file_gone_unread',
    occurrences: 1,
    bytes: Math.max(0, row.sizeSeen - row.readOffset),
    firstOffset: row.readOffset,
    detail: `${err.message}: deleted before it was read to its end; its checkpoint is retired`,
  };
  await recordAnomalies(client, runId, row.id, row.path, [anomaly]);
  return unreadBatch('gone', row, [anomaly]);
}

async function lockRow(client: pg.PoolClient, id: number): Promise<SourceRow | null> {
  const locked = await client.query<SourceRowDb>(SQL.lockSource, [id]);
  return locked.rows[0] ? toSourceRow(locked.rows[0]) : null;
}

/**
 * Lock the object's checkpoint and read one batch of it in one transaction
 * ('busy' when another run holds it). A new generation or a deleted object
 * is dealt with after that transaction rolled back, in one of its own.
 * S3 failures throw SourceReadError (the object's outcome); database
 * failures throw as they are.
 */
export async function readNextObjectBatch(sourceId: number, deps: ObjectBatchDeps, runId: string): Promise<BatchResult | 'busy'> {
  try {
    return await withTransaction(deps.pool, async (client) => {
      const row = await lockRow(client, sourceId);
      if (!row) return 'busy' as const;
      if (row.status !== 'active') return unreadBatch('identity-changed', row, []);
      const object = await openObject(row, deps);
      let result: BatchResult;
      try {
        result = await readObjectBatch(client, row, object, deps);
      } finally {
        object.close();
      }
      await recordAnomalies(client, runId, row.id, row.path, result.anomalies);
      for (const u of result.unparsed) await client.query(SQL.insertUnparsed, [runId, row.id, row.path, u.offset, u.line, u.reason]);
      await deps.beforeCommit?.({ sourceId: row.id, path: row.path, toOffset: result.toOffset });
      if (result.reachedEnd) await deps.decompressed.release(row.id);
      return result;
    });
  } catch (err) {
    if (!(err instanceof ObjectChangedError) && !isGone(err)) throw err;
    await deps.decompressed.release(sourceId);
    return withTransaction(deps.pool, async (client) => {
      const row = await lockRow(client, sourceId);
      if (!row) return 'busy' as const;
      if (row.status !== 'active') return unreadBatch('identity-changed', row, []);
      return err instanceof ObjectChangedError ? supersede(client, row, err, deps, runId) : retireGone(client, row, err as SourceReadError, runId);
    });
  }
}
