// Alerts that point at the problem (issue 12): entries grouped by error
// template, one state per file (or any groupBy key) so a second incident is
// never hidden behind the first, and new-template rules that page on a kind
// of error never seen before, without a flood at the first start. Real files
// read by runIngest, real PostgreSQL, the local SNS endpoint.
import fs from 'node:fs';
import path from 'node:path';
import type { SNSClient } from '@aws-sdk/client-sns';
import { runAlert } from '../../lib/alert/alert';
import { databaseNow } from '../../lib/alert/evaluation-clock';
import type { AlertDeps, AlertSummary } from '../../lib/alert/alert';
import { parseAlertRules, rulesOfDocument } from '../../lib/alert/rules';
import type { AlertRule } from '../../lib/alert/rules';
import { createSnsClient } from '../../lib/alert/sns-client';
import { readIngestConfig } from '../../lib/ingest/config';
import type { IngestConfig } from '../../lib/ingest/config';
import { runIngest } from '../../lib/ingest/ingest';
import type { IngestSummary } from '../../lib/ingest/ingest';
import { readStatus } from '../../lib/status/status';
import { formatStatusReport } from '../../lib/status/status-report';
import { createTestDatabase, emptyTables } from '../support/database';
import type { TestDatabase } from '../support/database';
import { makeTempDir } from '../support/files';
import { startSnsServer } from '../support/sns-server';
import type { ReceivedMessage, SnsTestServer } from '../support/sns-server';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-alerts';
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
// Near the real clock: the learning period starts at the database's clock (the first examination, a file's first read).
const T0 = Math.floor(Date.now() / MIN) * MIN;

/** `<ISO time> [LEVEL] message` at `at`. */
function line(level: string, message: string, at: number): string {
  return `${new Date(at).toISOString()} [${level}] ${message}\n`;
}

function uuid(i: number): string {
  const hex = (i * 2654435761).toString(16).padStart(12, '0').slice(-12);
  return `5f0c${hex.slice(0, 4)}-7a1e-4c2b-9d3f-${hex}`;
}

describe('Alerts by template and key (runIngest, then runAlert)', () => {
  let db: TestDatabase;
  let sns: SnsTestServer;
  let client: SNSClient;
  let dir: string;
  let config: IngestConfig;
  let rules: AlertRule[];

  const file = (name: string): string => path.join(dir, name);
  const ingest = (at: number): Promise<IngestSummary> => runIngest({ pool: db.pool, config, now: () => at, cwd: dir });
  const alert = (at: number, extra: Partial<AlertDeps> = {}): Promise<AlertSummary> =>
    runAlert({ pool: db.pool, rules, health: [], sns: client, topicArn: TOPIC, now: () => at, commitSafetyMarginMs: 0, ...extra });
  /** Ingest what is on disk, then evaluate, both at `at`. */
  const cycle = async (at: number): Promise<AlertSummary> => {
    await ingest(at);
    return alert(at);
  };
  const subjects = (): string[] => sns.messages.map((m) => m.subject ?? '');
  const write = (name: string, text: string): void => fs.appendFileSync(file(name), text);

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  beforeEach(async () => {
    await emptyTables(db.pool);
    sns = await startSnsServer();
    client = createSnsClient({ topicArn: TOPIC, timeoutMs: 2000, endpoint: sns.endpoint, maxAttempts: 1 });
    dir = makeTempDir('logmon-keys-');
    // every file of the folder, on host web-1, its service named after it
    fs.writeFileSync(file('logmon.yml'), `sources:\n  - name: apps\n    path: ${file('*.log')}\n    host: web-1\n`);
    config = { ...readIngestConfig({ LOGMON_CONFIG: file('logmon.yml') }), multilineFlushMs: 0 };
    rules = rulesOfDocument(null);
  });

  afterEach(async () => {
    client.destroy();
    await sns.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('error templates', () => {
    it('collapses 200 payment failures with different ids into one template with count 200, above 6 disk-quota errors, with a real example', async () => {
      // Prepare
      await cycle(T0 - MIN);
      let text = '';
      for (let i = 0; i < 200; i += 1)
        text += line('ERROR', `Payment failed for order=${10_000 + i * 7} amount=${(i * 3.7).toFixed(2)} request=${uuid(i)}`, T0 + i * 100);
      for (let i = 0; i < 6; i += 1) text += line('ERROR', `Disk quota exceeded on /dev/sdb${i}`, T0 + 30_000 + i * 1000);
      write('payments.log', text);

      // Act
      await cycle(T0 + MIN);

      // Assess
      expect(subjects()).toEqual(['[logmon] FIRING error-burst payments@web-1: 206 ERROR+ in 5m (threshold 5)']);
      const body = sns.messages[0]!.message;
      expect(body).toContain('Top errors (by template):\n  200 x Payment failed for order=<*> amount=<*> request=<*>\n');
      expect(body).toMatch(/e\.g\. Payment failed for order=\d+ amount=[\d.]+ request=[0-9a-f-]{36}\n/);
      expect(body).toMatch(/\n {4}6 x Disk quota exceeded on \S+\n/);
      expect(body).not.toContain('(other templates)');
    });

    it('groups 2,000 distinct request ids into one template, not 1-entry lines and "other messages"', async () => {
      // Prepare
      await cycle(T0 - MIN);
      let text = '';
      for (let i = 0; i < 2000; i += 1) text += line('ERROR', `Request ${uuid(i)} failed: upstream timed out after ${1000 + i}ms`, T0 + i * 20);
      write('api.log', text);

      // Act
      await cycle(T0 + MIN);

      // Assess
      const body = sns.messages[0]!.message;
      expect(body).toContain('  2000 x Request <uuid> failed: upstream timed out after <num>ms\n');
      expect(body).not.toContain('(other templates)');
      const stored = await db.pool.query<{ templates: number }>('SELECT count(DISTINCT template_id)::int AS templates FROM log_entries');
      expect(stored.rows[0]!.templates).toBe(1);
      const catalog = await db.pool.query<{ template: string; entries: string }>('SELECT template, entries::text FROM error_templates');
      expect(catalog.rows).toEqual([{ template: 'Request <uuid> failed: upstream timed out after <num>ms', entries: '2000' }]);
    });

    it('shows the top templates with counts and an example in npm run status', async () => {
      // Prepare
      await cycle(T0 - MIN);
      let text = '';
      for (let i = 0; i < 30; i += 1) text += line('ERROR', `Payment failed for order=${i * 13}`, T0 + i * 1000);
      write('payments.log', text);
      await cycle(T0 + MIN);

      // Act
      const report = formatStatusReport(await readStatus({ pool: db.pool, now: () => T0 + 2 * MIN, statFile: async () => ({ error: 'ENOENT' }) }));

      // Assess
      expect(report).toContain('Top error templates, last 24h');
      expect(report).toMatch(/ {4}30 x Payment failed for order=<\*>\n.*known since .*\n +e\.g\. Payment failed for order=\d+\n/);
      expect(report).toContain('Keys not OK');
      expect(report).toMatch(/error-burst +service=payments host=web-1 file=\S+payments\.log +firing/);
    });
  });

  describe('per-key rules', () => {
    it('sends its own FIRING for a second incident in another file while the first still fires', async () => {
      // Prepare: Redis errors in cache.log make error-burst fire for that file
      await cycle(T0 - MIN);
      const redis = (from: number, n: number): string =>
        Array.from({ length: n }, (_, i) => line('ERROR', `Redis connection reset by peer (attempt ${i})`, from + i * 1000)).join('');
      write('cache.log', redis(T0, 10));
      await cycle(T0 + MIN);

      // Act: while Redis keeps failing, the card processor starts failing in payments.log
      write('cache.log', redis(T0 + MIN, 10));
      await cycle(T0 + 2 * MIN);
      write('cache.log', redis(T0 + 2 * MIN, 10));
      write(
        'payments.log',
        Array.from({ length: 130 }, (_, i) => line('ERROR', `Card processor TLS handshake failed for 10.0.${i % 7}.9:443`, T0 + 2 * MIN + i * 300)).join(''),
      );
      const second = await cycle(T0 + 3 * MIN);

      // Assess
      expect(subjects()).toEqual([
        '[logmon] FIRING error-burst cache@web-1: 10 ERROR+ in 5m (threshold 5)',
        '[logmon] FIRING error-burst payments@web-1: 130 ERROR+ in 5m (threshold 5)',
      ]);
      const payments = sns.messages[1]!.message;
      expect(payments).toContain(`File:       ${file('payments.log')}`);
      expect(payments).toContain('Service:    payments');
      expect(payments).toContain('130 x Card processor TLS handshake failed for <ip>');
      expect(payments).not.toContain('Redis');
      const burst = second.rules.find((r) => r.rule === 'error-burst')!;
      expect(burst.keys.map((k) => [k.labels.service, k.state, k.notification])).toEqual([
        ['cache', 'firing', null],
        ['payments', 'firing', 'firing'],
      ]);
    });

    it('names each of 8 files of an outage in its own notification', async () => {
      // Prepare
      await cycle(T0 - MIN);
      for (let f = 0; f < 8; f += 1)
        write(`svc${f}.log`, Array.from({ length: 6 }, (_, i) => line('ERROR', `database unavailable: connection refused (${i})`, T0 + i * 1000)).join(''));

      // Act
      await cycle(T0 + MIN);

      // Assess
      expect(subjects().sort()).toEqual(Array.from({ length: 8 }, (_, f) => `[logmon] FIRING error-burst svc${f}@web-1: 6 ERROR+ in 5m (threshold 5)`));
      for (let f = 0; f < 8; f += 1) expect(sns.messages.some((m) => m.message.includes(`File:       ${file(`svc${f}.log`)}`))).toBe(true);
    });

    it('resolves each key on its own, keepFiringFor (the window) after its count fell, and keeps each key state across runs', async () => {
      // Prepare
      await cycle(T0 - MIN);
      write('a.log', Array.from({ length: 5 }, (_, i) => line('ERROR', `a failed ${i}`, T0 + (i + 1) * 1000)).join(''));
      write('b.log', Array.from({ length: 5 }, (_, i) => line('ERROR', `b failed ${i}`, T0 + 4 * MIN + i * 1000)).join(''));

      // Act
      for (const minute of [1, 5, 7, 10, 11, 12, 14, 15]) await cycle(T0 + minute * MIN);

      // Assess: a's count fell at 7m and b's at 10m; each resolves 5m later
      expect(subjects()).toEqual([
        '[logmon] FIRING error-burst a@web-1: 5 ERROR+ in 5m (threshold 5)',
        '[logmon] FIRING error-burst b@web-1: 5 ERROR+ in 5m (threshold 5)',
        '[logmon] RESOLVED error-burst a@web-1: 0 ERROR+ in 5m (threshold 5), fired 11m',
        '[logmon] RESOLVED error-burst b@web-1: 0 ERROR+ in 5m (threshold 5), fired 10m',
      ]);
      const resolvedA = sns.messages[2]!.message;
      expect(resolvedA).toMatch(/Stopped: +\S+ \S+ UTC \(the last matching entry\)/);
      expect(resolvedA).toContain('Resolves:   after 5m below 5 (keepFiringFor)');
      expect(resolvedA).toContain('Incident:   5 matching entries in all');
      const left = await db.pool.query("SELECT rule_name, group_key FROM alert_state WHERE group_key <> ''");
      expect(left.rows).toEqual([]);
    });

    it('does not flap at a steady error every 65 s: one FIRING in 16 minutes, then one RESOLVED once the errors stop', async () => {
      // Prepare
      await cycle(T0 - MIN);

      // Act: the default rules, a run every minute, an error every 65 s for 16 minutes, then quiet
      let next = T0;
      for (let minute = 1; minute <= 26; minute += 1) {
        const now = T0 + minute * MIN;
        while (next <= now - 1000 && next < T0 + 16 * MIN) {
          write('app.log', line('ERROR', `steady failure ${next}`, next));
          next += 65_000;
        }
        await cycle(now);
      }

      // Assess
      expect(subjects().map((s) => s.replace(/: .*/, ''))).toEqual(['[logmon] FIRING error-burst app@web-1', '[logmon] RESOLVED error-burst app@web-1']);
    });

    it('sends nothing more for an ongoing burst when the clock steps back an hour, nor when it catches up', async () => {
      // Prepare: errors every 20 s; error-burst fires
      await cycle(T0 - MIN);
      const errors = (from: number, to: number): void => {
        for (let at = from; at < to; at += 20_000) write('app.log', line('ERROR', `db down ${at}`, at));
      };
      errors(T0, T0 + MIN);
      await cycle(T0 + MIN);

      // Act: the alert job's clock steps back an hour for three runs, then is right again; the errors go on
      const summaries: AlertSummary[] = [];
      for (let m = 2; m <= 4; m += 1) {
        errors(T0 + (m - 1) * MIN, T0 + m * MIN);
        await ingest(T0 + m * MIN);
        summaries.push(await alert(T0 + m * MIN - 60 * MIN));
      }
      errors(T0 + 4 * MIN, T0 + 5 * MIN);
      await cycle(T0 + 5 * MIN);

      // Assess
      expect(subjects().map((s) => s.replace(/: .*/, ''))).toEqual(['[logmon] FIRING error-burst app@web-1']);
      expect(summaries.map((s) => s.evaluatedAt)).toEqual([1, 1, 1].map(() => new Date(T0 + MIN).toISOString()));
    });

    describe('a wall-clock step of the alert job against the database clock', () => {
      // The database's clock is the reference (the handler passes databaseNow); here a stand-in on the
      // test's timeline, which the ingest runs and the log lines keep to, while the alert job's clock steps.
      const errors = (from: number, to: number): void => {
        for (let at = from; at < to; at += 20_000) write('app.log', line('ERROR', `db down ${at}`, at));
      };
      const stepped = async (real: number, stepMs: number): Promise<AlertSummary> => {
        await ingest(real);
        return alert(real + stepMs, { referenceNow: async () => real });
      };
      /** Errors every 20 s from 0m to 10m, a run every minute to 20m with the alert job's clock `stepAt(minute)` off. */
      const burstWithStep = async (stepAt: (minute: number) => number): Promise<AlertSummary[]> => {
        await stepped(T0 - MIN, 0);
        const summaries: AlertSummary[] = [];
        for (let m = 1; m <= 20; m += 1) {
          if (m <= 10) errors(T0 + (m - 1) * MIN, T0 + m * MIN);
          summaries.push(await stepped(T0 + m * MIN, stepAt(m)));
        }
        return summaries;
      };
      const notifiedAt = (summaries: AlertSummary[]): string[] => summaries.filter((s) => s.notifications.queued > 0).map((s) => s.evaluatedAt);
      const iso = (minute: number): string => new Date(T0 + minute * MIN).toISOString();

      it.each([
        ['an hour ahead for three runs, then right again', (m: number) => (m >= 4 && m <= 6 ? HOUR : 0)],
        ['an hour ahead from the 4th run on', (m: number) => (m >= 4 ? HOUR : 0)],
        ['an hour behind for three runs, then right again', (m: number) => (m >= 4 && m <= 6 ? -HOUR : 0)],
      ])('sends one FIRING and one RESOLVED, on time, for a burst while the clock is %s', async (_, stepAt) => {
        // Act
        const summaries = await burstWithStep(stepAt);

        // Assess: as without a step, FIRING at 2m (6 errors) and RESOLVED at 19m (below 5 from 14m, keepFiringFor 5m)
        expect(subjects().map((s) => s.replace(/: .*/, ''))).toEqual(['[logmon] FIRING error-burst app@web-1', '[logmon] RESOLVED error-burst app@web-1']);
        expect(notifiedAt(summaries)).toEqual([iso(2), iso(19)]);
        expect(summaries.map((s) => s.evaluatedAt)).toEqual(summaries.map((_, i) => iso(i + 1)));
      });

      it('evaluates at the database clock with databaseNow when the clock is an hour ahead of it, and at the clock when they agree', async () => {
        // Act
        const ahead = await alert(Date.now() + HOUR, { referenceNow: databaseNow });
        const agreeing = Date.now() + 30_000;
        const right = await alert(agreeing, { referenceNow: databaseNow });

        // Assess
        expect(Math.abs(Date.parse(ahead.evaluatedAt) - Date.now())).toBeLessThan(60_000);
        expect(right.evaluatedAt).toBe(new Date(agreeing).toISOString());
      });

      it.each([
        ['ahead', HOUR],
        ['behind', -HOUR],
      ])('fires a FATAL logged while the clock is an hour %s in that run, once, and resolves it', async (_, stepMs) => {
        // Prepare
        await stepped(T0 - MIN, 0);
        await stepped(T0 + MIN, stepMs);

        // Act
        write('app.log', line('FATAL', 'out of memory', T0 + MIN + 10_000));
        const fired = await stepped(T0 + 2 * MIN, stepMs);
        for (let m = 3; m <= 6; m += 1) await stepped(T0 + m * MIN, m <= 4 ? stepMs : 0);

        // Assess
        expect(fired.notifications).toMatchObject({ queued: 1, sent: 1, pending: 0 });
        expect(subjects().map((s) => s.replace(/: .*/, ''))).toEqual(['[logmon] FIRING any-fatal app@web-1', '[logmon] RESOLVED any-fatal app@web-1']);
      });
    });

    it('sends the notifications one evaluation owes one service on one host as one mail', async () => {
      // Prepare: one service, payments, in three files on web-1
      fs.writeFileSync(file('logmon.yml'), `sources:\n  - name: payments\n    path: ${file('*.log')}\n    service: payments\n    host: web-1\n`);
      config = { ...readIngestConfig({ LOGMON_CONFIG: file('logmon.yml') }), multilineFlushMs: 0 };
      await cycle(T0 - MIN);
      for (const name of ['a.log', 'b.log', 'c.log']) write(name, Array.from({ length: 6 }, (_, i) => line('ERROR', `db down ${i}`, T0 + i * 1000)).join(''));
      write('a.log', line('FATAL', 'out of memory', T0 + 10_000));

      // Act
      const summary = await cycle(T0 + MIN);

      // Assess: four notifications owed, one mail (error-burst of a.log, a warning, folded into any-fatal of a.log: inhibition.test.ts)
      expect(summary.notifications).toMatchObject({ queued: 4, inhibited: 1, sent: 3 });
      expect(subjects()).toEqual(['[logmon] 3 alerts for payments@web-1: FIRING any-fatal a.log, error-burst b.log, error-burst c.log']);
      const mail = sns.messages[0]!;
      expect(mail.attributes.severity?.value).toBe('critical');
      expect(mail.attributes.rule).toEqual({ dataType: 'String.Array', value: '["any-fatal","error-burst"]' });
      expect(mail.message).toContain('======== 1/3: [logmon] FIRING any-fatal payments@web-1 a.log: 1 FATAL in 1m (threshold 1)');
      expect(mail.message).toContain('======== 3/3: [logmon] FIRING error-burst payments@web-1 c.log: 6 ERROR+ in 5m (threshold 5)');
      expect(mail.message).toMatch(/Folded into this alert.*\n {2}\S+ \S+ UTC {2}\[logmon\] FIRING error-burst payments@web-1 a.log: 7 ERROR\+ in 5m/);
      const rows = await db.pool.query<{ n: number; messages: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT message_id) FILTER (WHERE suppressed IS NULL)::int AS messages FROM alert_outbox',
      );
      expect(rows.rows[0]).toEqual({ n: 4, messages: 1 });
    });

    it.each([
      [
        '0s (the default): each evaluation mails at once',
        0,
        [
          '[logmon] FIRING any-fatal payments@web-1 a.log',
          '[logmon] FIRING error-burst payments@web-1 b.log',
          '[logmon] RESOLVED any-fatal payments@web-1 a.log',
        ],
      ],
      ['2m: notifications of later evaluations within it join the first mail', 120_000, ['[logmon] 2 alerts for payments@web-1']],
    ])('waits ALERT_GROUP_WAIT = %s', async (_, groupWaitMs, expected) => {
      // Prepare: a FATAL in a.log now, an error burst in b.log a minute later, same service and host
      fs.writeFileSync(file('logmon.yml'), `sources:\n  - name: payments\n    path: ${file('*.log')}\n    service: payments\n    host: web-1\n`);
      config = { ...readIngestConfig({ LOGMON_CONFIG: file('logmon.yml') }), multilineFlushMs: 0 };
      const run = async (at: number) => {
        await ingest(at);
        return alert(at, { groupWaitMs });
      };
      await run(T0 - MIN);
      write('a.log', line('FATAL', 'out of memory', T0 + 10_000));

      // Act: three evaluations a minute apart
      await run(T0 + MIN);
      write('b.log', Array.from({ length: 6 }, (_, i) => line('ERROR', `db down ${i}`, T0 + MIN + i * 1000)).join(''));
      await run(T0 + 2 * MIN);
      await run(T0 + 3 * MIN);

      // Assess
      expect(subjects().map((s) => s.replace(/: .*/, ''))).toEqual(expected);
    });

    it('sends one key-limit notice instead of one mail per key past maxKeys', async () => {
      // Prepare
      rules = parseAlertRules([{ name: 'per-file', minLevel: 'ERROR', threshold: 1, window: '5m', groupBy: ['file'], maxKeys: 3 }]);
      await cycle(T0 - MIN);
      for (let f = 0; f < 7; f += 1) write(`f${f}.log`, line('ERROR', `broken ${f}`, T0 + f * 1000));

      // Act
      const summary = await cycle(T0 + MIN);

      // Assess
      expect(summary.rules[0]!.keysOverLimit).toBe(4);
      expect(subjects().filter((s) => s.includes('FIRING per-file f'))).toHaveLength(3);
      expect(subjects()).toContain('[logmon] FIRING per-file key limit: 4 keys over the limit of 3 not tracked');
    });

    it('resolves the rule-wide state once when a rule gains groupBy, then alerts per key', async () => {
      // Prepare: error-burst without groupBy fires for the whole system
      rules = parseAlertRules([{ name: 'error-burst', minLevel: 'ERROR', threshold: 5, window: '5m' }]);
      await cycle(T0 - MIN);
      write('a.log', Array.from({ length: 6 }, (_, i) => line('ERROR', `a failed ${i}`, T0 + i * 1000)).join(''));
      await cycle(T0 + MIN);

      // Act
      rules = rulesOfDocument(null);
      await cycle(T0 + 2 * MIN);

      // Assess
      expect(subjects()).toEqual([
        '[logmon] FIRING error-burst: 6 ERROR+ in 5m (threshold 5)',
        '[logmon] RESOLVED error-burst: 6 ERROR+ in 5m (threshold 5), fired 1m',
        '[logmon] FIRING error-burst a@web-1: 6 ERROR+ in 5m (threshold 5)',
      ]);
      expect(sns.messages[1]!.message).toContain('The rule now alerts per service+host+file (groupBy)');
    });
  });

  describe('new-template rules', () => {
    const newErrors = (extra: Record<string, unknown> = {}): AlertRule[] =>
      parseAlertRules([{ name: 'new-errors', type: 'new-template', minLevel: 'ERROR', learningPeriod: '1h', ...extra }]);
    const newErrorSubjects = (): string[] => subjects().filter((s) => s.includes('NEW ERROR'));
    const bodyOf = (m: ReceivedMessage | undefined): string => m?.message ?? '';

    it('fires nothing at the first start on a database full of history, nor for a new file within its learning period', async () => {
      // Prepare: a week of history, read before the alert job ever ran
      rules = newErrors();
      let history = '';
      for (let d = 6; d >= 1; d -= 1) for (let k = 0; k < 20; k += 1) history += line('ERROR', `old failure kind ${k} at step ${d}`, T0 - d * DAY + k * 1000);
      history += line('ERROR', 'recent failure kind A', T0 - 30_000);
      write('app.log', history);
      await ingest(T0);

      // Act
      const first = await alert(T0);
      write('app.log', line('ERROR', 'recent failure kind B', T0 + 30_000));
      write('fresh.log', line('ERROR', 'a brand-new file says hello 1', T0 + 40_000));
      await cycle(T0 + MIN);

      // Assess
      expect(first.notifications.queued).toBe(0);
      expect(newErrorSubjects()).toEqual([]);
      const learned = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM error_templates WHERE NOT learning');
      expect(learned.rows[0]!.n).toBe(0);
    });

    it('fires once for a template never seen before after the learning period, not for the same template the next day', async () => {
      // Prepare
      rules = newErrors();
      write('app.log', line('ERROR', 'known failure 1', T0));
      await cycle(T0);
      write('app.log', line('ERROR', 'known failure 2', T0 + 2 * HOUR - MIN));
      await cycle(T0 + 2 * HOUR - MIN);

      // Act
      write('app.log', line('ERROR', 'Card processor TLS handshake failed for 10.0.0.9:443', T0 + 2 * HOUR + 5_000));
      write('app.log', line('ERROR', 'known failure 3', T0 + 2 * HOUR + 6_000));
      await cycle(T0 + 2 * HOUR + MIN);
      write('app.log', line('ERROR', 'Card processor TLS handshake failed for 10.0.0.7:443', T0 + 2 * HOUR + 2 * MIN));
      await cycle(T0 + 2 * HOUR + 3 * MIN);
      await cycle(T0 + 2 * HOUR + 20 * MIN);
      write('app.log', line('ERROR', 'Card processor TLS handshake failed for 10.0.0.8:443', T0 + 26 * HOUR));
      await cycle(T0 + 26 * HOUR + MIN);

      // Assess
      expect(newErrorSubjects()).toEqual(['[logmon] NEW ERROR new-errors: 1 x Card processor TLS handshake failed for <ip>']);
      const body = bodyOf(sns.messages.find((m) => m.subject?.includes('NEW ERROR')));
      expect(body).toContain('a NEW kind of error');
      expect(body).toContain('Template:   Card processor TLS handshake failed for <ip>');
      expect(body).toContain(`Where:      ${file('app.log')}`);
      expect(body).toContain('First seen: ');
      expect(body).toContain('e.g. Card processor TLS handshake failed for 10.0.0.9:443');
      expect(subjects().filter((s) => s.includes('RESOLVED'))).toEqual([]);
    });

    it('fires again for a template back after more than unseenFor of absence', async () => {
      // Prepare
      rules = newErrors({ unseenFor: '2d' });
      write('app.log', line('ERROR', 'noise 1', T0));
      await cycle(T0);
      write('app.log', line('ERROR', 'Quota service returned 503 for tenant 7', T0 + 2 * HOUR));
      await cycle(T0 + 2 * HOUR + MIN);
      await cycle(T0 + 2 * HOUR + 20 * MIN);

      // Act
      write('app.log', line('ERROR', 'Quota service returned 503 for tenant 9', T0 + 5 * DAY));
      await cycle(T0 + 5 * DAY + MIN);

      // Assess
      expect(newErrorSubjects()).toHaveLength(2);
      expect(bodyOf(sns.messages[1])).toContain('not seen in the 2d before it appeared');
    });

    it('waits for threshold entries within the window of its appearance', async () => {
      // Prepare
      rules = newErrors({ threshold: 3, window: '10m' });
      write('app.log', line('ERROR', 'noise 1', T0));
      await cycle(T0);

      // Act
      write('app.log', line('ERROR', 'Ledger mismatch in batch 17', T0 + 2 * HOUR));
      const one = await cycle(T0 + 2 * HOUR + MIN);
      write('app.log', line('ERROR', 'Ledger mismatch in batch 18', T0 + 2 * HOUR + 2 * MIN));
      write('app.log', line('ERROR', 'Ledger mismatch in batch 19', T0 + 2 * HOUR + 3 * MIN));
      await cycle(T0 + 2 * HOUR + 4 * MIN);

      // Assess
      expect(one.notifications.queued).toBe(0);
      expect(newErrorSubjects()).toEqual(['[logmon] NEW ERROR new-errors: 3 x Ledger mismatch in batch <num>']);
    });
  });
});
