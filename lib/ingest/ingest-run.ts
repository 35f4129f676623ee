import path from 'node:path';
import type pg from 'pg';
import { HEALTH_SQL as SQL } from '../../sql/health-statements';
import type { FileStat } from './file-discovery';
import type { FileSummary, RunTotals } from './file-summary';
import type { SourceConfig } from './sources';
import { templateMatcher } from './sources';
import { isS3Url } from './s3-location';

/** `ingest_runs.outcome` (CHECK in 009_health.sql): how a run that reached its end ended. */
export const INGEST_RUN_OUTCOME = { COMPLETE: 'complete', FILE_ERRORS: 'file_errors', STOPPED_EARLY: 'stopped_early' } as const;
export type IngestRunOutcome = (typeof INGEST_RUN_OUTCOME)[keyof typeof INGEST_RUN_OUTCOME];
export const INGEST_RUN_OUTCOMES: readonly IngestRunOutcome[] = Object.values(INGEST_RUN_OUTCOME);

/** A source with `expectActivityWithin` whose files did not change within it. */
export interface SilentSource {
  source: string;
  /** Newest modification time of its files (ms), null when it has none. */
  lastActivity: number | null;
  withinMs: number;
}

/** Lines read and not understood this run in one file. */
export interface RunLines {
  source: string;
  path: string;
  lines: number;
  unparsed: number;
}

export interface IngestRunRecord {
  runId: string;
  startedAt: number;
  finishedAt: number;
  stoppedEarly: boolean;
  files: readonly FileSummary[];
  totals: RunTotals;
  sources: readonly SourceConfig[];
  /** The files found on disk this run (their stat), whatever their outcome; for an S3 location, its newest object's LastModified as mtimeMs. */
  present: readonly (FileStat & { source: string })[];
  cwd: string;
  /** S3 locations listed this run that never held an object (a wrong prefix lists nothing, for ever). */
  emptyS3Locations?: readonly string[];
}

/** The configured paths and globs (made absolute) no file present this run matches. */
export function unmatchedPatterns(sources: readonly SourceConfig[], present: readonly FileStat[], cwd: string): string[] {
  const out: string[] = [];
  for (const source of sources) {
    for (const template of source.paths) {
      // an S3 location is reported by its listing (s3_listings.last_error, emptyS3Locations)
      if (isS3Url(template)) continue;
      const absolute = path.resolve(cwd, template);
      const matches = templateMatcher(absolute);
      if (!present.some((f) => matches(f.path) !== null)) out.push(absolute);
    }
  }
  return out;
}

/** The sources whose files did not change within their `expectActivityWithin`. */
export function silentSources(sources: readonly SourceConfig[], present: readonly (FileStat & { source: string })[], now: number): SilentSource[] {
  const out: SilentSource[] = [];
  for (const source of sources) {
    const withinMs = source.expectActivityWithinMs ?? null;
    if (withinMs === null) continue;
    const times = present.filter((f) => f.source === source.name).map((f) => f.mtimeMs);
    const lastActivity = times.length > 0 ? Math.max(...times) : null;
    if (lastActivity === null || now - lastActivity > withinMs) out.push({ source: source.name, lastActivity, withinMs });
  }
  return out;
}

/** How a run ended, from its summary. */
export function runOutcome(stoppedEarly: boolean, totals: RunTotals): IngestRunOutcome {
  if (stoppedEarly) return INGEST_RUN_OUTCOME.STOPPED_EARLY;
  return totals.filesWithErrors > 0 ? INGEST_RUN_OUTCOME.FILE_ERRORS : INGEST_RUN_OUTCOME.COMPLETE;
}

/**
 * Record a run that reached its end in `ingest_runs`: what the alert job's
 * health rules read (ingest-not-running, source-missing, source-silent,
 * not-understood). A run that fails on the database never gets here, which
 * is what `ingest-not-running` detects.
 *
 * @example
 *   await recordIngestRun(pool, { runId, startedAt, finishedAt: now(), stoppedEarly, files, totals, sources, present, cwd });
 */
export async function recordIngestRun(db: Pick<pg.Pool, 'query'>, run: IngestRunRecord): Promise<void> {
  const lines: RunLines[] = run.files
    .filter((f) => f.lines - f.blankLines > 0)
    .map((f) => ({ source: f.source, path: f.path, lines: f.lines - f.blankLines, unparsed: f.unparseableLines }));
  await db.query(SQL.insertIngestRun, [
    run.runId,
    new Date(run.startedAt),
    new Date(run.finishedAt),
    runOutcome(run.stoppedEarly, run.totals),
    run.files.filter((f) => f.outcome === 'read').length,
    run.totals.entriesStored,
    run.totals.filesWithErrors,
    [...unmatchedPatterns(run.sources, run.present, run.cwd), ...(run.emptyS3Locations ?? [])],
    JSON.stringify(silentSources(run.sources, run.present, run.finishedAt)),
    JSON.stringify(lines),
  ]);
}
