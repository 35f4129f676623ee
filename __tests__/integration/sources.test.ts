import fs from 'node:fs';
import path from 'node:path';
import { readIngestConfig } from '../../lib/ingest/config';
import { logLine } from '../support/files';
import { IngestFixture } from '../support/ingest-fixture';

const fx = new IngestFixture();

beforeAll(() => fx.setUp());
afterAll(() => fx.tearDown());
beforeEach(() => fx.reset());

function writeConfig(config: unknown): string {
  const file = fx.file('logmon.yml');
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

function write(name: string, text: string): string {
  const file = fx.file(name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

describe('Sources: the configuration file', () => {
  it('labels each entry with the service and the host taken from the path template', async () => {
    // Prepare
    write('logs/web-1/api.log', logLine('ERROR', 'db down', 1));
    write('logs/web-2/api.log', logLine('ERROR', 'disk full', 2));
    const config = writeConfig({ sources: [{ name: 'api', path: fx.file('logs/{host}/api.log'), service: 'payments' }] });
    fx.config = { ...readIngestConfig({ LOGMON_CONFIG: config }), multilineFlushMs: 0 };

    // Act
    const summary = await fx.ingest();

    // Assess
    const rows = await fx.db.pool.query<{ message: string; service: string; host: string; source_name: string }>(
      'SELECT e.message, s.service, s.host, s.source_name FROM log_entries e JOIN log_sources s ON s.id = e.source_id ORDER BY e.message',
    );
    expect(rows.rows).toEqual([
      { message: 'db down', service: 'payments', host: 'web-1', source_name: 'api' },
      { message: 'disk full', service: 'payments', host: 'web-2', source_name: 'api' },
    ]);
    expect(summary.files.map((f) => f.source)).toEqual(['api', 'api']);
  });

  it('gives the known files the labels of a changed configuration, and leaves files whose labels did not change unwritten', async () => {
    // Prepare: two sources read once, then the service of one of them changed
    write('logs/web-1/api.log', logLine('ERROR', 'db down', 1));
    write('logs/web-1/worker.log', logLine('ERROR', 'queue stuck', 1));
    const sources = (apiService: string) => [
      { name: 'api', path: fx.file('logs/{host}/api.log'), service: apiService },
      { name: 'worker', path: fx.file('logs/{host}/worker.log'), service: 'jobs' },
    ];
    fx.config = { ...readIngestConfig({ LOGMON_CONFIG: writeConfig({ sources: sources('payments') }) }), multilineFlushMs: 0 };
    await fx.ingest();
    const before = await fx.db.pool.query<{ source_name: string; updated_at: Date }>('SELECT source_name, updated_at FROM log_sources ORDER BY source_name');
    fx.config = { ...readIngestConfig({ LOGMON_CONFIG: writeConfig({ sources: sources('billing') }) }), multilineFlushMs: 0 };

    // Act
    await fx.ingest();

    // Assess: api relabelled, worker's row not written (its updated_at, the visit order's key, kept)
    const after = await fx.db.pool.query<{ source_name: string; service: string; host: string; labels: unknown; updated_at: Date }>(
      'SELECT source_name, service, host, labels, updated_at FROM log_sources ORDER BY source_name',
    );
    expect(after.rows.map(({ source_name, service, host, labels }) => ({ source_name, service, host, labels }))).toEqual([
      { source_name: 'api', service: 'billing', host: 'web-1', labels: { service: 'billing', host: 'web-1' } },
      { source_name: 'worker', service: 'jobs', host: 'web-1', labels: { service: 'jobs', host: 'web-1' } },
    ]);
    expect(after.rows[0]!.updated_at.getTime()).toBeGreaterThan(before.rows[0]!.updated_at.getTime());
    expect(after.rows[1]!.updated_at).toEqual(before.rows[1]!.updated_at);
  });

  it("reads timestamps without an offset in the source's time zone", async () => {
    write('paris.log', '2026-11-23 10:00:00 [ERROR] boom\n');
    const config = writeConfig({ sources: [{ path: fx.file('paris.log'), timezone: 'Europe/Paris' }] });
    fx.config = { ...readIngestConfig({ LOGMON_CONFIG: config }), multilineFlushMs: 0 };

    await fx.ingest();

    const [entry] = await fx.entries();
    expect(entry?.logged_at.toISOString()).toBe('2026-11-23T09:00:00.000Z');
  });

  it('stops reading a source removed from the configuration, and retires its checkpoint', async () => {
    const a = write('a.log', logLine('ERROR', 'a1', 1));
    const b = write('b.log', logLine('ERROR', 'b1', 1));
    fx.config = { ...fx.config, logFiles: [a, b] };
    await fx.ingest();
    fs.appendFileSync(a, logLine('ERROR', 'a2', 2));
    fs.appendFileSync(b, logLine('ERROR', 'b2', 2));

    fx.config = { ...fx.config, logFiles: [b] };
    const summary = await fx.ingest();

    expect((await fx.entries()).map((e) => e.message).sort()).toEqual(['a1', 'b1', 'b2']);
    expect(summary.files.find((f) => f.path === a)?.outcome).toBe('unconfigured');
    const states = await fx.sources();
    expect(states.find((s) => s.path === a)?.status).toBe('retired');
    // and it stays unread on later runs
    fs.appendFileSync(a, logLine('ERROR', 'a3', 3));
    await fx.ingest();
    expect((await fx.entries()).map((e) => e.message)).not.toContain('a3');
  });

  it('stores CRITICAL, ALERT and EMERG entries by default (ERROR and above), with the level as written', async () => {
    write('app.log', logLine('CRIT', 'c', 1) + logLine('alert', 'a', 2) + logLine('EMERG', 'e', 3) + logLine('WARN', 'w', 4) + logLine('Err', 'r', 5));

    await fx.ingest();

    const rows = await fx.db.pool.query<{ level: string; level_text: string | null; severity: number }>(
      'SELECT level, level_text, severity FROM log_entries ORDER BY id',
    );
    expect(rows.rows).toEqual([
      { level: 'CRITICAL', level_text: 'CRIT', severity: 19 },
      { level: 'ALERT', level_text: 'alert', severity: 20 },
      { level: 'FATAL', level_text: 'EMERG', severity: 21 },
      { level: 'ERROR', level_text: 'Err', severity: 17 },
    ]);
  });
});

describe('Sources: lines no format understands', () => {
  it('keeps the first of them with file, offset and bytes, and says in the summary that most lines were not understood', async () => {
    write('app.log', `what is this\nnor this\n${logLine('ERROR', 'ok', 1)}`);

    const summary = await fx.ingest();

    const rows = await fx.db.pool.query<{ byte_offset: string; line: Buffer; reason: string }>(
      'SELECT byte_offset, line, reason FROM ingest_unparsed ORDER BY id',
    );
    expect(rows.rows.map((r) => [r.byte_offset, r.line.toString(), r.reason])).toEqual([
      ['0', 'what is this', 'no_format'],
      ['13', 'nor this', 'no_format'],
    ]);
    const f = summary.files[0]!;
    expect(f.unparseableLines).toBe(2);
    expect(f.continuationLines).toBe(0);
    expect(f.unparsedExample).toBe('what is this');
  });
});

describe('Sources: uncaught exceptions', () => {
  it('stores a traceback after an INFO line as an ERROR entry of its own, timed by the read', async () => {
    write(
      'app.log',
      `${logLine('INFO', 'serving', 1)}Traceback (most recent call last):\n  File "app.py", line 3, in <module>\nZeroDivisionError: division by zero\n`,
    );

    await fx.ingest({ now: () => Date.parse('2026-11-23T10:05:00Z') });

    const rows = await fx.db.pool.query<{ level: string; message: string; time_source: string; logged_at: Date }>(
      'SELECT level, message, time_source, logged_at FROM log_entries',
    );
    expect(rows.rows).toEqual([
      {
        level: 'ERROR',
        message: 'Traceback (most recent call last):\n  File "app.py", line 3, in <module>\nZeroDivisionError: division by zero',
        time_source: 'read',
        logged_at: new Date('2026-11-23T10:05:00Z'),
      },
    ]);
  });

  it('keeps a traceback that follows an ERROR line inside that entry', async () => {
    write('app.log', `${logLine('ERROR', 'request failed', 1)}Traceback (most recent call last):\n  File "app.py", line 3\nKeyError: 'x'\n`);

    await fx.ingest();

    expect((await fx.entries()).map((e) => e.message)).toEqual([
      'request failed\nTraceback (most recent call last):\n  File "app.py", line 3\nKeyError: \'x\'',
    ]);
  });
});

describe('Sources: times far from the file', () => {
  it('records entries timed far after the file was last written as an anomaly, and stores them as written', async () => {
    const file = write('app.log', logLine('ERROR', 'from the future', 1));
    fs.utimesSync(file, new Date('2026-11-01T00:00:00Z'), new Date('2026-11-01T00:00:00Z'));

    await fx.ingest();

    expect((await fx.entries()).map((e) => e.message)).toEqual(['from the future']);
    const anomalies = await fx.db.pool.query<{ kind: string; occurrences: string }>('SELECT kind, occurrences FROM ingest_anomalies');
    expect(anomalies.rows).toEqual([{ kind: 'time_out_of_range', occurrences: '1' }]);
  });
});
