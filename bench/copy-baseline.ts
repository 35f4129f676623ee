import { spawn, spawnSync } from 'node:child_process';
import { BENCH_SQL as SQL } from './bench-statements';
import { libpqEnvironment } from './bench-database';

/** One timed `grep | awk | psql \copy` run. */
export interface BaselineRun {
  seconds: number;
}

// grep keeps the wanted lines with their byte offset (-b), awk turns them into
// COPY text rows (doubling backslashes, the one escape this data needs), psql
// streams them with \copy in one transaction. LC_ALL=C: bytes, not characters.
const PIPELINE = `set -o pipefail
LC_ALL=C grep -b -E '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} \\[(ERROR|FATAL)\\] ' "$BENCH_FILE" \\
  | LC_ALL=C awk '{ c = index($0, ":"); off = substr($0, 1, c - 1); ts = substr($0, c + 1, 19);
      rest = substr($0, c + 22); e = index(rest, "]"); lvl = substr(rest, 1, e - 1); msg = substr(rest, e + 2);
      gsub(/\\\\/, "&&", msg); print ts "\\t" lvl "\\t" msg "\\t1\\t" off }' \\
  | psql -X -q -v ON_ERROR_STOP=1 -c "$BENCH_COPY"`;

/** The psql version, or null when psql is not on PATH (the baseline is then skipped). */
export function findPsql(): string | null {
  const probe = spawnSync('psql', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return null;
  return probe.stdout.trim();
}

/**
 * The practical limit: the already-filtered lines of `file` streamed with
 * `psql \copy` into `bench_copy_baseline` (same columns and indexes as
 * log_entries) of the database at `url`. Timed from spawn to psql's exit
 * (after its COMMIT).
 */
export async function runCopyBaseline(url: string, file: string): Promise<BaselineRun> {
  const env = { ...process.env, ...libpqEnvironment(url), PGOPTIONS: '-c TimeZone=UTC', BENCH_FILE: file, BENCH_COPY: SQL.baselineCopyCommand };
  const started = performance.now();
  const child = spawn('bash', ['-c', PIPELINE], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`grep | awk | psql \\copy failed (exit ${code}): ${stderr.trim()}`);
  return { seconds };
}
