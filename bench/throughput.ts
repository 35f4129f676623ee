import type { Pool } from '../lib/db';
import type { BenchServer } from './bench-database';
import { createScratchDatabase, requestCheckpoint } from './bench-database';
import { BENCH_SQL as SQL } from './bench-statements';
import { runCopyBaseline } from './copy-baseline';
import type { IngestRun, IngestRunOptions } from './ingest-measure';
import { runIngestChild } from './ingest-measure';
import type { LogFileStats } from './log-data';
import { median } from './stats';

export interface ThroughputResult {
  baseline: { status: 'measured' | 'skipped'; reason: string | null; seconds: number[]; linesPerSec: number | null; rows: number | null };
  ingest: { seconds: number[]; cpuSeconds: number[]; linesPerSec: number; peakRssMb: number; rows: number; checkpoint: number; batches: number };
  /** Ingest lines/s over baseline lines/s (medians), null without a baseline. */
  ratio: number | null;
  /** Both tables hold the same rows, byte for byte (checked on the first repetition). */
  sameRows: boolean | null;
}

export interface ThroughputOptions {
  server: BenchServer;
  data: LogFileStats;
  repeats: number;
  /** psql found: run the baseline. */
  withBaseline: boolean;
  ingest: Omit<IngestRunOptions, 'databaseUrl' | 'logFile'>;
  log: (line: string) => void;
}

async function countRows(pool: Pool, sql: string): Promise<number> {
  return Number((await pool.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
}

/**
 * The `grep | awk | psql \copy` baseline and logmon's ingest on the same file,
 * `repeats` times each, each pair in a fresh database (same server), order
 * alternating so neither always runs on a warmer cache.
 */
export async function measureThroughput(options: ThroughputOptions): Promise<ThroughputResult> {
  const { data, log } = options;
  const baselineSeconds: number[] = [];
  const ingestRuns: IngestRun[] = [];
  let baselineRows: number | null = null;
  let ingestRows = 0;
  let sameRows: boolean | null = null;
  for (let rep = 0; rep < options.repeats; rep += 1) {
    const db = await createScratchDatabase(options.server, 'tp');
    try {
      await db.pool.query(SQL.createBaselineTable);
      const runBaseline = async (): Promise<void> => {
        if (!options.withBaseline) return;
        await requestCheckpoint(db.pool);
        const { seconds } = await runCopyBaseline(db.url, data.path);
        baselineSeconds.push(seconds);
        log(`  run ${rep + 1}/${options.repeats} baseline: ${seconds.toFixed(2)} s, ${Math.round(data.lines / seconds).toLocaleString('en-US')} lines/s`);
      };
      const runIngest = async (): Promise<void> => {
        await requestCheckpoint(db.pool);
        const run = await runIngestChild({ ...options.ingest, databaseUrl: db.url, logFile: data.path });
        if (run.toOffset !== data.bytes) throw new Error(`ingest checkpoint ${run.toOffset} is not the file size ${data.bytes}`);
        ingestRuns.push(run);
        log(`  run ${rep + 1}/${options.repeats} ingest:   ${run.seconds.toFixed(2)} s, ${Math.round(data.lines / run.seconds).toLocaleString('en-US')} lines/s, CPU ${run.cpuSeconds.toFixed(2)} s, peak RSS ${run.peakRssMb.toFixed(0)} MB`);
      };
      if (rep % 2 === 0) {
        await runBaseline();
        await runIngest();
      } else {
        await runIngest();
        await runBaseline();
      }
      ingestRows = await countRows(db.pool, SQL.countEntries);
      if (ingestRows !== data.wantedLines) throw new Error(`ingest stored ${ingestRows} rows, expected ${data.wantedLines}`);
      if (options.withBaseline) {
        baselineRows = await countRows(db.pool, SQL.countBaseline);
        if (rep === 0) {
          const a = (await db.pool.query(SQL.digestEntries)).rows[0]?.d;
          const b = (await db.pool.query(SQL.digestBaseline)).rows[0]?.d;
          sameRows = baselineRows === ingestRows && a === b;
          if (!sameRows) log('  WARNING: the baseline and the ingest stored different rows');
        }
      }
    } finally {
      await db.drop();
    }
  }
  const ingestSeconds = ingestRuns.map((r) => r.seconds);
  const ingestLinesPerSec = data.lines / median(ingestSeconds);
  const baselineLinesPerSec = baselineSeconds.length > 0 ? data.lines / median(baselineSeconds) : null;
  const last = ingestRuns[ingestRuns.length - 1]!;
  return {
    baseline: {
      status: options.withBaseline ? 'measured' : 'skipped',
      reason: options.withBaseline ? null : 'psql not found on PATH: baseline skipped',
      seconds: baselineSeconds,
      linesPerSec: baselineLinesPerSec,
      rows: baselineRows,
    },
    ingest: {
      seconds: ingestSeconds,
      cpuSeconds: ingestRuns.map((r) => r.cpuSeconds),
      linesPerSec: ingestLinesPerSec,
      peakRssMb: Math.max(...ingestRuns.map((r) => r.peakRssMb)),
      rows: ingestRows,
      checkpoint: last.toOffset,
      batches: last.batches,
    },
    ratio: baselineLinesPerSec ? ingestLinesPerSec / baselineLinesPerSec : null,
    sameRows,
  };
}
