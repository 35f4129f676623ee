import path from 'node:path';
import fs from 'node:fs';
import type { BenchServer } from './bench-database';
import { createScratchDatabase, requestCheckpoint } from './bench-database';
import type { IngestRunOptions } from './ingest-measure';
import { runIngestChild } from './ingest-measure';
import { writeBenchLog } from './log-data';

export interface BacklogResult {
  status: 'measured' | 'skipped';
  megabytes: number;
  bytes: number;
  lines: number;
  seconds: number | null;
  linesPerSec: number | null;
  mbPerSec: number | null;
  peakRssMb: number | null;
  batches: number | null;
}

/**
 * One ingest of a `megabytes` backlog from offset 0 to a committed checkpoint,
 * in a fresh database: peak RSS must not grow with the backlog (batches of
 * INGEST_BATCH_BYTES, fixed read buffer, COPY with back-pressure).
 */
export async function measureBacklog(
  server: BenchServer,
  workDir: string,
  megabytes: number,
  seed: number,
  ingest: Omit<IngestRunOptions, 'databaseUrl' | 'logFile'>,
  log: (line: string) => void,
): Promise<BacklogResult> {
  if (megabytes <= 0) {
    return { status: 'skipped', megabytes, bytes: 0, lines: 0, seconds: null, linesPerSec: null, mbPerSec: null, peakRssMb: null, batches: null };
  }
  const file = path.join(workDir, 'backlog.log');
  const data = writeBenchLog(file, { bytes: megabytes * 1024 * 1024 }, seed + 1);
  log(`  backlog file: ${(data.bytes / 1048576).toFixed(0)} MB, ${data.lines.toLocaleString('en-US')} lines`);
  const db = await createScratchDatabase(server, 'backlog');
  try {
    await requestCheckpoint(db.pool);
    const run = await runIngestChild({ ...ingest, databaseUrl: db.url, logFile: file });
    if (run.toOffset !== data.bytes) throw new Error(`backlog checkpoint ${run.toOffset} is not the file size ${data.bytes}`);
    return {
      status: 'measured',
      megabytes,
      bytes: data.bytes,
      lines: data.lines,
      seconds: run.seconds,
      linesPerSec: data.lines / run.seconds,
      mbPerSec: data.bytes / 1048576 / run.seconds,
      peakRssMb: run.peakRssMb,
      batches: run.batches,
    };
  } finally {
    await db.drop();
    fs.rmSync(file, { force: true });
  }
}
