import crypto from 'node:crypto';
import path from 'node:path';
import type pg from 'pg';
import { INGEST_SQL as SQL } from '../../sql/ingest-statements';
import type { SourceRowDb } from '../../sql/ingest-statements';
import type { IngestConfig } from './config';
import { effectiveSources } from './config';
import type { SourceConfig } from './sources';
import { withTransaction } from '../platform/db';
import { NoSourcesError, SourceReadError, describeError } from '../platform/errors';
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
  /**
   * The earliest time at which an entry this run held at the end of a file
   * (for continuation lines) is stored by a read (ms; settlesAt), or null:
   * no entry is held. The handler reads again then (ingest-passes.ts).
   */
  settlesAt: number | null;
}

type RunDeps = Required<Pick<IngestDeps, 'pool' | 'config' | 'now' | 'shouldStop' | 'cwd' | 'openFile'>> & Pick<IngestDeps, 'hooks' | 'logger'>;

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
    batch = await readNextBatch(work, deps, runId);
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
    summary.error = `${source.path} no longer holds the rotated file: its checkpoint is retired`;
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
  const full: RunDeps = {
    pool: deps.pool,
    config: deps.config,
    now: deps.now ?? Date.now,
    shouldStop: deps.shouldStop ?? (() => false),
    cwd: deps.cwd ?? process.cwd(),
    openFile: deps.openFile ?? openForReading,
    hooks: deps.hooks,
    logger: deps.logger,
  };
  const startedAt = full.now();
  await ensureSchema(deps.pool);
  const files: FileSummary[] = [];
  const { sources, stats } = await reconcileSources(full, runId, files);
  const how = new Map(effectiveSources(full.config).map((s) => [s.name, s]));
  const work: FileWork[] = visitOrder(sources).map((source) => {
    const summary = newFileSummary(source.path, source.id, 'read');
    summary.source = source.sourceName;
    summary.fromOffset = summary.toOffset = source.readOffset;
    const stat = stats.get(source.id);
    if (stat) summary.lagBytes = Math.max(0, stat.size - source.readOffset);
    return { source, stat, summary, how: how.get(source.sourceName), safeMode: false, done: stat !== undefined && isIdle(source, stat), settlesAt: null };
  });
  let stoppedEarly = false;
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
  for (const w of work) {
    if (w.summary.batches === 0 && w.summary.outcome === 'read' && !w.done) w.summary.outcome = 'deferred';
    files.push(w.summary);
  }
  const totals = totalsOf(files);
  logFileSummaries(deps.logger, runId, files);
  const present = work.flatMap((w) => (w.stat ? [{ ...w.stat, source: w.source.sourceName }] : []));
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
  });
  const noFileFor = work.length === 0 ? [...how.values()].flatMap((s) => s.paths.map((p) => path.resolve(full.cwd, p))) : null;
  const held = work.flatMap((w) => (w.settlesAt === null ? [] : [w.settlesAt]));
  const settlesAt = held.length === 0 ? null : Math.min(...held);
  return { runId, startedAt: new Date(started).toISOString(), durationMs: Date.now() - started, stoppedEarly, files, totals, noFileFor, settlesAt };
}

/**
 * Fail a run that found no configured file at all: it could not do its job
 * (a wrong path, a mount missing, a directory renamed), so the function
 * exits non-zero (the Lambda error alarm, `serverless invoke local`'s exit
 * code) besides the source-missing health rule's notification. A run that
 * read any file is not failed for a missing one (that one is the health
 * rule's).
 *
 * @example
 *   failIfBlind(await runIngest(deps)); // throws NoSourcesError when nothing configured exists
 */
export function failIfBlind(summary: IngestSummary): void {
  if (summary.noFileFor === null) return;
  throw new NoSourcesError(`no configured file exists, nothing was read: ${summary.noFileFor.join(', ')} (LOG_FILES or the sources file)`, {
    runId: summary.runId,
    patterns: summary.noFileFor,
    files: summary.files.map((f) => ({ path: f.path, outcome: f.outcome, error: f.error })),
  });
}
