import fs from 'node:fs';
import path from 'node:path';
import { readIngestConfig } from '../../lib/config';
import type { IngestConfig } from '../../lib/config';
import { runIngest } from '../../lib/ingest';
import type { IngestDeps } from '../../lib/ingest';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { logLine, makeTempDir } from '../support/files';

interface Row {
  logged_at: Date;
  level: string;
  message: string;
  byte_offset: string;
}

describe('Function: runIngest', () => {
  let db: TestDatabase;
  let dir: string;
  let file: string;
  let config: IngestConfig;

  const rows = async (): Promise<Row[]> =>
    (await db.pool.query<Row>('SELECT logged_at, level, message, byte_offset FROM log_entries ORDER BY source_id, byte_offset')).rows;
  const ingest = (extra: Partial<IngestDeps> = {}) => runIngest({ pool: db.pool, config, ...extra });

  beforeEach(async () => {
    db = await createTestDatabase();
    dir = makeTempDir();
    file = path.join(dir, 'app.log');
    config = { ...readIngestConfig({ LOG_FILES: file }), multilineFlushMs: 0 };
  });

  afterEach(async () => {
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores every ERROR and FATAL entry of a fresh file once, and no INFO or WARNING', async () => {
    // Prepare
    fs.writeFileSync(
      file,
      logLine('INFO', 'started', 1) + logLine('ERROR', 'db timeout', 2) + logLine('WARNING', 'slow', 3) + logLine('FATAL', 'out of memory', 4),
    );

    // Act
    const summary = await ingest();

    // Assess
    expect((await rows()).map((r) => [r.level, r.message])).toEqual([
      ['ERROR', 'db timeout'],
      ['FATAL', 'out of memory'],
    ]);
    expect(summary.totals).toMatchObject({ entriesStored: 2, entriesSkipped: 2, lines: 4, unparseableLines: 0 });
    expect(summary.files[0]).toMatchObject({ outcome: 'read', lagBytes: 0, toOffset: fs.statSync(file).size });
  });

  it('stores only the appended entries on the next run', async () => {
    fs.writeFileSync(file, logLine('ERROR', 'first', 1));
    await ingest();

    fs.appendFileSync(file, logLine('INFO', 'noise', 2) + logLine('ERROR', 'second', 3));
    const second = await ingest();
    const third = await ingest();

    expect((await rows()).map((r) => r.message)).toEqual(['first', 'second']);
    expect(second.totals.entriesStored).toBe(1);
    expect(third.totals).toMatchObject({ entriesStored: 0, bytesConsumed: 0 });
  });

  it('reads timestamps in LOG_TIMEZONE', async () => {
    config = { ...config, timeZone: 'America/New_York' };
    fs.writeFileSync(file, logLine('ERROR', 'eastern', 0));

    await ingest();

    expect((await rows())[0]!.logged_at.toISOString()).toBe('2026-11-23T15:00:00.000Z');
  });

  it('does not consume a half-written last line until its newline arrives', async () => {
    fs.writeFileSync(file, logLine('ERROR', 'complete', 1) + '2026-11-23 10:00:02 [ERROR] half wri');

    const first = await ingest();
    expect((await rows()).map((r) => r.message)).toEqual(['complete']);
    expect(first.files[0]!.lagBytes).toBe('2026-11-23 10:00:02 [ERROR] half wri'.length);

    fs.appendFileSync(file, 'tten\n');
    await ingest();

    expect((await rows()).map((r) => r.message)).toEqual(['complete', 'half written']);
  });

  it('leaves no rows and the checkpoint unchanged when the run crashes before commit, and the rerun stores each entry once', async () => {
    fs.writeFileSync(file, logLine('ERROR', 'one', 1) + logLine('FATAL', 'two', 2));
    const crash = async (): Promise<void> => {
      throw new Error('injected crash before commit');
    };

    await expect(ingest({ hooks: { beforeCommit: crash } })).rejects.toThrow('injected crash before commit');
    expect(await rows()).toEqual([]);
    const checkpoint = await db.pool.query('SELECT read_offset FROM log_sources');
    expect(checkpoint.rows.map((r) => Number(r.read_offset))).toEqual([0]);

    await ingest();
    await ingest();

    expect((await rows()).map((r) => r.message)).toEqual(['one', 'two']);
  });

  it('stores quotes, backslashes, SQL-looking text and multi-byte UTF-8 byte for byte', async () => {
    const messages = [
      `it's "quoted"`,
      'back\\slash \\n not a newline \\t',
      `x'||'y`,
      `'); DROP TABLE log_entries; --`,
      'tab\tinside',
      'Zürich — 東京 — emoji 🚨',
    ];
    fs.writeFileSync(file, messages.map((m, i) => logLine('ERROR', m, i)).join(''));

    await ingest();

    expect((await rows()).map((r) => r.message)).toEqual(messages);
    const bytes = await db.pool.query<{ b: Buffer }>('SELECT convert_to(message, \'UTF8\') AS b FROM log_entries ORDER BY byte_offset');
    expect(bytes.rows.map((r) => r.b.toString('utf8'))).toEqual(messages);
  });

  it('never stores an entry twice when two runs overlap on the same file', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 5000; i += 1) lines.push(logLine(i % 2 ? 'ERROR' : 'INFO', `entry ${i}`, i % 60, Math.floor(i / 60) % 60));
    fs.writeFileSync(file, lines.join(''));
    config = { ...config, batchBytes: 64 * 1024 };

    await Promise.all([ingest(), ingest(), ingest()]);
    await ingest();

    const stored = await rows();
    expect(stored).toHaveLength(2500);
    expect(new Set(stored.map((r) => r.message)).size).toBe(2500);
  });

  it('reports lines it cannot parse in the summary and keeps going', async () => {
    fs.writeFileSync(
      file,
      'garbage before any entry\n' +
        logLine('ERROR', 'kept', 1) +
        '2026-13-45 99:99:99 [ERROR] impossible date\n' +
        '2026-11-23 10:00:03 [NOPE] unknown level\n' +
        '2026-11-23 10:00:04 no level at all\n' +
        logLine('FATAL', 'also kept', 5),
    );

    const summary = await ingest();

    expect((await rows()).map((r) => r.message)).toEqual(['kept', 'also kept']);
    expect(summary.totals.unparseableLines).toBe(4);
    const anomalies = await db.pool.query('SELECT kind, occurrences FROM ingest_anomalies');
    expect(anomalies.rows).toEqual([{ kind: 'unparseable_lines', occurrences: '4' }]);
  });

  it('reports a missing file and reads the others', async () => {
    const other = path.join(dir, 'other.log');
    fs.writeFileSync(other, logLine('ERROR', 'from other', 1));
    config = { ...config, logFiles: [file, other] };

    const summary = await ingest();

    expect(summary.files.find((f) => f.path === file)).toMatchObject({ outcome: 'missing' });
    expect((await rows()).map((r) => r.message)).toEqual(['from other']);
  });
});
