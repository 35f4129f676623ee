import { spawn, spawnSync } from 'node:child_process';
import { copyCommand } from './bench-statements';
import { libpqEnvironment } from './bench-database';

/** One timed `grep | awk | psql \copy` run. */
export interface BaselineRun {
  seconds: number;
}

// grep keeps the wanted lines with their byte offset (-b), awk turns them into
// COPY text rows (doubling backslashes, the one escape this data needs), psql
// streams them with \copy in one transaction. LC_ALL=C: bytes, not characters.
const FILTER = `LC_ALL=C grep -b -E '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} \\[(ERROR|FATAL)\\] ' "$BENCH_FILE" \\
  | LC_ALL=C awk '{ c = index($0, ":"); off = substr($0, 1, c - 1); ts = substr($0, c + 1, 19);
      rest = substr($0, c + 22); e = index(rest, "]"); lvl = substr(rest, 1, e - 1); msg = substr(rest, e + 2);
      gsub(/\\\\/, "&&", msg); print ts "\\t" lvl "\\t" msg "\\t1\\t" off }'`;
const PIPELINE = `set -o pipefail
${FILTER} \\
  | psql -X -q -v ON_ERROR_STOP=1 -c "$BENCH_COPY"`;
const FILTER_TO_FILE = `set -o pipefail
${FILTER} > "$BENCH_ROWS"`;
const COPY_FROM_FILE = 'psql -X -q -v ON_ERROR_STOP=1 -c "$BENCH_COPY" < "$BENCH_ROWS"';

/** The psql version, or null when psql is not on PATH (the baseline is then skipped). */
export function findPsql(): string | null {
  const probe = spawnSync('psql', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return null;
  return probe.stdout.trim();
}

async function runTimed(script: string, env: Record<string, string | undefined>, what: string): Promise<BaselineRun> {
  const started = performance.now();
  const child = spawn('bash', ['-c', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`${what} failed (exit ${code}): ${stderr.trim()}`);
  return { seconds };
}

type CopyTable = Parameters<typeof copyCommand>[0];

function psqlEnvironment(url: string, table: CopyTable): Record<string, string> {
  return { ...libpqEnvironment(url), PGOPTIONS: '-c TimeZone=UTC', BENCH_COPY: copyCommand(table) };
}

/**
 * The practical limit: the already-filtered lines of `file` streamed with
 * `psql \copy` into `table` (created by the caller with the same columns and
 * indexes as log_entries) of the database at `url`. Timed from spawn to
 * psql's exit (after its COMMIT).
 */
export function runCopyBaseline(url: string, file: string, table: CopyTable): Promise<BaselineRun> {
  return runTimed(PIPELINE, { ...psqlEnvironment(url, table), BENCH_FILE: file }, 'grep | awk | psql \\copy');
}

/** Write the baseline's COPY rows of `file` to `rowsFile` (untimed), for runCopyFloor. */
export async function writeCopyRows(file: string, rowsFile: string): Promise<void> {
  await runTimed(FILTER_TO_FILE, { BENCH_FILE: file, BENCH_ROWS: rowsFile }, 'grep | awk');
}

/**
 * PostgreSQL's own share: `psql \copy` of rows already filtered and encoded
 * (`rowsFile`, from writeCopyRows) into `table`. Nothing that reads the log
 * can be faster than this on the same server.
 */
export function runCopyFloor(url: string, rowsFile: string, table: CopyTable): Promise<BaselineRun> {
  return runTimed(COPY_FROM_FILE, { ...psqlEnvironment(url, table), BENCH_ROWS: rowsFile }, 'psql \\copy from a file');
}
