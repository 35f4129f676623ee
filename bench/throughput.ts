import path from 'node:path';
import fs from 'node:fs';
import type { Pool } from '../lib/platform/db';
import type { BenchServer } from './bench-database';
import { createScratchDatabase, requestCheckpoint } from './bench-database';
import { BENCH_SQL as SQL } from './bench-statements';
import { runCopyBaseline, runCopyFloor, writeCopyRows } from './copy-baseline';
import type { IngestRun, IngestRunOptions } from './ingest-measure';
import { runIngestChild } from './ingest-measure';
import type { LogFileStats } from './log-data';
import { median } from './stats';

export interface CopyResult {
  status: 'measured' | 'skipped';
  reason: string | null;
  seconds: number[];
  linesPerSec: number | null;
}

export interface ThroughputResult {
  /** `grep | awk | psql \copy`: the practical limit. */
  baseline: CopyResult & { rows: number | null };
  /** `psql \copy` of the rows already filtered and encoded: PostgreSQL's own share. */
  copyFloor: CopyResult;
  /** The same `\copy` into a table with only its primary key (issue 16's limit: what log_entries' other indexes cost). */
  bareFloor: CopyResult;
  /** The same into a table with the primary key and BRIN instead of the B-trees on logged_at and (ingested_at, id): an index design measured. */
  brinFloor: CopyResult;
  /** The same with BRIN on logged_at only, the (ingested_at, id) B-tree kept. */
  brinLoggedFloor: CopyResult;
  /** The same into a table partitioned by day like log_entries, with its indexes: what partitioning costs a COPY (against copyFloor). */
  partitionedFloor: CopyResult;
  ingest: {
    seconds: number[];
    cpuSeconds: number[];
    linesPerSec: number;
    peakRssMb: number;
    rows: number;
    checkpoint: number;
    batches: number;
    /** What `auto` read the file as. */
    format: string;
  };
  /** Ingest lines/s over the bare table's `\copy` lines/s (medians), null without a baseline. */
  ratioBare: number | null;
  /** Ingest lines/s over baseline lines/s (medians), null without a baseline. */
  ratio: number | null;
  /** The same for the fastest run of each: less sensitive to other load on a shared machine. */
  ratioBest: number | null;
  /** Both tables hold the same rows, byte for byte (checked on the first repetition). */
  sameRows: boolean | null;
}

export interface ThroughputOptions {
  server: BenchServer;
  data: LogFileStats;
  repeats: number;
  /** psql found: run the baselines. */
  withBaseline: boolean;
  ingest: Omit<IngestRunOptions, 'databaseUrl' | 'logFile'>;
  log: (line: string) => void;
}

async function countRows(pool: Pool, sql: string): Promise<number> {
  return Number((await pool.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
}

const rate = (lines: number, seconds: number): string => `${Math.round(lines / seconds).toLocaleString('en-US')} lines/s`;

function copyResult(withBaseline: boolean, seconds: number[], lines: number): CopyResult {
  return {
    status: withBaseline ? 'measured' : 'skipped',
    reason: withBaseline ? null : 'psql not found on PATH: baseline skipped',
    seconds,
    linesPerSec: seconds.length > 0 ? lines / median(seconds) : null,
  };
}

/**
 * The `grep | awk | psql \copy` baseline, PostgreSQL's bare `\copy` of the
 * same rows, and logmon's ingest, on the same file, `repeats` times each;
 * each repetition in a fresh database (same server), the order rotating so
 * none always runs first.
 */
export async function measureThroughput(options: ThroughputOptions): Promise<ThroughputResult> {
  const { data, log } = options;
  const n = options.repeats;
  const baselineSeconds: number[] = [];
  const floorSeconds: number[] = [];
  const bareSeconds: number[] = [];
  const brinSeconds: number[] = [];
  const brinLoggedSeconds: number[] = [];
  const partitionedSeconds: number[] = [];
  const ingestRuns: IngestRun[] = [];
  let baselineRows: number | null = null;
  let ingestRows = 0;
  let sameRows: boolean | null = null;
  const rowsFile = path.join(path.dirname(data.path), 'copy-rows.tsv');
  if (options.withBaseline) await writeCopyRows(data.path, rowsFile);
  try {
    for (let rep = 0; rep < n; rep += 1) {
      const db = await createScratchDatabase(options.server, 'tp');
      try {
        await db.pool.query(SQL.createBaselineTable);
        await db.pool.query(SQL.createFloorTable);
        await db.pool.query(SQL.createBareTable);
        await db.pool.query(SQL.createBrinTable);
        await db.pool.query(SQL.createBrinLoggedTable);
        await db.pool.query(SQL.createPartitionedTable);
        const steps: (() => Promise<void>)[] = [
          async () => {
            await requestCheckpoint(db.pool);
            const run = await runIngestChild({ ...options.ingest, databaseUrl: db.url, logFile: data.path });
            if (run.toOffset !== data.bytes) throw new Error(`ingest checkpoint ${run.toOffset} is not the file size ${data.bytes}`);
            ingestRuns.push(run);
            log(
              `  run ${rep + 1}/${n} ingest:   ${run.seconds.toFixed(2)} s, ${rate(data.lines, run.seconds)}, CPU ${run.cpuSeconds.toFixed(2)} s, peak RSS ${run.peakRssMb.toFixed(0)} MB`,
            );
          },
        ];
        if (options.withBaseline) {
          steps.push(async () => {
            await requestCheckpoint(db.pool);
            const { seconds } = await runCopyBaseline(db.url, data.path, 'bench_copy_baseline');
            baselineSeconds.push(seconds);
            log(`  run ${rep + 1}/${n} baseline: ${seconds.toFixed(2)} s, ${rate(data.lines, seconds)}`);
          });
          steps.push(async () => {
            await requestCheckpoint(db.pool);
            const { seconds } = await runCopyFloor(db.url, rowsFile, 'bench_copy_floor');
            floorSeconds.push(seconds);
            log(`  run ${rep + 1}/${n} \\copy only: ${seconds.toFixed(2)} s, ${rate(data.lines, seconds)}`);
          });
          steps.push(async () => {
            await requestCheckpoint(db.pool);
            const { seconds } = await runCopyFloor(db.url, rowsFile, 'bench_copy_bare');
            bareSeconds.push(seconds);
            log(`  run ${rep + 1}/${n} \\copy into a table with only its primary key: ${seconds.toFixed(2)} s, ${rate(data.lines, seconds)}`);
          });
          steps.push(async () => {
            await requestCheckpoint(db.pool);
            const { seconds } = await runCopyFloor(db.url, rowsFile, 'bench_copy_brin');
            brinSeconds.push(seconds);
            log(`  run ${rep + 1}/${n} \\copy with BRIN instead of the B-trees: ${seconds.toFixed(2)} s, ${rate(data.lines, seconds)}`);
          });
          steps.push(async () => {
            await requestCheckpoint(db.pool);
            const { seconds } = await runCopyFloor(db.url, rowsFile, 'bench_copy_brin_logged');
            brinLoggedSeconds.push(seconds);
            log(`  run ${rep + 1}/${n} \\copy with BRIN on logged_at only: ${seconds.toFixed(2)} s, ${rate(data.lines, seconds)}`);
          });
          steps.push(async () => {
            await requestCheckpoint(db.pool);
            const { seconds } = await runCopyFloor(db.url, rowsFile, 'bench_copy_partitioned');
            partitionedSeconds.push(seconds);
            log(`  run ${rep + 1}/${n} \\copy into a table partitioned by day like log_entries: ${seconds.toFixed(2)} s, ${rate(data.lines, seconds)}`);
          });
        }
        for (let i = 0; i < steps.length; i += 1) await steps[(i + rep) % steps.length]!();

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
  } finally {
    fs.rmSync(rowsFile, { force: true });
  }
  const ingestSeconds = ingestRuns.map((r) => r.seconds);
  const ingestLinesPerSec = data.lines / median(ingestSeconds);
  const baseline = copyResult(options.withBaseline, baselineSeconds, data.lines);
  const last = ingestRuns[ingestRuns.length - 1]!;
  return {
    baseline: { ...baseline, rows: baselineRows },
    copyFloor: copyResult(options.withBaseline, floorSeconds, data.lines),
    bareFloor: copyResult(options.withBaseline, bareSeconds, data.lines),
    brinFloor: copyResult(options.withBaseline, brinSeconds, data.lines),
    brinLoggedFloor: copyResult(options.withBaseline, brinLoggedSeconds, data.lines),
    partitionedFloor: copyResult(options.withBaseline, partitionedSeconds, data.lines),
    ingest: {
      seconds: ingestSeconds,
      cpuSeconds: ingestRuns.map((r) => r.cpuSeconds),
      linesPerSec: ingestLinesPerSec,
      peakRssMb: Math.max(...ingestRuns.map((r) => r.peakRssMb)),
      rows: ingestRows,
      checkpoint: last.toOffset,
      batches: last.batches,
      format: last.format,
    },
    ratio: baseline.linesPerSec ? ingestLinesPerSec / baseline.linesPerSec : null,
    ratioBare: bareSeconds.length > 0 ? ingestLinesPerSec / (data.lines / median(bareSeconds)) : null,
    ratioBest: baselineSeconds.length > 0 ? Math.min(...baselineSeconds) / Math.min(...ingestSeconds) : null,
    sameRows,
  };
}
