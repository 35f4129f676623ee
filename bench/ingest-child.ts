// The ingest under measurement, alone in a fresh process so its peak RSS is
// its own: builds its dependencies the way handlers/ingest.ts does, runs
// runIngest once, and writes the timing, the summary totals and the peak RSS
// to BENCH_RESULT_FILE. Bundled by bench/ingest-measure.ts.
import fs from 'node:fs';
import { readIngestConfig } from '../lib/ingest/config';
import { createPool } from '../lib/platform/db';
import { runIngest } from '../lib/ingest/ingest';
import { logger } from '../lib/platform/logger';

/** High-water mark of the resident set, from the kernel (kB), or null off Linux. */
function readVmHwmKb(): number | null {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const resultFile = process.env.BENCH_RESULT_FILE;
  if (!resultFile) throw new Error('BENCH_RESULT_FILE is not set');
  const config = readIngestConfig(process.env);
  const pool = createPool(process.env.DATABASE_URL ?? '');
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const summary = await runIngest({ pool, config, logger, shouldStop: () => false });
  const durationMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  await pool.end();
  const result = {
    durationMs,
    maxRssKb: process.resourceUsage().maxRSS,
    vmHwmKb: readVmHwmKb(),
    /** At the end, for telling heap from buffers when the peak moves. */
    memoryUsage: process.memoryUsage(),
    /** Own CPU during the run, against durationMs: well below it, PostgreSQL is the bottleneck. */
    cpuMs: (cpu.user + cpu.system) / 1000,
    totals: summary.totals,
    files: summary.files.map((f) => ({ path: f.path, outcome: f.outcome, toOffset: f.toOffset, batches: f.batches, format: f.format, error: f.error })),
  };
  fs.writeFileSync(resultFile, JSON.stringify(result));
}

main().catch((err: unknown) => {
  process.stderr.write(`bench ingest child failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
