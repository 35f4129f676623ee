import type { SNSClient } from '@aws-sdk/client-sns';
import { runAlert } from '../../lib/alert';
import type { AlertDeps, AlertSummary } from '../../lib/alert';
import { parseAlertRules } from '../../lib/alert-rules';
import type { AlertRule } from '../../lib/alert-rules';
import { createPool } from '../../lib/db';
import { createSnsClient } from '../../lib/sns-client';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { burst, insertEntries, insertSource } from '../support/entries';
import { startSnsServer } from '../support/sns-server';
import type { SnsServerMode, SnsTestServer } from '../support/sns-server';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-alerts';
const MIN = 60_000;
// Far from the real clock, which the late-data tests use (ingested_at is the database's time).
const T0 = Date.UTC(2025, 0, 6, 10, 0, 0);

function makeRules(...specs: Record<string, unknown>[]): AlertRule[] {
  return parseAlertRules(specs.map((s) => ({ levels: ['ERROR', 'FATAL'], threshold: 5, window: '5m', ...s })));
}

describe('Function: runAlert', () => {
  let db: TestDatabase;
  let sns: SnsTestServer;
  let client: SNSClient;
  let sourceId: number;
  let rules: AlertRule[];

  const alert = (at: number, extra: Partial<AlertDeps> = {}): Promise<AlertSummary> =>
    runAlert({ pool: db.pool, rules, sns: client, topicArn: TOPIC, now: () => at, ...extra });
  const kinds = (): string[] => sns.messages.map((m) => m.attributes.kind?.value ?? '?');
  const outbox = async (): Promise<{ kind: string; sent: boolean; attempts: number }[]> =>
    (await db.pool.query('SELECT kind, sent_at IS NOT NULL AS sent, attempts FROM alert_outbox ORDER BY id')).rows;

  beforeEach(async () => {
    db = await createTestDatabase();
    sns = await startSnsServer();
    client = createSnsClient({ topicArn: TOPIC, timeoutMs: 2000, endpoint: sns.endpoint, maxAttempts: 1 });
    sourceId = await insertSource(db.pool, '/var/log/checkout/app.log');
    rules = makeRules({ name: 'error-burst' });
  });

  afterEach(async () => {
    client.destroy();
    await sns.close();
    await db.drop();
  });

  describe('state and notifications', () => {
    it('sends one FIRING when the threshold is met, nothing while it keeps firing, one reminder after the repeat interval, then one RESOLVED', async () => {
      // Prepare
      await insertEntries(db.pool, burst(6, T0, sourceId));

      // Act: fires
      const first = await alert(T0);

      // Assess
      expect(first.rules).toEqual([expect.objectContaining({ rule: 'error-burst', count: 6, previous: 'ok', state: 'firing', notification: 'firing' })]);
      expect(first.notifications).toMatchObject({ queued: 1, sent: 1, failed: 0, pending: 0 });
      expect(kinds()).toEqual(['firing']);

      // Act: keeps firing for 59 minutes (fresh entries every 4 minutes)
      for (let minute = 1; minute < 60; minute += 1) {
        if (minute % 4 === 0) await insertEntries(db.pool, burst(5, T0 + minute * MIN, sourceId));
        const again = await alert(T0 + minute * MIN);
        expect(again.rules[0]).toMatchObject({ state: 'firing', notification: null });
      }
      expect(kinds()).toEqual(['firing']);

      // Act: the repeat interval (1h) has passed
      await insertEntries(db.pool, burst(5, T0 + 60 * MIN, sourceId));
      await alert(T0 + 60 * MIN);
      expect(kinds()).toEqual(['firing', 'reminder']);

      // Act: the entries stop; five minutes later the window is empty
      const resolved = await alert(T0 + 66 * MIN);
      await alert(T0 + 67 * MIN);

      // Assess
      expect(resolved.rules[0]).toMatchObject({ previous: 'firing', state: 'ok', notification: 'resolved', count: 0 });
      expect(kinds()).toEqual(['firing', 'reminder', 'resolved']);
      expect(sns.messages[2]!.subject).toBe('[logmon] RESOLVED error-burst: 0 ERROR/FATAL in 5m (threshold 5), fired 1h 6m');
      expect(sns.messages[2]!.message).toContain('is RESOLVED after firing for 1h 6m.');
    });

    it('publishes subject, body and filterable attributes to the topic', async () => {
      await insertEntries(db.pool, [
        ...burst(4, T0, sourceId, { message: 'db timeout after 30s' }),
        ...burst(2, T0, sourceId, { message: 'connection refused\n  at Socket.connect', level: 'FATAL' }),
      ]);

      await alert(T0);

      const [message] = sns.messages;
      expect(message).toMatchObject({ topicArn: TOPIC, subject: '[logmon] FIRING error-burst: 6 ERROR/FATAL in 5m (threshold 5)' });
      expect(message!.attributes).toEqual({
        severity: { dataType: 'String', value: 'warning' },
        rule: { dataType: 'String', value: 'error-burst' },
        state: { dataType: 'String', value: 'firing' },
        kind: { dataType: 'String', value: 'firing' },
      });
      expect(message!.message).toContain('  4 x db timeout after 30s\n  2 x connection refused\n');
      expect(message!.message).toMatch(/2025-01-06 09:59:\d\d UTC {2}FATAL {2}\/var\/log\/checkout\/app\.log\n {4}connection refused\n {6}at Socket\.connect/);
      expect(message!.message).toContain('Window:     2025-01-06 09:55:00 UTC to 2025-01-06 10:00:00 UTC');
    });

    it('counts entries by their own timestamps, levels, file glob and message pattern', async () => {
      // Prepare
      rules = makeRules({ name: 'checkout-timeouts', levels: ['ERROR'], threshold: 3, source: '/var/log/checkout/*.log', pattern: '(?i)timeout' });
      const other = await insertSource(db.pool, '/var/log/billing/app.log');
      await insertEntries(db.pool, [
        ...burst(2, T0, sourceId, { message: 'DB Timeout' }),
        { at: T0 - 6 * MIN, sourceId, message: 'timeout, but before the window', ingestedAt: T0 },
        { at: T0 + MIN, sourceId, message: 'timeout, but after now' },
        { at: T0 - MIN, sourceId, message: 'timeout at FATAL', level: 'FATAL' },
        { at: T0 - MIN, sourceId: other, message: 'timeout in another file' },
        { at: T0 - MIN, sourceId, message: 'disk full' },
      ]);

      // Act
      const below = await alert(T0);
      await insertEntries(db.pool, [{ at: T0 - 30_000, sourceId, message: 'upstream timeout' }]);
      const met = await alert(T0);

      // Assess
      expect(below.rules[0]).toMatchObject({ count: 2, state: 'ok' });
      expect(met.rules[0]).toMatchObject({ count: 3, state: 'firing' });
      expect(kinds()).toEqual(['firing']);
    });

    it('bounds the state machine\'s count in a flood, while the notification carries the exact count', async () => {
      await db.pool.query(
        `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset, ingested_at)
         SELECT $1::timestamptz - i * interval '100 ms', 'ERROR', 'flood', $2, i, $1::timestamptz FROM generate_series(1, 1500) i`,
        [new Date(T0), sourceId],
      );

      const summary = await alert(T0);

      expect(summary.rules[0]).toMatchObject({ count: 1000, state: 'firing' });
      expect(sns.messages[0]!.subject).toBe('[logmon] FIRING error-burst: 1500 ERROR/FATAL in 5m (threshold 5)');
    });

    it('waits out the pending period and does not flap between the clear and fire thresholds', async () => {
      rules = makeRules({ name: 'error-burst', for: '2m', clearBelow: 2 });
      await insertEntries(db.pool, burst(6, T0, sourceId, {}, 4 * MIN));

      const states: string[] = [];
      for (const minute of [0, 1, 2]) states.push((await alert(T0 + minute * MIN)).rules[0]!.state);
      // the 6 entries of 09:56..10:00 leave the window one by one: 3 are left at 10:03, none at 10:06
      const hovering = await alert(T0 + 3 * MIN);
      const cleared = await alert(T0 + 6 * MIN);

      expect(states).toEqual(['pending', 'pending', 'firing']);
      expect(hovering.rules[0]).toMatchObject({ count: 3, state: 'firing', notification: null });
      expect(cleared.rules[0]).toMatchObject({ count: 0, state: 'ok', notification: 'resolved' });
      expect(kinds()).toEqual(['firing', 'resolved']);
    });

    it('keeps a flapping rule within its hourly cap, and never leaves a RESOLVED as the last word while it fires', async () => {
      rules = makeRules({ name: 'error-burst', window: '1m', threshold: 1, maxNotificationsPerHour: 4 });

      for (let minute = 0; minute < 120; minute += 1) {
        // an attacker writes one error every other minute
        if (minute % 2 === 0) await insertEntries(db.pool, [{ at: T0 + minute * MIN - 1000, sourceId }]);
        const summary = await alert(T0 + minute * MIN);
        if (minute % 2 === 0) expect(summary.rules[0]!.state).toBe('firing');
      }

      const sent = (await db.pool.query<{ created_at: Date }>('SELECT created_at FROM alert_outbox ORDER BY id')).rows.map((r) => r.created_at.getTime());
      for (const at of sent) expect(sent.filter((t) => t > at - 60 * MIN && t <= at).length).toBeLessThanOrEqual(4);
      expect(sns.messages.length).toBe(sent.length);
      expect(sent.length).toBeLessThanOrEqual(8);
    });

    it('sends a final RESOLVED for a rule removed while it fires, and forgets rules removed while OK', async () => {
      rules = makeRules({ name: 'error-burst' }, { name: 'quiet-rule', threshold: 100 });
      await insertEntries(db.pool, burst(6, T0, sourceId));
      await alert(T0);

      rules = makeRules({ name: 'something-else', threshold: 100 });
      const summary = await alert(T0 + MIN);

      expect(summary.removedRules.sort()).toEqual(['error-burst', 'quiet-rule']);
      expect(kinds()).toEqual(['firing', 'resolved']);
      expect(sns.messages[1]!.message).toContain('The rule was removed from ALERT_RULES while it was firing');
      const states = await db.pool.query('SELECT rule_name FROM alert_state ORDER BY rule_name');
      expect(states.rows.map((r) => r.rule_name)).toEqual(['something-else']);
    });
  });

  describe('delivery', () => {
    it.each<[SnsServerMode, string]>([
      ['down', 'connection refused'],
      ['reset', 'connection closed without an answer'],
      ['failing', 'HTTP 500'],
    ])('loses no notification while SNS is %s (%s), and sends each owed one exactly once on recovery', async (mode) => {
      // Prepare
      await sns.setMode(mode);
      await insertEntries(db.pool, burst(6, T0, sourceId));

      // Act: the rule fires and resolves while SNS is unavailable
      const fired = await alert(T0);
      const resolved = await alert(T0 + 10 * MIN);

      // Assess: the runs finish, report the failure, and keep both notifications
      expect(fired.notifications).toMatchObject({ queued: 1, sent: 0, failed: 1, pending: 1 });
      expect(fired.notifications.failures[0]!.error).toMatch(/SNS did not accept outbox row \d+ \(rule "error-burst", firing\)/);
      expect(resolved.notifications).toMatchObject({ queued: 1, sent: 0, failed: 1, pending: 2 });
      expect(sns.messages).toEqual([]);

      // Act: SNS is back
      await sns.setMode('up');
      const recovered = await alert(T0 + 11 * MIN);
      const after = await alert(T0 + 12 * MIN);

      // Assess: each once, in order
      expect(recovered.notifications).toMatchObject({ queued: 0, sent: 2, failed: 0, pending: 0 });
      expect(after.notifications).toMatchObject({ sent: 0, pending: 0 });
      expect(kinds()).toEqual(['firing', 'resolved']);
      expect(await outbox()).toEqual([
        { kind: 'firing', sent: true, attempts: 3 },
        { kind: 'resolved', sent: true, attempts: 1 },
      ]);
    });

    it('keeps a notification whose publish timed out, and sends it again: the in-flight message may repeat once', async () => {
      client.destroy();
      client = createSnsClient({ topicArn: TOPIC, timeoutMs: 200, endpoint: sns.endpoint, maxAttempts: 1 });
      await sns.setMode('slow', { delayMs: 10_000 });
      await insertEntries(db.pool, burst(6, T0, sourceId));

      const slow = await alert(T0);
      await sns.setMode('up');
      const retried = await alert(T0 + MIN);
      await alert(T0 + 2 * MIN);

      expect(slow.notifications).toMatchObject({ sent: 0, failed: 1, pending: 1 });
      expect(retried.notifications).toMatchObject({ sent: 1, pending: 0 });
      expect(kinds()).toEqual(['firing', 'firing']);
    });

    it('repeats only the in-flight message after a crash between publish and commit', async () => {
      await insertEntries(db.pool, burst(6, T0, sourceId));
      const crash = (): never => {
        throw new Error('injected crash after publish');
      };

      await expect(alert(T0, { hooks: { afterPublish: crash } })).rejects.toThrow('injected crash after publish');
      await alert(T0 + MIN);
      await alert(T0 + 2 * MIN);

      expect(kinds()).toEqual(['firing', 'firing']);
      expect(await outbox()).toEqual([{ kind: 'firing', sent: true, attempts: 1 }]);
    });

    it('sends one notification when two runs overlap', async () => {
      await insertEntries(db.pool, burst(6, T0, sourceId));

      const summaries = await Promise.all([alert(T0), alert(T0), alert(T0)]);

      expect(kinds()).toEqual(['firing']);
      expect(summaries.reduce((n, s) => n + s.notifications.queued, 0)).toBe(1);
    });

    it('skips evaluation while another run evaluates, and publishes nothing that run has not committed', async () => {
      await insertEntries(db.pool, burst(6, T0, sourceId));
      let overlapping: AlertSummary | undefined;

      const holder = await alert(T0, {
        hooks: {
          beforeEvaluationCommit: async () => {
            overlapping = await alert(T0);
          },
        },
      });

      expect(overlapping).toMatchObject({ evaluation: 'busy', rulesEvaluated: 0, notifications: { queued: 0, sent: 0 } });
      expect(holder).toMatchObject({ evaluation: 'done', notifications: { queued: 1, sent: 1 } });
      expect(kinds()).toEqual(['firing']);
    });

    it('does not publish a row another run is publishing', async () => {
      await insertEntries(db.pool, burst(6, T0, sourceId));
      let overlapping: AlertSummary | undefined;

      await alert(T0, {
        hooks: {
          afterPublish: async () => {
            overlapping ??= await alert(T0 + MIN);
          },
        },
      });

      expect(overlapping).toMatchObject({ evaluation: 'done', notifications: { queued: 0, sent: 0, pending: 1 } });
      expect(kinds()).toEqual(['firing']);
    });

    it('throws when the database is unreachable', async () => {
      const broken = createPool('postgres://nobody:wrong@127.0.0.1:1/none', 1);

      await expect(runAlert({ pool: broken, rules, sns: client, topicArn: TOPIC, now: () => T0 })).rejects.toThrow();
      await broken.end();
    });

    it('names the rule when PostgreSQL rejects its pattern', async () => {
      rules = makeRules({ name: 'bad-pattern', pattern: '\\p{L}' });

      await expect(alert(T0)).rejects.toThrow(/rule "bad-pattern": pattern is not a valid PostgreSQL regular expression/);
    });
  });

  describe('late data', () => {
    /** Pretend the previous run examined everything ingested up to an hour ago. */
    const rewindLateCursor = (): Promise<unknown> => db.pool.query(`UPDATE alert_cursor SET late_checked_until = now() - interval '1 hour'`);
    const dbNow = async (): Promise<number> => (await db.pool.query<{ now: Date }>('SELECT now()')).rows[0]!.now.getTime();

    it('reports entries that arrive after their window once, as LATE DATA, without changing the state', async () => {
      // Prepare: a first run starts the cursor; then a backlog from two hours ago arrives
      await alert(T0);
      await rewindLateCursor();
      const now = await dbNow();
      const arrived = now - 30_000;
      await insertEntries(db.pool, [
        ...burst(7, now - 2 * 3_600_000, sourceId, { ingestedAt: arrived, message: 'backlog error' }),
        ...burst(3, now - 3 * 3_600_000, sourceId, { ingestedAt: arrived, message: 'sparse' }),
      ]);

      // Act
      const late = await alert(T0 + MIN);
      const next = await alert(T0 + 2 * MIN);

      // Assess
      expect(late.rules[0]).toMatchObject({ state: 'ok', notification: null, lateEntries: 10, late: 'queued' });
      expect(next.rules[0]).toMatchObject({ lateEntries: 0, late: null });
      expect(kinds()).toEqual(['late']);
      expect(sns.messages[0]!.subject).toBe('[logmon] LATE DATA error-burst: 7 ERROR/FATAL within 5m in the past (threshold 5)');
      expect(sns.messages[0]!.message).toContain('  7 x backlog error\n  3 x sparse');
    });

    it('examines the entries of an ingest transaction open during a run once, after it commits', async () => {
      // Prepare: the cursor starts, then an ingest transaction writes a backlog and stays open
      const run = (at: number): Promise<AlertSummary> => alert(at, { lateSafetyMarginMs: 0 });
      await run(T0);
      const ingest = await db.pool.connect();
      try {
        await ingest.query('BEGIN');
        await ingest.query(
          `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset)
           SELECT now() - interval '2 hours' + i * interval '1 second', 'ERROR', 'backlog', $1, i FROM generate_series(1, 6) i`,
          [sourceId],
        );

        // Act
        const during = await run(T0 + MIN);
        await ingest.query('COMMIT');
        const after = await run(T0 + 2 * MIN);
        const again = await run(T0 + 3 * MIN);

        // Assess
        expect(during.rules[0]).toMatchObject({ lateEntries: 0, late: null });
        expect(after.rules[0]).toMatchObject({ lateEntries: 6, late: 'queued' });
        expect(again.rules[0]).toMatchObject({ lateEntries: 0, late: null });
        expect(kinds()).toEqual(['late']);
      } finally {
        ingest.release();
      }
    });

    it('ignores late entries below the threshold and beyond the horizon', async () => {
      await alert(T0);
      await rewindLateCursor();
      const now = await dbNow();
      await insertEntries(db.pool, [
        ...burst(4, now - 3_600_000, sourceId, { ingestedAt: now - 30_000 }),
        ...burst(9, now - 30 * 3_600_000, sourceId, { ingestedAt: now - 30_000 }),
      ]);

      const summary = await alert(T0 + MIN);

      expect(summary.rules[0]).toMatchObject({ lateEntries: 4, late: null });
      expect(kinds()).toEqual([]);
    });
  });
});
