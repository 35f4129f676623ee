// kill -9 during alert publishing: a child process runs the alert job (the
// same runAlert as the Lambda handler) over a database that owes several
// notifications, with the local SNS endpoint answering each publish slowly so
// that most kills land while a message is in flight; it is killed with
// SIGKILL at a random moment, trial after trial, while rules keep changing
// state. After every kill and after a final clean run, the messages SNS
// received are matched to outbox rows (by subject and body, unique per row):
// every row is received at least once, and a row is received more than once
// only as the one message in flight at a kill (received, sent_at not yet
// committed), at most one per kill. Nothing else repeats, nothing is lost,
// and each rule's notifications arrive in order.
//
// LOGMON_ALERT_KILL_TRIALS raises the number of kills (npm run soak);
// LOGMON_ALERT_KILL_SEED replays the rules' changes (kill moments depend on the machine).
import type { SNSClient } from '@aws-sdk/client-sns';
import { runAlert } from '../../lib/alert/alert';
import { parseAlertRules } from '../../lib/alert/rules';
import type { AlertRule } from '../../lib/alert/rules';
import { createSnsClient } from '../../lib/alert/sns-client';
import { alertEnv, runAlertChild, sleep, spawnAlert } from '../support/children';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { insertEntries, insertSource } from '../support/entries';
import { withSeed } from '../support/random';
import type { Random } from '../support/random';
import { startSnsServer } from '../support/sns-server';
import type { SnsTestServer } from '../support/sns-server';

const TRIALS = Number(process.env.LOGMON_ALERT_KILL_TRIALS ?? 25);
const SEED = Number(process.env.LOGMON_ALERT_KILL_SEED ?? Date.now() % 1_000_000);
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-alerts';
const MIN = 60_000;
/** Each run is two minutes after the last: a 1m window holds only its own step's entries. */
const STEP_MS = 2 * MIN;
const T0 = Date.UTC(2025, 4, 5, 8, 0, 0);
const RULE_COUNT = 6;
const BACKLOG_STEPS = 8;
/** SNS takes each message at once and answers this much later: publishing is most of a run. */
const SNS_DELAY_MS = 30;
const FINAL_RUNS_MAX = 3;
const BACKEND_GONE_MS = 10_000;

interface Row {
  id: number;
  rule: string;
  key: string;
  sent: boolean;
  messageId: string | null;
}

type Landing = 'before-publishing' | 'in-flight' | 'between-messages' | 'completed';

const RULE_SPECS = Array.from({ length: RULE_COUNT }, (_, i) => ({
  name: `r${i}`,
  levels: ['ERROR'],
  threshold: 1,
  window: '1m',
  repeatInterval: '0s',
  maxNotificationsPerHour: 1000,
  pattern: `^r${i}:`,
  // every other rule has one state per file: per-key rows are published under kills as well
  ...(i % 2 === 1 ? { groupBy: ['file'] } : {}),
}));

const keyOf = (subject: string, body: string): string => `${subject}\n\n${body}`;

describe('Fault: kill -9 during alert publishing', () => {
  let db: TestDatabase;
  let sns: SnsTestServer;
  let sourceIds: number[];

  beforeAll(async () => {
    db = await createTestDatabase();
    sns = await startSnsServer();
    sourceIds = [await insertSource(db.pool, '/var/log/app.log'), await insertSource(db.pool, '/var/log/worker.log')];
  });

  afterAll(async () => {
    await sns.close();
    await db.drop();
  });

  /** Each rule changes state with probability 1/2: an ERROR for it 30 s before `at`, or none. */
  const changeRules = async (random: Random, at: number): Promise<void> => {
    const names = RULE_SPECS.map((r) => r.name).filter(() => random.chance(0.5));
    await insertEntries(
      db.pool,
      names.map((name) => ({ at: at - 30_000, sourceId: random.pick(sourceIds), message: `${name}: failure at ${new Date(at).toISOString()}` })),
    );
  };

  const readRows = async (): Promise<Row[]> =>
    (
      await db.pool.query<{ id: number; rule_name: string; subject: string; body: string; sent: boolean; message_id: string | null }>(
        'SELECT id::int AS id, rule_name, subject, body, sent_at IS NOT NULL AS sent, message_id FROM alert_outbox ORDER BY id',
      )
    ).rows.map((r) => ({ id: r.id, rule: r.rule_name, key: keyOf(r.subject, r.body), sent: r.sent, messageId: r.message_id }));

  const copiesByKey = (): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const m of sns.messages) counts.set(keyOf(m.subject, m.message), (counts.get(keyOf(m.subject, m.message)) ?? 0) + 1);
    return counts;
  };

  /** Wait until the killed run's session has ended: its transaction is rolled back and its row lock released. */
  const waitForDeadSession = async (): Promise<void> => {
    const deadline = Date.now() + BACKEND_GONE_MS;
    for (;;) {
      const busy = await db.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'",
      );
      if (busy.rows[0]!.n === 0) return;
      if (Date.now() > deadline) throw new Error(`a killed run's session was still open after ${BACKEND_GONE_MS} ms`);
      await sleep(5);
    }
  };

  it(
    `receives every owed notification, repeating only the one in flight at each of ${TRIALS} SIGKILLs, after a clean run`,
    () =>
      withSeed(
        SEED,
        'alert kill -9 trials',
        async (random) => {
          // Prepare: a backlog owed while SNS was down (queued by runs in this process)
          const rules: AlertRule[] = parseAlertRules(RULE_SPECS);
          const env = {
            DATABASE_URL: db.url,
            ALERT_TOPIC_ARN: TOPIC,
            ALERT_RULES: JSON.stringify(RULE_SPECS),
            AWS_ENDPOINT_URL_SNS: sns.endpoint,
            AWS_MAX_ATTEMPTS: '1',
            ALERT_SNS_TIMEOUT_MS: '10000',
          };
          await sns.setMode('down');
          const downClient: SNSClient = createSnsClient({ topicArn: TOPIC, timeoutMs: 1000, endpoint: sns.endpoint, maxAttempts: 1 });
          let step = 0;
          for (; step < BACKLOG_STEPS; step += 1) {
            await changeRules(random, T0 + step * STEP_MS);
            await runAlert({ pool: db.pool, rules, sns: downClient, topicArn: TOPIC, now: () => T0 + step * STEP_MS });
          }
          downClient.destroy();
          const backlog = (await readRows()).length;
          await sns.setMode('slow', { delayMs: SNS_DELAY_MS });

          const inFlightKills = new Map<number, number>();
          const landings: Record<Landing, number> = { 'before-publishing': 0, 'in-flight': 0, 'between-messages': 0, completed: 0 };
          // Kill window: shrinks when runs finish first, grows when kills land before any publish.
          let windowMs = 300;
          let previous = new Map<string, number>();
          let sentBefore = 0;
          const started = Date.now();

          /** Every received message is a row's; a row's copies are its delivery (if committed) plus its in-flight kills. */
          const expectCopiesAccountedFor = (rows: Row[], copies: Map<string, number>, context: Record<string, unknown>): void => {
            const keys = new Set(rows.map((r) => r.key));
            expect({ ...context, unknownMessages: [...copies.keys()].filter((k) => !keys.has(k)).length }).toEqual({ ...context, unknownMessages: 0 });
            const mismatches = rows
              .filter((r) => (copies.get(r.key) ?? 0) !== (r.sent ? 1 : 0) + (inFlightKills.get(r.id) ?? 0))
              .map((r) => ({ id: r.id, copies: copies.get(r.key) ?? 0, sent: r.sent, inFlightKills: inFlightKills.get(r.id) ?? 0 }));
            expect({ ...context, mismatches }).toEqual({ ...context, mismatches: [] });
          };

          // Act + Assess after every kill
          for (let trial = 0; trial < TRIALS; trial += 1, step += 1) {
            const now = T0 + step * STEP_MS;
            await changeRules(random, now);
            const run = spawnAlert(alertEnv({ ...env, LOGMON_TEST_NOW: String(now) }));
            await run.waitForLine('ready');
            await sleep(random.next() * windowMs);
            run.child.kill('SIGKILL');
            const result = await run.exited;
            if (result.signal !== 'SIGKILL') expect({ trial, code: result.code, stderr: result.stderr }).toMatchObject({ trial, code: 0 });
            await waitForDeadSession();

            const rows = await readRows();
            const copies = copiesByKey();
            const inFlight = rows.filter((r) => !r.sent && (copies.get(r.key) ?? 0) > (previous.get(r.key) ?? 0));
            expect({ trial, inFlight: inFlight.length > 1 ? inFlight.map((r) => r.id) : 'at most one' }).toEqual({ trial, inFlight: 'at most one' });
            for (const r of inFlight) inFlightKills.set(r.id, (inFlightKills.get(r.id) ?? 0) + 1);
            expectCopiesAccountedFor(rows, copies, { trial });

            const sent = rows.filter((r) => r.sent).length;
            if (result.signal !== 'SIGKILL') {
              landings.completed += 1;
              windowMs *= 0.8;
            } else if (inFlight.length === 1) {
              landings['in-flight'] += 1;
            } else if (sent === sentBefore) {
              landings['before-publishing'] += 1;
              windowMs *= 1.25;
            } else {
              landings['between-messages'] += 1;
            }
            sentBefore = sent;
            previous = copies;
          }

          // A clean run (or two, should a rule's row still be held for a moment)
          await sns.setMode('up');
          let finalRuns = 0;
          for (; finalRuns < FINAL_RUNS_MAX; step += 1) {
            const summary = await runAlertChild<{ notifications: { pending: number } }>(alertEnv({ ...env, LOGMON_TEST_NOW: String(T0 + step * STEP_MS) }));
            finalRuns += 1;
            if (summary.notifications.pending === 0) break;
          }

          // Assess
          const rows = await readRows();
          const copies = copiesByKey();
          expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
          expect(rows.filter((r) => !r.sent).map((r) => r.id)).toEqual([]);
          expectCopiesAccountedFor(rows, copies, { final: true });
          const duplicates = rows.reduce((n, r) => n + (copies.get(r.key) ?? 0) - 1, 0);
          expect(duplicates).toBe(landings['in-flight']);
          // the row's recorded message id is the copy SNS took last, from the run that committed it
          for (const r of rows) expect(r.messageId).toBe(sns.messages.filter((m) => keyOf(m.subject, m.message) === r.key).pop()!.messageId);
          // each rule's notifications arrive in order (first copies by outbox id)
          const idByKey = new Map(rows.map((r) => [r.key, r.id]));
          const firstSeen: number[] = [];
          for (const m of sns.messages) {
            const id = idByKey.get(keyOf(m.subject, m.message))!;
            if (!firstSeen.includes(id)) firstSeen.push(id);
          }
          for (const { name } of RULE_SPECS) {
            const ids = firstSeen.filter((id) => rows.find((r) => r.id === id)!.rule === name);
            expect(ids).toEqual([...ids].sort((a, b) => a - b));
          }
          // the kills did land mid-publish
          expect(landings['in-flight']).toBeGreaterThan(0);
          process.stdout.write(
            `[kill -9 alert] seed ${SEED}: ${TRIALS} kills (${Object.entries(landings)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')}), ` +
              `${rows.length} notifications (${backlog} owed at the start), ${sns.messages.length} received, ${duplicates} extra copies, ` +
              `kill window ${Math.round(windowMs)} ms, ${finalRuns} final run(s), ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
          );
        },
        `LOGMON_ALERT_KILL_SEED=${SEED} LOGMON_ALERT_KILL_TRIALS=${TRIALS} npx jest __tests__/faults/kill-alert.test.ts`,
      ),
    60_000 + TRIALS * 3_000,
  );
});
