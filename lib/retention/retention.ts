import crypto from 'node:crypto';
import type pg from 'pg';
import { RETENTION_SQL as SQL } from '../../sql/retention-statements';
import type { RetentionConfig } from './config';
import { DatabaseError } from '../platform/errors';
import type { AppLogger } from '../platform/logger';
import { ensureSchema } from '../platform/migrations';
import { maintainEntryPartitions } from './entry-partitions';
import type { PartitionSummary } from './entry-partitions';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetentionDeps {
  pool: pg.Pool;
  config: RetentionConfig;
  logger?: AppLogger;
  /** Milliseconds since the epoch. */
  now?: () => number;
  /** True when the run must stop between batches (Lambda time limit). */
  shouldStop?: () => boolean;
  runId?: string;
}

export interface PruneSummary {
  deleted: number;
  batches: number;
  /** False when the run stopped before this table was done; the next run carries on. */
  complete: boolean;
}

export interface RetentionSummary {
  runId: string;
  /** Rows older than this were removed. */
  cutoff: string;
  durationMs: number;
  stoppedEarly: boolean;
  /** Log entries: the rows of the day partitions dropped whole plus the rows deleted in batches (the straddling day, the default and legacy partitions). */
  entries: PruneSummary;
  /** The day partitions of log_entries created ahead and dropped (their rows are in `entries.deleted`). */
  entryPartitions: PartitionSummary;
  anomalies: PruneSummary;
  /** Samples of lines no format understood (ingest_unparsed). */
  unparsedLines: PruneSummary;
  /** The ingest job's record of its runs (ingest_runs). */
  ingestRuns: PruneSummary;
  sentNotifications: PruneSummary;
  /** The alert job's catalogue of error templates (error_templates), by when each was last seen. */
  templates: PruneSummary;
}

type Target = 'entries' | 'anomalies' | 'unparsedLines' | 'ingestRuns' | 'sentNotifications' | 'templates';

/** Below every id of a table: bigserial ids start at 1, template ids are signed. */
const FIRST_ID: Partial<Record<Target, string>> = { templates: '-9223372036854775808' };

const TARGETS: ReadonlyArray<{ target: Target; statement: string }> = [
  { target: 'entries', statement: SQL.deleteEntries },
  { target: 'anomalies', statement: SQL.deleteAnomalies },
  { target: 'unparsedLines', statement: SQL.deleteUnparsed },
  { target: 'ingestRuns', statement: SQL.deleteIngestRuns },
  { target: 'sentNotifications', statement: SQL.deleteSentNotifications },
  { target: 'templates', statement: SQL.deleteTemplates },
];

/** Delete batch after batch, in id order, until a batch comes back short or the run must stop. */
async function pruneTarget(
  pool: pg.Pool,
  target: Target,
  statement: string,
  cutoff: Date,
  batchSize: number,
  shouldStop: () => boolean,
): Promise<PruneSummary> {
  const summary: PruneSummary = { deleted: 0, batches: 0, complete: false };
  let afterId = FIRST_ID[target] ?? '0';
  for (;;) {
    if (shouldStop()) return summary;
    let row: { deleted: number; last_id: string | null } | undefined;
    try {
      row = (await pool.query<{ deleted: number; last_id: string | null }>(statement, [afterId, cutoff, batchSize])).rows[0];
    } catch (err) {
      throw new DatabaseError(`retention of ${target} failed after ${summary.deleted} rows`, { target, afterId, deleted: summary.deleted }, { cause: err });
    }
    summary.batches += 1;
    summary.deleted += row?.deleted ?? 0;
    if (!row || row.deleted < batchSize || row.last_id === null) {
      summary.complete = true;
      return summary;
    }
    afterId = row.last_id;
  }
}

/**
 * Create the day partitions of log_entries ahead and drop those past the
 * cutoff whole (entry-partitions.ts); then remove the remaining expired log entries, ingest anomalies, samples of unparsed lines, the
 * record of ingest runs, sent notifications and error templates last seen before
 * RETENTION_DAYS, in batches of short transactions (see
 * sql/retention-statements.ts). Unsent notifications are never removed.
 * Stopping early is safe: every batch already committed stays done, and the
 * next run starts over from the lowest id.
 *
 * @example
 *   const summary = await runRetention({ pool, config: readRetentionConfig(process.env) });
 */
export async function runRetention(deps: RetentionDeps): Promise<RetentionSummary> {
  const started = Date.now();
  const runId = deps.runId ?? crypto.randomUUID();
  const now = deps.now ?? Date.now;
  const shouldStop = deps.shouldStop ?? (() => false);
  const cutoff = new Date(now() - deps.config.days * DAY_MS);
  await ensureSchema(deps.pool);
  const entryPartitions = await maintainEntryPartitions(deps.pool, { now: now(), cutoff, shouldStop, logger: deps.logger });
  deps.logger?.info('retention log partitions', { runId, ...entryPartitions });
  const pruned = {} as Record<Target, PruneSummary>;
  for (const { target, statement } of TARGETS) {
    pruned[target] = await pruneTarget(deps.pool, target, statement, cutoff, deps.config.batchSize, shouldStop);
    deps.logger?.info('retention pruned', { runId, target, ...pruned[target] });
  }
  pruned.entries = { ...pruned.entries, deleted: pruned.entries.deleted + entryPartitions.droppedRows };
  const stoppedEarly = TARGETS.some(({ target }) => !pruned[target].complete);
  return { runId, cutoff: cutoff.toISOString(), durationMs: Date.now() - started, stoppedEarly, entryPartitions, ...pruned };
}
