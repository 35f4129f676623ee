import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import type { IngestSummary } from '../lib/ingest/ingest';
import type { DeployBuild } from './esbuild-options';

/** One timed ingest, from offset 0 to a committed checkpoint, in its own process. */
export interface IngestRun {
  seconds: number;
  /** CPU seconds the ingest process used during the run (the rest of the wall time it waited for PostgreSQL). */
  cpuSeconds: number;
  /** Peak resident set of the whole ingest process (VmHWM, else maxRSS). */
  peakRssMb: number;
  totals: IngestSummary['totals'];
  /** Committed checkpoint of the (single) file. */
  toOffset: number;
  batches: number;
  /** The format most entry lines were read as (what `auto` chose). */
  format: string;
}

interface ChildResult {
  durationMs: number;
  cpuMs: number;
  maxRssKb: number;
  vmHwmKb: number | null;
  totals: IngestSummary['totals'];
  files: { outcome: string; toOffset: number; batches: number; format: string; error?: string }[];
}

/**
 * Bundle bench/ingest-child.ts with the deployed handlers' esbuild options, so
 * the measured code is the code Lambda runs. A profiling build is not minified
 * (readable function names in the .cpuprofile).
 */
export async function buildIngestChild(root: string, outDir: string, deploy: DeployBuild, forProfile: boolean): Promise<string> {
  const outfile = path.join(outDir, forProfile ? 'ingest-child.profile.js' : 'ingest-child.js');
  await build({
    ...deploy.esbuild,
    ...(forProfile ? { minify: false } : {}),
    entryPoints: [path.join(root, 'bench', 'ingest-child.ts')],
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

export interface IngestRunOptions {
  childFile: string;
  databaseUrl: string;
  logFile: string;
  migrationsDir: string;
  nodeOptions: string;
  cpuProfileDir: string | null;
}

/**
 * Run the ingest child once and read what it measured. The last entry is
 * flushed at once (MULTILINE_FLUSH_MS=0) so the ingest stores the same rows
 * as the baseline; INGEST_BATCH_BYTES and LOG_MAX_LINE_BYTES pass through.
 */
export async function runIngestChild(options: IngestRunOptions): Promise<IngestRun> {
  const resultFile = path.join(path.dirname(options.childFile), `ingest-result-${process.pid}-${Date.now()}.json`);
  const env: Record<string, string | undefined> = {
    ...process.env,
    NODE_OPTIONS: options.nodeOptions,
    DATABASE_URL: options.databaseUrl,
    LOG_FILES: options.logFile,
    LOG_LEVELS: 'ERROR,FATAL',
    LOG_TIMEZONE: 'UTC',
    MULTILINE_FLUSH_MS: '0',
    POWERTOOLS_LOG_LEVEL: 'WARN',
    LOGMON_MIGRATIONS_DIR: options.migrationsDir,
    BENCH_RESULT_FILE: resultFile,
  };
  const args = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const child = spawn(process.execPath, [...args, options.childFile], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0 || !fs.existsSync(resultFile)) throw new Error(`ingest child failed (exit ${code}): ${stderr.trim()}`);
  const result = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as ChildResult;
  fs.rmSync(resultFile, { force: true });
  const file = result.files[0];
  if (file?.outcome !== 'read') throw new Error(`ingest did not read the file: ${JSON.stringify(result.files)}`);
  const peakKb = result.vmHwmKb ?? result.maxRssKb;
  return {
    seconds: result.durationMs / 1000,
    cpuSeconds: result.cpuMs / 1000,
    peakRssMb: peakKb / 1024,
    totals: result.totals,
    toOffset: file.toOffset,
    batches: file.batches,
    format: file.format,
  };
}
