import fs from 'node:fs';
import path from 'node:path';
import { addSilence, silenceSpec } from '../../lib/alert/silences';
import { readIngestConfig } from '../../lib/ingest/config';
import { runIngest } from '../../lib/ingest/ingest';
import type { TestDatabase } from './database';

// What the dashboard tests show: real files ingested by runIngest (one with a
// hostile name that is not UTF-8), rule states, notifications and a silence
// written as the alert job and `npm run silence` write them, and text from
// logs that tries to become markup.

/** A message that is markup, quotes and an attribute break-out. */
export const HOSTILE_MESSAGE = `<script>window.__pwned=1</script> "q" 'a' & <img src=x onerror="window.__pwned=2"> payment failed for order 1234`;
/** A file name with markup, quotes, a newline and a byte that is not UTF-8 (0xff). */
export const HOSTILE_FILE_BYTES = Buffer.concat([Buffer.from('evil<b>"\'\nname'), Buffer.from([0xff]), Buffer.from('.log')]);
/** How the dashboard shows that name: on one line, the byte as \xff. */
export const HOSTILE_FILE_SHOWN = 'evil<b>"\'?name\\xff.log';
export const HOSTILE_SUBJECT = '[logmon] FIRING <script>alert(1)</script> error-burst';
export const HOSTILE_COMMENT = '<b>deploy</b> "window"';

/** The rules of the tests: their thresholds are drawn on the chart (5 in 5m = 1/min, 3 in 1m = 3/min). */
export const DASHBOARD_RULES = [
  { name: 'error-burst', threshold: 5, window: '5m' },
  { name: 'per-service', threshold: 3, window: '1m', groupBy: ['service'] },
];

const MIN = 60_000;
const stamp = (at: number): string => new Date(at).toISOString().slice(0, 19).replace('T', ' ');

export interface SeededDashboard {
  dir: string;
  /** When the newest entry was logged. */
  lastAt: number;
  silenceId: string;
}

/**
 * Files written and ingested in `dir` (entries over the last 30 minutes
 * before `now`), then states, notifications and a silence.
 */
export async function seedDashboard(db: TestDatabase, dir: string, now: number): Promise<SeededDashboard> {
  const lines: string[] = [];
  const hostile: string[] = [];
  for (let m = 29; m >= 0; m -= 1) {
    const at = now - m * MIN - 30_000;
    const count = m < 5 ? 4 : 1;
    for (let i = 0; i < count; i += 1) lines.push(`${stamp(at + i * 1000)} [ERROR] ${HOSTILE_MESSAGE}\n    at Checkout.pay(checkout.js:${10 + i})\n`);
    if (m % 10 === 0) hostile.push(`${stamp(at)} [FATAL] disk full on /var/lib/db (errno 28)\n`);
  }
  fs.writeFileSync(path.join(dir, 'checkout.log'), lines.join(''));
  fs.writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), HOSTILE_FILE_BYTES]), hostile.join(''));
  const config = { ...readIngestConfig({ LOG_FILES: path.join(dir, '*.log'), LOG_TIMEZONE: 'UTC' }), multilineFlushMs: 0 };
  await runIngest({ pool: db.pool, config });
  await db.pool.query(`UPDATE log_sources SET service = 'checkout', host = 'web-1' WHERE path LIKE '%checkout.log'`);
  await db.pool.query(`UPDATE log_sources SET service = '<i>svc</i>', host = 'db"1' WHERE path NOT LIKE '%checkout.log'`);

  await db.pool.query(
    `INSERT INTO alert_state (rule_name, group_key, labels, state, state_since, firing_since, last_count, last_evaluated_at)
     VALUES ('error-burst', '', '{}', 'firing', $1, $1, 16, $2), ('per-service', '["<i>svc</i>"]', '{"service":"<i>svc</i>"}', 'pending', $1, NULL, 2, $2)`,
    [new Date(now - 4 * MIN), new Date(now)],
  );
  await db.pool.query(
    `INSERT INTO alert_outbox (rule_name, group_key, kind, subject, body, created_at, sent_at, attempts)
     VALUES ('error-burst', '', 'firing', $1, 'body', $2, $2, 1), ('error-burst', '', 'resolved', '[logmon] RESOLVED error-burst', 'body', $3, $3, 1),
            ('per-service', '["<i>svc</i>"]', 'firing', '[logmon] FIRING per-service <i>svc</i>', 'body', $4, NULL, 2)`,
    [HOSTILE_SUBJECT, new Date(now - 4 * MIN), new Date(now - 20 * MIN), new Date(now - 2 * MIN)],
  );
  const silenceId = await addSilence(
    db.pool,
    silenceSpec({ rule: 'per-service', labels: { service: '<i>svc</i>' }, for: '2h', comment: HOSTILE_COMMENT, createdBy: 'tester' }, now),
  );
  return { dir, lastAt: now - 30_000 + 3000, silenceId };
}
