import crypto from 'node:crypto';
import path from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import type pg from 'pg';
import { INGEST_SQL as SQL } from '../../sql/ingest-statements';
import type { IngestConfig } from './config';
import { effectiveSources } from './config';
import type { SourceConfig } from './sources';
import { labelsFor, templateGlob } from './sources';
import { withTransaction } from '../platform/db';
import { addCounts, emptyCounts } from './entry-scanner';
import type { ScanCounts } from './entry-scanner';
import { SourceReadError, describeError } from '../platform/errors';
import { discoverFiles, findByIdentity, sameBirth } from './file-discovery';
import type { FileStat } from './file-discovery';
import { headMatches, readHead } from './fingerprint';
import type { AppLogger } from '../platform/logger';
import { ensureSchema } from '../platform/migrations';
import { dominantFormat, ingestBatch, openForReading, toSourceRow } from './source-reader';
import type { Anomaly, BatchResult, OpenFile, SourceRow } from './source-reader';

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

/**
 * - `read`: read (maybe up to a pending entry or a partial line);
 * - `busy`: another run holds the file; `deferred`: the run stopped before reaching it;
 * - `missing`, `unreadable`, `error`: not read, checkpoint kept;
 * - `changed`: rewritten while being read, the batch rolled back, retried next run;
 * - `rotated-gone`: a rotated file disappeared; `replaced`: a rotated file's content no longer matches;
 * - `unconfigured`: no configured source matches the file any more: its checkpoint is retired, it is not read.
 */
export const FILE_OUTCOMES = ['read', 'busy', 'deferred', 'missing', 'unreadable', 'changed', 'rotated-gone', 'replaced', 'unconfigured', 'error'] as const;
export type FileOutcome = (typeof FILE_OUTCOMES)[number];

export interface FileSummary extends ScanCounts {
  path: string;
  sourceId: number | null;
  outcome: FileOutcome;
  fromOffset: number;
  toOffset: number;
  /** Bytes moved past by the checkpoint: the sum of the byte buckets of ScanCounts. */
  bytesConsumed: number;
  /** Bytes known to be lost (anomalies of the kinds in LOSS_KINDS). */
  bytesLost: number;
  /** Bytes in the file after the checkpoint when the run ended (pending entry, partial line, not reached). */
  lagBytes: number;
  entriesStored: number;
  batches: number;
  anomalies: string[];
  /** The configured source the file belongs to. */
  source: string;
  /** Format of most entry lines read this run ('' when none were read). */
  format: string;
  /** Entry lines per format this run (what `auto` chose, line by line). */
  formats: Record<string, number>;
  /** The first line this run that no format understood (up to 200 characters). */
  unparsedExample?: string;
  error?: string;
}

export interface IngestSummary {
  runId: string;
  startedAt: string;
  durationMs: number;
  stoppedEarly: boolean;
  files: FileSummary[];
  totals: ScanCounts & {
    entriesStored: number;
    bytesConsumed: number;
    bytesLost: number;
    lagBytes: number;
    files: number;
    filesWithErrors: number;
  };
}

/** Anomaly kinds whose `bytes` were never read (as opposed to read and stored altered). */
export const LOSS_KINDS: ReadonlySet<string> = new Set([
  'truncated',
  'content_replaced',
  'shrank',
  'shrank_while_reading',
  'file_gone_unread',
  'rotated_gone_unread',
  'identity_mismatch',
]);

type RunDeps = Required<Pick<IngestDeps, 'pool' | 'config' | 'now' | 'shouldStop' | 'cwd' | 'openFile'>> & Pick<IngestDeps, 'hooks' | 'logger'>;

function newFileSummary(filePath: string, sourceId: number | null, outcome: FileOutcome): FileSummary {
  return {
    path: filePath,
    sourceId,
    outcome,
    fromOffset: 0,
    toOffset: 0,
    bytesConsumed: 0,
    bytesLost: 0,
    lagBytes: 0,
    entriesStored: 0,
    batches: 0,
    anomalies: [],
    source: '',
    format: '',
    formats: {},
    ...emptyCounts(),
  };
}

function noteAnomalies(summary: FileSummary, anomalies: readonly Anomaly[]): void {
  for (const a of anomalies) {
    if (LOSS_KINDS.has(a.kind)) summary.bytesLost += a.bytes;
    if (!summary.anomalies.includes(a.kind)) summary.anomalies.push(a.kind);
  }
}

async function recordAnomalies(
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

/**
 * True unless the file's first bytes provably differ from those the checkpoint
 * was taken of. A file that cannot be opened is not judged here: the batch
 * checks again before reading.
 */
async function sameContent(filePath: string, row: SourceRow, openFile: OpenFile, strict = false): Promise<boolean> {
  if (row.fingerprintLen === 0) return !strict;
  let handle: FileHandle;
  try {
    handle = await openFile(filePath);
  } catch {
    return !strict;
  }
  try {
    const head = await readHead(handle, row.fingerprintLen);
    return headMatches(head, { hash: row.fingerprint, length: row.fingerprintLen });
  } catch {
    return !strict;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * The checkpoint of `file` when only its device number changed: an NFS/EFS
 * file system mounted again (another Lambda environment) may get another
 * st_dev. Same inode, same path and, positively checked, the same first bytes.
 */
async function findRemounted(file: FileStat, known: SourceRow[], openFile: OpenFile): Promise<SourceRow | undefined> {
  for (const row of known) {
    if (row.ino !== file.ino || row.dev === file.dev || row.path !== file.path || row.status === 'missing') continue;
    if (sameBirth(file.birthTimeNs, row.birthTimeNs) && (await sameContent(file.path, row, openFile, true))) return row;
  }
  return undefined;
}

/**
 * Does `file` hold the file `row` was checkpointed on? A different birth time
 * says no at once; a file that moved or came back must also still start with
 * the bytes the checkpoint was taken of.
 */
async function isSameFile(file: FileStat, row: SourceRow, openFile: OpenFile): Promise<boolean> {
  if (!sameBirth(file.birthTimeNs, row.birthTimeNs)) return false;
  if (row.path === file.path && row.status === 'active') return true;
  return sameContent(file.path, row, openFile);
}

/** A checkpoint whose dev+inode now belongs to another file: retire it, never apply it. */
async function retireMismatched(client: pg.PoolClient, runId: string, row: SourceRow, filePath: string, summaries: FileSummary[]): Promise<void> {
  await client.query(SQL.relocateSource, [row.id, row.path, 'retired']);
  // A missing file's unread bytes were recorded when it went missing.
  if (row.status === 'missing') return;
  const s = newFileSummary(row.path, row.id, row.status === 'rotated' ? 'rotated-gone' : 'missing');
  s.fromOffset = s.toOffset = row.readOffset;
  summaries.push(s);
  const unread = Math.max(0, row.sizeSeen - row.readOffset);
  if (unread === 0) return;
  const anomaly: Anomaly = {
    kind: 'identity_mismatch',
    occurrences: 1,
    bytes: unread,
    firstOffset: row.readOffset,
    detail:
      `${filePath} has the device and inode of the checkpoint of ${row.path} but is another file (birth time or first bytes differ): ` +
      `the old file was deleted and its inode reused. The checkpoint is retired, not applied; ${unread} bytes of the old file were seen but never read`,
  };
  await recordAnomalies(client, runId, row.id, row.path, [anomaly]);
  noteAnomalies(s, [anomaly]);
}

/** A checkpoint whose file the configuration no longer names: retired, never read again (a path added back is read as a new file, from 0). */
async function retireUnconfigured(client: pg.PoolClient, row: SourceRow, why: string, summaries: FileSummary[]): Promise<void> {
  await client.query(SQL.relocateSource, [row.id, row.path, 'retired']);
  const s = newFileSummary(row.path, row.id, 'unconfigured');
  s.source = row.sourceName;
  s.fromOffset = s.toOffset = row.readOffset;
  s.anomalies.push(`unconfigured: ${why}`);
  summaries.push(s);
}

/**
 * Match the files present now with the known checkpoints (by dev+inode and
 * first bytes, not by name), create checkpoints for new files, and find
 * rotated files in their directory. Returns the sources to read this run,
 * rotated ones first, and the discovered stat of each.
 */
async function reconcileSources(deps: RunDeps, runId: string, summaries: FileSummary[]): Promise<{ sources: SourceRow[]; stats: Map<number, FileStat> }> {
  const configured = effectiveSources(deps.config);
  const discovery = { files: [] as (FileStat & { source: SourceConfig })[], problems: [] as { pattern: string; reason: string }[] };
  const claimed = new Set<string>();
  for (const source of configured) {
    const found = await discoverFiles(source.paths.map(templateGlob), deps.cwd);
    discovery.problems.push(...found.problems);
    for (const file of found.files) {
      // A file matched by two sources belongs to the first.
      const key = `${file.dev}:${file.ino}`;
      if (claimed.has(key)) continue;
      claimed.add(key);
      discovery.files.push({ ...file, source });
    }
  }
  const configuredNames = new Set(configured.map((s) => s.name));
  for (const problem of discovery.problems) {
    const s = newFileSummary(problem.pattern, null, outcomeOf(problem.reason));
    s.error = `${problem.pattern}: ${problem.reason}`;
    summaries.push(s);
  }
  const stats = new Map<number, FileStat>();
  const sources = await withTransaction(deps.pool, async (client) => {
    await client.query(SQL.lockDiscovery);
    const known = (await client.query(SQL.listKnownSources)).rows.map(toSourceRow);
    const byIdentity = new Map<string, SourceRow>();
    for (const row of known) {
      const key = `${row.dev}:${row.ino}`;
      const seen = byIdentity.get(key);
      // a live checkpoint wins over a missing one with a reused inode
      if (!seen || seen.status === 'missing') byIdentity.set(key, row);
    }
    const settled = new Set<number>();
    const toRead: SourceRow[] = [];
    for (const file of discovery.files) {
      let row = byIdentity.get(`${file.dev}:${file.ino}`) ?? (await findRemounted(file, known, deps.openFile));
      if (row && row.dev !== file.dev) {
        await client.query(SQL.adoptDevice, [row.id, file.dev]);
        row.dev = file.dev;
      }
      if (row && !(await isSameFile(file, row, deps.openFile))) {
        settled.add(row.id);
        await retireMismatched(client, runId, row, file.path, summaries);
        row = undefined;
      }
      if (row) {
        if (row.birthTimeNs === '0' && file.birthTimeNs !== '0') await client.query(SQL.adoptBirthTime, [row.id, file.birthTimeNs]);
        if (row.path !== file.path || row.status !== 'active') {
          await client.query(SQL.relocateSource, [row.id, file.path, 'active']);
          row.path = file.path;
          row.status = 'active';
        }
        const labels = labelsFor(file.source, file.path, deps.cwd);
        await client.query(SQL.labelSource, [row.id, file.source.name, labels.service ?? '', labels.host ?? '', JSON.stringify(labels)]);
        row.sourceName = file.source.name;
        settled.add(row.id);
        toRead.push(row);
        stats.set(row.id, file);
      } else {
        const labels = labelsFor(file.source, file.path, deps.cwd);
        const inserted = await client.query(SQL.insertSource, [
          file.path,
          file.dev,
          file.ino,
          file.birthTimeNs,
          0,
          new Date(file.mtimeMs),
          file.source.name,
          labels.service ?? '',
          labels.host ?? '',
          JSON.stringify(labels),
        ]);
        if (inserted.rows[0]) {
          const created = toSourceRow(inserted.rows[0]);
          toRead.push(created);
          stats.set(created.id, file);
        }
      }
    }
    const listings = new Map<string, Promise<FileStat[]>>();
    for (const row of known) {
      if (settled.has(row.id)) continue;
      if (!configuredNames.has(row.sourceName)) {
        await retireUnconfigured(client, row, `its source "${row.sourceName}" is no longer configured`, summaries);
        continue;
      }
      if (row.status === 'missing') continue;
      const found = await findByIdentity(path.dirname(row.path), row.dev, row.ino, listings);
      if (found && found.path === row.path && row.status === 'active') {
        // Still where it was, but no configured path matches it any more: removed from the configuration.
        await retireUnconfigured(client, row, `no path of source "${row.sourceName}" matches it any more`, summaries);
        continue;
      }
      if (found && !(await isSameFile(found, row, deps.openFile))) {
        await retireMismatched(client, runId, row, found.path, summaries);
        continue;
      }
      if (found) {
        if (found.path !== row.path || row.status !== 'rotated') {
          await client.query(SQL.relocateSource, [row.id, found.path, 'rotated']);
          row.path = found.path;
          row.status = 'rotated';
        }
        toRead.unshift(row);
        stats.set(row.id, found);
        continue;
      }
      const unread = Math.max(0, row.sizeSeen - row.readOffset);
      const status = row.status === 'rotated' ? 'retired' : 'missing';
      await client.query(SQL.relocateSource, [row.id, row.path, status]);
      let s = summaries.find((x) => x.path === row.path && x.sourceId === null);
      if (s) {
        s.sourceId = row.id;
      } else {
        s = newFileSummary(row.path, row.id, row.status === 'rotated' ? 'rotated-gone' : 'missing');
        summaries.push(s);
      }
      s.toOffset = s.fromOffset = row.readOffset;
      if (status === 'missing') {
        const gone = `${row.path} is gone; its checkpoint is kept at ${row.readOffset}`;
        s.error = s.error ? `${s.error}; ${gone}` : gone;
      }
      if (unread > 0) {
        const anomaly: Anomaly = {
          kind: status === 'missing' ? 'file_gone_unread' : 'rotated_gone_unread',
          occurrences: 1,
          bytes: unread,
          firstOffset: row.readOffset,
          detail: `the file disappeared with ${unread} bytes seen but not read`,
        };
        await recordAnomalies(client, runId, row.id, row.path, [anomaly]);
        noteAnomalies(s, [anomaly]);
      }
    }
    return toRead;
  });
  return { sources, stats };
}

/** More than half of at least two lines read this run were not understood. */
export function mostlyUnparsed(f: ScanCounts): boolean {
  return f.lines >= 2 && f.unparseableLines * 2 > f.lines - f.blankLines;
}

function mergeBatch(summary: FileSummary, batch: BatchResult): void {
  if (summary.batches === 0) summary.fromOffset = batch.fromOffset;
  summary.batches += 1;
  summary.toOffset = batch.toOffset;
  summary.bytesConsumed += Math.max(0, batch.toOffset - batch.fromOffset);
  summary.lagBytes = Math.max(0, batch.size - batch.toOffset);
  summary.entriesStored += batch.rowsWritten;
  for (const [format, n] of batch.formats) summary.formats[format] = (summary.formats[format] ?? 0) + n;
  summary.format = dominantFormat(new Map(Object.entries(summary.formats)));
  if (summary.unparsedExample === undefined && batch.unparsed[0] !== undefined) summary.unparsedExample = batch.unparsed[0].line.toString('utf8', 0, 200);
  addCounts(summary, batch.counts);
  noteAnomalies(summary, batch.anomalies);
}

function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('22');
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
}

function outcomeOf(code: string): FileOutcome {
  if (code === 'ENOENT') return 'missing';
  if (code === 'EACCES' || code === 'EPERM') return 'unreadable';
  if (code === 'ECHANGED') return 'changed';
  return 'error';
}

/** Read the next batch of one file in its own transaction; marks the work done when the file needs no more. */
async function ingestNextBatch(work: FileWork, deps: RunDeps, runId: string): Promise<void> {
  const { source, summary } = work;
  let batch: BatchResult | 'busy';
  try {
    batch = await withTransaction(deps.pool, async (client) => {
      const locked = await client.query(SQL.lockSource, [source.id]);
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
  } catch (err) {
    if (err instanceof SourceReadError) {
      const code = String(err.context.code);
      work.done = true;
      summary.outcome = outcomeOf(code);
      summary.error = err.message;
      await deps.pool.query(SQL.recordSourceError, [source.id, err.message]);
      if (summary.outcome === 'unreadable' || summary.outcome === 'error') {
        const lag = work.stat ? Math.max(0, work.stat.size - source.readOffset) : 0;
        const anomaly: Anomaly = {
          kind: 'file_unreadable',
          occurrences: 1,
          bytes: lag,
          firstOffset: source.readOffset,
          detail: `${err.message}; checkpoint kept`,
        };
        await recordAnomalies(deps.pool, runId, source.id, source.path, [anomaly]);
        noteAnomalies(summary, [anomaly]);
      }
      return;
    }
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
  if (batch.reachedEnd || batch.toOffset === batch.fromOffset) work.done = true;
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
  await ensureSchema(deps.pool);
  const files: FileSummary[] = [];
  const { sources, stats } = await reconcileSources(full, runId, files);
  const how = new Map(effectiveSources(full.config).map((s) => [s.name, s]));
  const work: FileWork[] = sources.map((source) => {
    const summary = newFileSummary(source.path, source.id, 'read');
    summary.source = source.sourceName;
    summary.fromOffset = summary.toOffset = source.readOffset;
    const stat = stats.get(source.id);
    if (stat) summary.lagBytes = Math.max(0, stat.size - source.readOffset);
    return { source, stat, summary, how: how.get(source.sourceName), safeMode: false, done: false };
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
  const totals = { ...emptyCounts(), entriesStored: 0, bytesConsumed: 0, bytesLost: 0, lagBytes: 0, files: files.length, filesWithErrors: 0 };
  for (const f of files) {
    addCounts(totals, f);
    totals.entriesStored += f.entriesStored;
    totals.bytesConsumed += f.bytesConsumed;
    totals.bytesLost += f.bytesLost;
    totals.lagBytes += f.lagBytes;
    if (f.error) {
      totals.filesWithErrors += 1;
      deps.logger?.warn('file not ingested', { runId, ...f });
    } else if (mostlyUnparsed(f)) {
      deps.logger?.warn('most lines of the file were not understood: no format matched them', {
        runId,
        ...f,
        hint: "check the source's format (npm run inspect -- FILE shows how logmon reads it)",
      });
    } else {
      deps.logger?.info('file ingested', { runId, ...f });
    }
  }
  return { runId, startedAt: new Date(started).toISOString(), durationMs: Date.now() - started, stoppedEarly, files, totals };
}
