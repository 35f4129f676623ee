import path from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import type pg from 'pg';
import { INGEST_SQL as SQL } from '../../sql/ingest-statements';
import type { SourceRowDb } from '../../sql/ingest-statements';
import { withTransaction } from '../platform/db';
import { sourceReadErrorCode } from '../platform/errors';
import { recordAnomalies } from './anomaly';
import { toSourceRow } from './checkpoint';
import type { SourceRow } from './checkpoint';
import type { IngestConfig } from './config';
import { effectiveSources } from './config';
import { gzipContentSize, gzipHead, isCompressedPath } from './compressed';
import { discoverFiles, findByIdentity, listSubdirectories, listingOf } from './file-discovery';
import type { FileStat, PatternProblem } from './file-discovery';
import { outcomeOfReadError } from './file-outcome';
import { newFileSummary, noteAnomalies } from './file-summary';
import type { FileSummary } from './file-summary';
import { headMatches, readHead } from './fingerprint';
import { sameBirth } from './file-discovery';
import { claimFiles, headCheckKey, headChecksForDiscovered, headChecksForLocated, planDiscovered, planKnownRows, rowsToLocate } from './reconcile';
import type { DiscoveredFile, HeadCheck, HeadCheckRequest, ReconcileAction } from './reconcile';
import type { OpenFile } from './source-reader';
import type { SourceConfig } from './sources';
import { isS3Source, labelsFor, templateGlob } from './sources';

export interface ReconcileDeps {
  pool: pg.Pool;
  config: IngestConfig;
  /** Base for relative paths. */
  cwd: string;
  openFile: OpenFile;
}

/** What discovery hands to the run: the checkpoints to read (rotated ones first) and the stat of each file. */
export interface ReconciledSources {
  sources: SourceRow[];
  stats: Map<number, FileStat>;
}

async function discoverSourceFiles(configured: readonly SourceConfig[], cwd: string): Promise<{ files: DiscoveredFile[]; problems: PatternProblem[] }> {
  const found: { source: SourceConfig; files: FileStat[] }[] = [];
  const problems: PatternProblem[] = [];
  for (const source of configured) {
    const discovery = await discoverFiles(source.paths.map(templateGlob), cwd);
    problems.push(...discovery.problems);
    found.push({ source, files: discovery.files });
  }
  return { files: claimFiles(found), problems };
}

/** Read the first bytes of `filePath` and compare them with what `row` fingerprinted. */
async function checkHead(openFile: OpenFile, row: SourceRow, filePath: string): Promise<HeadCheck> {
  if (row.fingerprintLen === 0) return 'unknown';
  let handle: FileHandle;
  try {
    handle = await openFile(filePath);
  } catch {
    return 'unknown';
  }
  try {
    const head = await readHead(handle, row.fingerprintLen);
    return headMatches(head, { hash: row.fingerprint, length: row.fingerprintLen }) ? 'same' : 'different';
  } catch {
    return 'unknown';
  } finally {
    await handle.close().catch(() => undefined);
  }
}

async function checkHeads(openFile: OpenFile, requests: readonly HeadCheckRequest[], into: Map<string, HeadCheck>): Promise<void> {
  for (const { row, path: filePath } of requests) {
    const key = headCheckKey(row.id, filePath);
    if (!into.has(key)) into.set(key, await checkHead(openFile, row, filePath));
  }
}

/** Gather the facts the plan needs from the file system, then plan (reconcile.ts). */
async function planWithFacts(
  files: readonly DiscoveredFile[],
  known: readonly SourceRow[],
  configured: readonly SourceConfig[],
  openFile: OpenFile,
): Promise<ReconcileAction[]> {
  const configuredNames = new Set(configured.map((s) => s.name));
  const olddirsOf = new Map(configured.map((s) => [s.name, s.olddirs ?? []]));
  const heads = new Map<string, HeadCheck>();
  await checkHeads(openFile, headChecksForDiscovered(files, known), heads);
  const first = planDiscovered(files, known, heads);
  const unsettled = rowsToLocate(known, first.settled, configuredNames);
  // One directory listing per directory and run, however many checkpoints it holds.
  const listings = new Map<string, Promise<FileStat[]>>();
  const subdirectories = new Map<string, Promise<string[]>>();
  const located = new Map<number, FileStat | null>();
  for (const row of unsettled) located.set(row.id, await locateRow(row, olddirsOf.get(row.sourceName) ?? [], { listings, subdirectories }, heads));
  await checkHeads(openFile, headChecksForLocated(unsettled, located), heads);
  return [...first.actions, ...planKnownRows(known, first.settled, configuredNames, located, heads)];
}

/**
 * Where a checkpoint not discovered under a configured path is now: by its
 * device and inode in its directory or a subdirectory (logrotate's `olddir`,
 * `dateext` names), else, when it has read something, as a gzip file there
 * whose content starts with the bytes it fingerprinted (`compress` replaced
 * the rotated file before ingest read it to its end). A compressed copy is
 * reported with the checkpoint's identity and its content's size, its head
 * check recorded as `same` (verified here, so not decompressed again).
 */
async function locateRow(
  row: SourceRow,
  olddirs: readonly string[],
  cache: { listings: Map<string, Promise<FileStat[]>>; subdirectories: Map<string, Promise<string[]>> },
  heads: Map<string, HeadCheck>,
): Promise<FileStat | null> {
  const { listings } = cache;
  const dir = path.dirname(row.path);
  const configured = olddirs.map((d) => path.resolve(dir, d));
  // one listing per folder and run, however many checkpoints it holds (3,000 rotated files cost one readdir)
  let subdirectories = cache.subdirectories.get(dir);
  if (!subdirectories) {
    subdirectories = listSubdirectories(dir);
    cache.subdirectories.set(dir, subdirectories);
  }
  const dirs = [...new Set([dir, ...(await subdirectories), ...configured])];
  for (const d of dirs) {
    const found = await findByIdentity(d, row.dev, row.ino, listings);
    if (found && sameBirth(found.birthTimeNs, row.birthTimeNs)) return found;
  }
  if (row.fingerprintLen === 0) return null;
  // logrotate names a compressed file after the rotated one (app.log.1.gz, app.log-20261202.gz): only names
  // starting with the file's own stem are looked into; the newest first (the file just compressed), its own .gz before all
  const stem = path
    .basename(row.path)
    .replace(/\.gz$/, '')
    .replace(/([.-]\d+)+$/, '');
  const listed = (await Promise.all(dirs.map((d) => listingOf(d, listings))))
    .flat()
    .filter((f) => isCompressedPath(f.path) && f.path !== row.path && path.basename(f.path).startsWith(stem));
  listed.sort((a, b) => b.mtimeMs - a.mtimeMs);
  const own = isCompressedPath(row.path) ? [{ path: row.path, mtimeMs: Date.now() }] : [];
  for (const candidate of [...own, ...listed].slice(0, MAX_COMPRESSED_CANDIDATES)) {
    const head = await gzipHead(candidate.path, row.fingerprintLen);
    if (head === null || !headMatches(head, { hash: row.fingerprint, length: row.fingerprintLen })) continue;
    const size = await gzipContentSize(candidate.path);
    if (size === null || size < row.readOffset) continue;
    // a compressed copy read to its end can only stay as it is: the checkpoint is done with (retired, nothing unread)
    if (candidate.path === row.path && size === row.readOffset) return null;
    heads.set(headCheckKey(row.id, candidate.path), 'same');
    return { path: candidate.path, dev: row.dev, ino: row.ino, birthTimeNs: row.birthTimeNs, size, mtimeMs: candidate.mtimeMs };
  }
  return null;
}

/** Compressed files looked into per checkpoint, at most (a folder of old archives costs a bounded run). */
const MAX_COMPRESSED_CANDIDATES = 50;

/** The source name and labels each discovered checkpoint takes, written in one statement (labelSources). */
class SourceLabels {
  private readonly ids: number[] = [];
  private readonly names: string[] = [];
  private readonly services: string[] = [];
  private readonly hosts: string[] = [];
  private readonly labels: string[] = [];

  add(id: number, file: DiscoveredFile, cwd: string): void {
    const labels = labelsFor(file.source, file.path, cwd);
    this.ids.push(id);
    this.names.push(file.source.name);
    this.services.push(labels.service ?? '');
    this.hosts.push(labels.host ?? '');
    this.labels.push(JSON.stringify(labels));
  }

  /** One round trip however many files (10,000 idle files cost one statement, not 10,000); rows already so labelled are not written. */
  async write(client: pg.PoolClient): Promise<void> {
    if (this.ids.length === 0) return;
    await client.query(SQL.labelSources, [this.ids, this.names, this.services, this.hosts, this.labels]);
  }
}

/** The checkpoints of the files seen for the first time, created in one statement (insertSources). */
class NewSources {
  private readonly files: DiscoveredFile[] = [];

  add(file: DiscoveredFile): void {
    this.files.push(file);
  }

  /**
   * One round trip however many new files (a first run over 10,000 files
   * sent 10,000 INSERTs). A file another live checkpoint already has by its
   * dev+inode gets none (ON CONFLICT DO NOTHING): each created row is matched
   * back to its file by dev+inode, in the order the files were added.
   */
  async write(client: pg.PoolClient, cwd: string): Promise<{ row: SourceRow; file: DiscoveredFile }[]> {
    if (this.files.length === 0) return [];
    const labelled = this.files.map((f) => ({ f, labels: labelsFor(f.source, f.path, cwd) }));
    const column = <T>(of: (f: DiscoveredFile, labels: Record<string, string>) => T): T[] => labelled.map(({ f, labels }) => of(f, labels));
    const inserted = await client.query<SourceRowDb>(SQL.insertSources, [
      column((f) => f.path),
      column((f) => f.dev),
      column((f) => f.ino),
      column((f) => f.birthTimeNs),
      column((f) => new Date(f.mtimeMs)),
      column((f) => f.source.name),
      column((_, l) => l.service ?? ''),
      column((_, l) => l.host ?? ''),
      column((_, l) => JSON.stringify(l)),
    ]);
    const byIdentity = new Map(inserted.rows.map((r) => [`${r.dev}:${r.ino}`, toSourceRow(r)]));
    return this.files.flatMap((file) => {
      const row = byIdentity.get(`${file.dev}:${file.ino}`);
      return row ? [{ row, file }] : [];
    });
  }
}

/**
 * Run the plan's SQL in the discovery transaction, in order, and report what
 * is not read this run in `summaries`.
 */
async function applyReconcile(
  client: pg.PoolClient,
  runId: string,
  actions: readonly ReconcileAction[],
  cwd: string,
  summaries: FileSummary[],
): Promise<ReconciledSources> {
  const sources: SourceRow[] = [];
  const stats = new Map<number, FileStat>();
  const labels = new SourceLabels();
  const created = new NewSources();
  for (const action of actions) {
    switch (action.kind) {
      case 'adopt':
      case 'relocate': {
        const { row, file } = action;
        if (action.device !== null) await client.query(SQL.adoptDevice, [row.id, action.device]);
        if (action.birthTimeNs !== null) await client.query(SQL.adoptBirthTime, [row.id, action.birthTimeNs]);
        if (action.kind === 'relocate') await client.query(SQL.relocateSource, [row.id, file.path, 'active']);
        labels.add(row.id, file, cwd);
        sources.push(row);
        stats.set(row.id, file);
        break;
      }
      case 'create': {
        created.add(action.file);
        break;
      }
      case 'retire-mismatched': {
        const { row, anomaly } = action;
        await client.query(SQL.relocateSource, [row.id, row.path, 'retired']);
        if (row.status === 'missing') break;
        const s = newFileSummary(row.path, row.id, row.status === 'rotated' ? 'rotated-gone' : 'missing');
        s.fromOffset = s.toOffset = row.readOffset;
        summaries.push(s);
        if (anomaly) {
          await recordAnomalies(client, runId, row.id, row.path, [anomaly]);
          noteAnomalies(s, [anomaly]);
        }
        break;
      }
      case 'retire-unconfigured': {
        const { row } = action;
        await client.query(SQL.relocateSource, [row.id, row.path, 'retired']);
        const s = newFileSummary(row.path, row.id, 'unconfigured');
        s.source = row.sourceName;
        s.fromOffset = s.toOffset = row.readOffset;
        s.anomalies.push(`unconfigured: ${action.why}`);
        summaries.push(s);
        break;
      }
      case 'rotated': {
        if (action.moved) await client.query(SQL.relocateSource, [action.row.id, action.file.path, 'rotated']);
        sources.unshift(action.row);
        stats.set(action.row.id, action.file);
        break;
      }
      case 'missing': {
        const { row, status, anomaly } = action;
        await client.query(SQL.relocateSource, [row.id, row.path, status]);
        // A literal path that is gone was reported by discovery already: that summary takes the checkpoint.
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
        if (anomaly) {
          await recordAnomalies(client, runId, row.id, row.path, [anomaly]);
          noteAnomalies(s, [anomaly]);
        }
        break;
      }
      default: {
        const unknown: never = action;
        throw new Error(`reconcile: unknown action ${JSON.stringify(unknown)}`);
      }
    }
  }
  await labels.write(client);
  for (const { row, file } of await created.write(client, cwd)) {
    sources.push(row);
    stats.set(row.id, file);
  }
  return { sources, stats };
}

/**
 * Match the files present now with the known checkpoints (by dev+inode and
 * first bytes, not by name), create checkpoints for new files, and find
 * rotated files in their directory: discover, gather the file-system facts,
 * plan (pure, reconcile.ts), apply the plan's SQL under the discovery lock.
 * Returns the sources to read this run, rotated ones first, and the
 * discovered stat of each; what is not read is reported in `summaries`.
 */
export async function reconcileSources(deps: ReconcileDeps, runId: string, summaries: FileSummary[]): Promise<ReconciledSources> {
  // S3 sources have no files: their objects are listed (s3-discovery.ts)
  const configured = effectiveSources(deps.config).filter((s) => !isS3Source(s));
  const discovery = await discoverSourceFiles(configured, deps.cwd);
  for (const problem of discovery.problems) {
    const s = newFileSummary(problem.pattern, null, outcomeOfReadError(sourceReadErrorCode(problem.reason)));
    s.error = `${problem.pattern}: ${problem.reason}`;
    summaries.push(s);
  }
  return withTransaction(deps.pool, async (client) => {
    await client.query(SQL.lockDiscovery);
    const known = (await client.query<SourceRowDb>(SQL.listKnownSources)).rows.map(toSourceRow);
    const actions = await planWithFacts(discovery.files, known, configured, deps.openFile);
    return applyReconcile(client, runId, actions, deps.cwd, summaries);
  });
}
