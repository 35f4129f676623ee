import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { openForReading } from '../../lib/ingest/source-reader';
import type { OpenFile } from '../../lib/ingest/source-reader';
import { logLine } from '../support/files';
import { IngestFixture } from '../support/ingest-fixture';
import { baseSeed, withSeed } from '../support/random';

const fx = new IngestFixture();

beforeAll(() => fx.setUp());
afterAll(() => fx.tearDown());
beforeEach(() => fx.reset());

describe('Function: runIngest › hostile input', () => {
  it('stores invalid UTF-8 with replacement characters and counts it, without failing the batch', async () => {
    const file = fx.file('app.log');
    fs.writeFileSync(
      file,
      Buffer.concat([
        Buffer.from('2026-11-23 10:00:00 [ERROR] latin-1 caf'),
        Buffer.from([0xe9, 0x20, 0xc0, 0xaf, 0x20, 0xed, 0xa0, 0x80]),
        Buffer.from('\n  trace \xff\n', 'latin1'),
        Buffer.from(logLine('ERROR', 'clean', 1)),
      ]),
    );

    const summary = await fx.ingest();

    expect(await fx.messages()).toEqual(['latin-1 caf\uFFFD \uFFFD\uFFFD \uFFFD\uFFFD\uFFFD\n  trace \uFFFD', 'clean']);
    expect(summary.totals).toMatchObject({ invalidUtf8Lines: 2, invalidUtf8Bytes: 7, entriesStored: 2 });
    expect((await fx.anomalies()).map((a) => [a.kind, a.occurrences, a.bytes])).toEqual([['invalid_utf8', '2', '7']]);
  });

  it('stores NUL bytes as replacement characters and counts them', async () => {
    fs.writeFileSync(fx.file('app.log'), `2026-11-23 10:00:00 [ERROR] nul\0in\0side\n\0\0\0\n${logLine('ERROR', 'next', 1)}`);

    const summary = await fx.ingest();

    expect(await fx.messages()).toEqual(['nul\uFFFDin\uFFFDside\n\uFFFD\uFFFD\uFFFD', 'next']);
    expect(summary.totals.nulBytes).toBe(5);
    expect((await fx.anomalies()).map((a) => [a.kind, a.bytes])).toEqual([['nul_bytes', '5']]);
  });

  it('stores a 10 MB line cut at LOG_MAX_LINE_BYTES and reads on', async () => {
    const file = fx.file('app.log');
    const head = '2026-11-23 10:00:00 [ERROR] ';
    const body = 'z'.repeat(10 * 1024 * 1024);
    fs.writeFileSync(file, `${head + body}\n${logLine('FATAL', 'after the big one', 1)}`);

    const summary = await fx.ingest();

    const stored = await fx.messages();
    expect(stored).toHaveLength(2);
    expect(Buffer.byteLength(stored[0]!)).toBe(64 * 1024 - head.length + Buffer.byteLength(' …[line truncated at 65536 bytes]'));
    expect(stored[1]).toBe('after the big one');
    expect(summary.totals).toMatchObject({ truncatedLines: 1, truncatedBytes: head.length + body.length + 1 - 64 * 1024 });
  });

  it('counts a line of only [ERROR] as unparseable', async () => {
    fs.writeFileSync(fx.file('app.log'), `[ERROR]\n[ERROR] no timestamp\n${logLine('ERROR', 'real', 1)}`);

    const summary = await fx.ingest();

    expect(await fx.messages()).toEqual(['real']);
    expect(summary.totals).toMatchObject({ unparseableLines: 2, unparseableBytes: 8 + 21 });
  });

  it('reads an empty file without error, and what is written to it later', async () => {
    const file = fx.file('app.log');
    fs.writeFileSync(file, '');

    const empty = await fx.ingest();
    fs.appendFileSync(file, logLine('ERROR', 'first words', 1));
    await fx.ingest();

    expect(empty.files).toEqual([expect.objectContaining({ outcome: 'read', bytesConsumed: 0, lagBytes: 0 })]);
    expect(await fx.messages()).toEqual(['first words']);
  });

  it('survives binary garbage: every byte accounted for, nothing rejected by PostgreSQL', async () => {
    await withSeed(baseSeed(), 'survives binary garbage', async (rng) => {
      const garbage = Buffer.alloc(256 * 1024);
      for (let i = 0; i < garbage.length; i += 1) garbage[i] = rng.int(0, 255);
      // sprinkle headers in, so garbage also lands in stored messages
      for (let i = 0; i < 50; i += 1) Buffer.from(`\n2026-11-23 10:00:00 [ERROR] `).copy(garbage, rng.int(0, garbage.length - 40));
      fs.writeFileSync(fx.file('app.log'), Buffer.concat([garbage, Buffer.from('\n')]));

      const summary = await fx.ingest();

      expect(summary.files[0]).toMatchObject({ outcome: 'read', bytesConsumed: garbage.length + 1, lagBytes: 0 });
      expect(summary.totals.entriesStored).toBe(summary.totals.entriesMatched);
      expect(summary.totals.entriesStored).toBeGreaterThan(0);
      expect((await fx.anomalies()).map((a) => a.kind)).not.toContain('entry_rejected');
    });
  });

  it('stores every timestamp the parser accepts: PostgreSQL never rejects one', async () => {
    await withSeed(baseSeed(), 'stores every timestamp the parser accepts', async (rng) => {
      const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
      const lines: string[] = [];
      for (let i = 0; i < 300; i += 1) {
        const year = rng.pick([1, 1900, 1970, 2000, 2026, 2038, 9999, rng.int(1, 9999)]);
        const month = rng.int(1, 12);
        const day = month === 2 ? rng.int(1, 28) : rng.int(1, 30);
        const fraction = rng.chance(0.5) ? `${rng.pick(['.', ','])}${'7'.repeat(rng.int(1, 40))}` : '';
        const sign = rng.pick(['+', '-']);
        const offset = rng.pick(['', 'Z', `${sign}${pad(rng.int(0, 15))}`, `${sign}${pad(rng.int(0, 15))}:${pad(rng.int(0, 59))}`, `${sign}1559`]);
        const ts = `${pad(year, 4)}-${pad(month)}-${pad(day)}${rng.pick([' ', 'T'])}${pad(rng.int(0, 23))}:${pad(rng.int(0, 59))}:${pad(rng.int(0, 59))}`;
        lines.push(`${ts}${fraction}${offset} [ERROR] ts ${i}\n`);
      }
      lines.push('2028-02-29 23:59:59.999999999+15:59 [ERROR] leap\n', '0001-01-01 00:00:00-15:59 [ERROR] first day\n');
      fs.writeFileSync(fx.file('app.log'), lines.join(''));

      const summary = await fx.ingest();

      expect(summary.totals).toMatchObject({ entriesStored: lines.length, unparseableLines: 0 });
      // The random timestamps span centuries: only the far-from-the-file count may be recorded, nothing rejected.
      expect((await fx.anomalies()).filter((a) => a.kind !== 'time_out_of_range')).toEqual([]);
    });
  });

  it('records a file that shrinks to nothing between stat and read, and reads what is written afterwards', async () => {
    const file = fx.file('app.log');
    fs.writeFileSync(file, logLine('ERROR', 'gone before it was read', 1));
    const size = fs.statSync(file).size;
    const shrinking: OpenFile = async (filePath) => {
      const handle = await openForReading(filePath);
      const stat = handle.stat.bind(handle);
      const statThenTruncate = (async (opts: unknown) => {
        const st = await stat(opts as { bigint: true });
        await fsp.truncate(filePath, 0);
        return st;
      }) as typeof handle.stat;
      return Object.assign(Object.create(handle) as typeof handle, { stat: statThenTruncate });
    };

    const summary = await fx.ingest({ openFile: shrinking });
    fs.appendFileSync(file, logLine('ERROR', 'written later', 2));
    await fx.ingest();

    expect(summary.files[0]).toMatchObject({ outcome: 'read', bytesLost: size });
    expect((await fx.anomalies()).map((a) => [a.kind, Number(a.bytes)])).toEqual([['shrank_while_reading', size]]);
    expect(await fx.messages()).toEqual(['written later']);
  });

  it('takes a file with CR-only line ends as one long line', async () => {
    fx.config = { ...fx.config, maxLineBytes: 256 };
    fs.writeFileSync(fx.file('app.log'), `${`${logLine('ERROR', 'a', 1).trim()}\r${logLine('ERROR', 'b', 2).trim()}\r`.repeat(10)}\n`);

    const summary = await fx.ingest();

    expect(summary.totals).toMatchObject({ lines: 1, entriesStored: 1, truncatedLines: 1 });
  });

  it('skips a FIFO and a directory matching a LOG_FILES glob without hanging, and reads the real files', async () => {
    fx.config = { ...fx.config, logFiles: [fx.file('*.log')] };
    execFileSync('mkfifo', [fx.file('pipe.log')]);
    fs.mkdirSync(fx.file('dir.log'));
    fs.writeFileSync(fx.file('real.log'), logLine('ERROR', 'real', 1));

    const summary = await fx.ingest();

    expect(await fx.messages()).toEqual(['real']);
    expect(summary.files.map((f) => f.path)).toEqual([fx.file('real.log')]);
  });

  it('reports a FIFO named literally in LOG_FILES as an error, without opening it', async () => {
    fx.config = { ...fx.config, logFiles: [fx.file('pipe.log'), fx.file('real.log')] };
    execFileSync('mkfifo', [fx.file('pipe.log')]);
    fs.writeFileSync(fx.file('real.log'), logLine('ERROR', 'real', 1));

    const summary = await fx.ingest();

    expect(await fx.messages()).toEqual(['real']);
    expect(summary.files.find((f) => f.path === fx.file('pipe.log'))).toMatchObject({ outcome: 'error', error: expect.stringContaining('ENOTFILE') });
  });
});
