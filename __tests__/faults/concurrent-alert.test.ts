// Four alert runs at once, in separate processes with their own pools, at the
// same scheduled time, round after round while rules change state (their
// entries are written as the runs start, so some runs see them and some do
// not). Each state change must be notified exactly once: one outbox row per
// rule per round at most, FIRING and RESOLVED alternating per rule, the last
// row agreeing with the stored state, the runs' own summaries adding up to
// the rows, and SNS receiving each row once.
//
// LOGMON_CONCURRENCY_ROUNDS raises the number of rounds (npm run soak);
// LOGMON_CONCURRENCY_SEED replays the rules' changes, and a failure names it.
import { alertEnv, spawnAlert } from '../support/children';
import type { ChildResult } from '../support/children';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { insertEntries, insertSource } from '../support/entries';
import { withSeed } from '../support/random';
import { startSnsServer } from '../support/sns-server';
import type { SnsTestServer } from '../support/sns-server';

const RUNS = 4;
const ROUNDS = Number(process.env.LOGMON_CONCURRENCY_ROUNDS ?? 6);
const SEED = Number(process.env.LOGMON_CONCURRENCY_SEED ?? Date.now() % 1_000_000);
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-alerts';
const MIN = 60_000;
const STEP_MS = 2 * MIN;
const T0 = Date.UTC(2025, 5, 2, 14, 0, 0);
const RUN_DEADLINE_MS = 30_000;
const RULE_SPECS = ['r0', 'r1', 'r2'].map((name) => ({
  name,
  levels: ['ERROR'],
  threshold: 1,
  window: '1m',
  repeatInterval: '0s',
  maxNotificationsPerHour: 1000,
  pattern: `^${name}:`,
  // r1 and r2 have one state per file: per-key state under concurrent runs
  ...(name === 'r0' ? {} : { groupBy: ['file'] }),
}));

interface Summary {
  evaluation: 'done' | 'busy';
  notifications: { queued: number; sent: number; failed: number };
}

async function finished(exited: Promise<ChildResult>): Promise<ChildResult> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`an alert run was still running after ${RUN_DEADLINE_MS} ms`)), RUN_DEADLINE_MS);
  });
  try {
    return await Promise.race([exited, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

describe('Fault: concurrent alert runs', () => {
  let db: TestDatabase;
  let sns: SnsTestServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    sns = await startSnsServer();
  });

  afterAll(async () => {
    await sns.close();
    await db.drop();
  });

  it(
    `notifies each state change exactly once when ${RUNS} runs start at once, ${ROUNDS} rounds, while rules change`,
    () =>
      withSeed(
        SEED,
        'concurrent alert runs',
        async (random) => {
          // Prepare
          const sourceIds = [await insertSource(db.pool, '/var/log/app.log'), await insertSource(db.pool, '/var/log/worker.log')];
          const env = {
            DATABASE_URL: db.url,
            ALERT_TOPIC_ARN: TOPIC,
            ALERT_RULES: JSON.stringify(RULE_SPECS),
            AWS_ENDPOINT_URL_SNS: sns.endpoint,
            AWS_MAX_ATTEMPTS: '1',
          };
          // Publishing takes a moment, so the runs' publishing overlaps too.
          await sns.setMode('slow', { delayMs: 20 });
          const rowCount = async (): Promise<number> => (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM alert_outbox')).rows[0]!.n;
          let queuedByRuns = 0;
          let evaluations = 0;
          let busy = 0;

          for (let round = 0; round < ROUNDS; round += 1) {
            // Act: four runs at once, and the rules' entries written while they start
            const now = T0 + round * STEP_MS;
            const before = await rowCount();
            const runs = Array.from({ length: RUNS }, () => spawnAlert(alertEnv({ ...env, LOGMON_TEST_NOW: String(now) })));
            // At least one rule changes in every round: with few rounds, a run of
            // rounds changing nothing would leave nothing to check.
            const picked = RULE_SPECS.map((r) => r.name).filter(() => random.chance(0.5));
            const names = picked.length > 0 ? picked : [random.pick(RULE_SPECS).name];
            await insertEntries(
              db.pool,
              names.map((name) => ({ at: now - 30_000, sourceId: random.pick(sourceIds), message: `${name}: failure in round ${round}` })),
            );
            const results = await Promise.all(runs.map((r) => finished(r.exited)));

            // Assess after every round
            for (const r of results) expect({ round, code: r.code, stderr: r.stderr }).toEqual({ round, code: 0, stderr: '' });
            const summaries = results.map((r) => JSON.parse(r.stdout.trim().split('\n').pop()!) as Summary);
            for (const s of summaries) expect({ round, failed: s.notifications.failed }).toEqual({ round, failed: 0 });
            queuedByRuns += summaries.reduce((n, s) => n + s.notifications.queued, 0);
            evaluations += summaries.filter((s) => s.evaluation === 'done').length;
            busy += summaries.filter((s) => s.evaluation === 'busy').length;
            const created = await db.pool.query<{ rule_name: string; n: number }>(
              'SELECT rule_name, group_key, count(*)::int AS n FROM alert_outbox WHERE id > $1 GROUP BY rule_name, group_key HAVING count(*) > 1',
              [before],
            );
            expect({ round, rulesNotifiedTwice: created.rows }).toEqual({ round, rulesNotifiedTwice: [] });
            const states = await db.pool.query<{ rule_name: string; state: string; last_kind: string | null }>(
              `SELECT s.rule_name || s.group_key AS rule_name, s.state,
           (SELECT o.kind FROM alert_outbox o WHERE o.rule_name = s.rule_name AND o.group_key = s.group_key ORDER BY o.id DESC LIMIT 1) AS last_kind
         FROM alert_state s
         WHERE s.group_key <> '' OR NOT (s.rule ? 'groupBy') OR s.rule->'groupBy' = '[]'::jsonb
         ORDER BY 1`,
            );
            for (const s of states.rows) {
              expect({ round, rule: s.rule_name, state: s.state, lastNotified: s.last_kind }).toEqual({
                round,
                rule: s.rule_name,
                state: s.state,
                lastNotified: s.state === 'firing' ? 'firing' : s.last_kind === null ? null : 'resolved',
              });
            }
          }

          // Assess
          const rows = (
            await db.pool.query<{ id: number; rule_name: string; kind: string; subject: string; body: string; sent: boolean }>(
              'SELECT id::int AS id, rule_name, kind, subject, body, sent_at IS NOT NULL AS sent FROM alert_outbox ORDER BY id',
            )
          ).rows;
          expect(rows.length).toBeGreaterThan(0);
          expect(queuedByRuns).toBe(rows.length);
          expect(evaluations).toBeGreaterThanOrEqual(ROUNDS);
          // each rule's (each key's) notifications alternate FIRING, RESOLVED
          const keys = (await db.pool.query<{ rule_name: string; group_key: string }>('SELECT DISTINCT rule_name, group_key FROM alert_outbox ORDER BY 1, 2'))
            .rows;
          for (const { rule_name: name, group_key: key } of keys) {
            const kinds = (
              await db.pool.query<{ kind: string }>('SELECT kind FROM alert_outbox WHERE rule_name = $1 AND group_key = $2 ORDER BY id', [name, key])
            ).rows.map((r) => r.kind);
            expect({ rule: name, key, kinds }).toEqual({ rule: name, key, kinds: kinds.map((_, i) => (i % 2 === 0 ? 'firing' : 'resolved')) });
          }
          expect(rows.every((r) => r.sent)).toBe(true);
          const received = sns.messages.map((m) => `${m.subject}\n\n${m.message}`).sort();
          expect(received).toEqual(rows.map((r) => `${r.subject}\n\n${r.body}`).sort());
          process.stdout.write(
            `[concurrent alert] seed ${SEED}: ${ROUNDS} rounds of ${RUNS} runs, ${rows.length} notifications, ${evaluations} runs evaluated, ${busy} found the evaluation lock taken\n`,
          );
        },
        `LOGMON_CONCURRENCY_SEED=${SEED} LOGMON_CONCURRENCY_ROUNDS=${ROUNDS} npx jest __tests__/faults/concurrent-alert.test.ts`,
      ),
    30_000 + ROUNDS * 5_000,
  );
});
