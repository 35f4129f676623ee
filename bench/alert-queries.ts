// How long the alert job's window counts take on a large log_entries:
// `tsx bench/alert-queries.ts [rows] [hours]` (default 10 million over 24 h,
// ~7,000 a minute: a very bad day) starts a throwaway embedded PostgreSQL
// (or uses DATABASE_URL), fills it with `rows` entries spread evenly over the
// last `hours`, then times one evaluation's counts for 20 rules, and whole
// runAlert calls with an SNS client that accepts everything.
import crypto from 'node:crypto';
import type { SNSClient } from '@aws-sdk/client-sns';
import { runAlert } from '../lib/alert';
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
    const now = Date.now();
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
  } finally {
    await pool.end();
    await embedded?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
