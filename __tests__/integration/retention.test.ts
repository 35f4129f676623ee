import { runAlert } from '../../lib/alert/alert';
import { loadAlertRules } from '../../lib/alert/rules';
import { readRetentionConfig } from '../../lib/retention/config';
import type { RetentionConfig } from '../../lib/retention/config';
import { runRetention } from '../../lib/retention/retention';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const daysAgo = (days: number): Date => new Date(NOW - days * 24 * 60 * 60 * 1000);

describe('Function: runRetention', () => {
  let db: TestDatabase;
  let config: RetentionConfig;

  const addEntries = async (loggedAt: Date, count = 1, message = 'boom'): Promise<void> => {
    await db.pool.query(
      `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset)
       SELECT $1, 'ERROR', $2, 1, g FROM generate_series(1, $3) g`,
      [loggedAt, message, count],
    );
  };
  const messages = async (): Promise<string[]> =>
    (await db.pool.query<{ message: string }>('SELECT message FROM log_entries ORDER BY id')).rows.map((r) => r.message);
  const count = async (table: string): Promise<number> => Number((await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
  const retain = (extra: Partial<Parameters<typeof runRetention>[0]> = {}) => runRetention({ pool: db.pool, config, now: () => NOW, ...extra });

  beforeEach(async () => {
    db = await createTestDatabase();
    config = readRetentionConfig({});
  });

  afterEach(async () => {
    await db.drop();
  });

  it('removes entries older than RETENTION_DAYS (default 30) and keeps the newer ones', async () => {
    // Prepare
    await addEntries(daysAgo(40), 1, 'forty days');
    await addEntries(daysAgo(30.01), 1, 'just past');
    await addEntries(daysAgo(29.99), 1, 'just inside');
    await addEntries(daysAgo(0), 1, 'today');

    // Act
    const summary = await retain();

    // Assess
    expect(await messages()).toEqual(['just inside', 'today']);
    expect(summary).toMatchObject({ cutoff: daysAgo(30).toISOString(), stoppedEarly: false, entries: { deleted: 2, complete: true } });
  });

  it('honours a shorter RETENTION_DAYS', async () => {
    config = readRetentionConfig({ RETENTION_DAYS: '7' });
    await addEntries(daysAgo(8), 1, 'eight days');
    await addEntries(daysAgo(6), 1, 'six days');

    await retain();

    expect(await messages()).toEqual(['six days']);
  });

  it('deletes in batches of RETENTION_BATCH_SIZE rows', async () => {
    config = readRetentionConfig({ RETENTION_BATCH_SIZE: '10' });
    await addEntries(daysAgo(31), 25);
    await addEntries(daysAgo(1), 3);

    const summary = await retain();

    expect(summary.entries).toEqual({ deleted: 25, batches: 3, complete: true });
    expect(await count('log_entries')).toBe(3);
  });

  it('keeps the batches done before a stop, and the next run finishes the rest', async () => {
    config = readRetentionConfig({ RETENTION_BATCH_SIZE: '10' });
    await addEntries(daysAgo(31), 25);
    let batches = 0;

    const stopped = await retain({ shouldStop: () => (batches += 1) > 1 });
    const left = await count('log_entries');
    const next = await retain();

    expect(stopped).toMatchObject({ stoppedEarly: true, entries: { deleted: 10, complete: false } });
    expect(left).toBe(15);
    expect(next.entries).toMatchObject({ deleted: 15, complete: true });
    expect(await count('log_entries')).toBe(0);
  });

  it('removes sent notifications past the age and never an unsent one, however old', async () => {
    const add = (rule: string, createdAt: Date, sentAt: Date | null) =>
      db.pool.query(`INSERT INTO alert_outbox (rule_name, kind, subject, body, created_at, sent_at) VALUES ($1, 'firing', 's', 'b', $2, $3)`, [
        rule,
        createdAt,
        sentAt,
      ]);
    await add('old-sent', daysAgo(40), daysAgo(40));
    await add('recent-sent', daysAgo(2), daysAgo(2));
    await add('old-unsent', daysAgo(40), null);

    const summary = await retain();

    const rules = (await db.pool.query<{ rule_name: string }>('SELECT rule_name FROM alert_outbox ORDER BY id')).rows.map((r) => r.rule_name);
    expect(rules).toEqual(['recent-sent', 'old-unsent']);
    expect(summary.sentNotifications.deleted).toBe(1);
  });

  it('removes error templates last seen before the age, negative ids too, and keeps those seen since', async () => {
    const add = (id: string, lastSeen: Date) =>
      db.pool.query(
        `INSERT INTO error_templates (id, template, example, example_id, first_seen, last_seen, appeared_at) VALUES ($1, 't', 'e', 1, $2, $2, $2)`,
        [id, lastSeen],
      );
    await add('-9000000000000000000', daysAgo(40));
    await add('12', daysAgo(35));
    await add('13', daysAgo(2));

    const summary = await retain();

    const ids = (await db.pool.query<{ id: string }>('SELECT id::text FROM error_templates ORDER BY id')).rows.map((r) => r.id);
    expect(ids).toEqual(['13']);
    expect(summary.templates).toEqual({ deleted: 2, batches: 1, complete: true });
  });

  it('removes ingest anomalies past the age', async () => {
    const add = (createdAt: Date) =>
      db.pool.query(`INSERT INTO ingest_anomalies (run_id, path, kind, created_at) VALUES ('run', '/x.log', 'truncated', $1)`, [createdAt]);
    await add(daysAgo(45));
    await add(daysAgo(3));

    const summary = await retain();

    expect(summary.anomalies.deleted).toBe(1);
    expect(await count('ingest_anomalies')).toBe(1);
  });

  it('removes the record of ingest runs past the age, in batches', async () => {
    const add = (finishedAt: Date) =>
      db.pool.query(`INSERT INTO ingest_runs (run_id, started_at, finished_at, outcome) VALUES ('run', $1, $1, 'complete')`, [finishedAt]);
    for (let i = 0; i < 5; i += 1) await add(daysAgo(45));
    await add(daysAgo(3));

    const summary = await retain({ config: { ...config, batchSize: 2 } });

    expect(summary.ingestRuns).toEqual({ deleted: 5, batches: 3, complete: true });
    expect(await count('ingest_runs')).toBe(1);
  });

  it('removes the kept samples of lines no format understood past the age', async () => {
    const add = (createdAt: Date) =>
      db.pool.query(
        `INSERT INTO ingest_unparsed (run_id, source_id, path, byte_offset, line, reason, created_at) VALUES ('run', 1, '/x.log', 0, '\\x6869', 'no_format', $1)`,
        [createdAt],
      );
    await add(daysAgo(45));
    await add(daysAgo(3));

    const summary = await retain();

    expect(summary.unparsedLines.deleted).toBe(1);
    expect(await count('ingest_unparsed')).toBe(1);
  });

  it('does not wait for an ingest transaction that is still writing entries', async () => {
    await addEntries(daysAgo(31), 5);
    const ingest = await db.pool.connect();
    try {
      await ingest.query('BEGIN');
      await ingest.query(`INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset) VALUES (now(), 'ERROR', 'in flight', 1, 0)`);

      const summary = await retain();

      await ingest.query('COMMIT');
      expect(summary.entries.deleted).toBe(5);
      expect(await messages()).toEqual(['in flight']);
    } finally {
      ingest.release();
    }
  });

  describe('sent notifications: retention is their only owner', () => {
    const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-alerts';
    const addNotification = (rule: string, createdAt: Date, sentAt: Date | null) =>
      db.pool.query(`INSERT INTO alert_outbox (rule_name, kind, subject, body, created_at, sent_at) VALUES ($1, 'firing', 's', 'b', $2, $3)`, [
        rule,
        createdAt,
        sentAt,
      ]);
    const outboxRules = async (): Promise<string[]> =>
      (await db.pool.query<{ rule_name: string }>('SELECT rule_name FROM alert_outbox ORDER BY id')).rows.map((r) => r.rule_name);
    /** One alert run at NOW; nothing is owed, so SNS is never called. */
    const alertRun = () =>
      runAlert({
        pool: db.pool,
        rules: loadAlertRules(undefined),
        sns: { send: () => Promise.reject(new Error('no notification is owed: SNS must not be called')) },
        topicArn: TOPIC,
        now: () => NOW,
      });

    it('keeps a notification sent 45 days ago through an alert run and a retention run when RETENTION_DAYS=90', async () => {
      // Prepare
      config = readRetentionConfig({ RETENTION_DAYS: '90' });
      await addNotification('sent-45-days-ago', daysAgo(45), daysAgo(45));

      // Act
      await alertRun();
      const afterAlert = await outboxRules();
      const summary = await retain();

      // Assess
      expect(afterAlert).toEqual(['sent-45-days-ago']);
      expect(summary.sentNotifications.deleted).toBe(0);
      expect(await outboxRules()).toEqual(['sent-45-days-ago']);
    });

    it('removes it at the retention run when RETENTION_DAYS=30, in batches, and keeps unsent rows however old', async () => {
      // Prepare
      config = readRetentionConfig({ RETENTION_DAYS: '30', RETENTION_BATCH_SIZE: '2' });
      for (let i = 0; i < 5; i += 1) await addNotification(`sent-45-days-ago-${i}`, daysAgo(45), daysAgo(45));
      await addNotification('unsent-45-days-ago', daysAgo(45), null);
      await addNotification('sent-yesterday', daysAgo(1), daysAgo(1));

      // Act
      await alertRun();
      const afterAlert = await outboxRules();
      const summary = await retain();

      // Assess
      expect(afterAlert).toHaveLength(7);
      expect(summary.sentNotifications).toEqual({ deleted: 5, batches: 3, complete: true });
      expect(await outboxRules()).toEqual(['unsent-45-days-ago', 'sent-yesterday']);
    });
  });
});
