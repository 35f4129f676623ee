// npm run bench [-- --quick | --tiny] [--out file] [--cpu-prof dir]
// npm run bench -- --check: only say whether bench/results.json (the README's figures) measured the code as it is.
// Measures, in one run against one PostgreSQL: the `grep | awk | psql \copy`
// baseline and logmon's ingest on the same generated file, the ingest of the
// other formats (JSON, logfmt, the generic rule) against `psql \copy` of the
// same rows, a backlog ingest
// (peak RSS), the alert evaluation (runAlert over 20 rules), retention of a day at two table sizes, each handler's bundle size and cold init,
// and the error templates' grouping accuracy on the LogHub 2k samples (BENCH_LOGHUB, see template-bench.ts).
// Prints a Markdown table and writes the figures as JSON (bench/results.json).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAlertRules } from '../lib/alert/rules';
import { findMigrationsDir } from '../lib/platform/migrations';
import { benchAlertRules, loadAlertRows, measureAlertEvaluation, measureWindowCounts } from './alert-load';
import type { AlertResult, BenchResults } from './report';
import { checkTargets, formatHeader, formatTable, writeResults } from './report';
import { measureBacklog } from './backlog';
import { createScratchDatabase, openBenchServer } from './bench-database';
import type { BenchServer } from './bench-database';
import { findPsql } from './copy-baseline';
import { briefFormatResult, measureFormatThroughput } from './format-throughput';
import { readDeployBuild } from './esbuild-options';
import { listHandlers, measureHandlerBundle } from './handler-bundles';
import { buildIngestChild } from './ingest-measure';
import { writeBenchLog } from './log-data';
import { readBenchOptions } from './options';
import { formatTemplateAccuracy, measureTemplateAccuracy } from './template-bench';
import { measureThroughput } from './throughput';
import { LATENCY_MODES, measureLatency } from './latency';
import { measureManyFiles } from './many-files';
import { measureS3Ingest } from './s3-ingest';
import { codeVersion, resultsStaleness } from './code-version';
import { measureRetentionDays } from './retention-days';
import type { LatencyResult } from './latency';

const ROOT = path.resolve(__dirname, '..');
/** Steady-state runAlert runs (after the first) and window-count rounds. */
const ALERT_REPEATS = 11;
/** Rules of the alert section's second steady state (issue 16: 200 rules). */
const MANY_RULES = 200;

function say(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

async function measureAlert(server: BenchServer, rows: number, spanHours: number | null): Promise<AlertResult> {
  const rules = parseAlertRules(benchAlertRules());
  const skipped: AlertResult = {
    status: 'skipped',
    rows: 0,
    spanHours: null,
    rules: rules.length,
    loadSeconds: null,
    evaluationMs: null,
    evaluation: null,
    windowCountsMs: null,
    ruleCounts: [],
  };
  if (rows <= 0) return skipped;
  const db = await createScratchDatabase(server, 'alert');
  try {
    const load = await loadAlertRows(db.pool, rows, spanHours);
    say(`  loaded ${rows.toLocaleString('en-US')} rows over ${load.spanHours.toFixed(1)} h in ${load.seconds.toFixed(1)} s`);
    const evaluation = await measureAlertEvaluation(db.pool, rules, ALERT_REPEATS);
    say(`  runAlert: first ${evaluation.firstRunMs.toFixed(0)} ms, steady median ${evaluation.medianMs.toFixed(1)} ms`);
    const counts = await measureWindowCounts(db.pool, rules, ALERT_REPEATS);
    say(`  window counts ${counts.totalMs.toFixed(1)} ms, from the entries alone ${counts.rawTotalMs.toFixed(1)} ms`);
    const manyRules = parseAlertRules(benchAlertRules(MANY_RULES).map((spec, i) => ({ ...spec, name: `bench-many-${i + 1}` })));
    const many = await measureAlertEvaluation(db.pool, manyRules, ALERT_REPEATS);
    say(`  runAlert, ${MANY_RULES} rules: first ${many.firstRunMs.toFixed(0)} ms, steady median ${many.medianMs.toFixed(1)} ms`);
    return {
      status: 'measured',
      rows,
      spanHours: load.spanHours,
      rules: rules.length,
      loadSeconds: load.seconds,
      evaluationMs: evaluation.medianMs,
      evaluation,
      windowCountsMs: counts.totalMs,
      rawWindowCountsMs: counts.rawTotalMs,
      ruleCounts: counts.perRule,
      manyRules: { rules: MANY_RULES, evaluation: many },
    };
  } finally {
    await db.drop();
  }
}

/** The figures the README quotes: the tracked results of the last full run. */
const TRACKED_RESULTS = path.join(ROOT, 'bench', 'results.json');

async function main(): Promise<void> {
  const started = Date.now();
  const options = readBenchOptions(process.argv.slice(2), process.env, ROOT);
  const code = codeVersion(ROOT);
  const staleness = resultsStaleness(ROOT, process.argv.includes('--check') ? options.checkedFile : TRACKED_RESULTS, code);
  if (process.argv.includes('--check')) {
    process.stdout.write(`${staleness.message}\n`);
    process.exitCode = staleness.stale && process.argv.includes('--strict') ? 1 : 0;
    return;
  }
  if (staleness.stale) say(staleness.message);
  const outDir = options.buildDir;
  fs.mkdirSync(outDir, { recursive: true });
  if (options.cpuProfileDir) fs.mkdirSync(options.cpuProfileDir, { recursive: true });
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'logmon-bench-data-'));
  const psql = findPsql();
  if (!psql) say('psql is not on PATH: the `grep | awk | psql \\copy` baseline is skipped (Debian: apt-get install postgresql-client)');
  const server = await openBenchServer(process.env, say);
  try {
    const deploy = readDeployBuild(ROOT);
    say(`writing ${options.lines.toLocaleString('en-US')} lines`);
    const data = writeBenchLog(path.join(workDir, 'app.log'), { lines: options.lines }, options.seed);
    const childFile = await buildIngestChild(ROOT, outDir, deploy, options.cpuProfileDir !== null);
    const ingest = { childFile, migrationsDir: findMigrationsDir(), nodeOptions: deploy.nodeOptions, cpuProfileDir: options.cpuProfileDir };

    say('baseline and ingest on the same file');
    const tp = await measureThroughput({ server, data, repeats: options.repeats, withBaseline: psql !== null, ingest, log: say });
    const formats = [briefFormatResult(tp, data)];
    for (const [i, format] of options.formats.entries()) {
      say(`format ${format}: ingest and \\copy of the same rows`);
      formats.push(
        await measureFormatThroughput({
          server,
          workDir,
          format,
          lines: options.lines,
          seed: options.seed + 2 + i,
          repeats: options.repeats,
          withBaseline: psql !== null,
          ingest,
          log: say,
        }),
      );
    }
    say(`backlog: ${options.backlogMb} MB`);
    const backlog = await measureBacklog(server, workDir, options.backlogMb, options.seed, ingest, say);
    say(`alert data: ${options.alertRows.toLocaleString('en-US')} rows`);
    const alert = await measureAlert(server, options.alertRows, options.alertSpanHours);
    say(`many files: ${options.manyFiles.toLocaleString('en-US')} log files, 1% active`);
    const manyFiles = await measureManyFiles(server, workDir, options.manyFiles);
    if (manyFiles.status === 'measured')
      say(`  first run ${manyFiles.firstRunMs?.toFixed(0)} ms, idle ${manyFiles.idleRunMs?.toFixed(0)} ms, 1% active ${manyFiles.activeRunMs?.toFixed(0)} ms`);
    say(`S3 objects: ${options.s3Lines.toLocaleString('en-US')} lines as files and as S3 objects (s3rver)`);
    const s3 = await measureS3Ingest(server, workDir, options.s3Lines);
    if (s3.status === 'measured')
      say(`  files ${s3.fileLinesPerSecond?.toFixed(0)} lines/s, S3 ${s3.s3LinesPerSecond?.toFixed(0)} lines/s (${s3.s3VsFiles?.toFixed(2)}×)`);
    say(`retention of a day: ${options.retentionDayRows.toLocaleString('en-US')} entries a day, tables of 4 and 16 days`);
    const retention = await measureRetentionDays(
      server,
      options.retentionDayRows > 0 ? [4 * options.retentionDayRows, 16 * options.retentionDayRows] : [],
      options.retentionDayRows,
      say,
    );
    say(`detection latency: FATALs written for ${options.latencySeconds} s, ${LATENCY_MODES.join(' and ')} modes at once, on the real one-minute schedule`);
    const latency: LatencyResult[] =
      options.latencySeconds > 0
        ? await Promise.all(
            LATENCY_MODES.map((mode, i) =>
              measureLatency(server, { mode, windowMs: options.latencySeconds * 1000, seed: options.seed + 40 + i, workDir, log: say }),
            ),
          )
        : [];
    for (const l of latency)
      say(`  ${l.mode}: ${l.latenciesMs.length}/${l.fatals} FATALs delivered, p50 ${l.p50Ms ?? '-'} ms, p95 ${l.p95Ms ?? '-'} ms, max ${l.maxMs ?? '-'} ms`);
    say('handler bundles and cold init');
    const bundles = [];
    for (const handler of listHandlers(ROOT)) bundles.push(await measureHandlerBundle(ROOT, outDir, deploy, handler, options.coldInitRuns));

    say('template grouping accuracy (LogHub 2k samples)');
    const templates = measureTemplateAccuracy(process.env.BENCH_LOGHUB ?? null);
    say(
      `  ${templates.status === 'measured' ? `average ${templates.average?.masking.toFixed(3)} over ${templates.systems.length} systems` : templates.source}`,
    );
    const cpus = os.cpus();
    const partial: Omit<BenchResults, 'targets'> = {
      schema: 2,
      code,
      command: `npm run bench${options.mode === 'full' ? '' : ` -- --${options.mode}`}`,
      mode: options.mode,
      startedAt: new Date(started).toISOString(),
      durationSeconds: (Date.now() - started) / 1000,
      machine: { cpus: cpus.length, cpuModel: cpus[0]?.model.trim() ?? 'unknown', node: process.version, platform: `${os.platform()} ${os.release()}` },
      postgres: { embedded: server.embedded, version: server.version, settings: server.settings },
      params: {
        lines: options.lines,
        repeats: options.repeats,
        formats: options.formats,
        backlogMb: options.backlogMb,
        alertRows: options.alertRows,
        alertSpanHours: options.alertSpanHours,
        latencySeconds: options.latencySeconds,
        manyFiles: options.manyFiles,
        s3Lines: options.s3Lines,
        retentionDayRows: options.retentionDayRows,
        seed: options.seed,
        ingestBatchBytes: process.env.INGEST_BATCH_BYTES ?? 'default',
      },
      data: { lines: data.lines, bytes: data.bytes, wantedLines: data.wantedLines },
      baseline: tp.baseline,
      copyFloor: tp.copyFloor,
      bareFloor: tp.bareFloor,
      brinFloor: tp.brinFloor,
      brinLoggedFloor: tp.brinLoggedFloor,
      partitionedFloor: tp.partitionedFloor,
      ingest: tp.ingest,
      ratio: tp.ratio,
      ratioBare: tp.ratioBare,
      ratioBest: tp.ratioBest,
      sameRows: tp.sameRows,
      formats,
      backlog,
      alert,
      latency,
      manyFiles,
      s3,
      retention,
      bundles,
      templates,
    };
    const results: BenchResults = { ...partial, targets: checkTargets(partial) };
    writeResults(options.resultsFile, results);
    process.stdout.write(
      `\n${formatHeader(results)}\n\n${formatTable(results)}\n\n${formatTemplateAccuracy(templates)}\n\nwritten to ${path.relative(ROOT, options.resultsFile)}\n`,
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
