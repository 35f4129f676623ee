// SNS unavailable while the alert job owes notifications: refused
// connections, connections reset without an answer, HTTP 500, throttling
// (HTTP 400 with the Throttling code), refused credentials (HTTP 403), an
// answer slower than ALERT_SNS_TIMEOUT_MS, and a message SNS refuses. Each run must
// return normally with the failure in its summary, keep every notification in
// the outbox with its attempts and error, and stop publishing when SNS itself
// is unavailable; once SNS is back, each owed notification goes out exactly
// once, in order per rule.
import { PublishCommand } from '@aws-sdk/client-sns';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { runAlert } from '../../lib/alert/alert';
import type { AlertSummary } from '../../lib/alert/alert';
import { parseAlertRules } from '../../lib/alert/rules';
import type { AlertRule } from '../../lib/alert/rules';
import { createSnsClient } from '../../lib/alert/sns-client';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { insertEntries, insertSource } from '../support/entries';
import { startSnsServer } from '../support/sns-server';
import type { SnsServerMode, SnsTestServer } from '../support/sns-server';
import { fakeContext } from '../support/lambda';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-alerts';
const MIN = 60_000;
const T0 = Date.UTC(2025, 2, 3, 9, 0, 0);
const RULE_NAMES = ['a', 'b', 'c'];

interface OutboxRow {
  id: number;
  rule: string;
  kind: string;
  sent: boolean;
  attempts: number;
  last_error: string | null;
}

/** One rule per name, counting the ERROR lines that start with `<name>:`. */
function makeRules(): AlertRule[] {
  return parseAlertRules(
    RULE_NAMES.map((name) => ({ name, levels: ['ERROR'], threshold: 1, window: '1m', repeatInterval: '0s', keepFiringFor: '0s', pattern: `^${name}:` })),
  );
}

describe('Fault: SNS unavailable while notifications are owed', () => {
  let db: TestDatabase;
  let sns: SnsTestServer;
  let client: SNSClient;
  let sourceId: number;
  const rules = makeRules();

  // Threshold rules only (no ingest runs here): the health rules under an SNS outage are in alert-health.test.ts.
  const alert = (at: number): Promise<AlertSummary> => runAlert({ pool: db.pool, rules, health: [], sns: client, topicArn: TOPIC, now: () => at });
  /** One ERROR 30 s before `at` for each named rule. */
  const errorsFor = (names: string[], at: number): Promise<void> =>
    insertEntries(
      db.pool,
      names.map((name) => ({ at: at - 30_000, sourceId, message: `${name}: boom at ${new Date(at).toISOString()}` })),
    );
  const outbox = async (): Promise<OutboxRow[]> =>
    (
      await db.pool.query<OutboxRow>(
        'SELECT id::int AS id, rule_name AS rule, kind, sent_at IS NOT NULL AS sent, attempts, last_error FROM alert_outbox ORDER BY id',
      )
    ).rows;
  /** Received messages as "rule kind", in order. */
  const received = (): string[] => sns.messages.map((m) => `${m.attributes.rule?.value} ${m.attributes.kind?.value}`);

  // One database for the file, emptied before each test (creating one per test costs more than the tests).
  beforeAll(async () => {
    db = await createTestDatabase();
    sourceId = await insertSource(db.pool, '/var/log/app.log');
  });

  afterAll(async () => {
    await db.drop();
  });

  beforeEach(async () => {
    await db.pool.query('TRUNCATE alert_outbox, alert_state, log_entries RESTART IDENTITY');
    sns = await startSnsServer();
  });

  afterEach(async () => {
    client?.destroy();
    await sns.close();
  });

  it.each<[SnsServerMode, RegExp]>([
    ['down', /connect ECONNREFUSED 127\.0\.0\.1:\d+/],
    ['reset', /socket hang up|ECONNRESET/],
    ['failing', /injected failure/],
    ['throttling', /Rate exceeded/],
    ['forbidden', /The security token included in the request is invalid/],
  ])('keeps every notification while SNS is %s, reports it without throwing, and sends each once, in order, on recovery', async (mode, reason) => {
    // Prepare
    client = createSnsClient({ topicArn: TOPIC, timeoutMs: 2000, endpoint: sns.endpoint, maxAttempts: 2 });
    await sns.setMode(mode);

    // Act: all three rules fire, then b and c resolve, while SNS is unavailable
    await errorsFor(['a', 'b', 'c'], T0);
    const fired = await alert(T0);
    await errorsFor(['a'], T0 + 2 * MIN);
    const resolved = await alert(T0 + 2 * MIN);
    const kept = await outbox();

    // Assess: each run stopped at its first failure (SNS itself is unavailable) and said so
    expect(fired.notifications).toMatchObject({ queued: 3, sent: 0, failed: 1, pending: 3 });
    expect(resolved.notifications).toMatchObject({ queued: 2, sent: 0, failed: 1, pending: 5 });
    for (const summary of [fired, resolved]) {
      expect(summary.notifications.failures).toEqual([
        { outboxId: kept[0]!.id, rule: 'a', error: expect.stringMatching(/^SNS did not accept outbox row \d+ \(rule "a", firing\): /) },
      ]);
      expect(summary.notifications.failures[0]!.error).toMatch(reason);
    }
    expect(kept.map((r) => `${r.rule} ${r.kind} sent=${r.sent} attempts=${r.attempts}`)).toEqual([
      'a firing sent=false attempts=2',
      'b firing sent=false attempts=0',
      'c firing sent=false attempts=0',
      'b resolved sent=false attempts=0',
      'c resolved sent=false attempts=0',
    ]);
    expect(kept[0]!.last_error).toMatch(reason);
    expect(sns.messages).toEqual([]);

    // Act: SNS is back; a stays firing, then resolves
    await sns.setMode('up');
    await errorsFor(['a'], T0 + 4 * MIN);
    const recovered = await alert(T0 + 4 * MIN);
    const last = await alert(T0 + 6 * MIN);
    const quiet = await alert(T0 + 7 * MIN);

    // Assess: each owed notification exactly once, in order per rule
    expect(recovered.notifications).toMatchObject({ queued: 0, sent: 5, failed: 0, pending: 0, failures: [] });
    expect(last.notifications).toMatchObject({ queued: 1, sent: 1, pending: 0 });
    expect(quiet.notifications).toMatchObject({ queued: 0, sent: 0, pending: 0 });
    expect(received()).toEqual(['a firing', 'b firing', 'c firing', 'b resolved', 'c resolved', 'a resolved']);
    expect((await outbox()).every((r) => r.sent && r.last_error === null)).toBe(true);
  });

  it('holds back only the rule whose message SNS refuses (HTTP 400), and delivers the others', async () => {
    client = createSnsClient({ topicArn: TOPIC, timeoutMs: 2000, endpoint: sns.endpoint, maxAttempts: 2 });
    await sns.setMode('rejecting', { rejectIf: (m) => m.attributes.rule?.value === 'b' });

    await errorsFor(['a', 'b', 'c'], T0);
    const fired = await alert(T0);
    const resolved = await alert(T0 + 2 * MIN);

    expect(fired.notifications).toMatchObject({ queued: 3, sent: 2, failed: 1, pending: 1 });
    expect(fired.notifications.failures[0]!.error).toMatch(/\(rule "b", firing\): Invalid parameter: Message/);
    expect(resolved.notifications).toMatchObject({ queued: 3, sent: 2, failed: 1, pending: 2 });
    // b's RESOLVED waits behind its refused FIRING: never sent out of order
    expect(received()).toEqual(['a firing', 'c firing', 'a resolved', 'c resolved']);
    expect(sns.requests).toBe(6);

    await sns.setMode('up');
    await alert(T0 + 3 * MIN);
    expect(received()).toEqual(['a firing', 'c firing', 'a resolved', 'c resolved', 'b firing', 'b resolved']);
  });

  it('sends a message SNS took after the time limit once more per run, never again within a run (the in-flight case)', async () => {
    // Prepare: SNS records each message, then answers after the client gave up
    client = createSnsClient({ topicArn: TOPIC, timeoutMs: 200, endpoint: sns.endpoint, maxAttempts: 3 });
    await sns.setMode('slow', { delayMs: 1500 });
    await errorsFor(['a', 'b'], T0);

    // Act
    const slow = await alert(T0);
    const copiesAfterOneRun = received();
    const stillSlow = await alert(T0 + 20_000);
    const copiesAfterTwoRuns = received();
    await sns.setMode('up');
    const recovered = await alert(T0 + 25_000);

    // Assess: one copy per run that timed out, none from the SDK's retries, then the delivery
    for (const summary of [slow, stillSlow]) {
      expect(summary.notifications).toMatchObject({ sent: 0, failed: 1, pending: 2 });
      expect(summary.notifications.failures[0]!.error).toMatch(/\(rule "a", firing\): .*exceeded the configured 200 ms requestTimeout/);
    }
    expect(copiesAfterOneRun).toEqual(['a firing']);
    expect(copiesAfterTwoRuns).toEqual(['a firing', 'a firing']);
    expect(recovered.notifications).toMatchObject({ sent: 2, failed: 0, pending: 0 });
    expect(received()).toEqual(['a firing', 'a firing', 'a firing', 'b firing']);
    expect((await outbox()).map((r) => `${r.rule} attempts=${r.attempts}`)).toEqual(['a attempts=3', 'b attempts=1']);
  });

  it.each<SnsServerMode>(['taken-then-failing', 'taken-then-reset'])(
    'adds at most one copy per failed run when SNS is %s (no retry within a run)',
    async (mode) => {
      // Prepare: the SDK would retry three times
      client = createSnsClient({ topicArn: TOPIC, timeoutMs: 2000, endpoint: sns.endpoint, maxAttempts: 3 });
      await sns.setMode(mode);
      await errorsFor(['a'], T0);

      // Act: three failed runs, then SNS answers again
      const failed = [await alert(T0), await alert(T0 + 20_000), await alert(T0 + 40_000)];
      await sns.setMode('up');
      const recovered = await alert(T0 + 50_000);

      // Assess: one copy per failed run, one delivery
      for (const summary of failed) expect(summary.notifications).toMatchObject({ sent: 0, failed: 1 });
      expect(recovered.notifications).toMatchObject({ failed: 0, pending: 0 });
      expect(received().filter((m) => m === 'a firing')).toEqual(['a firing', 'a firing', 'a firing', 'a firing']);
      expect(sns.requests).toBe(3 + recovered.notifications.sent);
    },
  );

  describe('Function: createSnsClient', () => {
    it.each<[SnsServerMode, number, number]>([
      ['down', 2, 0],
      ['reset', 1, 0],
      ['failing', 1, 0],
      ['throttling', 2, 0],
      ['rejecting', 1, 0],
      ['forbidden', 1, 0],
      ['slow', 1, 1],
      ['taken-then-failing', 1, 1],
      ['taken-then-reset', 1, 1],
    ])(
      'when SNS is %s, makes %i attempt(s) per publish (a retry only where SNS surely did not take it), and SNS takes %i copies',
      async (mode, attempts, copies) => {
        // Prepare: a fresh client, so no kept-alive connection is reused
        client = createSnsClient({ topicArn: TOPIC, timeoutMs: 200, endpoint: sns.endpoint }, { AWS_MAX_ATTEMPTS: '2' });
        await sns.setMode(mode, { delayMs: 1000 });

        // Act
        const error = await client.send(new PublishCommand({ TopicArn: TOPIC, Message: 'one message' })).then(
          () => null,
          (err: { $metadata?: { attempts?: number } }) => err,
        );

        // Assess
        expect(error?.$metadata?.attempts).toBe(attempts);
        expect(sns.messages).toHaveLength(copies);
      },
    );
  });

  describe('Handler: alert', () => {
    const savedEnv = { ...process.env };
    afterEach(() => {
      process.env = { ...savedEnv };
    });

    it.each<SnsServerMode>(['down', 'reset', 'failing', 'throttling', 'forbidden', 'slow'])(
      'returns its summary, not an error, when SNS is %s',
      async (mode) => {
        // Prepare
        Object.assign(process.env, {
          DATABASE_URL: db.url,
          ALERT_TOPIC_ARN: TOPIC,
          AWS_ENDPOINT_URL_SNS: sns.endpoint,
          AWS_MAX_ATTEMPTS: '1',
          ALERT_SNS_TIMEOUT_MS: '200',
          ALERT_RULES: JSON.stringify([{ name: 'a', levels: ['ERROR'], threshold: 1, window: '5m' }]),
        });
        let handler: ((event: unknown, context: Context) => Promise<AlertSummary>) | undefined;
        jest.isolateModules(() => {
          handler = require('../../handlers/alert').handler;
        });
        await insertEntries(db.pool, [{ at: Date.now() - 30_000, sourceId, message: 'a: boom' }]);
        await sns.setMode(mode, { delayMs: 1000 });

        // Act
        const summary = await handler!({}, fakeContext());

        // Assess
        expect(summary.notifications).toMatchObject({ queued: 1, sent: 0, failed: 1, pending: 1 });
        expect(summary.notifications.failures[0]!.error).toMatch(/^SNS did not accept outbox row \d+ \(rule "a", firing\): ./);
      },
    );
  });
});
