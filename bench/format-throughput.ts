import fs from 'node:fs';
import path from 'node:path';
import type { Pool } from '../lib/platform/db';
import type { BenchServer } from './bench-database';
import { createScratchDatabase, requestCheckpoint } from './bench-database';
import { BENCH_SQL as SQL } from './bench-statements';
import { runCopyFloor } from './copy-baseline';
import type { BenchFormat } from './format-logs';
import { FORMAT_DESCRIPTIONS, writeFormatLog } from './format-logs';
import type { IngestRun, IngestRunOptions } from './ingest-measure';
import { runIngestChild } from './ingest-measure';
import type { LogFileStats } from './log-data';
import { median } from './stats';
import type { CopyResult, ThroughputResult } from './throughput';

/** Ingest of one format against PostgreSQL's bare `\copy` of the same rows, same run, same server. */
export interface FormatResult {
  format: BenchFormat | 'brief';
  description: string;
  /** The file: lines (entry and continuation lines), bytes, and the rows both sides store. */
  data: { lines: number; bytes: number; rows: number; entries: number | null; continuationLines: number | null };
  ingest: {
    seconds: number[];
    cpuSeconds: number[];
    linesPerSec: number;
    mbPerSec: number;
    peakRssMb: number;
    rows: number;
    /** What `auto` read the file as (the summary's dominant format). */
    detected: string;
  };
  /** `psql \copy` of the pre-extracted rows (brief: the pre-filtered rows of its awk baseline). */
  copy: CopyResult;
  /** The brief only: its `grep | awk | psql \copy` pipeline (null for the other formats: no such one-liner exists for them). */
  pipeline: CopyResult | null;
  /** Ingest lines/s over `\copy` lines/s (medians); null without psql. */
  ratio: number | null;
  /** The same for the fastest run of each. */
  ratioBest: number | null;
  /** Both tables hold the same rows (checked on the first repetition); null without psql. */
  sameRows: boolean | null;
}

export interface FormatThroughputOptions {
  server: BenchServer;
  workDir: string;
  format: BenchFormat;
  lines: number;
  seed: number;
  repeats: number;
  /** psql found: run the `\copy` baseline. */
  withBaseline: boolean;
  ingest: Omit<IngestRunOptions, 'databaseUrl' | 'logFile'>;
  log: (line: string) => void;
}

const rate = (lines: number, seconds: number): string => `${Math.round(lines / seconds).toLocaleString('en-US')} lines/s`;

async function countOf(pool: Pool, sql: string): Promise<number> {
  return Number((await pool.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
}

function ratios(ingestSeconds: readonly number[], copySeconds: readonly number[]): { ratio: number | null; ratioBest: number | null } {
  if (copySeconds.length === 0 || ingestSeconds.length === 0) return { ratio: null, ratioBest: null };
  return { ratio: median(copySeconds) / median(ingestSeconds), ratioBest: Math.min(...copySeconds) / Math.min(...ingestSeconds) };
}

/**
 * Generate `lines` lines of `format` with the rows logmon must store, then
 * `repeats` times, each in a fresh database (same server), in rotating order:
 * logmon's ingest of the file (`format: auto`, to a committed checkpoint) and
 * `psql \copy` of the pre-extracted rows. The first repetition checks that
 * both stored the same rows.
 */
export async function measureFormatThroughput(options: FormatThroughputOptions): Promise<FormatResult> {
  const { format, log } = options;
  const file = path.join(options.workDir, `${format}.log`);
  const rowsFile = path.join(options.workDir, `${format}-rows.tsv`);
  const data = writeFormatLog(file, rowsFile, format, options.lines, options.seed);
  log(
    `  ${format}: ${data.lines.toLocaleString('en-US')} lines (${(data.bytes / 1048576).toFixed(1)} MB, ${data.continuationLines.toLocaleString('en-US')} continuation lines), ${data.wantedLines.toLocaleString('en-US')} rows to store`,
  );
  const n = options.repeats;
  const ingestRuns: IngestRun[] = [];
  const copySeconds: number[] = [];
  let ingestRows = 0;
  let sameRows: boolean | null = null;
  try {
    for (let rep = 0; rep < n; rep += 1) {
      const db = await createScratchDatabase(options.server, 'fmt');
      try {
        await db.pool.query(SQL.createRowsTable);
        const steps: (() => Promise<void>)[] = [
          async () => {
            await requestCheckpoint(db.pool);
            const run = await runIngestChild({ ...options.ingest, databaseUrl: db.url, logFile: file });
            if (run.toOffset !== data.bytes) throw new Error(`${format}: ingest checkpoint ${run.toOffset} is not the file size ${data.bytes}`);
            ingestRuns.push(run);
            log(`  run ${rep + 1}/${n} ${format} ingest: ${run.seconds.toFixed(2)} s, ${rate(data.lines, run.seconds)}, CPU ${run.cpuSeconds.toFixed(2)} s`);
          },
        ];
        if (options.withBaseline) {
          steps.push(async () => {
            await requestCheckpoint(db.pool);
            const { seconds } = await runCopyFloor(db.url, rowsFile, 'bench_copy_rows');
            copySeconds.push(seconds);
            log(`  run ${rep + 1}/${n} ${format} \\copy:  ${seconds.toFixed(2)} s, ${rate(data.lines, seconds)}`);
          });
        }
        for (let i = 0; i < steps.length; i += 1) await steps[(i + rep) % steps.length]!();

        ingestRows = await countOf(db.pool, SQL.countEntries);
        if (ingestRows !== data.wantedLines) throw new Error(`${format}: ingest stored ${ingestRows} rows, expected ${data.wantedLines}`);
        if (options.withBaseline && rep === 0) {
          const copied = await countOf(db.pool, SQL.countRows);
          const differing = await countOf(db.pool, SQL.differingRows);
          sameRows = copied === ingestRows && differing === 0;
          if (!sameRows)
            log(`  WARNING: ${format}: the ingest and the pre-extracted rows differ (${differing} rows, ${copied} copied, ${ingestRows} ingested)`);
        }
      } finally {
        await db.drop();
      }
    }
  } finally {
    fs.rmSync(file, { force: true });
    fs.rmSync(rowsFile, { force: true });
  }
  const seconds = ingestRuns.map((r) => r.seconds);
  const ingestMedian = median(seconds);
  return {
    format,
    description: FORMAT_DESCRIPTIONS[format],
    data: { lines: data.lines, bytes: data.bytes, rows: data.wantedLines, entries: data.entries, continuationLines: data.continuationLines },
    ingest: {
      seconds,
      cpuSeconds: ingestRuns.map((r) => r.cpuSeconds),
      linesPerSec: data.lines / ingestMedian,
      mbPerSec: data.bytes / 1048576 / ingestMedian,
      peakRssMb: Math.max(...ingestRuns.map((r) => r.peakRssMb)),
      rows: ingestRows,
      detected: ingestRuns[ingestRuns.length - 1]!.format,
    },
    copy: {
      status: options.withBaseline ? 'measured' : 'skipped',
      reason: options.withBaseline ? null : 'psql not found on PATH: baseline skipped',
      seconds: copySeconds,
      linesPerSec: copySeconds.length > 0 ? data.lines / median(copySeconds) : null,
    },
    pipeline: null,
    ...ratios(seconds, copySeconds),
    sameRows,
  };
}

/** The brief's format in the same shape, from the main throughput measurement (no second run of it). */
export function briefFormatResult(tp: ThroughputResult, data: LogFileStats): FormatResult {
  const seconds = tp.ingest.seconds;
  return {
    format: 'brief',
    description: FORMAT_DESCRIPTIONS.brief,
    data: { lines: data.lines, bytes: data.bytes, rows: data.wantedLines, entries: data.lines, continuationLines: 0 },
    ingest: {
      seconds,
      cpuSeconds: tp.ingest.cpuSeconds,
      linesPerSec: tp.ingest.linesPerSec,
      mbPerSec: data.bytes / 1048576 / median(seconds),
      peakRssMb: tp.ingest.peakRssMb,
      rows: tp.ingest.rows,
      detected: tp.ingest.format,
    },
    copy: tp.copyFloor,
    pipeline: tp.baseline,
    ...ratios(seconds, tp.copyFloor.seconds),
    sameRows: tp.sameRows,
  };
}
