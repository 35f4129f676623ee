import crypto from 'node:crypto';
import path from 'node:path';
import type pg from 'pg';
import { INGEST_SQL as SQL } from '../../sql/ingest-statements';
import type { SourceRowDb } from '../../sql/ingest-statements';
import type { IngestConfig } from './config';
import { effectiveSources } from './config';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SourceConfig } from './sources';
import { isS3Source } from './sources';
import { withTransaction } from '../platform/db';
import { NoSourcesError, S3ListingError, SourceReadError, describeError } from '../platform/errors';
import type { S3EventObject } from '../platform/job-events';
import { createS3Client } from './s3-client';
import { discoverObjects, openObjects } from './s3-discovery';
import type { S3Discovered } from './s3-discovery';
import { registerEventObjects } from './s3-event';
import { DecompressedObjects, readNextObjectBatch } from './s3-object-reader';
import type { FileStat } from './file-discovery';
import type { AppLogger } from '../platform/logger';
import { ensureSchema } from '../platform/migrations';
import { recordAnomalies } from './anomaly';
import type { Anomaly } from './anomaly';
import { toSourceRow } from './checkpoint';
import type { SourceRow } from './checkpoint';
import { outcomeOfReadError } from './file-outcome';
import { recordIngestRun } from './ingest-run';
import { mergeBatch, mostlyUnparsed, newFileSummary, noteAnomalies, totalsOf } from './file-summary';
import type { FileSummary, RunTotals } from './file-summary';
import { reconcileSources } from './reconcile-sources';
import { ingestBatch, openForReading } from './source-reader';
import type { BatchResult, OpenFile } from './source-reader';

export { LOSS_KINDS } from './anomaly';
export { FILE_OUTCOMES } from './file-outcome';
export type { FileOutcome } from './file-outcome';
export { mostlyUnparsed } from './file-summary';
export type { FileSummary } from './file-summary';

export interface IngestHooks {
  /** Called inside each batch transaction just before COMMIT (tests inject crashes here). */
  beforeCommit?: (info: { sourceId: number; path: string; toOffset: number }) => Promise<void> | void;
}

export interface IngestDeps {
  pool: pg.Pool;
  config: IngestConfig;
  logger?: AppLogger;
  /** Milliseconds since the epoch. */
  now?: () => number;
  /** True when the run must stop and commit (Lambda time limit). */
  shouldStop?: () => boolean;
  /** Base for relative LOG_FILES. */
  cwd?: string;
  hooks?: IngestHooks;
  runId?: string;
  /** Opens a monitored file (tests inject failures such as EACCES). */
  openFile?: OpenFile;
  /** The S3 client of the S3 sources (default: one from the environment, when a source reads S3). */
  s3?: S3Client;
  /**
   * An S3 event's objects: read these now, and nothing else (no file
   * discovery, no listing, no ingest_runs row: the schedule's runs are what
   * the health rules watch).
   */
  objects?: readonly S3EventObject[];
}

export interface IngestSummary {
  runId: string;
  startedAt: string;
  durationMs: number;
  stoppedEarly: boolean;
  files: FileSummary[];
  totals: RunTotals;
  /**
   * The configured paths and globs (absolute) when no configured file exists
   * (nothing could be read: logmon is blind), else null. The run is recorded
   * all the same; the handler then fails (failIfBlind).
   */
  noFileFor: string[] | null;
  /** The S3 locations that could not be listed (the handler then fails: failIfBlind). */
  s3ListingFailures: { source: string; location: string; error: string }[];
  /**
   * The earliest time at which an entry this run held at the end of a file
   * (for continuation lines) is stored by a read (ms; settlesAt), or null:
   * no entry is held. The handler reads again then (ingest-passes.ts).
   */
  settlesAt: number | null;
}

type RunDeps = Required<Pick<IngestDeps, 'pool' | 'config' | 'now' | 'shouldStop' | 'cwd' | 'openFile'>> &
  Pick<IngestDeps, 'hooks' | 'logger'> & { s3: S3Client | null; decompressed: DecompressedObjects };

function isDataError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' && err.code.startsWith('22');
}

/** One file's progress through the run. */
interface FileWork {
  source: SourceRow;
  stat: FileStat | undefined;
  summary: FileSummary;
  /** How to read it: its configured source. */
  how: SourceConfig | undefined;
  safeMode: boolean;
  done: boolean;
  /** Its last batch's settlesAt. */
  settlesAt: number | null;
}

/** Lock the file's checkpoint and read one batch in one transaction; 'busy' when another run holds it. */
async function readNextBatch(work: FileWork, deps: RunDeps, runId: string): Promise<BatchResult | 'busy'> {
  return withTransaction(deps.pool, async (client) => {
    const locked = await client.query<SourceRowDb>(SQL.lockSource, [work.source.id]);
    if (!locked.rows[0]) return 'busy' as const;
    const fresh = toSourceRow(locked.rows[0]);
    const result = await ingestBatch(fresh, {
      client,
      config: deps.config,
      now: deps.now,
      shouldStop: deps.shouldStop,
      openFile: deps.openFile,
      safeMode: work.safeMode,
      source: work.how,
    });
    if (result.outcome === 'replaced') {
      await client.query(SQL.relocateSource, [fresh.id, fresh.path, 'retired']);
      await recordAnomalies(client, runId, fresh.id, fresh.path, result.anomalies);
      return result;
    }
    if (result.outcome !== 'read') return result;
    await recordAnomalies(client, runId, fresh.id, fresh.path, result.anomalies);
    for (const u of result.unparsed) await client.query(SQL.insertUnparsed, [runId, fresh.id, fresh.path, u.offset, u.line, u.reason]);
    await deps.hooks?.beforeCommit?.({ sourceId: fresh.id, path: fresh.path, toOffset: result.toOffset });
    return result;
  });
}

/** One batch of an S3 object (s3-object-reader.ts), with the run's S3 client and its configured source. */
async function readNextObject(work: FileWork, deps: RunDeps, runId: string): Promise<BatchResult | 'busy'> {
  if (deps.s3 === null || work.how === undefined) return 'busy';
  return readNextObjectBatch(
    work.source.id,
    {
      pool: deps.pool,
      s3: deps.s3,
      config: deps.config,
      now: deps.now,
      shouldStop: deps.shouldStop,
      safeMode: work.safeMode,
      source: work.how,
      decompressed: deps.decompressed,
      cwd: deps.cwd,
      beforeCommit: deps.hooks?.beforeCommit,
    },
    runId,
  );
}

/** A file that could not be read: reported, `last_error` set, checkpoint kept; its unread bytes recorded when it is not just gone or changed. */
async function noteReadError(work: FileWork, err: SourceReadError, deps: RunDeps, runId: string): Promise<void> {
  const { source, summary } = work;
  work.done = true;
  summary.outcome = outcomeOfReadError(err.code);
  summary.error = err.message;
  await deps.pool.query(SQL.recordSourceError, [source.id, err.message]);
  if (summary.outcome !== 'unreadable' && summary.outcome !== 'error') return;
  const anomaly: Anomaly = {
    kind: 'file_unreadable',
    occurrences: 1,
    bytes: work.stat ? Math.max(0, work.stat.size - source.readOffset) : 0,
    firstOffset: source.readOffset,
    detail: `${err.message}; checkpoint kept`,
  };
  await recordAnomalies(deps.pool, runId, source.id, source.path, [anomaly]);
  noteAnomalies(summary, [anomaly]);
}

/**
 * Nothing to do for a file: its size is its checkpoint (a held multi-line
 * entry keeps the checkpoint before it), and size and mtime are what its
 * last visit saw (a file truncated, or truncated and rewritten to the same
 * size, must be visited: its first bytes tell), and its last visit read it.
 * Not opened, no transaction: a run over thousands of idle files costs their
 * stat, done by discovery (issue 15).
 */
function isIdle(source: SourceRow, stat: FileStat): boolean {
  return (
    stat.size === source.readOffset &&
    stat.size === source.sizeSeen &&
    source.mtimeSeenMs !== null &&
    Math.trunc(stat.mtimeMs) === source.mtimeSeenMs &&
    !source.failing
  );
}

/**
 * The order files are visited in: rotated ones first (what they still hold
 * must be read before logrotate removes or compresses them), then the least
 * recently saved checkpoint first, so a file a run had to defer is read
 * first by the next one and no file is starved by its place in the
 * discovery order.
 */
export function visitOrder(sources: readonly SourceRow[]): SourceRow[] {
  const rank = (s: SourceRow): number => (s.status === 'rotated' ? 0 : 1);
  return [...sources].sort((a, b) => rank(a) - rank(b) || a.updatedAt.getTime() - b.updatedAt.getTime() || a.id - b.id);
}

/** Read the next batch of one file in its own transaction; marks the work done when the file needs no more. */
async function ingestNextBatch(work: FileWork, deps: RunDeps, runId: string): Promise<void> {
  const { source, summary } = work;
  let batch: BatchResult | 'busy';
  try {
    batch = source.kind === 's3' ? await readNextObject(work, deps, runId) : await readNextBatch(work, deps, runId);
  } catch (err) {
    if (err instanceof SourceReadError) return noteReadError(work, err, deps, runId);
    if (isDataError(err) && !work.safeMode) {
      // COPY rejected a row: redo this batch row by row, recording the rejected ones.
      deps.logger?.warn('COPY rejected a row; retrying the batch row by row', { path: source.path, error: describeError(err) });
      work.safeMode = true;
      return;
    }
    throw err;
  }
  work.safeMode = false;
  if (batch === 'busy') {
    work.done = true;
    if (summary.batches === 0) summary.outcome = 'busy';
    return;
  }
  if (batch.outcome === 'replaced') {
    work.done = true;
    noteAnomalies(summary, batch.anomalies);
    summary.outcome = 'replaced';
    summary.error =
      source.kind === 's3'
        ? `${source.path} was written again under its key: this generation's checkpoint is retired, the new one is read from its start`
        : `${source.path} no longer holds the rotated file: its checkpoint is retired`;
    return;
  }
  if (batch.outcome === 'gone') {
    work.done = true;
    noteAnomalies(summary, batch.anomalies);
    summary.outcome = 'missing';
    summary.error = `${source.path} was deleted before it was read to its end: its checkpoint is retired (${summary.bytesLost} bytes lost)`;
    return;
  }
  if (batch.outcome === 'identity-changed') {
    // replaced between discovery and open: the next run's discovery sorts it out
    work.done = true;
    if (summary.batches === 0) summary.outcome = 'busy';
    return;
  }
  mergeBatch(summary, batch);
  work.settlesAt = batch.settlesAt;
  if (batch.reachedEnd || batch.toOffset === batch.fromOffset) work.done = true;
}

function logFileSummaries(logger: AppLogger | undefined, runId: string, files: readonly FileSummary[]): void {
  for (const f of files) {
    if (f.error) {
      logger?.warn('file not ingested', { runId, ...f });
    } else if (mostlyUnparsed(f)) {
      logger?.warn('most lines of the file were not understood: no format matched them', {
        runId,
        ...f,
        hint: "check the source's format (npm run inspect -- FILE shows how logmon reads it)",
      });
    } else if (f.batches > 0 || f.anomalies.length > 0 || (f.outcome !== 'read' && f.outcome !== 'deferred')) {
      logger?.info('file ingested', { runId, ...f });
    } else {
      // nothing new or deferred: the run's summary line counts them (thousands of idle files, one line)
      logger?.debug('file unchanged', { runId, path: f.path, outcome: f.outcome });
    }
  }
}

/**
 * One ingest run: discover the monitored files, then read them batch by
 * batch, taking turns so one large or slow file cannot starve the others.
 * Each batch stores its wanted entries and the new checkpoint in one
 * transaction. A broken file is reported and skipped; a database failure
 * ends the run with an error (nothing half-done is committed).
 *
 * @example
 *   const summary = await runIngest({ pool, config: readIngestConfig(process.env) });
 */
export async function runIngest(deps: IngestDeps): Promise<IngestSummary> {
  const started = Date.now();
  const runId = deps.runId ?? crypto.randomUUID();
  const configured = effectiveSources(deps.config);
  const s3Sources = configured.filter(isS3Source);
  const fileSources = configured.filter((s) => !isS3Source(s));
  const full: RunDeps = {
    pool: deps.pool,
    config: deps.config,
    now: deps.now ?? Date.now,
    shouldStop: deps.shouldStop ?? (() => false),
    cwd: deps.cwd ?? process.cwd(),
    openFile: deps.openFile ?? openForReading,
    hooks: deps.hooks,
    logger: deps.logger,
    s3: s3Sources.length === 0 ? null : (deps.s3 ?? createS3Client({ forcePathStyle: deps.config.s3ForcePathStyle })),
    decompressed: new DecompressedObjects(),
  };
  const startedAt = full.now();
  await ensureSchema(deps.pool);
  const files: FileSummary[] = [];
  const eventRun = deps.objects !== undefined;
  let sources: SourceRow[] = [];
  let stats = new Map<number, FileStat>();
  let s3: S3Discovered | null = null;
  if (eventRun) {
    sources = await registerEventObjects(deps.pool, s3Sources, deps.objects ?? [], full.cwd, runId, files);
  } else {
    ({ sources, stats } = await reconcileSources(full, runId, files));
    if (full.s3 !== null) {
      s3 = await discoverObjects(
        s3Sources,
        { pool: deps.pool, s3: full.s3, now: full.now, shouldStop: full.shouldStop, cwd: full.cwd, logger: deps.logger },
        runId,
        files,
      );
      sources = [
        ...sources,
        ...(await openObjects(
          deps.pool,
          s3Sources.map((s) => s.name),
        )),
      ];
    }
  }
  const how = new Map(configured.map((s) => [s.name, s]));
  const work: FileWork[] = visitOrder(sources).map((source) => {
    const summary = newFileSummary(source.path, source.id, 'read');
    summary.source = source.sourceName;
    summary.fromOffset = summary.toOffset = source.readOffset;
    const stat = stats.get(source.id);
    if (stat) summary.lagBytes = Math.max(0, stat.size - source.readOffset);
    if (source.kind === 's3') summary.lagBytes = Math.max(0, source.sizeSeen - source.readOffset);
    return { source, stat, summary, how: how.get(source.sourceName), safeMode: false, done: stat !== undefined && isIdle(source, stat), settlesAt: null };
  });
  let stoppedEarly = s3?.stoppedEarly ?? false;
  try {
    while (!stoppedEarly && work.some((w) => !w.done)) {
      for (const w of work) {
        if (w.done) continue;
        if (full.shouldStop()) {
          stoppedEarly = true;
          break;
        }
        await ingestNextBatch(w, full, runId);
      }
    }
  } finally {
    await full.decompressed.closeAll();
  }
  for (const w of work) {
    if (w.summary.batches === 0 && w.summary.outcome === 'read' && !w.done) w.summary.outcome = 'deferred';
    files.push(w.summary);
  }
  const totals = totalsOf(files);
  logFileSummaries(deps.logger, runId, files);
  const present = work.flatMap((w) => (w.stat ? [{ ...w.stat, source: w.source.sourceName }] : []));
  for (const l of s3?.locations ?? []) {
    if (l.lastObjectAt !== null) present.push({ path: l.location, dev: '0', ino: '0', birthTimeNs: '0', size: 0, mtimeMs: l.lastObjectAt, source: l.source });
  }
  if (!eventRun) {
    await recordIngestRun(deps.pool, {
      runId,
      startedAt,
      finishedAt: full.now(),
      stoppedEarly,
      files,
      totals,
      sources: [...how.values()],
      present,
      cwd: full.cwd,
      emptyS3Locations: (s3?.locations ?? []).filter((l) => l.empty).map((l) => l.location),
    });
  }
  // blind: no configured file exists and no S3 location could be listed (an S3 location listed fine is read, even when it holds nothing new)
  const fileWork = work.filter((w) => w.source.kind === 'file');
  const listedAny = (s3?.locations.length ?? 0) > 0;
  const noFileFor =
    !eventRun && fileSources.length > 0 && fileWork.length === 0 && !listedAny
      ? fileSources.flatMap((s) => s.paths.map((p) => path.resolve(full.cwd, p)))
      : null;
  const s3ListingFailures = (s3?.failures ?? []).map((f) => ({ source: f.source, location: f.location, error: f.failure.text }));
  const held = work.flatMap((w) => (w.settlesAt === null ? [] : [w.settlesAt]));
  const settlesAt = held.length === 0 ? null : Math.min(...held);
  return {
    runId,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    stoppedEarly,
    files,
    totals,
    noFileFor,
    s3ListingFailures,
    settlesAt,
  };
}

/**
 * Fail a run that found no configured file at all: it could not do its job
 * (a wrong path, a mount missing, a directory renamed), so the function
 * exits non-zero (the Lambda error alarm, `serverless invoke local`'s exit
 * code) besides the source-missing health rule's notification. A run that
 * read any file is not failed for a missing one (that one is the health
 * rule's). A run that could not list an S3 location fails too: a bucket
 * that exists and may be read always lists, even empty, so a failure (access
 * denied, no such bucket, throttled or timed out past the SDK's retries) is
 * never normal (S3ListingError; source-missing names it as well).
 *
 * @example
 *   failIfBlind(await runIngest(deps)); // throws NoSourcesError when nothing configured exists
 */
export function failIfBlind(summary: IngestSummary): void {
  if (summary.s3ListingFailures.length > 0) {
    throw new S3ListingError(
      `an S3 source could not be listed, its new objects were not read: ${summary.s3ListingFailures.map((f) => `${f.location} (${f.error})`).join('; ')}`,
      { runId: summary.runId, failures: summary.s3ListingFailures },
    );
  }
  if (summary.noFileFor === null) return;
  throw new NoSourcesError(`no configured file exists, nothing was read: ${summary.noFileFor.join(', ')} (LOG_FILES or the sources file)`, {
    runId: summary.runId,
    patterns: summary.noFileFor,
    files: summary.files.map((f) => ({ path: f.path, outcome: f.outcome, error: f.error })),
  });
}
