// The built-in health rules: logmon says when it is blind. Each test first
// reproduces a silence (ingest stopped, a file gone, a glob matching nothing,
// an unreadable file, lines not understood, bytes lost, SNS refusing) with
// real files, real PostgreSQL and the local SNS endpoint, then checks the one
// FIRING it now gets, and the one RESOLVED when the fault is gone.
import fs from 'node:fs';
import path from 'node:path';
import type { SNSClient } from '@aws-sdk/client-sns';
import { runAlert } from '../../lib/alert/alert';
import type { AlertDeps, AlertSummary } from '../../lib/alert/alert';
import { parseHealthRules } from '../../lib/alert/health-rules';
import type { HealthRule } from '../../lib/alert/health-rules';
import { parseAlertRules } from '../../lib/alert/rules';
import type { AlertRule } from '../../lib/alert/rules';
import { createSnsClient } from '../../lib/alert/sns-client';
import { readIngestConfig } from '../../lib/ingest/config';
import type { IngestConfig } from '../../lib/ingest/config';
import { runIngest } from '../../lib/ingest/ingest';
import type { IngestDeps, IngestSummary } from '../../lib/ingest/ingest';
import { openForReading } from '../../lib/ingest/source-reader';
import type { OpenFile } from '../../lib/ingest/source-reader';
import { parseSourcesConfig } from '../../lib/ingest/sources';
import type { AppLogger } from '../../lib/platform/logger';
import { maintainEntryPartitions } from '../../lib/retention/entry-partitions';
import { readStatus } from '../../lib/status/status';
import { formatStatusReport } from '../../lib/status/status-report';
import { createTestDatabase, emptyTables } from '../support/database';
import type { TestDatabase } from '../support/database';
import { makeTempDir } from '../support/files';
import { startSnsServer } from '../support/sns-server';
import type { ReceivedMessage, SnsTestServer } from '../support/sns-server';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-alerts';
const MIN = 60_000;
// Near the real clock: file modification times (real) and the jobs' injected clocks agree.
const T0 = Math.floor(Date.now() / MIN) * MIN;

/** `<ISO time> [LEVEL] message` at `at`. */
function line(level: string, message: string, at: number): string {
  return `${new Date(at).toISOString()} [${level}] ${message}\n`;
}

function failingOpen(failing: string, code: string): OpenFile {
  return async (filePath) => {
    if (filePath === failing) throw Object.assign(new Error(`${code}: permission denied, open '${filePath}'`), { code });
    return openForReading(filePath);
  };
}

describe('Health rules (runAlert with runIngest)', () => {
  let db: TestDatabase;
  let sns: SnsTestServer;
  let client: SNSClient;
  let dir: string;
  let config: IngestConfig;
  let rules: AlertRule[];

  const file = (name: string): string => path.join(dir, name);
  const ingest = (at: number, extra: Partial<IngestDeps> = {}): Promise<IngestSummary> =>
    runIngest({ pool: db.pool, config, now: () => at, cwd: dir, ...extra });
  const alert = (at: number, extra: Partial<AlertDeps> = {}): Promise<AlertSummary> =>
    runAlert({ pool: db.pool, rules, sns: client, topicArn: TOPIC, now: () => at, commitSafetyMarginMs: 0, ...extra });
  /** Health messages SNS accepted: `STATE rule`. */
  const health = (): string[] =>
    sns.messages.filter((m) => m.attributes.kind?.value === 'health').map((m) => `${m.attributes.state?.value} ${m.attributes.rule?.value}`);
  const healthMessages = (): ReceivedMessage[] => sns.messages.filter((m) => m.attributes.kind?.value === 'health');

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
    dir = makeTempDir('logmon-health-');
    config = { ...readIngestConfig({ LOG_FILES: file('app.log') }), multilineFlushMs: 0 };
    rules = parseAlertRules([{ name: 'errors', levels: ['ERROR', 'FATAL'], threshold: 1, window: '1m' }]);
    fs.writeFileSync(file('app.log'), line('INFO', 'started', T0 - MIN));
  });

  afterEach(async () => {
    client.destroy();
    await sns.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('ingest_runs', () => {
    it('records each run that reaches its end, and none for a run that fails', async () => {
      // Prepare
      fs.appendFileSync(file('app.log'), line('ERROR', 'boom', T0));
      config = { ...config, logFiles: [file('app.log'), file('other/*.log')] };

      // Act
      await ingest(T0);
      await ingest(T0 + MIN);
      fs.appendFileSync(file('app.log'), line('ERROR', 'boom 2', T0));
      await expect(
        ingest(T0 + 2 * MIN, {
          hooks: {
            beforeCommit: () => {
              throw new Error('connection lost');
            },
          },
        }),
      ).rejects.toThrow('connection lost');

      // Assess
      const runs = await db.pool.query(
        'SELECT finished_at, outcome, files_read, entries_stored::int AS entries_stored, files_with_errors, unmatched_patterns FROM ingest_runs ORDER BY id',
      );
      expect(runs.rows).toEqual([
        { finished_at: new Date(T0), outcome: 'complete', files_read: 1, entries_stored: 1, files_with_errors: 0, unmatched_patterns: [file('other/*.log')] },
        {
          finished_at: new Date(T0 + MIN),
          outcome: 'complete',
          files_read: 1,
          entries_stored: 0,
          files_with_errors: 0,
          unmatched_patterns: [file('other/*.log')],
        },
      ]);
    });
  });

  describe('ingest-not-running', () => {
    it('sends exactly one FIRING within 5 minutes of the last ingest run while alert runs go on, and one RESOLVED once ingest runs again', async () => {
      // Prepare: ingest ran once, then stops
      await ingest(T0);

      // Act: alert runs every minute for 20 minutes, no ingest
      const fired: number[] = [];
      for (let minute = 0; minute <= 20; minute += 1) {
        const summary = await alert(T0 + minute * MIN);
        if (summary.health.find((h) => h.rule === 'health:ingest-not-running')?.notification === 'firing') fired.push(minute);
      }

      // Assess
      expect(fired).toEqual([5]);
      expect(health()).toEqual(['firing health:ingest-not-running']);
      const [firing] = healthMessages();
      expect(firing?.attributes.severity?.value).toBe('critical');
      expect(firing?.subject).toBe('[logmon] FIRING health:ingest-not-running: no ingest run for 5m (limit 5m)');
      expect(firing?.message).toContain('Silence from logmon does not mean all is well');

      // Act: ingest resumes
      await ingest(T0 + 21 * MIN);
      const resumed = await alert(T0 + 21 * MIN);
      await alert(T0 + 22 * MIN);

      // Assess
      expect(resumed.health.find((h) => h.rule === 'health:ingest-not-running')).toMatchObject({ previous: 'firing', state: 'ok', notification: 'resolved' });
      expect(health()).toEqual(['firing health:ingest-not-running', 'resolved health:ingest-not-running']);
      expect(healthMessages()[1]?.subject).toBe('[logmon] RESOLVED health:ingest-not-running: ingest runs again, fired 16m');
    });

    it('fires when ingest never ran, counted from the first evaluation', async () => {
      // Act
      for (let minute = 0; minute <= 6; minute += 1) await alert(T0 + minute * MIN);

      // Assess
      expect(health()).toEqual(['firing health:ingest-not-running']);
      expect(healthMessages()[0]?.subject).toContain('no ingest run recorded for 5m');
    });

    it('takes its limit from the health section, and stays silent when turned off', async () => {
      // Prepare
      await ingest(T0);
      const later = parseHealthRules({ 'ingest-not-running': { after: '10m' } });
      const off = parseHealthRules({ 'ingest-not-running': false });

      // Act
      for (let minute = 0; minute <= 9; minute += 1) await alert(T0 + minute * MIN, { health: later });
      const before = health();
      await alert(T0 + 10 * MIN, { health: later });

      // Assess
      expect(before).toEqual([]);
      expect(health()).toEqual(['firing health:ingest-not-running']);

      // Act: turned off while firing: one final RESOLVED, then silence
      await alert(T0 + 11 * MIN, { health: off });
      for (let minute = 12; minute <= 30; minute += 1) await alert(T0 + minute * MIN, { health: off });

      // Assess
      expect(health()).toEqual(['firing health:ingest-not-running', 'resolved health:ingest-not-running']);
      expect(healthMessages()[1]?.message).toContain('turned off');
    });
  });

  describe('source-missing', () => {
    const only: HealthRule[] = parseHealthRules({ 'ingest-not-running': false });

    it('fires when the only monitored file is deleted, naming it, and resolves when it is back', async () => {
      // Prepare
      await ingest(T0);
      await alert(T0, { health: only });
      fs.rmSync(file('app.log'));

      // Act
      const gone = await ingest(T0 + MIN);
      await alert(T0 + MIN, { health: only });

      // Assess
      expect(gone.files[0]).toMatchObject({ outcome: 'missing' });
      expect(health()).toEqual(['firing health:source-missing']);
      const [firing] = healthMessages();
      expect(firing?.attributes.severity?.value).toBe('critical');
      expect(firing?.subject).toContain('1 file missing');
      expect(firing?.message).toContain(`missing     ${file('app.log')}\n`);

      // Act
      fs.writeFileSync(file('app.log'), line('INFO', 'back', T0));
      await ingest(T0 + 2 * MIN);
      await alert(T0 + 2 * MIN, { health: only });

      // Assess
      expect(health()).toEqual(['firing health:source-missing', 'resolved health:source-missing']);
    });

    it('fires when the configured glob matches no file, and resolves when a file appears', async () => {
      // Prepare
      config = { ...config, logFiles: [file('logs/*.log')] };

      // Act
      const empty = await ingest(T0);
      await alert(T0, { health: only });

      // Assess
      expect(empty.files).toEqual([]);
      expect(health()).toEqual(['firing health:source-missing']);
      expect(healthMessages()[0]?.message).toContain(`no match    ${file('logs/*.log')}: the pattern matches no file`);
      expect((await db.pool.query('SELECT unmatched_patterns FROM ingest_runs')).rows).toEqual([{ unmatched_patterns: [file('logs/*.log')] }]);

      // Act
      fs.mkdirSync(file('logs'));
      fs.writeFileSync(file('logs/a.log'), line('INFO', 'hello', T0));
      await ingest(T0 + MIN);
      await alert(T0 + MIN, { health: only });

      // Assess
      expect(health()).toEqual(['firing health:source-missing', 'resolved health:source-missing']);
    });

    it('stays silent when one of the files of a glob is deleted while the glob still matches others', async () => {
      // Prepare
      config = { ...config, logFiles: [file('*.log')] };
      fs.writeFileSync(file('old.log'), line('INFO', 'old', T0 - MIN));
      await ingest(T0);
      fs.rmSync(file('old.log'));

      // Act
      await ingest(T0 + MIN);
      await alert(T0 + MIN, { health: only });

      // Assess
      expect(health()).toEqual([]);
    });

    it('fires when a file cannot be read, and resolves once it is read again', async () => {
      // Prepare: tests run as root, which ignores file modes: the EACCES is injected
      await ingest(T0);
      fs.appendFileSync(file('app.log'), line('ERROR', 'unseen', T0));

      // Act
      await ingest(T0 + MIN, { openFile: failingOpen(file('app.log'), 'EACCES') });
      await alert(T0 + MIN, { health: only });

      // Assess
      expect(health()).toEqual(['firing health:source-missing']);
      expect(healthMessages()[0]?.subject).toContain('1 file unreadable');
      expect(healthMessages()[0]?.message).toContain('EACCES');

      // Act
      await ingest(T0 + 2 * MIN);
      await alert(T0 + 2 * MIN, { health: only });

      // Assess
      expect(health()).toEqual(['firing health:source-missing', 'resolved health:source-missing']);
    });
  });

  describe('source-silent', () => {
    it('fires for a source with expectActivityWithin whose files have not changed within it, and resolves when they change', async () => {
      // Prepare
      config = {
        ...config,
        sources: parseSourcesConfig({ sources: [{ name: 'api', path: file('app.log'), expectActivityWithin: '30m' }] }, { timeZone: 'UTC', minLevel: 'ERROR' }),
      };
      const old = new Date(T0 - 2 * 60 * MIN);
      fs.utimesSync(file('app.log'), old, old);

      // Act
      await ingest(T0);
      await alert(T0);

      // Assess
      expect(health()).toEqual(['firing health:source-silent']);
      expect(healthMessages()[0]?.attributes.severity?.value).toBe('warning');
      expect(healthMessages()[0]?.message).toContain('api: last change');

      // Act
      fs.appendFileSync(file('app.log'), line('INFO', 'alive', T0));
      await ingest(T0 + MIN);
      await alert(T0 + MIN);

      // Assess
      expect(health()).toEqual(['firing health:source-silent', 'resolved health:source-silent']);
    });
  });

  describe('not-understood', () => {
    it('fires when most lines of a file match no format, with the share and the file', async () => {
      // Prepare
      fs.writeFileSync(file('app.log'), Array.from({ length: 20 }, (_, i) => `<<garbled ${i}>>\n`).join(''));

      // Act
      await ingest(T0);
      await alert(T0);

      // Assess
      expect(health()).toEqual(['firing health:not-understood']);
      expect(healthMessages()[0]?.subject).toBe('[logmon] FIRING health:not-understood: 100% of 20 lines of app.log not understood');
      expect(healthMessages()[0]?.message).toContain(`100% of 20 lines  ${file('app.log')} (source default)`);

      // Act: no such lines for the 15 minutes looked at
      for (let minute = 1; minute <= 16; minute += 1) {
        await ingest(T0 + minute * MIN);
        await alert(T0 + minute * MIN);
      }

      // Assess
      expect(health()).toEqual(['firing health:not-understood', 'resolved health:not-understood']);
    });

    it('stays silent below its minimum of lines', async () => {
      // Prepare
      fs.writeFileSync(file('app.log'), '<<garbled>>\n'.repeat(9));

      // Act
      await ingest(T0);
      await alert(T0);

      // Assess
      expect(health()).toEqual([]);
    });
  });

  describe('loss-recorded', () => {
    it('says how many bytes were lost, where, and the query that shows them', async () => {
      // Prepare: copytruncate after ingest saw a partial line
      const half = `${new Date(T0).toISOString()} [ERROR] cut`;
      fs.writeFileSync(file('app.log'), line('INFO', 'before', T0) + half);
      await ingest(T0);
      await alert(T0);
      fs.truncateSync(file('app.log'), 0);
      fs.appendFileSync(file('app.log'), line('INFO', 'after', T0));

      // Act
      await ingest(T0 + MIN);
      await alert(T0 + MIN);
      await ingest(T0 + 2 * MIN);
      await alert(T0 + 2 * MIN);

      // Assess
      expect(health()).toEqual(['firing health:loss-recorded', 'resolved health:loss-recorded']);
      const [firing] = healthMessages();
      expect(firing?.subject).toContain(`${half.length} bytes lost in 1 file`);
      expect(firing?.message).toContain(file('app.log'));
      expect(firing?.message).toContain('truncated');
      expect(firing?.message).toContain('psql "$DATABASE_URL" -f sql/queries/ingest-anomalies.sql');
    });
  });

  describe('outbox-not-draining', () => {
    it('records FIRING, logs an ERROR and shows it in status when SNS refuses every publish, without queueing a notification SNS would refuse too', async () => {
      // Prepare: a file is gone (a notification is owed), and SNS refuses everything
      const errors: string[] = [];
      const logger: AppLogger = {
        error: (msg: string) => errors.push(msg),
        warn: () => undefined,
        info: () => undefined,
        debug: () => undefined,
      } as unknown as AppLogger;
      await ingest(T0);
      fs.rmSync(file('app.log'));
      await sns.setMode('failing');

      // Act
      let last: AlertSummary | undefined;
      for (let minute = 1; minute <= 11; minute += 1) {
        await ingest(T0 + minute * MIN);
        last = await alert(T0 + minute * MIN, { logger });
      }

      // Assess
      expect(last?.health.find((h) => h.rule === 'health:outbox-not-draining')).toMatchObject({ state: 'firing', notification: null });
      expect(errors).toContain('notifications are not leaving the outbox: SNS does not accept them, and nobody is told through SNS');
      expect((await db.pool.query("SELECT count(*)::int AS n FROM alert_outbox WHERE rule_name = 'health:outbox-not-draining'")).rows[0].n).toBe(0);
      const report = formatStatusReport(await readStatus({ pool: db.pool, now: () => T0 + 11 * MIN, statFile: async () => ({ error: 'ENOENT' }) }));
      expect(report.split('\n').slice(2, 5).join('\n')).toMatch(
        /^Health: 2 PROBLEMS\n {2}FIRING {2}health:outbox-not-draining since .*: 1 notifications unsent, the oldest for 10m/,
      );
      expect(report).toContain('FIRING  health:source-missing since');

      // Act: SNS back
      await sns.setMode('up');
      await ingest(T0 + 12 * MIN);
      await alert(T0 + 12 * MIN, { logger });
      const drained = await alert(T0 + 13 * MIN, { logger });

      // Assess
      expect(drained.health.find((h) => h.rule === 'health:outbox-not-draining')).toMatchObject({ state: 'ok' });
      expect(health()).toEqual(['firing health:source-missing']);
    });
  });

  describe('partition-missing', () => {
    const tomorrow = (): string => new Date(Date.now() + 24 * 60 * MIN).toISOString().slice(0, 10);

    it("sends one FIRING naming the day when tomorrow's partition of log_entries is missing, and one RESOLVED once retention creates it", async () => {
      // Prepare: ingest runs; tomorrow's partition detached and dropped, as if retention had not run for a day
      await ingest(T0);
      await alert(T0);
      const day = tomorrow();
      const name = `log_entries_${day.replaceAll('-', '')}`;
      await db.pool.query(`ALTER TABLE log_entries DETACH PARTITION ${name}`);
      await db.pool.query(`DROP TABLE ${name}`);
      try {
        // Act
        await ingest(T0 + MIN);
        const missing = await alert(T0 + MIN);
        await ingest(T0 + 2 * MIN);
        await alert(T0 + 2 * MIN);

        // Assess: one FIRING, no repeat while it lasts
        expect(missing.health.find((h) => h.rule === 'health:partition-missing')).toMatchObject({ state: 'firing', notification: 'firing' });
        expect(health()).toEqual(['firing health:partition-missing']);
        expect(healthMessages()[0]?.subject).toBe(`[logmon] FIRING health:partition-missing: no partition of log_entries for ${day} (UTC)`);
        expect(healthMessages()[0]?.message).toContain('npm run job -- retention');
      } finally {
        // the retention job's maintenance creates it again
        await maintainEntryPartitions(db.pool, { now: Date.now(), cutoff: new Date(0) });
      }
      await ingest(T0 + 3 * MIN);
      await alert(T0 + 3 * MIN);
      expect(health()).toEqual(['firing health:partition-missing', 'resolved health:partition-missing']);
    });
  });

  describe('late data after an ingest outage', () => {
    it('says in the LATE DATA mail that the entries follow an ingest outage', async () => {
      // Prepare: ingest stops after T0; an ERROR is logged at T0 + 3m
      await ingest(T0);
      for (let minute = 0; minute <= 9; minute += 1) await alert(T0 + minute * MIN);
      fs.appendFileSync(file('app.log'), line('ERROR', 'while ingest was down', T0 + 3 * MIN));

      // Act: ingest resumes
      await ingest(T0 + 10 * MIN);
      await alert(T0 + 10 * MIN);

      // Assess
      const kinds = sns.messages.map((m) => `${m.attributes.kind?.value} ${m.attributes.rule?.value}`);
      expect(kinds).toEqual(['health health:ingest-not-running', 'health health:ingest-not-running', 'late errors']);
      const late = sns.messages[2];
      expect(late?.message).toContain('This follows an ingest outage: health:ingest-not-running fired at');
      expect(late?.message).toContain('These entries were logged while ingest was not running');
    });
  });
});
