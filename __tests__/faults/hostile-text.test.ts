// Hostile text in a monitored file: SQL-looking messages, COPY's own escape
// sequences, control characters, huge lines and huge multi-line entries. Each
// must be stored literally (or truncated as documented), never executed, and
// never break the batch it travels in: its neighbours are stored in the same
// COPY, with no row-by-row fallback.
import fs from 'node:fs';
import path from 'node:path';
import { readIngestConfig } from '../../lib/ingest/config';
import type { IngestConfig } from '../../lib/ingest/config';
import { runIngest } from '../../lib/ingest/ingest';
import type { AppLogger } from '../../lib/platform/logger';
import { storedEntries } from '../support/stored-entries';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { logLine, makeTempDir } from '../support/files';

const CONTROL_CHARS = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i))
  .filter((c) => c !== '\0' && c !== '\n' && c !== '\r')
  .join('');

const HOSTILE_MESSAGES: [string, string][] = [
  ['quote and statement', `'); DROP TABLE canary; --`],
  ['statement in a string', `x'); DELETE FROM log_sources; SELECT ('`],
  ['dollar quoting', '$$; DROP TABLE canary; $$'],
  ['parameter markers', '$1 $2 $99 ? :name @p0'],
  ['COPY end-of-data marker', '\\.'],
  ['COPY NULL marker', '\\N'],
  ['a trailing backslash', 'ends with \\'],
  ['COPY escapes written out', '\\t \\n \\r \\b \\f \\v \\x41 \\101 \\\\'],
  ['COPY column separators', 'a\tb\tc\t\t\tN'],
  ['format strings and templates', '%s %n %x %% {0} ${process.env.DATABASE_URL} {{template}} #{x}'],
  ['markup', '<script>alert(1)</script> <!-- --> ]]>'],
  ['ANSI escapes and bell', '\x1b[31mred\x1b[0m \x1b]0;title\x07 \x07'],
  ['every control character but NUL, LF, CR', `ctl:${CONTROL_CHARS}:end`],
  ['DEL and C1 controls', '\x7f \u0080 \u0085 \u009b'],
  ['a lone CR inside the line', 'before\rafter'],
  ['Unicode line and paragraph separators', 'a\u2028b\u2029c'],
  ['BOM, bidi override, zero-width', '\uFEFF \u202Egnp.exe \u200B\u200D'],
  ['combining marks and astral characters', 'Z\u0351\u0337a\u0336\u0322 𝕏 🚨 𠜎'],
  ['a header inside the message', '2026-11-23 10:00:00 [FATAL] forged entry'],
  ['nested levels', '[FATAL] [ERROR] [INFO]'],
  ['JSON', '{"level":"FATAL","message":"x","__proto__":{"admin":true}}'],
];

function silentLogger(warnings: string[]): AppLogger {
  const noop = (): void => undefined;
  return { debug: noop, info: noop, error: noop, warn: (message: string) => warnings.push(message) } as unknown as AppLogger;
}

describe('Fault: hostile text in a log file', () => {
  let db: TestDatabase;
  let dir: string;
  let file: string;
  let config: IngestConfig;
  let warnings: string[];

  const ingest = () => runIngest({ pool: db.pool, config, logger: silentLogger(warnings) });
  const publicTables = async (): Promise<string[]> =>
    (await db.pool.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map((r) => r.t);

  beforeEach(async () => {
    db = await createTestDatabase();
    await db.pool.query('CREATE TABLE canary (alive boolean)');
    dir = makeTempDir('logmon-hostile-');
    file = path.join(dir, 'app.log');
    config = { ...readIngestConfig({ LOG_FILES: file }), multilineFlushMs: 0 };
    warnings = [];
  });

  afterEach(async () => {
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores SQL-looking, COPY-escape and control-character messages literally, in one batch, and executes none', async () => {
    // Prepare
    const tablesBefore = await publicTables();
    const lines = HOSTILE_MESSAGES.map(([, message], i) => logLine(i % 2 ? 'FATAL' : 'ERROR', message, i % 60));
    fs.writeFileSync(file, `${logLine('ERROR', 'first neighbour', 0)}${lines.join('')}${logLine('ERROR', 'last neighbour', 59)}`);

    // Act
    const summary = await ingest();

    // Assess
    const expected = ['first neighbour', ...HOSTILE_MESSAGES.map(([, m]) => m), 'last neighbour'];
    const bytes = await db.pool.query<{ b: Buffer }>("SELECT convert_to(message, 'UTF8') AS b FROM log_entries ORDER BY byte_offset");
    expect(bytes.rows.map((r) => r.b.toString('utf8'))).toEqual(expected);
    expect(summary.files[0]).toMatchObject({ outcome: 'read', batches: 1, entriesStored: expected.length, unparseableLines: 0 });
    expect(warnings).toEqual([]);
    expect(await publicTables()).toEqual(tablesBefore);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM log_sources')).rows[0].n).toBe(1);
  });

  it('replaces NUL bytes and invalid UTF-8 with U+FFFD, counts them, and keeps the neighbours', async () => {
    // Prepare
    const nul = Buffer.from('2026-11-23 10:00:01 [ERROR] nul\0inside\0\n');
    const invalid = Buffer.concat([Buffer.from('2026-11-23 10:00:02 [ERROR] bad '), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from(' utf8\n')]);
    fs.writeFileSync(file, Buffer.concat([Buffer.from(logLine('ERROR', 'before', 0)), nul, invalid, Buffer.from(logLine('FATAL', 'after', 3))]));

    // Act
    const summary = await ingest();

    // Assess
    expect((await storedEntries(db.pool)).map((e) => e.message)).toEqual(['before', 'nul\uFFFDinside\uFFFD', 'bad \uFFFD(\uFFFD\uFFFD utf8', 'after']);
    expect(summary.totals).toMatchObject({ nulBytes: 2, invalidUtf8Lines: 1, entriesStored: 4 });
    expect(warnings).toEqual([]);
  });

  it('stores a huge line truncated at LOG_MAX_LINE_BYTES with a marker, on a character boundary, and keeps the neighbours', async () => {
    // Prepare
    const header = '2026-11-23 10:00:01 [ERROR] ';
    const huge = `${header}${'é'.repeat(4 * 1024 * 1024)}\n`; // 8 MiB of two-byte characters
    const exact = `${header}${'x'.repeat(config.maxLineBytes - header.length)}\n`;
    fs.writeFileSync(file, logLine('ERROR', 'before', 0) + huge + exact + logLine('FATAL', 'after', 3));

    // Act
    const summary = await ingest();

    // Assess
    const stored = (await storedEntries(db.pool)).map((e) => e.message);
    expect(stored).toHaveLength(4);
    expect(stored[0]).toBe('before');
    expect(stored[1]).toMatch(/^(é)+ …\[line truncated at 65536 bytes\]$/);
    expect(Buffer.byteLength(stored[1]!.replace(/ …\[.*$/, '')) + header.length).toBeLessThanOrEqual(config.maxLineBytes);
    expect(stored[2]).toBe('x'.repeat(config.maxLineBytes - header.length));
    expect(stored[3]).toBe('after');
    expect(summary.totals).toMatchObject({ truncatedLines: 1, entriesStored: 4 });
    // about 8 MiB dropped; the exact count is the scanner's own tests' business
    // (this branch under-counts by a few dozen bytes; fixed on the tailing branch)
    expect(summary.totals.truncatedBytes).toBeGreaterThan(8 * 1024 * 1024 - 2 * config.maxLineBytes);
    expect(warnings).toEqual([]);
  });

  it('bounds a huge multi-line entry by INGEST_BATCH_BYTES and accounts for every line after the cut', async () => {
    // Prepare
    config = { ...config, batchBytes: 64 * 1024 };
    const continuation = '    at flood (/srv/app/flood.js:1:1)\n';
    const count = 50_000; // about 1.8 MiB of continuation lines
    fs.writeFileSync(file, logLine('ERROR', 'flood', 1) + continuation.repeat(count) + logLine('FATAL', 'after the flood', 2));

    // Act
    const summary = await ingest();

    // Assess
    const stored = await storedEntries(db.pool);
    expect(stored.map((e) => e.message.split('\n')[0])).toEqual(['flood', 'after the flood']);
    expect(Buffer.byteLength(stored[0]!.message)).toBeLessThanOrEqual(config.batchBytes + 8192);
    const kept = stored[0]!.message.split('\n').length - 1;
    expect(summary.totals.continuationLines + summary.totals.unparseableLines).toBe(count);
    expect(summary.totals.continuationLines).toBe(kept);
    expect(summary.files[0]).toMatchObject({ outcome: 'read', lagBytes: 0 });
  });

  it('keeps the batch when PostgreSQL would reject a crafted timestamp: an offset out of range is unparseable, an endless fraction is cut to nanoseconds', async () => {
    // Prepare: both pass the header's shape check; PostgreSQL refuses offsets
    // beyond ±15:59 and very long fractions.
    const crafted = ['2026-11-23 10:00:01+16:00 [ERROR] offset out of range\n', `2026-11-23 10:00:02.${'9'.repeat(200)} [ERROR] endless fraction\n`];
    fs.writeFileSync(file, logLine('ERROR', 'before', 0) + crafted.join('') + logLine('FATAL', 'after', 3));

    // Act
    const summary = await ingest();

    // Assess
    const stored = await storedEntries(db.pool);
    expect(stored.map((e) => e.message)).toEqual(['before', 'endless fraction', 'after']);
    // 9 digits kept, then PostgreSQL rounds to microseconds
    expect(stored[1]!.timestamp).toBe('2026-11-23T10:00:03.000Z');
    const anomalies = await db.pool.query<{ kind: string; n: number }>(
      "SELECT kind, sum(occurrences)::int AS n FROM ingest_anomalies WHERE kind IN ('entry_rejected', 'unparseable_lines') GROUP BY kind",
    );
    expect(anomalies.rows).toEqual([{ kind: 'unparseable_lines', n: 1 }]);
    expect(summary.files[0]).toMatchObject({ outcome: 'read', lagBytes: 0 });
  });
});
