import fs from 'node:fs';
import path from 'node:path';
import { readIngestConfig } from '../lib/ingest/config';
import { runIngest } from '../lib/ingest/ingest';
import type { BenchServer } from './bench-database';
import { createScratchDatabase } from './bench-database';
import { median } from './stats';

// Issue 16: thousands of sources, few of them active. One folder of `files`
// log files, all read once; then runs with nothing new (idle) and runs where
// 1% of the files received a line (active): each run's time, and whether
// every active file's line was stored by that run.

export interface ManyFilesResult {
  status: 'measured' | 'skipped';
  files: number;
  /** The first run, which reads every file (one checkpoint each). */
  firstRunMs: number | null;
  /** Median of the idle runs. */
  idleRunMs: number | null;
  /** Median of the runs with 1% of the files active. */
  activeRunMs: number | null;
  /** Every active file's new line was stored by the run after it was written. */
  allActiveRead: boolean | null;
}

const ROUNDS = 3;
const line = (minute: number, message: string): string => `2026-12-02 05:${String(minute).padStart(2, '0')}:00 [ERROR] ${message}\n`;

/**
 * Measure ingest over `files` files of which 1% are active (see above).
 *
 * @example
 *   const result = await measureManyFiles(server, workDir, 10_000);
 */
export async function measureManyFiles(server: BenchServer, workDir: string, files: number): Promise<ManyFilesResult> {
  if (files <= 0) return { status: 'skipped', files: 0, firstRunMs: null, idleRunMs: null, activeRunMs: null, allActiveRead: null };
  const dir = fs.mkdtempSync(path.join(workDir, 'many-files-'));
  const db = await createScratchDatabase(server, 'many_files');
  try {
    for (let i = 0; i < files; i++) fs.writeFileSync(path.join(dir, `app-${i}.log`), line(0, `started ${i}`));
    const config = readIngestConfig({ LOG_FILES: path.join(dir, '*.log'), LOG_TIMEZONE: 'UTC', MULTILINE_FLUSH_MS: '0' });
    const timed = async (): Promise<{ ms: number; stored: number }> => {
      const started = performance.now();
      const summary = await runIngest({ pool: db.pool, config });
      return { ms: performance.now() - started, stored: summary.totals.entriesStored };
    };
    const first = await timed();
    const idle: number[] = [];
    const active: number[] = [];
    let allActiveRead = true;
    const step = Math.max(1, Math.round(files / Math.max(1, Math.round(files / 100))));
    for (let round = 1; round <= ROUNDS; round++) {
      idle.push((await timed()).ms);
      let written = 0;
      for (let i = round % step; i < files; i += step) {
        fs.appendFileSync(path.join(dir, `app-${i}.log`), line(round, `again ${i}`));
        written += 1;
      }
      const run = await timed();
      active.push(run.ms);
      if (run.stored !== written) allActiveRead = false;
    }
    return { status: 'measured', files, firstRunMs: first.ms, idleRunMs: median(idle), activeRunMs: median(active), allActiveRead };
  } finally {
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
