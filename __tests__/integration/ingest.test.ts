import fs from 'node:fs';
import path from 'node:path';
import { logLine } from '../support/files';
import { IngestFixture } from '../support/ingest-fixture';

const fx = new IngestFixture();

beforeAll(() => fx.setUp());
afterAll(() => fx.tearDown());
beforeEach(() => fx.reset());

describe('Function: runIngest', () => {
  let file: string;
  const rows = async () =>
    (
      await fx.db.pool.query<{ logged_at: Date; level: string; message: string; byte_offset: string }>(
        'SELECT logged_at, level, message, byte_offset FROM log_entries ORDER BY source_id, byte_offset',
      )
    ).rows;
  const ingest = fx.ingest.bind(fx);

  beforeEach(() => {
    file = fx.file('app.log');
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
    fx.config = { ...fx.config, timeZone: 'America/New_York' };
    fs.writeFileSync(file, logLine('ERROR', 'eastern', 0));

    await ingest();

    expect((await rows())[0]!.logged_at.toISOString()).toBe('2026-11-23T15:00:00.000Z');
  });

  it('does not consume a half-written last line until its newline arrives', async () => {
    fs.writeFileSync(file, `${logLine('ERROR', 'complete', 1)}2026-11-23 10:00:02 [ERROR] half wri`);

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
    const checkpoint = await fx.db.pool.query('SELECT read_offset FROM log_sources');
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
    const bytes = await fx.db.pool.query<{ b: Buffer }>("SELECT convert_to(message, 'UTF8') AS b FROM log_entries ORDER BY byte_offset");
    expect(bytes.rows.map((r) => r.b.toString('utf8'))).toEqual(messages);
  });

  it('never stores an entry twice when two runs overlap on the same file', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 5000; i += 1) lines.push(logLine(i % 2 ? 'ERROR' : 'INFO', `entry ${i}`, i % 60, Math.floor(i / 60) % 60));
    fs.writeFileSync(file, lines.join(''));
    fx.config = { ...fx.config, batchBytes: 64 * 1024 };

    await Promise.all([ingest(), ingest(), ingest()]);
    await ingest();

    const stored = await rows();
    expect(stored).toHaveLength(2500);
    expect(new Set(stored.map((r) => r.message)).size).toBe(2500);
  });

  it('reports lines it cannot parse in the summary and keeps going; a dated line without a known level is an entry without a level', async () => {
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
    expect(summary.totals.unparseableLines).toBe(2);
    expect(summary.totals.entriesSkipped).toBe(2);
    const anomalies = await fx.db.pool.query('SELECT kind, occurrences FROM ingest_anomalies');
    expect(anomalies.rows).toEqual([{ kind: 'unparseable_lines', occurrences: '2' }]);
  });

  it('reports a missing file and reads the others', async () => {
    const other = path.join(fx.dir, 'other.log');
    fs.writeFileSync(other, logLine('ERROR', 'from other', 1));
    fx.config = { ...fx.config, logFiles: [file, other] };

    const summary = await ingest();

    expect(summary.files.find((f) => f.path === file)).toMatchObject({ outcome: 'missing' });
    expect((await rows()).map((r) => r.message)).toEqual(['from other']);
  });

  it('accepts CRLF, any level case, extra whitespace, T separators, fractions and offsets, and stores the level upper-case', async () => {
    fs.writeFileSync(
      file,
      '2026-11-23 10:00:00 [error] lower\r\n' +
        '2026-11-23T10:00:01.5Z \t [Error]   title\r\n' +
        '  continued\r\n' +
        '\r\n' +
        '2026-11-23 10:00:02,25+02:00 [FATAL] comma\n',
    );

    await ingest();

    const utc = await fx.db.pool.query<{ at: string; level: string; message: string }>(
      `SELECT to_char(logged_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS at, level, message FROM log_entries ORDER BY id`,
    );
    expect(utc.rows).toEqual([
      { at: '2026-11-23 10:00:00.000000', level: 'ERROR', message: 'lower' },
      { at: '2026-11-23 10:00:01.500000', level: 'ERROR', message: 'title\n  continued' },
      { at: '2026-11-23 08:00:02.250000', level: 'FATAL', message: 'comma' },
    ]);
  });

  it('rounds fractions beyond microseconds, as PostgreSQL does', async () => {
    fs.writeFileSync(file, '2026-11-23 10:00:00.1234567 [ERROR] a\n2026-11-23 10:00:00.123456789123456 [ERROR] b\n');

    await ingest();

    const at = await fx.db.pool.query<{ at: string }>(`SELECT to_char(logged_at AT TIME ZONE 'UTC', 'HH24:MI:SS.US') AS at FROM log_entries ORDER BY id`);
    expect(at.rows.map((r) => r.at)).toEqual(['10:00:00.123457', '10:00:00.123457']);
  });

  it.each([
    ['the hour before the autumn change', '2026-11-01 00:59:59', '2026-11-01T04:59:59.000Z'],
    ['the repeated hour (fall back): read as standard time, the later of the two instants', '2026-11-01 01:30:00', '2026-11-01T06:30:00.000Z'],
    ['the end of the repeated hour', '2026-11-01 01:59:59', '2026-11-01T06:59:59.000Z'],
    ['an explicit offset, which picks the first 01:30', '2026-11-01 01:30:00-04:00', '2026-11-01T05:30:00.000Z'],
    ['the hour skipped in spring: read with the offset in force before the change', '2026-03-08 02:30:00', '2026-03-08T07:30:00.000Z'],
    ['the first instant after the spring change', '2026-03-08 03:00:00', '2026-03-08T07:00:00.000Z'],
  ])('reads %s in America/New_York (%s)', async (_name, local, utc) => {
    fx.config = { ...fx.config, timeZone: 'America/New_York' };
    fs.writeFileSync(file, `${local} [ERROR] dst\n`);

    await ingest();

    expect((await rows())[0]!.logged_at.toISOString()).toBe(utc);
  });

  it('stores an over-long line truncated with a marker, counts it, and goes on with the file', async () => {
    fx.config = { ...fx.config, maxLineBytes: 1024 };
    const long = 'x'.repeat(5000);
    fs.writeFileSync(file, logLine('ERROR', long, 1) + logLine('ERROR', 'next', 2));

    const summary = await ingest();

    const prefix = '2026-11-23 10:00:01 [ERROR] ';
    expect((await rows()).map((r) => r.message)).toEqual([`${long.slice(0, 1024 - prefix.length)} …[line truncated at 1024 bytes]`, 'next']);
    expect(summary.totals).toMatchObject({ truncatedLines: 1, truncatedBytes: prefix.length + long.length + 1 - 1024 });
    const anomalies = await fx.anomalies();
    expect(anomalies.map((a) => [a.kind, a.occurrences, a.bytes])).toEqual([['truncated_lines', '1', String(prefix.length + long.length + 1 - 1024)]]);
  });

  it('cuts an over-long line still being written, then skips its rest when it is finished', async () => {
    fx.config = { ...fx.config, maxLineBytes: 1024 };
    fs.writeFileSync(file, `2026-11-23 10:00:01 [ERROR] ${'y'.repeat(3000)}`);

    await ingest();
    expect((await fx.sources())[0]).toMatchObject({ skipping_line: true });
    fs.appendFileSync(file, `${'y'.repeat(3000)}\n${logLine('ERROR', 'after', 2)}`);
    const second = await ingest();

    expect((await rows()).map((r) => r.message.slice(-30))).toEqual(['yyy …[line truncated at 1024 bytes]'.slice(-30), 'after']);
    expect(second.totals).toMatchObject({ truncatedBytes: 3001, entriesStored: 1 });
    expect((await fx.sources())[0]).toMatchObject({ skipping_line: false });
  });
});
