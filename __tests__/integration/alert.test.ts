import { flat } from '../support/text';
import crypto from 'node:crypto';
import type { SNSClient } from '@aws-sdk/client-sns';
import { runAlert } from '../../lib/alert/alert';
import type { AlertDeps, AlertSummary, RuleSummary } from '../../lib/alert/alert';
import { DEFAULT_HEALTH_RULES } from '../../lib/alert/health-rules';
import { loadAlertRules, parseAlertRules } from '../../lib/alert/rules';
import type { AlertRule } from '../../lib/alert/rules';
import { createPool } from '../../lib/platform/db';
import { countWindow } from '../../lib/alert/rule-window';
import { createSnsClient } from '../../lib/alert/sns-client';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { burst, insertEntries, insertSource } from '../support/entries';
import { startSnsServer } from '../support/sns-server';
import type { SnsServerMode, SnsTestServer } from '../support/sns-server';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-alerts';
/** The one health rule about rules themselves. */
const ruleFailingOnly = DEFAULT_HEALTH_RULES.filter((r) => r.check === 'rule-failing');
const MIN = 60_000;
// The job's clock, far from the real one: only ingested_at (the commit cursor) is on the database's clock.
const T0 = Date.UTC(2025, 0, 6, 10, 0, 0);

// These tests are about counting, delivery and late data: their rules resolve as soon as the count falls
// (keepFiringFor 0s); keepFiringFor itself is tested in alert-keys-templates.test.ts and alert-evaluator.test.ts.
function makeRules(...specs: Record<string, unknown>[]): AlertRule[] {
  return parseAlertRules(specs.map((s) => ({ levels: ['ERROR', 'FATAL'], threshold: 5, window: '5m', keepFiringFor: '0s', ...s })));
}

/** A logger keeping its warnings (the rest dropped). */
function warningLogger(): { warnings: { message: string; context: unknown }[]; logger: AlertDeps['logger'] } {
  const warnings: { message: string; context: unknown }[] = [];
  const logger = {
    error: () => undefined,
    warn: (message: string, context: unknown) => warnings.push({ message, context }),
    info: () => undefined,
    debug: () => undefined,
  } as unknown as AlertDeps['logger'];
  return { warnings, logger };
}

/** A hook making the read it runs in fail (division by zero). */
async function failingRead(c: { query: (sql: string) => Promise<unknown> }): Promise<void> {
  await c.query('SELECT 1 / 0');
}

/** Rules as given, resolving as soon as the count falls. */
function noKeep(rules: AlertRule[]): AlertRule[] {
  return rules.map((r) => ({ ...r, keepFiringForMs: 0 }));
}

describe('Function: runAlert', () => {
  let db: TestDatabase;
  let sns: SnsTestServer;
  let client: SNSClient;
  let sourceId: number;
  let rules: AlertRule[];

  // Threshold rules only: the built-in health rules have their own tests (alert-health.test.ts).
  const alert = (at: number, extra: Partial<AlertDeps> = {}): Promise<AlertSummary> =>
    runAlert({ pool: db.pool, rules, health: [], sns: client, topicArn: TOPIC, now: () => at, ...extra });
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
      expect(message!.message).toContain('Top errors (by template):\n  4 x db timeout after 30s\n  2 x connection refused\n');
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

    it("bounds the state machine's count in a flood, while the notification carries the exact count", async () => {
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

    it('sends a final REMOVED notice (kind resolved) for a rule removed while it fires, and forgets rules removed while OK', async () => {
      rules = makeRules({ name: 'error-burst' }, { name: 'quiet-rule', threshold: 100 });
      await insertEntries(db.pool, burst(6, T0, sourceId));
      await alert(T0);

      rules = makeRules({ name: 'something-else', threshold: 100 });
      const summary = await alert(T0 + MIN);

      expect(summary.removedRules.sort()).toEqual(['error-burst', 'quiet-rule']);
      expect(kinds()).toEqual(['firing', 'resolved']);
      expect(sns.messages[1]!.message).toContain('The rule was removed from ALERT_RULES while it was firing');
      // not "RESOLVED": the errors may go on
      expect(sns.messages[1]!.subject).toBe('[logmon] REMOVED error-burst: rule removed while firing, no longer evaluated (fired 1m)');
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

    it('a run ingest asked for waits for the run evaluating, then evaluates what that run could not see', async () => {
      // Prepare
      let requested: Promise<AlertSummary> | undefined;
      let settled = false;
      let settledWhileHeld = true;

      // Act: while the holder evaluates, the request arrives and entries are committed behind the holder's counts
      const holder = await alert(T0, {
        hooks: {
          beforeEvaluationCommit: async () => {
            requested = alert(T0, { requested: true, commitSafetyMarginMs: 0 });
            void requested.then(() => (settled = true));
            await insertEntries(db.pool, burst(6, T0, sourceId));
            await new Promise((resolve) => setTimeout(resolve, 600));
            settledWhileHeld = settled;
          },
        },
      });
      const after = await requested!;

      // Assess
      expect(settledWhileHeld).toBe(false);
      expect(holder).toMatchObject({ evaluation: 'done', notifications: { queued: 0 } });
      expect(after).toMatchObject({ evaluation: 'done', notifications: { queued: 1, sent: 1 } });
      expect(kinds()).toEqual(['firing']);
    });

    it('a requested run evaluates again while another logmon transaction holds the watermark before what ingest committed', async () => {
      // Prepare: a logmon session's transaction opened before the entries were committed
      const other = createPool(db.url);
      const holder = await other.connect();
      await holder.query('BEGIN');
      await holder.query('SELECT 1');
      await insertEntries(db.pool, burst(6, T0, sourceId, { ingestedAt: 'now' }));

      // Act
      const requested = alert(T0, { requested: true, commitSafetyMarginMs: 0 });
      await new Promise((resolve) => setTimeout(resolve, 700));
      await holder.query('COMMIT');
      holder.release();
      const summary = await requested;
      await other.end();

      // Assess
      expect(summary).toMatchObject({ evaluation: 'done', notifications: { queued: 1, sent: 1 } });
      expect(kinds()).toEqual(['firing']);
    });

    it('a requested run gives up waiting after evaluationWaitMs, and only publishes', async () => {
      // Prepare
      let requested: AlertSummary | undefined;

      // Act
      await alert(T0, {
        hooks: {
          beforeEvaluationCommit: async () => {
            requested = await runAlert({
              pool: db.pool,
              rules,
              health: [],
              sns: client,
              topicArn: TOPIC,
              requested: true,
              commitSafetyMarginMs: 0,
              evaluationWaitMs: 500,
            });
          },
        },
      });

      // Assess
      expect(requested).toMatchObject({ evaluation: 'busy', rulesEvaluated: 0 });
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

    it('names the rule PostgreSQL rejects the pattern of, and still evaluates and fires the other rules', async () => {
      // Prepare: named groups pass JavaScript's check at start-up; PostgreSQL has none
      rules = makeRules({ name: 'bad-pattern', pattern: '(?<svc>checkout|cart) failed' }, { name: 'any-fatal', levels: ['FATAL'], threshold: 1, window: '1m' });
      await insertEntries(db.pool, [{ at: T0 - 10_000, level: 'FATAL', sourceId, message: 'kernel panic' }]);

      // Act
      const summary = await alert(T0, { health: ruleFailingOnly });

      // Assess
      expect(summary.rules.map((r) => [r.rule, r.state, r.error === null ? null : 'failed'])).toEqual([
        ['bad-pattern', 'ok', 'failed'],
        ['any-fatal', 'firing', null],
      ]);
      expect(summary.rules[0]!.error).toMatch(/rule "bad-pattern": pattern is not a valid PostgreSQL regular expression/);
      expect(sns.messages.map((m) => m.subject)).toEqual([
        '[logmon] FIRING any-fatal: 1 FATAL in 1m (threshold 1)',
        '[logmon] FIRING health:rule-failing: 1 rule could not be evaluated: bad-pattern',
      ]);
      expect(flat(sns.messages[1]!.message)).toContain('bad-pattern: ALERT_RULES: rule "bad-pattern": pattern is not a valid PostgreSQL regular expression');
    });

    it('counts each rule on its own, and logs why, when the counts of all rules cannot be read at once', async () => {
      // Prepare: a rule the counts read at once would count (no pattern, whole minutes in its window)
      rules = makeRules({ name: 'error-burst', window: '10m' });
      await insertEntries(db.pool, burst(6, T0, sourceId));
      const { warnings, logger } = warningLogger();

      // Act
      const summary = await alert(T0, { hooks: { duringCounts: failingRead }, logger });

      // Assess
      expect(summary.rules.map((r) => [r.rule, r.state, r.count, r.error])).toEqual([['error-burst', 'firing', 6, null]]);
      expect(sns.messages.map((m) => m.subject)).toEqual(['[logmon] FIRING error-burst: 6 ERROR/FATAL in 10m (threshold 5)']);
      expect(warnings).toEqual([
        {
          message: 'the window counts of all rules could not be read at once: each rule counts its own this run',
          context: { error: expect.stringContaining('division by zero') },
        },
      ]);
    });

    it('cancels a rule whose statement runs past its time limit, and evaluates the next one', async () => {
      // Prepare
      rules = makeRules({ name: 'slow', timeout: '200ms' }, { name: 'any-fatal', levels: ['FATAL'], threshold: 1, window: '1m' });
      await insertEntries(db.pool, [{ at: T0 - 10_000, level: 'FATAL', sourceId, message: 'kernel panic' }]);
      const slowRule = async (rule: AlertRule, c: { query: (sql: string) => Promise<unknown> }): Promise<void> => {
        if (rule.name === 'slow') await c.query('SELECT pg_sleep(2)');
      };

      // Act
      const summary = await alert(T0, { hooks: { duringRule: slowRule }, health: ruleFailingOnly });
      const recovered = await alert(T0 + MIN, { health: ruleFailingOnly });

      // Assess
      expect(summary.rules[0]!.error).toBe("a statement ran past the rule's time limit of 200ms (timeout; a costly pattern, or a very busy window)");
      expect(summary.rules[1]).toMatchObject({ rule: 'any-fatal', state: 'firing', error: null });
      expect(recovered.rules.map((r) => r.error)).toEqual([null, null]);
      expect(sns.messages.map((m) => m.subject)).toEqual([
        '[logmon] FIRING any-fatal: 1 FATAL in 1m (threshold 1)',
        '[logmon] FIRING health:rule-failing: 1 rule could not be evaluated: slow',
        '[logmon] RESOLVED any-fatal: 0 FATAL in 1m (threshold 1), fired 1m',
        '[logmon] RESOLVED health:rule-failing: every rule is evaluated, fired 1m',
      ]);
    });
    it('fails alone a rule whose costly pattern runs past its own timeout, naming the limit; a rule with the same pattern and the default limit, and the others, still alert', async () => {
      // Prepare: 20 errors of 96 characters that a back-referencing pattern costs PostgreSQL about 0.1 s each to reject
      const pattern = '(.+)(.+)\\2\\1\\2';
      rules = makeRules(
        { name: 'costly-tight', levels: ['ERROR'], threshold: 1, pattern, timeout: '100ms' },
        { name: 'costly-default', levels: ['ERROR'], threshold: 1, pattern, severity: 'info' },
        { name: 'any-fatal', levels: ['FATAL'], threshold: 1, window: '1m' },
      );
      const hex = (i: number): string => Array.from({ length: 3 }, (_, k) => crypto.createHash('md5').update(`${i}-${k}`).digest('hex')).join('');
      await insertEntries(db.pool, [
        ...Array.from({ length: 20 }, (_, i) => ({ at: T0 - 50_000 + i * 1000, level: 'ERROR', sourceId, message: hex(i) })),
        { at: T0 - 10_000, level: 'FATAL', sourceId, message: 'kernel panic' },
      ]);

      // Act
      const summary = await alert(T0, { health: ruleFailingOnly });

      // Assess
      expect(summary.rules.map((r) => [r.rule, r.state, r.error])).toEqual([
        ['costly-tight', 'ok', "a statement ran past the rule's time limit of 100ms (timeout; a costly pattern, or a very busy window)"],
        ['costly-default', 'ok', null],
        ['any-fatal', 'firing', null],
      ]);
      expect(sns.messages.map((m) => m.subject)).toEqual([
        '[logmon] FIRING any-fatal: 1 FATAL in 1m (threshold 1)',
        '[logmon] FIRING health:rule-failing: 1 rule could not be evaluated: costly-tight',
      ]);
      expect(sns.messages[1]!.message).toContain("costly-tight: a statement ran past the rule's time limit of 100ms");
    });
  });

  describe('entries committed after their window was evaluated', () => {
    // ingest and alert both run every minute, at the same instant: an entry is
    // committed up to a minute after its own time, often just after the run
    // whose window it belongs to. The runs here are minutes apart on the job's
    // clock (T0...); commit order is the database's (ingested_at 'now').
    const run = (at: number): Promise<AlertSummary> => alert(at, { commitSafetyMarginMs: 0 });
    const iso = (ms: number): string => new Date(ms).toISOString();
    const anyFatal = (): AlertRule[] => noKeep(loadAlertRules(undefined)).filter((r) => r.name === 'any-fatal');

    it("fires once for a FATAL whose ingest commits just after the run at its window's end, and resolves at a later run", async () => {
      // Prepare: the default rules; a run starts the cursor; ingest begins, stores a FATAL logged at 10:08:26, and has not committed at 10:09:00
      rules = noKeep(loadAlertRules(undefined));
      const logged = T0 + 8 * MIN + 26_000;
      await run(T0 + 8 * MIN);
      const ingest = await db.pool.connect();
      try {
        await ingest.query('BEGIN');
        await ingest.query(`INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset) VALUES ($1, 'FATAL', 'out of memory', $2, 0)`, [
          new Date(logged),
          sourceId,
        ]);

        // Act: the run at 10:09 cannot see it; ingest commits; the run at 10:10 no longer has it in the current 1m window
        const before = await run(T0 + 9 * MIN);
        await ingest.query('COMMIT');
        const fired = await run(T0 + 10 * MIN);
        const resolved = await run(T0 + 11 * MIN);
        const quiet = await run(T0 + 12 * MIN);

        // Assess
        const anyFatalOf = (summary: AlertSummary): RuleSummary => summary.rules.find((r) => r.rule === 'any-fatal')!;
        expect(anyFatalOf(before)).toMatchObject({ count: 0, state: 'ok', notification: null });
        expect(anyFatalOf(fired)).toMatchObject({ count: 1, windowEnd: iso(logged), state: 'firing', notification: 'firing', lateEntries: 0, late: null });
        expect(anyFatalOf(resolved)).toMatchObject({ count: 0, windowEnd: iso(T0 + 11 * MIN), previous: 'firing', state: 'ok', notification: 'resolved' });
        expect(anyFatalOf(quiet)).toMatchObject({ state: 'ok', notification: null, late: null });
        expect(sns.messages.map((m) => m.subject)).toEqual([
          '[logmon] FIRING any-fatal app.log: 1 FATAL in 1m (threshold 1)',
          '[logmon] RESOLVED any-fatal app.log: 0 FATAL in 1m (threshold 1), fired 1m',
        ]);
        expect(sns.messages[0]!.message).toContain('Counted in the window ending 2025-01-06 10:08:26 UTC');
        expect(sns.messages[0]!.message).toContain('Window:     2025-01-06 10:07:26 UTC to 2025-01-06 10:08:26 UTC');
        expect(sns.messages[0]!.message).toContain('  1 x out of memory');
      } finally {
        ingest.release();
      }
    });

    it('fires for a burst that only the window ending at its last entry holds whole', async () => {
      // Prepare: 5 ERRORs in 4m50s, each committed before the first run after its time (as ingest would)
      rules = makeRules({ name: 'error-burst' });
      const times = [30_000, 90_000, 150_000, 210_000, 320_000].map((offset) => T0 + offset);
      const client = await db.pool.connect();
      const evaluationWindows: number[] = [];
      try {
        for (let minute = 0; minute <= 8; minute += 1) evaluationWindows.push(await countWindow(client, rules[0]!, T0 + minute * MIN));
      } finally {
        client.release();
      }

      // Act
      const summaries: AlertSummary[] = [];
      for (let minute = 0; minute <= 8; minute += 1) {
        const due = times.filter((t) => t > T0 + (minute - 1) * MIN && t <= T0 + minute * MIN);
        await insertEntries(
          db.pool,
          due.map((at) => ({ at, sourceId, ingestedAt: 'now' as const })),
        );
        summaries.push(await run(T0 + minute * MIN));
      }

      // Assess: no window ending at a run holds all 5 (checked on the finished data), the one ending at 10:05:20 does
      const finished = await db.pool.connect();
      try {
        for (let minute = 0; minute <= 8; minute += 1) expect(await countWindow(finished, rules[0]!, T0 + minute * MIN)).toBeLessThan(5);
      } finally {
        finished.release();
      }
      expect(evaluationWindows.every((n) => n === 0)).toBe(true);
      expect(summaries.map((s) => s.rules[0]!.count)).toEqual([0, 1, 2, 3, 4, 4, 5, 3, 2]);
      expect(summaries[6]!.rules[0]).toMatchObject({ windowEnd: iso(T0 + 320_000), previous: 'ok', state: 'firing', notification: 'firing' });
      expect(summaries[7]!.rules[0]).toMatchObject({ state: 'ok', notification: 'resolved' });
      expect(kinds()).toEqual(['firing', 'resolved']);
      expect(sns.messages[0]!.subject).toBe('[logmon] FIRING error-burst: 5 ERROR/FATAL in 5m (threshold 5)');
      expect(sns.messages[0]!.message).toContain('Count:      5 in 5m (threshold 5)');
      expect(sns.messages[0]!.message).toContain('First:      2025-01-06 10:00:30 UTC');
      expect(sns.messages[0]!.message).toContain('Last:       2025-01-06 10:05:20 UTC');
    });

    it('fires when an entry committed late completes a window that ends at an entry committed before it', async () => {
      // Prepare: four ERRORs committed on time, then one logged before them, committed after the run at 10:05
      rules = makeRules({ name: 'error-burst' });
      await run(T0);
      await insertEntries(
        db.pool,
        [70_000, 120_000, 180_000, 240_000].map((offset) => ({ at: T0 + offset, sourceId, ingestedAt: 'now' as const })),
      );
      const onTime = await run(T0 + 5 * MIN);
      await insertEntries(db.pool, [{ at: T0 + 30_000, sourceId, ingestedAt: 'now' }]);

      // Act: at 10:06 the current window (10:01, 10:06] holds 4; the window ending at 10:04:00 holds all 5
      const summary = await run(T0 + 6 * MIN);

      // Assess
      expect(onTime.rules[0]).toMatchObject({ count: 4, state: 'ok' });
      expect(summary.rules[0]).toMatchObject({ count: 5, windowEnd: iso(T0 + 4 * MIN), state: 'firing', notification: 'firing', lateEntries: 0 });
      expect(kinds()).toEqual(['firing']);
    });

    // any-fatal (1m) with the default grace (3m), run at R: windows ending from R-3m to R are evaluated, so the line is at R-4m.
    it.each<[string, number, 'counted' | 'late']>([
      ['at the run', 0, 'counted'],
      ['in the current window', -30_000, 'counted'],
      ['at the start of the grace period', -3 * MIN, 'counted'],
      ['in the window ending at the start of the grace period', -3.5 * MIN, 'counted'],
      ['just inside the line', -4 * MIN + 1, 'counted'],
      ['on the line', -4 * MIN, 'late'],
      ['just outside the line', -4 * MIN - 1, 'late'],
      ['well outside', -10 * MIN, 'late'],
    ])('puts a FATAL committed since the previous run and logged %s (%d ms) on exactly one path: %s', async (_where, offset, path) => {
      // Prepare
      rules = anyFatal();
      const R = T0 + 20 * MIN;
      await run(R - MIN);
      await insertEntries(db.pool, [{ at: R + offset, level: 'FATAL', sourceId, ingestedAt: 'now' }]);

      // Act
      const summary = await run(R);
      const next = await run(R + MIN);

      // Assess: counted moves the state (FIRING), late is reported (LATE DATA) and moves nothing; never both, never neither, never twice
      const counted = summary.rules[0]!.notification === 'firing';
      const late = summary.rules[0]!.late === 'queued';
      expect({ counted, late }).toEqual({ counted: path === 'counted', late: path === 'late' });
      expect(summary.rules[0]).toMatchObject({ lateEntries: path === 'late' ? 1 : 0, state: path === 'counted' ? 'firing' : 'ok' });
      expect(next.rules[0]).toMatchObject({ lateEntries: 0, late: null, notification: path === 'counted' ? 'resolved' : null });
      expect(kinds()).toEqual(path === 'counted' ? ['firing', 'resolved'] : ['late']);
    });

    it('counts an entry stamped after the run once its time has come, and never reports it late', async () => {
      rules = anyFatal();
      await run(T0 - MIN);
      await insertEntries(db.pool, [{ at: T0 + 20_000, level: 'FATAL', sourceId, ingestedAt: 'now' }]);

      const early = await run(T0);
      const due = await run(T0 + MIN);

      expect(early.rules[0]).toMatchObject({ count: 0, state: 'ok', lateEntries: 0 });
      expect(due.rules[0]).toMatchObject({ count: 1, windowEnd: iso(T0 + MIN), state: 'firing', lateEntries: 0 });
      expect(kinds()).toEqual(['firing']);
    });

    it('with no grace period, counts only the current window and reports an older entry late', async () => {
      rules = anyFatal();
      await run(T0 - MIN);
      await insertEntries(db.pool, [{ at: T0 - 70_000, level: 'FATAL', sourceId, ingestedAt: 'now' }]);

      const summary = await alert(T0, { commitSafetyMarginMs: 0, graceMs: 0 });

      expect(summary.rules[0]).toMatchObject({ count: 0, state: 'ok', lateEntries: 1, late: 'queued' });
      expect(kinds()).toEqual(['late']);
    });
  });

  describe('late data', () => {
    /** Pretend the previous run examined everything ingested up to an hour ago. */
    const rewindCursor = (): Promise<unknown> => db.pool.query(`UPDATE alert_cursor SET examined_until = now() - interval '1 hour'`);
    const dbNow = async (): Promise<number> => (await db.pool.query<{ now: Date }>('SELECT now()')).rows[0]!.now.getTime();
    /** A first run starts the cursor; then a backlog from two and three hours before T0 arrives (7 + 3 entries). */
    const backlogAfterFirstRun = async (): Promise<void> => {
      await alert(T0);
      await rewindCursor();
      const arrived = (await dbNow()) - 30_000;
      await insertEntries(db.pool, [
        ...burst(7, T0 - 2 * 3_600_000, sourceId, { ingestedAt: arrived, message: 'backlog error' }),
        ...burst(3, T0 - 3 * 3_600_000, sourceId, { ingestedAt: arrived, message: 'sparse' }),
      ]);
    };

    it('reports entries that arrive after their window once, as LATE DATA, without changing the state', async () => {
      // Prepare: a first run starts the cursor; then a backlog from two hours before the next run arrives
      await backlogAfterFirstRun();

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

    it('reads each rule’s late entries on its own, and logs why, when those of all rules cannot be read at once', async () => {
      // Prepare: a backlog from two hours before the run, as in the test above
      await backlogAfterFirstRun();
      const { warnings, logger } = warningLogger();

      // Act
      const late = await alert(T0 + MIN, { hooks: { duringLateRead: failingRead }, logger });

      // Assess: the same report as when read at once
      expect(late.rules[0]).toMatchObject({ state: 'ok', notification: null, lateEntries: 10, late: 'queued', error: null });
      expect(sns.messages.map((m) => m.subject)).toEqual(['[logmon] LATE DATA error-burst: 7 ERROR/FATAL within 5m in the past (threshold 5)']);
      expect(sns.messages[0]!.message).toContain('  7 x backlog error\n  3 x sparse');
      expect(warnings).toEqual([
        {
          message: 'the late entries of all rules could not be read at once: each rule reads its own this run',
          context: { error: expect.stringContaining('division by zero') },
        },
      ]);
    });

    it('examines the entries of an ingest transaction open during a run once, after it commits', async () => {
      // Prepare: the cursor starts, then an ingest transaction writes a backlog and stays open
      const run = (at: number): Promise<AlertSummary> => alert(at, { commitSafetyMarginMs: 0 });
      await run(T0);
      const ingest = await db.pool.connect();
      try {
        await ingest.query('BEGIN');
        await ingest.query(
          `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset)
           SELECT $2::timestamptz - interval '2 hours' + i * interval '1 second', 'ERROR', 'backlog', $1, i FROM generate_series(1, 6) i`,
          [sourceId, new Date(T0)],
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

    describe('a backlog larger than one evaluation examines', () => {
      const BOUND = 1000;
      const run = (at: number): Promise<AlertSummary> => alert(at, { commitSafetyMarginMs: 0, maxExaminedEntries: BOUND });
      /** `n` late entries, one a second from three hours before T0, every tenth FATAL, all in one ingest transaction (one ingested_at). */
      const insertBacklog = async (n: number): Promise<void> => {
        const arrived = (await dbNow()) - 30_000;
        await db.pool.query(
          `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset, ingested_at)
           SELECT $1::timestamptz + i * interval '1 second', CASE WHEN i % 10 = 0 THEN 'FATAL' ELSE 'ERROR' END, 'backlog ' || (i % 3), $2, i, $3
           FROM generate_series(1, $4::int) i`,
          [new Date(T0 - 3 * 3_600_000), sourceId, new Date(arrived), n],
        );
      };
      const lateTotal = (body: string): string | undefined => /Late total: +([^\n]+)/.exec(body)?.[1];

      it('fires for current errors at the first run, examines every entry once over several runs, and sends one LATE DATA per rule', async () => {
        // Prepare: two rules; the cursor starts; 5,000 late entries arrive, then 6 current errors (committed after them)
        rules = makeRules({ name: 'error-burst' }, { name: 'any-fatal', levels: ['FATAL'], threshold: 1, window: '1m' });
        await run(T0);
        await rewindCursor();
        await insertBacklog(5000);
        await insertEntries(db.pool, burst(6, T0 + MIN, sourceId, { message: 'current error', ingestedAt: 'now' }));

        // Act: 5 slices of the backlog, a 6th with the current errors, then nothing left
        const summaries: AlertSummary[] = [];
        for (let minute = 1; minute <= 7; minute += 1) summaries.push(await run(T0 + minute * MIN));

        // Assess: FIRING at once, whatever the backlog
        const ruleOf = (summary: AlertSummary, name: string): RuleSummary => summary.rules.find((r) => r.rule === name)!;
        expect(ruleOf(summaries[0]!, 'error-burst')).toMatchObject({ state: 'firing', notification: 'firing', lateEntries: BOUND, late: 'pending' });
        // every late entry examined exactly once: 1,000 a run, then the current errors, then nothing
        expect(summaries.map((s) => ruleOf(s, 'error-burst').lateEntries)).toEqual([1000, 1000, 1000, 1000, 1000, 0, 0]);
        expect(summaries.map((s) => ruleOf(s, 'any-fatal').lateEntries)).toEqual([100, 100, 100, 100, 100, 0, 0]);
        expect(summaries.map((s) => ruleOf(s, 'error-burst').late)).toEqual(['pending', 'pending', 'pending', 'pending', 'pending', 'queued', null]);
        expect(summaries.map((s) => ruleOf(s, 'any-fatal').late)).toEqual(['pending', 'pending', 'pending', 'pending', 'pending', 'queued', null]);
        const cursor = (await db.pool.query('SELECT examined_id FROM alert_cursor')).rows[0];
        expect(cursor).toEqual({ examined_id: '0' });
        expect((await db.pool.query('SELECT count(*)::int AS n FROM alert_late_tally')).rows[0]).toEqual({ n: 0 });
        // the current errors leave the window and resolve (counted once: when the cursor reaches them they are not fresh again);
        // one LATE DATA per rule, with the whole backlog's count and period
        expect(kinds()).toEqual(['firing', 'resolved', 'late', 'late']);
        const late = (rule: string): { subject: string; message: string } =>
          sns.messages.find((m) => m.attributes.kind?.value === 'late' && m.attributes.rule?.value === rule)!;
        expect(lateTotal(late('error-burst').message)).toBe('5000');
        expect(lateTotal(late('any-fatal').message)).toBe('500');
        expect(flat(late('error-burst').message)).toContain('They were logged between 2025-01-06 07:00:01 UTC and 2025-01-06 08:23:20 UTC');
        expect(late('error-burst').message).not.toContain('still being examined');
        expect(late('error-burst').subject).toBe('[logmon] LATE DATA error-burst: 300 ERROR/FATAL within 5m in the past (threshold 5)');
      });

      it('counts a rule with a pattern from the entries the cursor has not reached yet while it works through a backlog', async () => {
        // Prepare: the pattern is counted per minute from the first run; then 5,000 entries arrive in one transaction, then 6 current errors
        rules = makeRules({ name: 'current-pattern', pattern: 'current', window: '5m' });
        await run(T0);
        await db.pool.query(
          `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset)
           SELECT $1::timestamptz - i * interval '10 milliseconds', 'ERROR', 'backlog ' || i, $2, i FROM generate_series(1, 5000) i`,
          [new Date(T0), sourceId],
        );
        await insertEntries(db.pool, burst(6, T0 + MIN, sourceId, { message: 'current error', ingestedAt: 'now' }));

        const warnings: string[] = [];
        const logger = {
          warn: (m: string) => warnings.push(m),
          error: () => undefined,
          info: () => undefined,
          debug: () => undefined,
        } as unknown as AlertDeps['logger'];

        // Act: the first run examines 1,000 of the backlog; the current errors lie past the cursor, before the mark
        const first = await alert(T0 + MIN, { commitSafetyMarginMs: 0, maxExaminedEntries: BOUND, logger });
        const kept = (await db.pool.query('SELECT pattern FROM pattern_coverage')).rows;

        // Assess: counted from the pattern's minutes and the entries past the cursor (no fallback to the rule's own statement)
        expect(warnings).toEqual([]);
        expect(kept).toEqual([{ pattern: 'current' }]);
        expect(first.rules[0]).toMatchObject({ count: 6, state: 'firing', notification: 'firing' });
      });

      it('reports a backlog still being examined after an hour as "at least", and the rest once examined', async () => {
        // Prepare
        await run(T0);
        await rewindCursor();
        await insertBacklog(3000);

        // Act: the second slice is examined an hour after the first
        const first = await run(T0 + MIN);
        const hourLater = await run(T0 + 62 * MIN);
        const last = await run(T0 + 63 * MIN);

        // Assess
        expect([first, hourLater, last].map((s) => s.rules[0]!.late)).toEqual(['pending', 'queued', 'queued']);
        expect(kinds()).toEqual(['late', 'late']);
        expect(lateTotal(sns.messages[0]!.message)).toBe('at least 2000');
        expect(sns.messages[0]!.message).toContain('A backlog is still being examined');
        expect(lateTotal(sns.messages[1]!.message)).toBe('1000');
        expect(sns.messages[1]!.message).not.toContain('still being examined');
      });
    });

    it('ignores late entries below the threshold and beyond the horizon', async () => {
      await alert(T0);
      await rewindCursor();
      const arrived = (await dbNow()) - 30_000;
      await insertEntries(db.pool, [
        ...burst(4, T0 - 3_600_000, sourceId, { ingestedAt: arrived }),
        ...burst(9, T0 - 30 * 3_600_000, sourceId, { ingestedAt: arrived }),
      ]);

      const summary = await alert(T0 + MIN);

      expect(summary.rules[0]).toMatchObject({ lateEntries: 4, late: null });
      expect(kinds()).toEqual([]);
    });
  });

  describe('persisted categories', () => {
    const insertOutbox = (kind: string, attributes: Record<string, string>) =>
      db.pool.query(`INSERT INTO alert_outbox (rule_name, kind, subject, body, attributes) VALUES ('r', $1, 's', 'b', $2)`, [kind, JSON.stringify(attributes)]);

    it('stores what runAlert writes, and PostgreSQL refuses a severity, state or kind outside lib/alert/categories.ts', async () => {
      await insertEntries(db.pool, burst(6, T0, sourceId));
      await alert(T0);

      await expect(insertOutbox('firing', { severity: 'urgent', state: 'firing', kind: 'firing' })).rejects.toMatchObject({ code: '23514' });
      await expect(insertOutbox('firing', { severity: 'warning', state: 'pending', kind: 'firing' })).rejects.toMatchObject({ code: '23514' });
      await expect(insertOutbox('reminder', { severity: 'warning', state: 'firing', kind: 'firing' })).rejects.toMatchObject({ code: '23514' });
      await expect(insertOutbox('paged', {})).rejects.toMatchObject({ code: '23514' });
      await expect(db.pool.query(`UPDATE alert_state SET rule = rule || '{"severity": "urgent"}'`)).rejects.toMatchObject({ code: '23514' });
      expect(kinds()).toEqual(['firing']);
    });
  });
});
