import { flat } from '../support/text';
// The alert job's commit cursor held back (issue 15, item 1): before, a
// long read-only transaction in the same database (pg_dump, an operator's
// open BEGIN), a stuck ingest or a backlog larger than one evaluation
// examines made the window counts and the cursor see the same entries twice:
// one incident FIRED, RESOLVED and FIRED again, with a false LATE DATA.
// Now each entry reaches the rules once: counts take the entries committed
// before the visibility mark (what the cursor may examine), entries counted
// before the cursor examined them are not fresh again and are late only as
// of the evaluation that first counted them, and only logmon's own
// transactions hold the mark. A held mark is a health alert and a status line.
// Real PostgreSQL, real concurrent transactions, the local SNS endpoint.
import type { SNSClient } from '@aws-sdk/client-sns';
import pg from 'pg';
import { runAlert } from '../../lib/alert/alert';
import type { AlertDeps, AlertSummary } from '../../lib/alert/alert';
import { parseHealthRules } from '../../lib/alert/health-rules';
import { parseAlertRules } from '../../lib/alert/rules';
import type { AlertRule } from '../../lib/alert/rules';
import { createSnsClient } from '../../lib/alert/sns-client';
import { createPool } from '../../lib/platform/db';
import { readStatus } from '../../lib/status/status';
import { formatStatusReport } from '../../lib/status/status-report';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { burst, insertEntries, insertSource } from '../support/entries';
import { startSnsServer } from '../support/sns-server';
import type { SnsTestServer } from '../support/sns-server';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-alerts';
const MIN = 60_000;
const T0 = Date.UTC(2025, 0, 6, 10, 0, 0);
const BOUND = 1000;

describe('Fault: the commit cursor held back', () => {
  let db: TestDatabase;
  let sns: SnsTestServer;
  let client: SNSClient;
  let sourceId: number;
  let rules: AlertRule[];
  const holders: { end(): Promise<void> }[] = [];

  const alert = (at: number, extra: Partial<AlertDeps> = {}): Promise<AlertSummary> =>
    runAlert({ pool: db.pool, rules, health: [], sns: client, topicArn: TOPIC, now: () => at, commitSafetyMarginMs: 0, maxExaminedEntries: BOUND, ...extra });
  const sent = (rule: string): string[] => sns.messages.filter((m) => m.attributes.rule?.value === rule).map((m) => m.attributes.kind?.value ?? '?');
  const lateTotal = (rule: string): string | undefined =>
    /Late total: +([^\n]+)/.exec(sns.messages.find((m) => m.attributes.kind?.value === 'late' && m.attributes.rule?.value === rule)?.message ?? '')?.[1];
  const dbNow = async (): Promise<number> => (await db.pool.query<{ now: Date }>('SELECT now()')).rows[0]!.now.getTime();
  /** The cursor placed by a first run, then an hour back: entries committed since (the backlog, stamped 30 s ago) are all examined. */
  const startCursorBeforeBacklog = async (): Promise<number> => {
    await alert(T0);
    await db.pool.query(`UPDATE alert_cursor SET examined_until = now() - interval '1 hour'`);
    return (await dbNow()) - 30_000;
  };
  /** A session of its own holding a transaction open, as `application` (pg_dump, psql, logmon). */
  const holdTransaction = async (application: string, isolation = 'READ COMMITTED'): Promise<{ end(): Promise<void> }> => {
    const session = new pg.Client({ connectionString: db.url, application_name: application });
    await session.connect();
    await session.query(`BEGIN ISOLATION LEVEL ${isolation}`);
    await session.query('SELECT count(*) FROM log_entries');
    const holder = {
      end: async () => {
        await session.query('COMMIT').catch(() => undefined);
        await session.end().catch(() => undefined);
      },
    };
    holders.push(holder);
    return holder;
  };

  beforeEach(async () => {
    db = await createTestDatabase();
    sns = await startSnsServer();
    client = createSnsClient({ topicArn: TOPIC, timeoutMs: 2000, endpoint: sns.endpoint, maxAttempts: 1 });
    sourceId = await insertSource(db.pool, '/var/log/checkout/app.log');
    rules = parseAlertRules([
      { name: 'any-fatal', levels: ['FATAL'], threshold: 1, window: '1m', keepFiringFor: '0s' },
      { name: 'error-burst', levels: ['ERROR', 'FATAL'], threshold: 5, window: '5m', keepFiringFor: '0s' },
    ]);
  });

  afterEach(async () => {
    for (const h of holders.splice(0)) await h.end();
    client.destroy();
    await sns.close();
    await db.drop();
  });

  it('notifies a FATAL committed after a backlog larger than one evaluation once, and reports the backlog late with its true count', async () => {
    // Prepare: the cursor starts; 2,500 late entries (every tenth FATAL) arrive in one transaction, then a current FATAL
    const arrived = await startCursorBeforeBacklog();
    await db.pool.query(
      `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset, ingested_at)
       SELECT $1::timestamptz + i * interval '1 second', CASE WHEN i % 10 = 0 THEN 'FATAL' ELSE 'ERROR' END, 'backlog ' || (i % 3), $2, i, $3
       FROM generate_series(1, 2500) i`,
      [new Date(T0 - 3 * 3_600_000), sourceId, new Date(arrived)],
    );
    await insertEntries(db.pool, [{ at: T0 + MIN - 5000, level: 'FATAL', message: 'current fatal', sourceId, ingestedAt: 'now' }]);

    // Act: three slices of the backlog, the FATAL among the last, then nothing left
    const summaries: AlertSummary[] = [];
    for (let minute = 1; minute <= 6; minute += 1) summaries.push(await alert(T0 + minute * MIN));

    // Assess: FIRING at once, RESOLVED when the window passed, never FIRING again for the same entry
    expect(sent('any-fatal').filter((k) => k !== 'late')).toEqual(['firing', 'resolved']);
    // one LATE DATA per rule with the whole backlog's count
    expect(sent('any-fatal').filter((k) => k === 'late')).toEqual(['late']);
    expect(lateTotal('any-fatal')).toBe('250');
    expect(lateTotal('error-burst')).toBe('2500');
    expect(summaries.map((s) => s.rules.find((r) => r.rule === 'any-fatal')!.lateEntries)).toEqual([100, 100, 50, 0, 0, 0]);
  });

  it('reports the busiest window of a backlog even when a slice boundary splits it', async () => {
    // Prepare: 1,500 late entries in one transaction; entries 801-1200 are one burst of 400 within 40 s,
    // so the first slice (1,000 entries) holds 200 of it and the second the other 200
    const arrived = await startCursorBeforeBacklog();
    await db.pool.query(
      `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset, ingested_at)
       SELECT CASE WHEN i <= 800 THEN $1::timestamptz + i * interval '10 seconds'
                   WHEN i <= 1200 THEN $1::timestamptz + interval '3 hours' + (i - 800) * interval '100 milliseconds'
                   ELSE $1::timestamptz + interval '4 hours' + (i - 1200) * interval '10 seconds' END,
              'ERROR', 'backlog ' || i, $2, i, $3
       FROM generate_series(1, 1500) i`,
      [new Date(T0 - 6 * 3_600_000), sourceId, new Date(arrived)],
    );

    // Act: two slices, then caught up
    for (let minute = 1; minute <= 3; minute += 1) await alert(T0 + minute * MIN);

    // Assess: one LATE DATA with the whole backlog and the burst's true size
    const late = sns.messages.filter((m) => m.attributes.kind?.value === 'late' && m.attributes.rule?.value === 'error-burst');
    expect(late).toHaveLength(1);
    expect(/Late total: +([^\n]+)/.exec(late[0]!.message)?.[1]).toBe('1500');
    expect(/Busiest: +(\d+) within/.exec(late[0]!.message)?.[1]).toBe('400');
  });

  it.each([
    ['pg_dump', 'REPEATABLE READ'],
    ['psql', 'READ COMMITTED'],
  ])('does not let an open transaction of %s (%s) hold the cursor: one FIRING, no LATE DATA', async (application, isolation) => {
    // Prepare: the cursor starts; another program's transaction stays open for four minutes
    await alert(T0);
    const other = await holdTransaction(application, isolation);

    // Act: a burst of FATALs over three minutes, committed as they happen, then quiet; the transaction ends
    const summaries: AlertSummary[] = [];
    for (let minute = 1; minute <= 8; minute += 1) {
      if (minute <= 3) await insertEntries(db.pool, burst(2, T0 + minute * MIN, sourceId, { level: 'FATAL', ingestedAt: 'now' }));
      if (minute === 5) await other.end();
      summaries.push(await alert(T0 + minute * MIN));
    }

    // Assess
    expect(sent('any-fatal')).toEqual(['firing', 'resolved']);
    expect(sent('error-burst')).toEqual(['firing', 'resolved']);
    expect(summaries.every((s) => s.rules.every((r) => r.lateEntries === 0))).toBe(true);
  });

  it('waits for a stuck ingest transaction without counting any entry twice, fires the health rule, and shows it in status', async () => {
    // Prepare: the cursor starts; a logmon session's transaction hangs open
    await alert(T0);
    const stuck = await holdTransaction('logmon');
    const health = parseHealthRules({ 'alert-behind': { after: '0s' } }).filter((r) => r.name === 'health:alert-behind');
    await insertEntries(db.pool, burst(2, T0 + MIN, sourceId, { level: 'FATAL', ingestedAt: 'now' }));

    // Act: two runs while it hangs, then it ends and the next run sees the entries
    const held = [await alert(T0 + MIN, { health }), await alert(T0 + 2 * MIN, { health })];
    const report = formatStatusReport(await readStatus({ pool: db.pool, now: () => T0 + 2 * MIN }));
    await stuck.end();
    const released = await alert(T0 + 2 * MIN + 30_000, { health });
    const after = [await alert(T0 + 3 * MIN, { health }), await alert(T0 + 5 * MIN, { health })];

    // Assess: nothing counted while held (the entries were not examinable), once after, never again
    expect(held.map((s) => s.rules.find((r) => r.rule === 'any-fatal')!.count)).toEqual([0, 0]);
    expect(released.rules.find((r) => r.rule === 'any-fatal')).toMatchObject({ state: 'firing', notification: 'firing' });
    expect(sent('any-fatal')).toEqual(['firing', 'resolved']);
    expect(after.every((s) => s.rules.every((r) => r.lateEntries === 0))).toBe(true);
    const healthSubjects = sns.messages.filter((m) => m.attributes.rule?.value === 'health:alert-behind').map((m) => m.subject.split(' ')[1]);
    expect(healthSubjects).toEqual(['FIRING', 'RESOLVED']);
    expect(flat(sns.messages.find((m) => m.attributes.rule?.value === 'health:alert-behind')!.message)).toMatch(
      /held back by a transaction of logmon \(pid \d+/,
    );
    expect(report).toMatch(
      /Alert cursor: entries committed up to .* examined \(.* behind\); waiting for a transaction of logmon \(pid \d+, idle in transaction/,
    );
  });

  it.each([
    ['as given', (url: string) => url],
    ['with an application_name of its own', (url: string) => `${url}${url.includes('?') ? '&' : '?'}application_name=my-app`],
  ])('names every session logmon opens "logmon", the DATABASE_URL %s (only those hold the cursor)', async (_, urlOf) => {
    const pool = createPool(urlOf(db.url), 1);
    try {
      const name = (await pool.query<{ name: string }>('SELECT current_setting($1) AS name', ['application_name'])).rows[0]!.name;
      expect(name).toBe('logmon');
    } finally {
      await pool.end();
    }
  });
});
