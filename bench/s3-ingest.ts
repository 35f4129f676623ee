import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { readIngestConfig } from '../lib/ingest/config';
import type { IngestConfig } from '../lib/ingest/config';
import { runIngest } from '../lib/ingest/ingest';
import { startS3Server } from '../__tests__/support/s3-server';
import type { BenchServer } from './bench-database';
import { createScratchDatabase } from './bench-database';
import { writeBenchLog } from './log-data';

// Issue 14: S3 as a log source. The same lines, cut into `OBJECTS` pieces
// on line boundaries, are ingested once as files and once as S3 objects
// (half of them gzip) from s3rver, a real S3-compatible server on this
// machine, each into a fresh database, run after run until a run stores
// nothing new; three rounds of each, alternately. Reported: each one's
// median lines/s and their ratio. s3rver is a
// JavaScript server on the same 2 cores: the figure is logmon's cost of
// reading S3 (listing, ranged GETs, gunzip, one checkpoint per object),
// not S3's latency from Lambda.

const OBJECTS = 8;
/** Rounds of each, alternately; the medians are reported. */
const ROUNDS = 3;
const BUCKET = 'bench-logs';

export interface S3IngestResult {
  status: 'measured' | 'skipped';
  lines: number;
  objects: number;
  gzipObjects: number;
  /** The median round's runs (until a run stored nothing new) and their total time. */
  fileRuns: number | null;
  fileMs: number | null;
  s3Runs: number | null;
  s3Ms: number | null;
  fileLinesPerSecond: number | null;
  s3LinesPerSecond: number | null;
  /** s3LinesPerSecond / fileLinesPerSecond. */
  s3VsFiles: number | null;
  /** Both stored the same number of entries. */
  sameEntries: boolean | null;
}

/** Cut `file` into `n` pieces on line boundaries. */
function cutLines(file: string, n: number): Buffer[] {
  const all = fs.readFileSync(file);
  const pieces: Buffer[] = [];
  let start = 0;
  for (let i = 1; i <= n; i += 1) {
    let end = i === n ? all.length : Math.floor((all.length * i) / n);
    if (i < n) end = all.indexOf(0x0a, end) + 1 || all.length;
    pieces.push(all.subarray(start, end));
    start = end;
  }
  return pieces;
}

/** Runs of ingest until one stores nothing: the number of runs, their time, the entries stored. */
async function ingestUntilDone(deps: Parameters<typeof runIngest>[0]): Promise<{ runs: number; ms: number; stored: number }> {
  let runs = 0;
  let stored = 0;
  const started = performance.now();
  for (;;) {
    const summary = await runIngest(deps);
    runs += 1;
    stored += summary.totals.entriesStored;
    if (summary.totals.entriesStored === 0 || runs >= 50) break;
  }
  return { runs, ms: performance.now() - started, stored };
}

/**
 * Ingest `lines` brief-format lines from files and from S3 objects (see above).
 *
 * @example
 *   const result = await measureS3Ingest(server, workDir, 1_000_000);
 */
export async function measureS3Ingest(server: BenchServer, workDir: string, lines: number): Promise<S3IngestResult> {
  const skipped: S3IngestResult = {
    status: 'skipped',
    lines: 0,
    objects: 0,
    gzipObjects: 0,
    fileRuns: null,
    fileMs: null,
    s3Runs: null,
    s3Ms: null,
    fileLinesPerSecond: null,
    s3LinesPerSecond: null,
    s3VsFiles: null,
    sameEntries: null,
  };
  if (lines <= 0) return skipped;
  // s3rver on loopback only: the test server's fake key (__tests__/support/s3-server-child.cjs), never a profile or a real key of the shell
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  const dir = fs.mkdtempSync(path.join(workDir, 's3-ingest-'));
  const s3 = await startS3Server([BUCKET]);
  try {
    const whole = path.join(dir, 'whole.log');
    writeBenchLog(whole, { lines }, 14);
    const pieces = cutLines(whole, OBJECTS);
    const filesDir = path.join(dir, 'files');
    fs.mkdirSync(filesDir);
    let gzipObjects = 0;
    for (const [i, piece] of pieces.entries()) {
      fs.writeFileSync(path.join(filesDir, `app-${i}.log`), piece);
      const gzip = i % 2 === 1;
      if (gzip) gzipObjects += 1;
      await s3.put(BUCKET, `app/web-${i}/${gzip ? `app-${i}.log.gz` : `app-${i}.log`}`, gzip ? zlib.gzipSync(piece) : piece);
    }
    const base = { LOG_TIMEZONE: 'UTC', MULTILINE_FLUSH_MS: '0' };
    const fileConfig: IngestConfig = readIngestConfig({ ...base, LOG_FILES: path.join(filesDir, '*.log') });
    const s3Config: IngestConfig = readIngestConfig({ ...base, LOG_FILES: `s3://${BUCKET}/app/` });

    // Alternately, ROUNDS times each, every round into a fresh database: neither side gets the warm-up
    const once = async (name: string, deps: Omit<Parameters<typeof runIngest>[0], 'pool'>) => {
      const db = await createScratchDatabase(server, name);
      try {
        return await ingestUntilDone({ ...deps, pool: db.pool });
      } finally {
        await db.drop();
      }
    };
    const fileRounds: Array<{ runs: number; ms: number; stored: number }> = [];
    const s3Rounds: Array<{ runs: number; ms: number; stored: number }> = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      fileRounds.push(await once('s3_bench_files', { config: fileConfig }));
      s3Rounds.push(await once('s3_bench_objects', { config: s3Config, s3: s3.client }));
    }
    const middle = (rounds: typeof fileRounds) => [...rounds].sort((a, b) => a.ms - b.ms)[Math.floor(rounds.length / 2)]!;
    const files = middle(fileRounds);
    const objects = middle(s3Rounds);
    const fileLinesPerSecond = lines / (files.ms / 1000);
    const s3LinesPerSecond = lines / (objects.ms / 1000);
    return {
      status: 'measured',
      lines,
      objects: pieces.length,
      gzipObjects,
      fileRuns: files.runs,
      fileMs: files.ms,
      s3Runs: objects.runs,
      s3Ms: objects.ms,
      fileLinesPerSecond,
      s3LinesPerSecond,
      s3VsFiles: s3LinesPerSecond / fileLinesPerSecond,
      sameEntries: [...fileRounds, ...s3Rounds].every((r) => r.stored === files.stored) && files.stored > 0,
    };
  } finally {
    await s3.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
