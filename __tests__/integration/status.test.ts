import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readIngestConfig } from '../../lib/ingest/config';
import { runIngest } from '../../lib/ingest/ingest';
import { readStatus } from '../../lib/status/status';
import { formatStatusReport } from '../../lib/status/status-report';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { logLine, makeTempDir } from '../support/files';
import { npmRun } from '../support/npm-run';

const NOW = Date.parse('2026-11-23T10:30:20Z');

describe('Function: readStatus', () => {
  let db: TestDatabase;
  let dir: string;

  beforeEach(async () => {
    db = await createTestDatabase();
    dir = makeTempDir();
  });

  afterEach(async () => {
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads an empty database: no files, no rules, no notifications, sixty empty minutes', async () => {
    const status = await readStatus({ pool: db.pool, now: () => NOW });

    expect(status).toMatchObject({ sources: [], rules: [], anomalies: [], unsent: { count: 0, oldest: null, lastError: null } });
    expect(status.perMinute.counts).toEqual(new Array(60).fill(0));
    expect(status.perMinute.start.toISOString()).toBe('2026-11-23T09:31:00.000Z');
  });

  it('shows the checkpoint, the lag seen and the size on disk of a file that grew since the last run', async () => {
    // Prepare
    const file = path.join(dir, 'app.log');
    fs.writeFileSync(file, logLine('ERROR', 'first', 5, 10));
    await runIngest({ pool: db.pool, config: { ...readIngestConfig({ LOG_FILES: file }), multilineFlushMs: 0 } });
    const checkpoint = fs.statSync(file).size;
    fs.appendFileSync(file, logLine('ERROR', 'second', 6, 10));

    // Act
    const status = await readStatus({ pool: db.pool, now: () => NOW });

    // Assess
    expect(status.sources).toEqual([
      expect.objectContaining({
        path: file,
        status: 'active',
        readOffset: checkpoint,
        sizeSeen: checkpoint,
        lagBytes: 0,
        disk: { kind: 'same-file', size: fs.statSync(file).size },
      }),
    ]);
  });

  it('says a file is not readable here rather than failing (e.g. an EFS path seen from a laptop)', async () => {
    await db.pool.query(`INSERT INTO log_sources (path, dev, ino, read_offset, size_seen) VALUES ('/mnt/logs/app.log', 1, 2, 100, 150)`);

    const status = await readStatus({ pool: db.pool, now: () => NOW });

    expect(status.sources[0]).toMatchObject({ lagBytes: 50, disk: { kind: 'unreadable', reason: 'ENOENT' } });
  });

  it('counts stored entries per minute of the last hour, per level', async () => {
    await db.pool.query(
      `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset) VALUES
        ('2026-11-23T09:30:59Z', 'ERROR', 'too old', 1, 0),
        ('2026-11-23T09:31:00Z', 'ERROR', 'first minute', 1, 1),
        ('2026-11-23T10:30:01Z', 'ERROR', 'this minute', 1, 2),
        ('2026-11-23T10:30:02Z', 'FATAL', 'this minute', 1, 3)`,
    );

    const { perMinute } = await readStatus({ pool: db.pool, now: () => NOW });

    expect(perMinute.counts[0]).toBe(1);
    expect(perMinute.counts[59]).toBe(2);
    expect(perMinute.counts.reduce((a, b) => a + b, 0)).toBe(3);
    expect(perMinute.byLevel).toEqual({ ERROR: 2, FATAL: 1 });
  });

  it('pairs each rule with its latest notification and counts the unsent ones', async () => {
    await db.pool.query(`INSERT INTO alert_state (rule_name, state, last_count) VALUES ('db-errors', 'firing', 14), ('quiet', 'ok', 0)`);
    await db.pool.query(
      `INSERT INTO alert_outbox (rule_name, kind, subject, body, created_at, sent_at, last_error, last_attempt_at) VALUES
        ('db-errors', 'firing', 's', 'b', '2026-11-23T10:00:00Z', '2026-11-23T10:00:05Z', NULL, NULL),
        ('db-errors', 'reminder', 's', 'b', '2026-11-23T10:20:00Z', NULL, 'Throttling', '2026-11-23T10:21:00Z')`,
    );

    const status = await readStatus({ pool: db.pool, now: () => NOW });

    expect(status.rules).toEqual([
      expect.objectContaining({
        rule: 'db-errors',
        state: 'firing',
        lastCount: 14,
        lastNotification: expect.objectContaining({ kind: 'reminder', sentAt: null, error: 'Throttling' }),
      }),
      expect.objectContaining({ rule: 'quiet', state: 'ok', lastNotification: null }),
    ]);
    expect(status.unsent).toEqual({ count: 1, oldest: new Date('2026-11-23T10:20:00Z'), lastError: 'Throttling' });
  });

  it('shows each notification channel with what it delivered, what it owes since when and its last error', async () => {
    // Prepare
    const outbox = await db.pool.query<{ id: string }>(
      `INSERT INTO alert_outbox (rule_name, kind, subject, body, created_at) VALUES
        ('db-errors', 'firing', 's', 'b', '2026-11-23T10:00:00Z'), ('db-errors', 'resolved', 's', 'b', '2026-11-23T10:20:00Z') RETURNING id`,
    );
    const [first, second] = outbox.rows.map((r) => r.id);
    await db.pool.query(
      `INSERT INTO alert_deliveries (outbox_id, channel, created_at, attempts, last_attempt_at, last_error, sent_at) VALUES
        ($1, 'sns', '2026-11-23T10:00:00Z', 1, '2026-11-23T10:00:01Z', NULL, '2026-11-23T10:00:01Z'),
        ($2, 'sns', '2026-11-23T10:20:00Z', 1, '2026-11-23T10:20:01Z', NULL, '2026-11-23T10:20:01Z'),
        ($1, 'pager', '2026-11-23T10:00:00Z', 3, '2026-11-23T10:02:00Z', 'HTTP 503 from events.example', NULL),
        ($2, 'pager', '2026-11-23T10:20:00Z', 1, '2026-11-23T10:20:01Z', 'connect ECONNREFUSED 127.0.0.1:9', NULL)`,
      [first, second],
    );

    // Act
    const status = await readStatus({ pool: db.pool, now: () => NOW });
    const report = formatStatusReport(status, { timeZone: 'UTC' });

    // Assess
    expect(status.channels).toEqual([
      {
        channel: 'pager',
        sentRecently: 0,
        unsent: 2,
        oldestUnsent: new Date('2026-11-23T10:00:00Z'),
        lastSentAt: null,
        lastError: 'connect ECONNREFUSED 127.0.0.1:9',
      },
      { channel: 'sns', sentRecently: 2, unsent: 0, oldestUnsent: null, lastSentAt: new Date('2026-11-23T10:20:01Z'), lastError: null },
    ]);
    expect(report).toContain('Channels (each delivers and retries on its own)');
    expect(report).toMatch(/pager\s+2 owed since 2026-11-23 10:00:00\s+0\s+-\s+connect ECONNREFUSED 127\.0\.0\.1:9/);
    expect(report).toMatch(/sns\s+ok\s+2\s+2026-11-23 10:20:01\s+-/);
  });

  it('has no channels section without a channels: configuration (no delivery rows)', async () => {
    const status = await readStatus({ pool: db.pool, now: () => NOW });

    expect(status.channels).toEqual([]);
    expect(formatStatusReport(status, { timeZone: 'UTC' })).not.toContain('Channels');
  });

  it('lists the anomalies of the last 24 hours, newest first', async () => {
    await db.pool.query(
      `INSERT INTO ingest_anomalies (run_id, path, kind, bytes, created_at) VALUES
        ('r1', '/a.log', 'truncated', 10, '2026-11-22T09:00:00Z'),
        ('r2', '/a.log', 'invalid_utf8', 0, '2026-11-23T09:00:00Z'),
        ('r3', '/b.log', 'nul_bytes', 4, '2026-11-23T10:00:00Z')`,
    );

    const status = await readStatus({ pool: db.pool, now: () => NOW });

    expect(status.anomalies.map((a) => [a.path, a.kind, a.bytes])).toEqual([
      ['/b.log', 'nul_bytes', 4],
      ['/a.log', 'invalid_utf8', 0],
    ]);
  });

  it('tells to migrate when the database has no logmon tables', async () => {
    const empty = await createTestDatabase({ migrate: false });
    try {
      await expect(readStatus({ pool: empty.pool, now: () => NOW })).rejects.toThrow('this database has no logmon tables yet: run `npm run migrate`');
    } finally {
      await empty.drop();
    }
  });
});

describe('Command: npm run status', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    const now = Date.now();
    await db.pool.query(
      `INSERT INTO alert_state (rule_name, group_key, state, state_since, last_count, rule)
       VALUES ('error-burst', '', 'firing', now(), 12, '{"name":"error-burst","type":"threshold","threshold":5,"windowMs":300000}')`,
    );
    for (let i = 0; i < 12; i++)
      await db.pool.query(`INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset) VALUES ($1, 'ERROR', 'boom', 1, $2)`, [
        new Date(now - (i % 3) * 60_000),
        i * 10,
      ]);
  });

  afterAll(async () => {
    await db.drop();
  });

  it('draws the last hour as a chart with each rule threshold and a time axis, without colours when not on a terminal', async () => {
    // Act
    const run = await npmRun(['status'], { DATABASE_URL: db.url });

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/╌ error-burst 1\/min/);
    expect(run.stdout).toMatch(/└[─┬]{60}/);
    expect(run.stdout).not.toContain('\x1b[');
  });

  it('prints the snapshot as JSON with --json', async () => {
    // Act
    const run = await npmRun(['status', '--', '--json'], { DATABASE_URL: db.url });

    // Assess
    expect(run.code).toBe(0);
    const snapshot = JSON.parse(run.stdout) as {
      rules: { rule: string; state: string }[];
      thresholds: { rule: string; perMinute: number }[];
      perMinute: { counts: number[] };
    };
    expect(snapshot.rules).toEqual([expect.objectContaining({ rule: 'error-burst', state: 'firing' })]);
    expect(snapshot.thresholds).toEqual([{ rule: 'error-burst', perMinute: 1 }]);
    expect(snapshot.perMinute.counts.reduce((a, b) => a + b, 0)).toBe(12);
  });

  it('redraws every N seconds with --watch N, until stopped', async () => {
    // Act
    const child = spawn('npm', ['run', '--silent', 'status', '--', '--watch', '1'], {
      cwd: path.resolve(__dirname, '../..'),
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: db.url },
      detached: true,
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((resolve) => setTimeout(resolve, 4500));
    process.kill(-child.pid!, 'SIGINT');
    await new Promise((resolve) => child.once('close', resolve));

    // Assess
    expect(out.match(/^logmon status at /gm)?.length ?? 0).toBeGreaterThanOrEqual(2);
  }, 20_000);

  it.each([
    [['--watch', '0'], '--watch takes a number of seconds >= 1'],
    [['--json', '--watch'], '--json and --watch do not go together'],
    [['--colour'], 'unknown option "--colour"'],
  ])('refuses %p with exit code 2', async (args, words) => {
    // Act
    const run = await npmRun(['status', '--', ...args], { DATABASE_URL: db.url });

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(words);
  });
});
