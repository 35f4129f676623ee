// How long the alert job's window counts take on a large log_entries:
// `tsx bench/alert-queries.ts [rows] [hours]` (default 10 million over 24 h,
// ~7,000 a minute: a very bad day) starts a throwaway embedded PostgreSQL
// (or uses DATABASE_URL), fills it with `rows` entries spread evenly over the
// last `hours`, then times one evaluation's counts for 20 rules, and whole
// runAlert calls with an SNS client that accepts everything. Then the steady
// state: before each run, one minute's new entries (busy: the table's rate;
// quiet: 10), logged 30 to 90 s before the run and committed after the
// previous one, so every run also looks at the windows around them; each
// minute is also timed with the current windows only, for comparison.
import crypto from 'node:crypto';
import type { SNSClient } from '@aws-sdk/client-sns';
import { runAlert } from '../lib/alert';
import type { AlertSummary } from '../lib/alert';
import { parseAlertRules } from '../lib/alert-rules';
import { createPool } from '../lib/db';
import { migrate } from '../lib/migrations';
import { countWindow } from '../lib/rule-window';
import { makeTempBaseDir, startEmbeddedPostgres } from '../scripts/embedded-db.mjs';

const ROWS = Number(process.argv[2] ?? 10_000_000);
const SPAN_HOURS = Number(process.argv[3] ?? 24);
const WINDOWS = ['1m', '5m', '5m', '10m', '15m'];

const RULES = parseAlertRules(
  Array.from({ length: 20 }, (_, i) => ({
    name: `rule-${i}`,
    levels: i % 3 === 0 ? ['FATAL'] : ['ERROR', 'FATAL'],
    threshold: 100,
    window: WINDOWS[i % WINDOWS.length],
    ...(i % 4 === 1 ? { pattern: 'timeout|refused' } : {}),
    ...(i % 5 === 2 ? { source: '/var/log/app-3*.log' } : {}),
  })),
);

async function main(): Promise<void> {
  const embedded = process.env.DATABASE_URL
    ? null
    : await startEmbeddedPostgres({ baseDir: makeTempBaseDir('logmon-bench-'), persistent: false, postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'max_wal_size=4GB'] });
  const url = process.env.DATABASE_URL ?? embedded!.url;
  const pool = createPool(url, 3);
  try {
    await migrate(pool);
    const { rows } = await pool.query('SELECT count(*) AS n FROM log_entries');
    if (Number(rows[0].n) < ROWS) {
      const started = Date.now();
      await pool.query(`INSERT INTO log_sources (path, dev, ino)
        SELECT '/var/log/app-' || i || '.log', 1, ${crypto.randomInt(1, 2 ** 40)} + i FROM generate_series(1, 10) i`);
      await pool.query(
        `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset, ingested_at)
         SELECT t, CASE WHEN i % 10 = 0 THEN 'FATAL' ELSE 'ERROR' END,
                (ARRAY['db timeout after 30s', 'connection refused', 'null pointer in handler', 'disk full'])[1 + i % 4] || ' #' || (i % 1000),
                (SELECT min(id) FROM log_sources) + i % 10, i * 80, t
         FROM generate_series(1, $1::bigint) i, LATERAL (SELECT now() - make_interval(secs => i * 3600.0 * $2 / $1) AS t) x`,
        [ROWS, SPAN_HOURS],
      );
      await pool.query('VACUUM ANALYZE log_entries');
      console.log(`inserted ${ROWS} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    if (process.env.BENCH_EXTRA_INDEX) {
      await pool.query(process.env.BENCH_EXTRA_INDEX);
      await pool.query('VACUUM ANALYZE log_entries');
    }
    if (process.env.BENCH_EXPLAIN) {
      const plan = await pool.query(`EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM log_entries e WHERE e.logged_at > now() - interval '5 minutes' AND e.logged_at <= now() AND e.level = ANY('{ERROR,FATAL}')`);
      console.log(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
    }
    // the end of the data, so a database filled earlier (DATABASE_URL) is timed the same
    const last = await pool.query<{ t: Date | null }>('SELECT max(logged_at) AS t FROM log_entries');
    const now = last.rows[0]?.t?.getTime() ?? Date.now();
    const client = await pool.connect();
    try {
      for (let round = 0; round < 5; round += 1) {
        const started = process.hrtime.bigint();
        let total = 0;
        for (const rule of RULES) total += await countWindow(client, rule, now);
        console.log(`20 window counts: ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)} ms (${total} entries counted)`);
      }
      if (process.env.BENCH_PER_RULE) {
        for (const rule of RULES) {
          const started = process.hrtime.bigint();
          const n = await countWindow(client, rule, now);
          console.log(`  ${rule.name} window ${rule.windowMs / 60000}m levels ${rule.levels} pattern ${rule.pattern} source ${rule.source}: ${n} in ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)} ms`);
        }
      }
    } finally {
      client.release();
    }
    // the first run fires the rules the data meets (exact counts for the messages); later runs are the steady state
    const accepting = { send: async () => ({ MessageId: 'bench' }) } as unknown as SNSClient;
    for (let round = 0; round < 4; round += 1) {
      const summary = await runAlert({ pool, rules: RULES, sns: accepting, topicArn: 'arn:aws:sns:us-east-1:123456789012:bench', now: () => now });
      console.log(`runAlert: ${summary.durationMs} ms, ${summary.rulesEvaluated} rules, ${summary.notifications.queued} queued`);
    }
    // Each steady-state minute is run twice on the same data: first with the
    // commit cursor held back (a safety margin of an hour: current windows
    // only, as before the windows of committed entries existed), then normally.
    const perMinute = Math.round(ROWS / (SPAN_HOURS * 60));
    const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
    let at = now;
    for (const [label, rows] of [['busy', perMinute], ['quiet', 10]] as const) {
      const without: number[] = [];
      const timed: number[] = [];
      for (let round = 0; round < 9; round += 1) {
        at += 60_000;
        await pool.query(
          `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset)
           SELECT $2::timestamptz - make_interval(secs => 30 + 60.0 * i / $1), CASE WHEN i % 10 = 0 THEN 'FATAL' ELSE 'ERROR' END,
                  (ARRAY['db timeout after 30s', 'connection refused', 'null pointer in handler', 'disk full'])[1 + i % 4] || ' #' || (i % 1000),
                  (SELECT min(id) FROM log_sources) + i % 10, i * 80
           FROM generate_series(1, $1::bigint) i`,
          [rows, new Date(at)],
        );
        const run = (commitSafetyMarginMs: number): Promise<AlertSummary> =>
          runAlert({ pool, rules: RULES, sns: accepting, topicArn: 'arn:aws:sns:us-east-1:123456789012:bench', now: () => at, commitSafetyMarginMs });
        without.push((await run(3_600_000)).durationMs);
        const summary = await run(0);
        timed.push(summary.durationMs);
        const earlier = summary.rules.filter((r) => r.windowEnd !== new Date(at).toISOString()).length;
        console.log(`runAlert, ${label} steady state (${rows} new entries a minute): ${summary.durationMs} ms (current windows only: ${without.at(-1)} ms), ${earlier} rules counted an earlier window, ${summary.notifications.queued} queued`);
      }
      console.log(`${label} steady state, median: ${median(timed)} ms (current windows only: ${median(without)} ms)`);
    }
  } finally {
    await pool.end();
    await embedded?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
