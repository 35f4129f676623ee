// npx tsx bench/compare-ingest.ts OTHER_CHECKOUT [rounds]
// The ingest of another checkout of logmon (e.g. main, in a git worktree)
// against this one's, in one run: one server, one generated log, the two
// ingest children (each built from its own checkout, as npm run bench builds
// it) taking turns in fresh databases, the order alternating each round. On
// a shared machine two separate bench runs differ by more than a change
// costs; rounds taken side by side do not. BENCH_LINES and BENCH_SEED as for
// npm run bench (default 1,000,000 lines); BENCH_COMPARE_FORMAT: one of the
// bench's other formats (json, logfmt, timestamp-level) instead of the brief's;
// BENCH_COMPARE_PROFILE=DIR: a V8 CPU profile of every run (unminified
// builds) into DIR/LABEL, for bench/cpu-profile-summary.ts.
// Nothing is written to the repository.
//
//   git worktree add --detach /tmp/logmon-main main && ln -s "$PWD/node_modules" /tmp/logmon-main/node_modules
//   npx tsx bench/compare-ingest.ts /tmp/logmon-main 8
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createScratchDatabase, openBenchServer, requestCheckpoint } from './bench-database';
import { readDeployBuild } from './esbuild-options';
import { buildIngestChild, runIngestChild } from './ingest-measure';
import type { IngestRun } from './ingest-measure';
import { BENCH_FORMATS, writeFormatLog } from './format-logs';
import type { BenchFormat } from './format-logs';
import { writeBenchLog } from './log-data';
import { median } from './stats';

const ROOT = path.resolve(__dirname, '..');

interface Side {
  label: string;
  root: string;
  childFile: string;
  profileDir: string | null;
  runs: IngestRun[];
}

function say(line: string): void {
  process.stderr.write(`[compare] ${line}\n`);
}

function positiveInt(raw: string | undefined, fallback: number, what: string): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a positive integer, got "${raw}"`);
  return n;
}

async function main(): Promise<void> {
  const [other, roundsArg] = process.argv.slice(2);
  if (!other || !fs.existsSync(path.join(other, 'bench', 'ingest-child.ts'))) {
    throw new Error('usage: npx tsx bench/compare-ingest.ts OTHER_CHECKOUT [rounds] (a logmon checkout with bench/ingest-child.ts)');
  }
  const rounds = positiveInt(roundsArg, 6, 'rounds');
  const lines = positiveInt(process.env.BENCH_LINES, 1_000_000, 'BENCH_LINES');
  const seed = positiveInt(process.env.BENCH_SEED, 20261123, 'BENCH_SEED');
  const deploy = readDeployBuild(ROOT);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'logmon-compare-'));
  const sides: Side[] = [];
  const profileRoot = process.env.BENCH_COMPARE_PROFILE?.trim() ? path.resolve(process.env.BENCH_COMPARE_PROFILE) : null;
  for (const [label, root] of [
    ['other', path.resolve(other)],
    ['this', ROOT],
  ] as const) {
    const outDir = path.join(workDir, label);
    fs.mkdirSync(outDir);
    const profileDir = profileRoot === null ? null : path.join(profileRoot, label);
    if (profileDir !== null) fs.mkdirSync(profileDir, { recursive: true });
    const childFile = await buildIngestChild(root, outDir, deploy, profileDir !== null);
    sides.push({ label: `${label} (${path.basename(root)})`, root, childFile, profileDir, runs: [] });
  }
  const server = await openBenchServer(process.env, say);
  try {
    const format = process.env.BENCH_COMPARE_FORMAT?.trim() || 'brief';
    if (format !== 'brief' && !(BENCH_FORMATS as readonly string[]).includes(format))
      throw new Error(`BENCH_COMPARE_FORMAT must be brief or one of ${BENCH_FORMATS.join(', ')}, got "${format}"`);
    const data =
      format === 'brief'
        ? writeBenchLog(path.join(workDir, 'app.log'), { lines }, seed)
        : writeFormatLog(path.join(workDir, 'app.log'), path.join(workDir, 'rows.tsv'), format as BenchFormat, lines, seed);
    say(`${data.lines.toLocaleString('en-US')} lines, ${data.wantedLines.toLocaleString('en-US')} stored; ${rounds} rounds`);
    for (let round = 0; round < rounds; round += 1) {
      for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
        const db = await createScratchDatabase(server, 'cmp', path.join(side.root, 'sql', 'migrations'));
        try {
          await requestCheckpoint(db.pool);
          const run = await runIngestChild({
            childFile: side.childFile,
            databaseUrl: db.url,
            logFile: data.path,
            migrationsDir: path.join(side.root, 'sql', 'migrations'),
            nodeOptions: deploy.nodeOptions,
            cpuProfileDir: side.profileDir,
          });
          if (run.toOffset !== data.bytes) throw new Error(`${side.label}: checkpoint ${run.toOffset} is not the file size ${data.bytes}`);
          if (run.totals.entriesStored !== data.wantedLines)
            throw new Error(`${side.label}: stored ${run.totals.entriesStored} entries, not ${data.wantedLines}`);
          side.runs.push(run);
          say(`round ${round + 1} ${side.label}: ${run.seconds.toFixed(2)} s, CPU ${run.cpuSeconds.toFixed(2)} s`);
        } finally {
          await db.drop();
        }
      }
    }
    const rate = (s: Side): number => data.lines / median(s.runs.map((r) => r.seconds));
    const best = (s: Side): number => data.lines / Math.min(...s.runs.map((r) => r.seconds));
    process.stdout.write('| ingest | lines/s (median) | fastest run | ingest CPU (median) |\n| --- | --- | --- | --- |\n');
    for (const s of sides) {
      const cpu = median(s.runs.map((r) => r.cpuSeconds));
      process.stdout.write(
        `| ${s.label} | ${Math.round(rate(s)).toLocaleString('en-US')} | ${Math.round(best(s)).toLocaleString('en-US')} | ${cpu.toFixed(2)} s |\n`,
      );
    }
    const [a, b] = sides as [Side, Side];
    // each round's two runs were taken back to back: their ratio is the least disturbed by other load
    const paired = median(a.runs.map((r, i) => r.seconds / b.runs[i]!.seconds));
    process.stdout.write(
      `\nthis / other lines/s: ${(rate(b) / rate(a)).toFixed(3)} (medians), ${paired.toFixed(3)} (median of the rounds' ratios), ${(best(b) / best(a)).toFixed(3)} (fastest runs)\n`,
    );
  } finally {
    await server.stop().catch((err: unknown) => say(`stopping PostgreSQL failed: ${String(err)}`));
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  say(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
