import { flat } from '../support/text';
// Recurring mute windows (issue 13): a `muteWindows:` section of ALERT_RULES,
// e.g. Sundays 02:00-04:00 Europe/Berlin. While a window is open, matching
// notifications are recorded, not sent (as under a silence); when it closes
// and the alert still fires, one message says so. Health rules only for a
// window naming them. Real files read by runIngest, real PostgreSQL, the
// local SNS endpoint, the commands run as a user runs them.
import fs from 'node:fs';
import path from 'node:path';
import type { SNSClient } from '@aws-sdk/client-sns';
import { runAlert } from '../../lib/alert/alert';
import type { AlertSummary } from '../../lib/alert/alert';
import { readAlertConfig } from '../../lib/alert/config';
import { DEFAULT_HEALTH_RULES } from '../../lib/alert/health-rules';
import { createSnsClient } from '../../lib/alert/sns-client';
import { readIngestConfig } from '../../lib/ingest/config';
import type { IngestConfig } from '../../lib/ingest/config';
import { runIngest } from '../../lib/ingest/ingest';
import { createTestDatabase, emptyTables } from '../support/database';
import type { TestDatabase } from '../support/database';
import { makeTempDir } from '../support/files';
import { npmRun } from '../support/npm-run';
import { startSnsServer } from '../support/sns-server';
import type { SnsTestServer } from '../support/sns-server';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-alerts';
const MIN = 60_000;
// Sunday 2026-01-04, 00:55 UTC (01:55 in Berlin, CET)
const T0 = Date.UTC(2026, 0, 4, 0, 55);
const at = (hhmm: string): number => Date.parse(`2026-01-04T${hhmm}:00Z`);

function line(level: string, message: string, when: number): string {
  return `${new Date(when).toISOString()} [${level}] ${message}\n`;
}

describe('Mute windows', () => {
  let db: TestDatabase;
  let sns: SnsTestServer;
  let client: SNSClient;
  let dir: string;
  let ingestConfig: IngestConfig;

  const file = (name: string): string => path.join(dir, name);
  const errors = (name: string, from: number, to: number, text: string): void => {
    let out = '';
    for (let t = from; t < to; t += 20_000) out += line('ERROR', `${text} ${t}`, t);
    fs.appendFileSync(file(name), out);
  };
  /** The alert configuration as the function reads it: ALERT_RULES with these windows (and these rules: the defaults when none). */
  const configWith = (muteWindows: unknown[], rules?: unknown[]) =>
    readAlertConfig({ ALERT_TOPIC_ARN: TOPIC, ALERT_RULES: JSON.stringify({ ...(rules ? { rules } : {}), muteWindows }) });
  const cycle = async (now: number, config: ReturnType<typeof configWith>, health: typeof DEFAULT_HEALTH_RULES = []): Promise<AlertSummary> => {
    await runIngest({ pool: db.pool, config: ingestConfig, now: () => now, cwd: dir });
    return runAlert({
      pool: db.pool,
      rules: config.rules,
      health,
      muteWindows: config.muteWindows,
      sns: client,
      topicArn: TOPIC,
      now: () => now,
      commitSafetyMarginMs: 0,
    });
  };
  const subjects = (): string[] => sns.messages.map((m) => (m.subject ?? '').replace(/: \d+ ERROR.*/, ''));

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
    dir = makeTempDir('logmon-mute-');
    fs.writeFileSync(file('logmon.yml'), `sources:\n  - name: apps\n    path: ${file('*.log')}\n    host: web-1\n`);
    ingestConfig = { ...readIngestConfig({ LOGMON_CONFIG: file('logmon.yml') }), multilineFlushMs: 0 };
  });

  afterEach(async () => {
    client.destroy();
    await sns.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('records, and does not send, what a Sunday 02:00-02:10 Europe/Berlin window matches; the rest goes out; its end is said once', async () => {
    // Prepare: payments' error-burst is muted on Sundays 02:00-02:10 Berlin (01:00-01:10 UTC)
    const config = configWith([
      {
        name: 'db-maintenance',
        rules: 'error-burst',
        service: 'payments',
        days: ['sun'],
        from: '02:00',
        to: '02:10',
        timeZone: 'Europe/Berlin',
        comment: 'weekly vacuum',
      },
    ]);
    await cycle(T0, config);

    // Act: payments fails from 00:59 to past the window; cache fails at 01:02; a run every minute to 01:12
    errors('payments.log', at('00:59'), at('01:12'), 'vacuum lock timeout');
    errors('cache.log', at('01:02'), at('01:04'), 'redis reset');
    const runs: AlertSummary[] = [];
    for (let now = at('00:57'); now <= at('01:12'); now += MIN) runs.push(await cycle(now, config));

    // Assess
    expect(subjects()).toEqual(['[logmon] FIRING error-burst cache@web-1', '[logmon] STILL FIRING error-burst payments@web-1']);
    const stillFiring = sns.messages[1]!;
    expect(runs.filter((r) => r.notifications.queued > 0).map((r) => [r.evaluatedAt, r.notifications.sent])).toEqual([
      [new Date(at('01:01')).toISOString(), 0],
      [new Date(at('01:04')).toISOString(), 1],
      [new Date(at('01:10')).toISOString(), 1],
    ]);
    expect(flat(stillFiring.message)).toContain(
      'The mute window "db-maintenance" (sun 02:00-02:10 Europe/Berlin: weekly vacuum) ended at 2026-01-04 01:10:00 UTC and this alert still fires:',
    );
    const recorded = await db.pool.query<{ subject: string; window: string }>(
      `SELECT o.subject, s.mute_window AS window FROM alert_outbox o JOIN alert_silences s ON s.id = o.silenced_by ORDER BY o.id`,
    );
    expect(recorded.rows.map((r) => [r.subject.replace(/: .*/, ''), r.window])).toEqual([['[logmon] FIRING error-burst payments@web-1', 'db-maintenance']]);
    const openings = await db.pool.query('SELECT mute_window, starts_at, ends_at, created_by FROM alert_silences');
    expect(openings.rows).toEqual([
      { mute_window: 'db-maintenance', starts_at: new Date(at('01:00')), ends_at: new Date(at('01:10')), created_by: 'ALERT_RULES' },
    ]);
  });

  it('does not count what it recorded toward the hourly cap', async () => {
    // Prepare: a cap of 3 an hour (a RESOLVED goes only while the hour has had at most one); a window over every rule from 01:00 to 01:10 UTC
    const config = configWith(
      [{ name: 'all', from: '01:00', to: '01:10', timeZone: 'UTC' }],
      [{ name: 'flappy', minLevel: 'ERROR', threshold: 1, window: '1m', keepFiringFor: '0s', maxNotificationsPerHour: 3, groupBy: ['source'] }],
    );
    await cycle(at('00:58'), config);

    // Act: an error every other minute inside the window (FIRING, RESOLVED, FIRING, … all six recorded), then one after it
    for (let m = 0; m < 6; m += 2) fs.appendFileSync(file('app.log'), line('ERROR', `blip ${m}`, at('01:00') + m * MIN + 5000));
    for (let now = at('01:01'); now <= at('01:10'); now += MIN) await cycle(now, config);
    fs.appendFileSync(file('app.log'), line('ERROR', 'after the window', at('01:11') + 5000));
    await cycle(at('01:12'), config);

    // Assess: the FIRING after the window is sent, and the RESOLVED after it finds the hour's cap room
    await cycle(at('01:13'), config);
    expect(sns.messages.map((m) => (m.subject ?? '').replace(/: .*/, ''))).toEqual(['[logmon] FIRING flappy app@web-1', '[logmon] RESOLVED flappy app@web-1']);
    const recorded = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM alert_outbox WHERE silenced_by IS NOT NULL');
    expect(recorded.rows[0]!.n).toBe(6);
  });

  it.each([
    ['sends', '*', ['[logmon] FIRING health:rule-failing']],
    ['records, and says once after it, while it still fires,', 'health:*', ['[logmon] STILL FIRING health:rule-failing']],
  ])('%s a health notification under a window whose rules are %s', async (_, rules, expected) => {
    // Prepare: a rule PostgreSQL refuses fires health:rule-failing at once
    const config = configWith(
      [{ name: 'maintenance', rules, from: '01:00', to: '01:05', timeZone: 'UTC' }],
      [{ name: 'bad-pattern', threshold: 1, window: '1m', pattern: '(?<svc>checkout|cart) failed' }],
    );
    const health = DEFAULT_HEALTH_RULES.filter((r) => r.check === 'rule-failing');

    // Act
    for (let now = at('01:01'); now <= at('01:06'); now += MIN) await cycle(now, config, health);

    // Assess
    expect(sns.messages.map((m) => (m.subject ?? '').replace(/: .*/, ''))).toEqual(expected);
    if (rules === 'health:*')
      expect(flat(sns.messages[0]!.message)).toContain('The mute window "maintenance" (daily 01:00-01:05 UTC) ended at 2026-01-04 01:05:00 UTC');
  });

  it('ends an opening at the next evaluation when its window is removed from the configuration', async () => {
    // Prepare
    const muted = configWith([{ name: 'all', rules: 'error-burst', from: '01:00', to: '02:00', timeZone: 'UTC' }]);
    await cycle(at('00:58'), muted);
    errors('app.log', at('00:59'), at('01:03'), 'disk full');
    await cycle(at('01:01'), muted);

    // Act: the window is taken out while the burst goes on
    const unmuted = configWith([]);
    await cycle(at('01:02'), unmuted);
    await cycle(at('01:03'), unmuted);

    // Assess
    expect(subjects()).toEqual(['[logmon] STILL FIRING error-burst app@web-1']);
    expect(flat(sns.messages[0]!.message)).toContain('The mute window "all" (daily 01:00-02:00 UTC) ended at 2026-01-04 01:02:00 UTC');
  });

  it('lists the configured windows with npm run silence -- list, one line each: open until when, or when next', async () => {
    // Prepare: one window open now (daily, from an hour ago to an hour ahead, UTC), one on Sundays in Berlin
    const hhmm = (ms: number): string => new Date(ms).toISOString().slice(11, 16);
    const now = Date.now();
    const open = { name: 'ops', from: hhmm(now - 3_600_000), to: hhmm(now + 3_600_000), timeZone: 'UTC' };
    const day = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][(new Date(now).getUTCDay() + 3) % 7]!;
    const later = { name: 'db-maintenance', rules: 'error-burst', service: 'payments', days: [day], from: '02:00', to: '04:00', timeZone: 'Europe/Berlin' };

    // Act
    const listed = await npmRun(['silence', '--', 'list'], { DATABASE_URL: db.url, ALERT_RULES: JSON.stringify({ muteWindows: [open, later] }) });

    // Assess
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('no silence active or to come');
    expect(lines[1]).toMatch(new RegExp(`^mute window ops {2}active until \\S+ ${hhmm(now + 3_600_000)}:00 UTC {2}rule \\* {2}\\{\\} {2}daily \\S+ UTC$`));
    expect(lines[2]).toMatch(
      new RegExp(
        `^mute window db-maintenance {2}next \\S+ 0[01]:00:00 UTC to \\S+ 0[23]:00:00 UTC {2}rule error-burst {2}\\{"service":"payments"\\} {2}${day} 02:00-04:00 Europe/Berlin$`,
      ),
    );
    expect(lines).toHaveLength(3);
  });
});
