import path from 'node:path';
import { BENCH_FORMATS } from './format-logs';
import type { BenchFormat } from './format-logs';

/** What one `npm run bench` measures, and how big. */
export interface BenchOptions {
  mode: 'full' | 'quick' | 'tiny';
  /** Lines of the main log (baseline and ingest run on the same file). */
  lines: number;
  /** Timed runs of the baseline and of the ingest each; medians are reported. */
  repeats: number;
  /** Formats measured besides the brief's, each on a file of `lines` lines; empty skips them. */
  formats: BenchFormat[];
  /** Size of the backlog file for the flat-memory run; 0 skips it. */
  backlogMb: number;
  /** Rows loaded into log_entries for the alert evaluation; 0 skips it. */
  alertRows: number;
  /** Hours the alert rows span, ending now; null: one row every 60 ms (10M rows: 6.9 days). */
  alertSpanHours: number | null;
  /** Fresh node processes per handler for the cold-init median. */
  coldInitRuns: number;
  /** Log files of the many-files scenario (1% active); 0 skips it. */
  manyFiles: number;
  /** Lines of the S3 scenario (the same lines as files and as S3 objects); 0 skips it. */
  s3Lines: number;
  /** Entries a day of the retention scenario (tables of 4 and 16 days of them); 0 skips it. */
  retentionDayRows: number;
  /** Seconds during which the detection-latency scenario writes FATALs (both modes at once); 0 skips it. */
  latencySeconds: number;
  seed: number;
  /** Where the results JSON is written. */
  resultsFile: string;
  /** What `--check` compares with the code: `--out`/BENCH_RESULTS, else the tracked bench/results.json. */
  checkedFile: string;
  /** Where the bundles (handlers, ingest child) are built. */
  buildDir: string;
  /** Run the ingest child with --cpu-prof (non-minified build) and keep the profiles here. */
  cpuProfileDir: string | null;
}

type Env = Record<string, string | undefined>;

const PRESETS = {
  full: {
    lines: 1_000_000,
    repeats: 5,
    backlogMb: 1024,
    alertRows: 10_000_000,
    coldInitRuns: 15,
    latencySeconds: 240,
    manyFiles: 10_000,
    s3Lines: 1_000_000,
    retentionDayRows: 250_000,
  },
  quick: {
    lines: 200_000,
    repeats: 3,
    backlogMb: 64,
    alertRows: 1_000_000,
    coldInitRuns: 5,
    latencySeconds: 60,
    manyFiles: 1000,
    s3Lines: 200_000,
    retentionDayRows: 50_000,
  },
  tiny: { lines: 2_000, repeats: 1, backlogMb: 0, alertRows: 0, coldInitRuns: 1, latencySeconds: 0, manyFiles: 0, s3Lines: 2_000, retentionDayRows: 500 },
} as const;

function intFrom(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

/** BENCH_FORMATS: a comma-separated list of BENCH_FORMATS, `none`, or unset for all of them. */
function formatsFrom(env: Env): BenchFormat[] {
  const raw = env.BENCH_FORMATS?.trim();
  if (!raw) return [...BENCH_FORMATS];
  if (raw === 'none') return [];
  return raw.split(',').map((word) => {
    const name = word.trim();
    if (!(BENCH_FORMATS as readonly string[]).includes(name))
      throw new Error(`BENCH_FORMATS: unknown format "${name}" (known: ${BENCH_FORMATS.join(', ')}, or none)`);
    return name as BenchFormat;
  });
}

function flagValue(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/**
 * Sizes from the mode (`--quick`, `--tiny`, or the full issue sizes), each
 * overridable through BENCH_* variables.
 *
 * @example
 *   readBenchOptions(['--quick'], { BENCH_BACKLOG_MB: '0' }, '/repo')
 */
export function readBenchOptions(argv: readonly string[], env: Env, root: string): BenchOptions {
  const mode = argv.includes('--tiny') ? 'tiny' : argv.includes('--quick') ? 'quick' : 'full';
  const preset = PRESETS[mode];
  const out = flagValue(argv, '--out') ?? env.BENCH_RESULTS;
  const profile = flagValue(argv, '--cpu-prof') ?? env.BENCH_CPU_PROF;
  return {
    mode,
    lines: Math.max(1, intFrom(env, 'BENCH_LINES', preset.lines)),
    repeats: Math.max(1, intFrom(env, 'BENCH_REPEATS', preset.repeats)),
    formats: formatsFrom(env),
    backlogMb: intFrom(env, 'BENCH_BACKLOG_MB', preset.backlogMb),
    alertRows: intFrom(env, 'BENCH_ALERT_ROWS', preset.alertRows),
    alertSpanHours: env.BENCH_ALERT_SPAN_HOURS?.trim() ? Math.max(1, intFrom(env, 'BENCH_ALERT_SPAN_HOURS', 0)) : null,
    coldInitRuns: Math.max(1, intFrom(env, 'BENCH_COLD_INIT_RUNS', preset.coldInitRuns)),
    latencySeconds: intFrom(env, 'BENCH_LATENCY_SECONDS', preset.latencySeconds),
    manyFiles: intFrom(env, 'BENCH_MANY_FILES', preset.manyFiles),
    s3Lines: intFrom(env, 'BENCH_S3_LINES', preset.s3Lines),
    retentionDayRows: intFrom(env, 'BENCH_RETENTION_DAY_ROWS', preset.retentionDayRows),
    seed: intFrom(env, 'BENCH_SEED', 20261123),
    // only a full run rewrites the tracked results (the README's figures); --out / BENCH_RESULTS choose another file
    resultsFile: path.resolve(root, out ?? (mode === 'full' ? path.join('bench', 'results.json') : path.join('bench', 'out', `results-${mode}.json`))),
    checkedFile: path.resolve(root, out ?? path.join('bench', 'results.json')),
    buildDir: path.resolve(root, env.BENCH_BUILD_DIR ?? path.join('bench', 'out')),
    cpuProfileDir: profile ? path.resolve(root, profile) : null,
  };
}
