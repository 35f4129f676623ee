import type { SNSClient } from '@aws-sdk/client-sns';
import { runAlert } from '../lib/alert/alert';
import { parseAlertRules } from '../lib/alert/rules';
import { benchAlertRules, loadAlertRows } from './alert-load';
import { createScratchDatabase, openBenchServer } from './bench-database';

// A measurement, not part of `npm run bench`: the alert runs after a backlog
// of late entries is committed at once (as after an ingest outage). Loads
// BENCH_LIVE_ROWS live entries (default 1M, the bench's density), runs
// runAlert twice (state and cursor settle), commits BENCH_LATE_ROWS late
// entries (default 1M, logged 1 to 21 hours before the run: within the late
// horizon; with their templates unless BENCH_LATE_TEMPLATES=none) in one
// transaction, then times each run, a minute apart on the job's clock, until
// one examines no late entry (at most BENCH_LATE_MAX_RUNS, default 40).
// Prints one JSON line a run.
//   npx tsx bench/late-backlog.ts
//   BENCH_LATE_ROWS=10000000 BENCH_LATE_MAX_RUNS=120 npx tsx bench/late-backlog.ts

const LIVE_ROWS = Number(process.env.BENCH_LIVE_ROWS ?? 1_000_000);
const LATE_ROWS = Number(process.env.BENCH_LATE_ROWS ?? 1_000_000);
const MAX_RUNS = Number(process.env.BENCH_LATE_MAX_RUNS ?? 40);
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-bench';

// With the template ingest gives each message (those of bench/bench-statements.ts'
// loadAlertRows), or with none ($3: as entries stored before templates existed,
// grouped by their first lines: 3,000 of them, the costlier case).
const INSERT_LATE = `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset, template_id)
  SELECT $1::timestamptz - interval '21 hours' + g * make_interval(secs => 72000.0 / $2::bigint),
         CASE WHEN g % 10 = 0 THEN 'FATAL' ELSE 'ERROR' END,
         (ARRAY['db timeout after 30s', 'connection refused by upstream', 'disk full on /var'])[1 + g % 3] || ' #' || (g % 1000),
         1 + g % 4, g * 80, CASE WHEN $3::boolean THEN (ARRAY[1, 2, 4])[1 + g % 3] END
  FROM generate_series(1, $2::bigint) AS g`;
const TEMPLATES = process.env.BENCH_LATE_TEMPLATES !== 'none';

async function main(): Promise<void> {
  const server = await openBenchServer(process.env, (line) => process.stderr.write(`${line}\n`));
  const db = await createScratchDatabase(server, 'late');
  try {
    const published: unknown[] = [];
    const sns = {
      send: async (c: { input: unknown }) => {
        published.push(c.input);
        return { MessageId: `m${published.length}` };
      },
    } as unknown as Pick<SNSClient, 'send'>;
    const rules = parseAlertRules(benchAlertRules());
    await loadAlertRows(db.pool, LIVE_ROWS);
    const start = (await db.pool.query<{ t: Date }>('SELECT max(logged_at) AS t FROM log_entries')).rows[0]!.t.getTime();
    const run = (minute: number): ReturnType<typeof runAlert> => runAlert({ pool: db.pool, rules, sns, topicArn: TOPIC, now: () => start + minute * 60_000 });
    await run(0);
    await run(0);
    const loaded = performance.now();
    await db.pool.query(INSERT_LATE, [new Date(start), LATE_ROWS, TEMPLATES]);
    await db.pool.query('VACUUM (ANALYZE) log_entries');
    process.stdout.write(
      `${JSON.stringify({ liveRows: LIVE_ROWS, lateRows: LATE_ROWS, templates: TEMPLATES, lateLoadSeconds: (performance.now() - loaded) / 1000 })}\n`,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    let sawLate = false;
    for (let minute = 1; minute <= MAX_RUNS; minute += 1) {
      const started = performance.now();
      const summary = await run(minute);
      const late = summary.rules.reduce((n, r) => n + r.lateEntries, 0);
      const reports = summary.rules.filter((r) => r.late === 'queued').length;
      process.stdout.write(
        `${JSON.stringify({ run: minute, ms: Math.round(performance.now() - started), lateEntriesAllRules: late, lateReports: reports, firing: summary.rules.filter((r) => r.state === 'firing').length })}\n`,
      );
      if (late > 0) sawLate = true;
      if (sawLate && late === 0 && summary.rules.every((r) => r.late !== 'pending')) break;
    }
  } finally {
    await db.drop();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
