import crypto from 'node:crypto';
import path from 'node:path';
import type pg from 'pg';
import { INGEST_SQL as SQL } from '../sql/ingest-statements';
import type { IngestConfig } from './config';
import { withTransaction } from './db';
import { addCounts, emptyCounts } from './entry-scanner';
import type { ScanCounts } from './entry-scanner';
import { SourceReadError, describeError } from './errors';
import { discoverFiles, findByIdentity } from './file-discovery';
import type { AppLogger } from './logger';
import { ensureSchema } from './migrations';
import { ingestBatch, toSourceRow } from './source-reader';
import type { Anomaly, BatchResult, SourceRow } from './source-reader';

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
}

export type FileOutcome = 'read' | 'busy' | 'missing' | 'unreadable' | 'rotated-gone' | 'replaced' | 'error';

export interface FileSummary extends ScanCounts {
  path: string;
  sourceId: number | null;
  outcome: FileOutcome;
  fromOffset: number;
  toOffset: number;
  bytesConsumed: number;
  /** Bytes in the file after the checkpoint when the run ended. */
  lagBytes: number;
  entriesStored: number;
  batches: number;
  anomalies: string[];
  error?: string;
}

export interface IngestSummary {
  runId: string;
  startedAt: string;
  durationMs: number;
  stoppedEarly: boolean;
  files: FileSummary[];
  totals: ScanCounts & { entriesStored: number; bytesConsumed: number; lagBytes: number; files: number; filesWithErrors: number };
}

function newFileSummary(filePath: string, sourceId: number | null, outcome: FileOutcome): FileSummary {
  return {
    path: filePath,
    sourceId,
    outcome,
    fromOffset: 0,
    toOffset: 0,
    bytesConsumed: 0,
    lagBytes: 0,
    entriesStored: 0,
    batches: 0,
    anomalies: [],
    ...emptyCounts(),
  };
}

async function recordAnomalies(client: pg.PoolClient, runId: string, source: SourceRow | null, filePath: string, anomalies: Anomaly[]): Promise<void> {
  for (const a of anomalies) {
    await client.query(SQL.insertAnomaly, [runId, source?.id ?? null, filePath, a.kind, a.occurrences, a.bytes, a.firstOffset, a.detail]);
  }
}

/**
 * Match the files present now with the known checkpoints (by dev+inode, not
 * by name), create checkpoints for new files, and find rotated files in
 * their directory. Returns the sources to read this run, rotated ones first
 * so the rest of an old file is read before its successor.
 */
async function reconcileSources(deps: Required<Pick<IngestDeps, 'pool' | 'config' | 'cwd'>>, runId: string, summaries: FileSummary[]): Promise<SourceRow[]> {
  const discovery = await discoverFiles(deps.config.logFiles, deps.cwd);
  for (const problem of discovery.problems) {
    const s = newFileSummary(problem.pattern, null, problem.reason === 'EACCES' ? 'unreadable' : 'missing');
    s.error = `${problem.pattern}: ${problem.reason}`;
    summaries.push(s);
  }
  return withTransaction(deps.pool, async (client) => {
    await client.query(SQL.lockDiscovery);
    const known = (await client.query(SQL.listKnownSources)).rows.map(toSourceRow);
    const byIdentity = new Map<string, SourceRow>();
    for (const row of known) {
      const key = `${row.dev}:${row.ino}`;
      const seen = byIdentity.get(key);
      // a live checkpoint wins over a missing one with a reused inode
      if (!seen || seen.status === 'missing') byIdentity.set(key, row);
    }
    const matched = new Set<number>();
    const toRead: SourceRow[] = [];
    for (const file of discovery.files) {
      const row = byIdentity.get(`${file.dev}:${file.ino}`);
      if (row) {
        if (row.path !== file.path || row.status !== 'active') {
          await client.query(SQL.relocateSource, [row.id, file.path, 'active']);
          row.path = file.path;
          row.status = 'active';
        }
        matched.add(row.id);
        toRead.push(row);
      } else {
        const inserted = await client.query(SQL.insertSource, [file.path, file.dev, file.ino, 0, new Date(file.mtimeMs)]);
        if (inserted.rows[0]) toRead.push(toSourceRow(inserted.rows[0]));
      }
    }
    for (const row of known) {
      if (matched.has(row.id) || row.status === 'missing') continue;
      const found = await findByIdentity(path.dirname(row.path), row.dev, row.ino);
      if (found) {
        if (found.path !== row.path || row.status !== 'rotated') {
          await client.query(SQL.relocateSource, [row.id, found.path, 'rotated']);
          row.path = found.path;
          row.status = 'rotated';
        }
        toRead.unshift(row);
        continue;
      }
      const unread = Math.max(0, row.sizeSeen - row.readOffset);
      const status = row.status === 'rotated' ? 'retired' : 'missing';
      await client.query(SQL.relocateSource, [row.id, row.path, status]);
      const s = newFileSummary(row.path, row.id, row.status === 'rotated' ? 'rotated-gone' : 'missing');
      s.toOffset = s.fromOffset = row.readOffset;
      if (status === 'missing') s.error = `${row.path} is gone; its checkpoint is kept at ${row.readOffset}`;
      if (unread > 0) {
        const anomaly: Anomaly = {
          kind: status === 'missing' ? 'file_gone_unread' : 'rotated_gone_unread',
          occurrences: 1,
          bytes: unread,
          firstOffset: row.readOffset,
          detail: `the file disappeared with ${unread} bytes seen but not read`,
        };
        await recordAnomalies(client, runId, row, row.path, [anomaly]);
        s.anomalies.push(anomaly.kind);
      }
      summaries.push(s);
    }
    return toRead;
  });
}

function mergeBatch(summary: FileSummary, batch: BatchResult): void {
  if (summary.batches === 0) summary.fromOffset = batch.fromOffset;
  summary.batches += 1;
  summary.toOffset = batch.toOffset;
  summary.bytesConsumed += Math.max(0, batch.toOffset - batch.fromOffset);
  summary.lagBytes = Math.max(0, batch.size - batch.toOffset);
  summary.entriesStored += batch.rowsWritten;
  addCounts(summary, batch.counts);
  for (const a of batch.anomalies) if (!summary.anomalies.includes(a.kind)) summary.anomalies.push(a.kind);
}

function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('22');
}

/** Read `source` batch by batch until its end, the deadline, or another run holding it. */
async function ingestSource(source: SourceRow, deps: Required<Omit<IngestDeps, 'hooks' | 'runId' | 'logger'>> & Pick<IngestDeps, 'hooks' | 'logger'>, runId: string): Promise<FileSummary> {
  const summary = newFileSummary(source.path, source.id, 'read');
  summary.fromOffset = summary.toOffset = source.readOffset;
  let safeMode = false;
  for (;;) {
    let batch: BatchResult | 'busy';
    try {
      batch = await withTransaction(deps.pool, async (client) => {
        const locked = await client.query(SQL.lockSource, [source.id]);
        if (!locked.rows[0]) return 'busy' as const;
        const fresh = toSourceRow(locked.rows[0]);
        const result = await ingestBatch(fresh, { client, config: deps.config, now: deps.now, shouldStop: deps.shouldStop, safeMode });
        if (result.outcome === 'replaced') {
          await client.query(SQL.relocateSource, [fresh.id, fresh.path, 'retired']);
          return result;
        }
        if (result.outcome !== 'read') return result;
        await recordAnomalies(client, runId, fresh, fresh.path, result.anomalies);
        await deps.hooks?.beforeCommit?.({ sourceId: fresh.id, path: fresh.path, toOffset: result.toOffset });
        return result;
      });
    } catch (err) {
      if (err instanceof SourceReadError) {
        const code = String(err.context.code);
        summary.outcome = code === 'ENOENT' ? 'missing' : code === 'EACCES' || code === 'EPERM' ? 'unreadable' : 'error';
        summary.error = err.message;
        await deps.pool.query(SQL.recordSourceError, [source.id, err.message]).catch(() => undefined);
        return summary;
      }
      if (isDataError(err) && !safeMode) {
        // COPY rejected a row: redo this batch row by row, recording the rejected ones.
        deps.logger?.warn('COPY rejected a row; retrying the batch row by row', { path: source.path, error: describeError(err) });
        safeMode = true;
        continue;
      }
      throw err;
    }
    if (batch === 'busy') {
      summary.outcome = summary.batches > 0 ? 'read' : 'busy';
      return summary;
    }
    if (batch.outcome === 'replaced') {
      summary.outcome = 'replaced';
      summary.error = `${source.path} no longer holds the rotated file: its checkpoint is retired`;
      return summary;
    }
    if (batch.outcome === 'identity-changed') {
      // replaced between discovery and open: the next run's discovery sorts it out
      summary.outcome = summary.batches > 0 ? 'read' : 'busy';
      return summary;
    }
    mergeBatch(summary, batch);
    safeMode = false;
    if (batch.reachedEnd || deps.shouldStop() || batch.toOffset === batch.fromOffset) return summary;
  }
}

/**
 * One ingest run: discover the monitored files, then read each from its
 * checkpoint, storing its wanted entries and the new checkpoint in one
 * transaction per batch. A broken file is reported and skipped; a database
 * failure ends the run with an error (nothing half-done is committed).
 *
 * @example
 *   const summary = await runIngest({ pool, config: readIngestConfig(process.env) });
 */
export async function runIngest(deps: IngestDeps): Promise<IngestSummary> {
  const started = Date.now();
  const runId = deps.runId ?? crypto.randomUUID();
  const full = {
    pool: deps.pool,
    config: deps.config,
    now: deps.now ?? Date.now,
    shouldStop: deps.shouldStop ?? (() => false),
    cwd: deps.cwd ?? process.cwd(),
    hooks: deps.hooks,
    logger: deps.logger,
  };
  await ensureSchema(deps.pool);
  const files: FileSummary[] = [];
  const sources = await reconcileSources(full, runId, files);
  let stoppedEarly = false;
  for (const source of sources) {
    if (full.shouldStop()) {
      stoppedEarly = true;
      break;
    }
    const summary = await ingestSource(source, full, runId);
    files.push(summary);
    deps.logger?.info('file ingested', { runId, ...summary });
  }
  if (full.shouldStop()) stoppedEarly = true;
  const totals = { ...emptyCounts(), entriesStored: 0, bytesConsumed: 0, lagBytes: 0, files: files.length, filesWithErrors: 0 };
  for (const f of files) {
    addCounts(totals, f);
    totals.entriesStored += f.entriesStored;
    totals.bytesConsumed += f.bytesConsumed;
    totals.lagBytes += f.lagBytes;
    if (f.error) totals.filesWithErrors += 1;
  }
  return { runId, startedAt: new Date(started).toISOString(), durationMs: Date.now() - started, stoppedEarly, files, totals };
}
