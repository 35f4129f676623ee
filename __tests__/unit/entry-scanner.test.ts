import { isTimeOutOfRange } from '../../lib/ingest/entry-scanner';
import { EntryScanner, accountedBytes, countInvalidUtf8, emptyCounts, utf8CutPoint } from '../../lib/ingest/entry-scanner';
import type { EntryRecord, ScanCounts } from '../../lib/ingest/entry-scanner';
import { baseSeed, withSeed } from '../support/random';
import type { Random } from '../support/random';

const MAX = 256;
const MARKER = ` …[line truncated at ${MAX} bytes]`;

interface ScanResult {
  entries: EntryRecord[];
  counts: ScanCounts;
  checkpoint: { offset: number; skipping: boolean };
  /** Bytes left unconsumed (a partial line). */
  carry: number;
}

interface ScanOptions {
  /** Sizes of the reads; the last one repeats. Default: everything at once. */
  chunks?: number[];
  flush?: boolean;
  eof?: boolean;
  levels?: string[];
  start?: number;
  skipping?: boolean;
}

/** Feed `input` to a scanner the way source-reader does: reads of some size, the unconsumed rest carried over. */
function scanBytes(input: Buffer, options: ScanOptions = {}): ScanResult {
  const entries: EntryRecord[] = [];
  const start = options.start ?? 0;
  const scanner = new EntryScanner({ levels: options.levels ?? ['ERROR', 'FATAL'], maxLineBytes: MAX, emit: (e) => entries.push(e) }, start, options.skipping);
  let carry = Buffer.alloc(0);
  let pos = start;
  let k = 0;
  while (pos < input.length) {
    const size = options.chunks ? options.chunks[Math.min(k, options.chunks.length - 1)]! : input.length;
    k += 1;
    const view = Buffer.concat([carry, input.subarray(pos, pos + size)]);
    pos += Math.min(size, input.length - pos);
    const consumed = scanner.scan(view);
    carry = Buffer.from(view.subarray(consumed));
    expect(carry.length).toBeLessThanOrEqual(MAX + 1);
  }
  if (options.eof && carry.length > 0) {
    scanner.scan(carry, true);
    carry = Buffer.alloc(0);
  }
  if (options.flush !== false) scanner.flush();
  return { entries, counts: { ...scanner.counts }, checkpoint: scanner.checkpoint(), carry: carry.length };
}

const scanText = (text: string, options?: ScanOptions): ScanResult => scanBytes(Buffer.from(text, 'utf8'), options);
const messages = (r: ScanResult): string[] => r.entries.map((e) => e.message);

/** The two identities every committed count must satisfy. */
function expectAccounted(r: ScanResult, start = 0): void {
  const c = r.counts;
  expect(c.entriesMatched + c.entriesSkipped + c.continuationLines + c.blankLines + c.unparseableLines).toBe(c.lines);
  expect(accountedBytes(c)).toBe(r.checkpoint.offset - start);
}

describe('Class: EntryScanner', () => {
  describe('Method: scan', () => {
    it.each([
      ['one entry', '2026-11-23 10:00:00 [ERROR] boom\n', ['boom'], { lines: 1, entriesMatched: 1 }],
      ['levels not wanted are counted, not stored', '2026-11-23 10:00:00 [INFO] hi\n2026-11-23 10:00:01 [warning] w\n', [], { lines: 2, entriesSkipped: 2 }],
      ['CRLF line endings', '2026-11-23 10:00:00 [ERROR] a\r\n2026-11-23 10:00:01 [ERROR] b\r\n', ['a', 'b'], { lines: 2 }],
      ['a lone CR inside a line is content', '2026-11-23 10:00:00 [ERROR] a\rb\n', ['a\rb'], { lines: 1 }],
      ['blank and whitespace-only lines', '\n  \t\n2026-11-23 10:00:00 [ERROR] a\n\r\n', ['a'], { lines: 4, blankLines: 3 }],
      [
        'a stack trace joins the entry above',
        '2026-11-23 10:00:00 [ERROR] failed\njava.lang.IllegalStateException: x\n\tat Foo.bar(Foo.java:1)\r\n  Caused by: y\n',
        ['failed\njava.lang.IllegalStateException: x\n\tat Foo.bar(Foo.java:1)\n  Caused by: y'],
        { lines: 4, continuationLines: 3 },
      ],
      [
        'a blank line inside an entry (a stack trace) is kept in its message and does not end it',
        '2026-11-23 10:00:00 [ERROR] a\n\n  more\n',
        ['a\n\n  more'],
        { lines: 3, continuationLines: 1, blankLines: 1 },
      ],
      [
        'blank lines after an entry are not part of it',
        '2026-11-23 10:00:00 [ERROR] a\n\n\n2026-11-23 10:00:01 [ERROR] b\n',
        ['a', 'b'],
        { lines: 4, blankLines: 2 },
      ],
      [
        'continuation lines of a dropped entry are dropped with it',
        '2026-11-23 10:00:00 [INFO] a\n  at x\n2026-11-23 10:00:01 [ERROR] b\n',
        ['b'],
        { lines: 3, entriesSkipped: 1, continuationLines: 1 },
      ],
      ['a line with no entry above is unparseable', '  at x\n2026-11-23 10:00:00 [ERROR] a\n', ['a'], { lines: 2, unparseableLines: 1 }],
      [
        'an unparseable header takes its continuation lines with it; an unknown [LEVEL] is an entry without a level',
        '2026-13-01 10:00:00 [ERROR] bad month\n  at x\n2026-11-23 10:00:00 [NOPE] bad level\n2026-11-23 10:00:01 [ERROR] ok\n',
        ['ok'],
        { lines: 4, unparseableLines: 1, continuationLines: 1, entriesSkipped: 1 },
      ],
      ['a line of only [ERROR]', '[ERROR]\n', [], { lines: 1, unparseableLines: 1 }],
      ['an empty message', '2026-11-23 10:00:00 [ERROR]\n', [''], { lines: 1 }],
    ])('%s', (_name, text, expected, counts) => {
      const r = scanText(text);
      expect(messages(r)).toEqual(expected);
      expect(r.counts).toMatchObject(counts);
      expectAccounted(r);
    });

    it('stores the first line offset, timestamp and upper-case level of each entry', () => {
      const r = scanText('2026-11-23 10:00:00 [INFO] a\n2026-11-23 10:00:01,25+01:00 [fatal] b\n  c\n', { start: 0 });
      expect(r.entries).toEqual([
        {
          offset: 29,
          timestamp: '2026-11-23 10:00:01.25+01:00',
          level: 'FATAL',
          message: 'b\n  c',
          severity: 21,
          levelText: 'fatal',
          fields: null,
          timeSource: 'line',
        },
      ]);
    });

    it('keeps the last entry pending until the next entry starts or flush(), and checkpoints at its start', () => {
      const text = '2026-11-23 10:00:00 [ERROR] a\n2026-11-23 10:00:01 [ERROR] b\n  more\n';

      const held = scanText(text, { flush: false });
      const flushed = scanText(text);

      expect(messages(held)).toEqual(['a']);
      expect(held.checkpoint).toEqual({ offset: 30, skipping: false });
      expect(held.counts).toMatchObject({ lines: 1, entriesMatched: 1, continuationLines: 0 });
      expectAccounted(held);
      expect(messages(flushed)).toEqual(['a', 'b\n  more']);
      expect(flushed.checkpoint).toEqual({ offset: text.length, skipping: false });
      expectAccounted(flushed);
    });

    it('leaves a partial last line unconsumed, and takes it as a line at eof', () => {
      const text = '2026-11-23 10:00:00 [ERROR] a\n2026-11-23 10:00:01 [ERROR] half';

      const waiting = scanText(text);
      const atEof = scanText(text, { eof: true });

      expect(messages(waiting)).toEqual(['a']);
      expect(waiting.carry).toBe(32);
      expect(messages(atEof)).toEqual(['a', 'half']);
      expect(atEof.checkpoint.offset).toBe(text.length);
    });

    it.each([
      ['content of exactly the maximum is kept whole', 'x'.repeat(MAX - 28), '\n', false],
      ['CRLF after content of exactly the maximum is not counted', 'x'.repeat(MAX - 28), '\r\n', false],
      ['one byte over the maximum is cut', 'x'.repeat(MAX - 27), '\n', true],
      ['one byte over the maximum with CRLF is cut', 'x'.repeat(MAX - 27), '\r\n', true],
    ])('%s', (_name, body, eol, cut) => {
      const line = `2026-11-23 10:00:00 [ERROR] ${body}${eol}`;
      for (const chunks of [undefined, [1], [MAX], [MAX + 1], [MAX + 2]]) {
        const r = scanText(line, { chunks });
        const expected = cut ? `${body.slice(0, MAX - 28)}${MARKER}` : body;
        expect(messages(r)).toEqual([expected]);
        expect(r.counts.truncatedLines).toBe(cut ? 1 : 0);
        expect(r.counts.truncatedBytes).toBe(cut ? line.length - MAX : 0);
        expectAccounted(r);
      }
    });

    it.each([[undefined], [[1]], [[7]], [[100]], [[MAX - 1]], [[MAX]], [[MAX + 1]], [[MAX + 2]], [[1000]], [[3, 500, 2]]])(
      'cuts a 10 KiB line the same way when it arrives in reads of %j bytes',
      (chunks) => {
        const long = `2026-11-23 10:00:00 [ERROR] ${'y'.repeat(10 * 1024)}`;
        const text = `${long}\n  continuation\n2026-11-23 10:00:01 [INFO] next\n${'z'.repeat(3 * MAX)}\n`;

        const r = scanText(text, { chunks });

        expect(messages(r)).toEqual([`${'y'.repeat(MAX - 28)}${MARKER}\n  continuation`]);
        expect(r.counts).toMatchObject({ lines: 4, truncatedLines: 2, truncatedBytes: long.length + 1 - MAX + 2 * MAX + 1, unparseableLines: 0 });
        expectAccounted(r);
      },
    );

    it('resumes inside an over-long line from a checkpoint that says so', () => {
      const text = `2026-11-23 10:00:00 [ERROR] ${'y'.repeat(1000)}\n2026-11-23 10:00:01 [ERROR] after\n`;
      const first = scanText(text.slice(0, 600), { flush: true });
      expect(first.checkpoint).toEqual({ offset: 600, skipping: true });

      const second = scanText(text, { start: first.checkpoint.offset, skipping: true });

      expect(messages(first)).toEqual([`${'y'.repeat(MAX - 28)}${MARKER}`]);
      expect(messages(second)).toEqual(['after']);
      expect(second.counts.truncatedBytes).toBe(1028 + 1 - 600);
      expectAccounted(second, 600);
    });

    it('never cuts a multi-byte character in two', () => {
      // 'é' is 2 bytes: with an odd number of bytes before it, the limit falls inside one.
      const body = `${'a'.repeat(MAX - 29)}${'é'.repeat(200)}`;
      const r = scanText(`2026-11-23 10:00:00 [ERROR] ${body}\n`);
      expect(messages(r)[0]).toBe(`${'a'.repeat(MAX - 29)}${MARKER}`);
      expectAccounted(r);
    });

    it('replaces invalid UTF-8 and counts the lines and bytes', () => {
      const bytes = Buffer.concat([Buffer.from('2026-11-23 10:00:00 [ERROR] bad '), Buffer.from([0xff, 0xc3, 0x28, 0xe2, 0x82]), Buffer.from(' end\n')]);

      const r = scanBytes(bytes);

      expect(messages(r)).toEqual(['bad \uFFFD\uFFFD(\uFFFD end']);
      expect(r.counts).toMatchObject({ invalidUtf8Lines: 1, invalidUtf8Bytes: 4 });
      expectAccounted(r);
    });

    it('replaces NUL bytes and counts them', () => {
      const r = scanText('2026-11-23 10:00:00 [ERROR] a\0b\0\n  c\0\n');
      expect(messages(r)).toEqual(['a\uFFFDb\uFFFD\n  c\uFFFD']);
      expect(r.counts.nulBytes).toBe(3);
    });

    it('does not count invalid UTF-8 or NUL in lines it does not store', () => {
      const r = scanBytes(Buffer.from('2026-11-23 10:00:00 [INFO] \xff\0\n\xff\0\n', 'latin1'));
      expect(r.counts).toMatchObject({ invalidUtf8Lines: 0, nulBytes: 0, entriesSkipped: 1, continuationLines: 1 });
    });

    it('keeps a message that really contains U+FFFD without counting it as invalid', () => {
      const r = scanText('2026-11-23 10:00:00 [ERROR] real \uFFFD here\n');
      expect(messages(r)).toEqual(['real \uFFFD here']);
      expect(r.counts.invalidUtf8Lines).toBe(0);
    });

    it('survives binary garbage and counts it as unparseable', () => {
      const garbage = Buffer.alloc(5000);
      for (let i = 0; i < garbage.length; i += 1) garbage[i] = (i * 7919) % 256;
      const r = scanBytes(Buffer.concat([garbage, Buffer.from('\n2026-11-23 10:00:00 [ERROR] after garbage\n')]));
      expect(messages(r)).toEqual(['after garbage']);
      expect(r.counts.unparseableLines).toBeGreaterThan(0);
      expectAccounted(r);
    });
  });

  describe('Property: reads and resumes', () => {
    const SEQUENCES = 300;

    it('gives the same entries and counts whatever the read sizes, and resuming from a checkpoint repeats and loses nothing', async () => {
      const seed = baseSeed();
      for (let k = 0; k < SEQUENCES; k += 1) {
        await withSeed(seed + k, 'gives the same entries and counts whatever the read sizes', (rng) => {
          const doc = randomDocument(rng);
          const whole = scanBytes(doc, { eof: true });
          expectAccounted(whole);
          expect(whole.checkpoint.offset).toBe(doc.length);

          // Any read sizes: same result.
          const chunks = Array.from({ length: 8 }, () => rng.int(1, 2 * MAX));
          expect(scanBytes(doc, { chunks, eof: true })).toEqual(whole);

          // A run that saw only a prefix (the file was still being written), then a run from its checkpoint.
          const cut = rng.int(0, doc.length);
          const first = scanBytes(doc.subarray(0, cut), { chunks, flush: false });
          expectAccounted(first);
          const second = scanBytes(doc, { start: first.checkpoint.offset, skipping: first.checkpoint.skipping, eof: true });
          expectAccounted(second, first.checkpoint.offset);
          expect([...first.entries, ...second.entries]).toEqual(whole.entries);
          const sum = emptyCounts();
          for (const key of Object.keys(sum) as (keyof ScanCounts)[]) sum[key] = first.counts[key] + second.counts[key];
          expect(sum).toEqual(whole.counts);
        });
      }
    });
  });
});

describe('Function: utf8CutPoint', () => {
  it.each([
    ['ASCII', Buffer.from('abcdef'), 3, 3],
    ['before a 2-byte character', Buffer.from('abé'), 3, 2],
    ['before a 4-byte character', Buffer.from('a🚨b'), 2, 1],
    ['inside a 4-byte character', Buffer.from('a🚨b'), 4, 1],
    ['after a 4-byte character', Buffer.from('a🚨b'), 5, 5],
    ['a run of stray continuation bytes', Buffer.from([0x61, 0x80, 0x80, 0x80, 0x80, 0x80]), 5, 5],
  ])('%s', (_name, buf, end, expected) => {
    expect(utf8CutPoint(buf, 0, end)).toBe(expected);
  });
});

describe('Function: countInvalidUtf8', () => {
  it.each([
    ['valid text', Buffer.from('Zürich 東京 🚨'), 0],
    ['a stray continuation byte', Buffer.from([0x61, 0x80, 0x62]), 1],
    ['0xff', Buffer.from([0xff]), 1],
    ['an overlong encoding', Buffer.from([0xc0, 0xaf]), 2],
    ['a UTF-16 surrogate', Buffer.from([0xed, 0xa0, 0x80]), 3],
    ['a sequence cut short', Buffer.from([0xe2, 0x82, 0x61]), 2],
    ['beyond U+10FFFF', Buffer.from([0xf4, 0x90, 0x80, 0x80]), 4],
  ])('%s', (_name, buf, expected) => {
    expect(countInvalidUtf8(buf, 0, buf.length)).toBe(expected);
  });
});

/** A random log file: entries in every accepted format, continuation, blank, bad and long lines, hostile bytes. */
function randomDocument(rng: Random): Buffer {
  const parts: Buffer[] = [];
  const lines = rng.int(0, 30);
  for (let i = 0; i < lines; i += 1) {
    parts.push(randomLine(rng, i));
    if (i < lines - 1 || rng.chance(0.7)) parts.push(Buffer.from(rng.chance(0.2) ? '\r\n' : '\n'));
  }
  return Buffer.concat(parts);
}

function randomLine(rng: Random, i: number): Buffer {
  const ts = `2026-11-23${rng.pick([' ', 'T'])}10:00:${String(i % 60).padStart(2, '0')}${rng.pick(['', '.5', ',123', '.123456789012'])}${rng.pick(['', 'Z', '+05:30', '-03'])}`;
  const level = rng.pick(['ERROR', 'error', 'Error', 'FATAL', 'INFO', 'warning', 'DEBUG', 'NOPE']);
  switch (rng.int(0, 9)) {
    case 0:
      return Buffer.from(`  at frame${i}(File.java:${i})`);
    case 1:
      return Buffer.from(rng.pick(['', ' ', '\t \t']));
    case 2:
      return Buffer.from(`2026-13-45 10:00:00 [ERROR] bad ${i}`);
    case 3: {
      // over-long, around the limit or far beyond, sometimes with multi-byte characters
      const size = rng.pick([MAX - 30, MAX - 28, MAX - 27, MAX, 3 * MAX]);
      return Buffer.from(`${ts} [${level}] ${rng.pick(['x', 'é', '🚨']).repeat(size)}`);
    }
    case 4: {
      const junk = Buffer.alloc(rng.int(1, 40));
      for (let k = 0; k < junk.length; k += 1) junk[k] = rng.chance(0.5) ? rng.pick([0x00, 0xff, 0xc3, 0x80, 0x0d]) : rng.int(0x20, 0x7e);
      return Buffer.concat([Buffer.from(rng.chance(0.5) ? `${ts} [${level}] ` : ''), junk]);
    }
    default:
      return Buffer.from(`${ts}${rng.pick([' ', '  ', '\t'])}[${level}] message ${i} Zürich`);
  }
}

describe('Function: isTimeOutOfRange', () => {
  const mtime = Date.parse('2026-11-23T10:00:00Z');
  it.each([
    ['2026-11-23 09:59:00', false],
    ['2026-11-24 09:00:00+01:00', false],
    ['2026-11-26 10:00:00Z', true],
    ['2025-11-01 10:00:00', true],
    ['2026-01-01 00:00:00', false],
    ['not a time', false],
  ])('judges %s against a file written at 2026-11-23 10:00Z: %s', (timestamp, expected) => {
    expect(isTimeOutOfRange(timestamp, mtime)).toBe(expected);
  });
});

describe('Class: EntryScanner › Option: mtimeMs', () => {
  it.each([
    ['2026-11-23 09:00:00', 0],
    ['2026-11-24 20:00:00', 0],
    ['2026-11-26 10:00:00', 1],
    ['2025-11-20 00:00:00', 1],
    ['2025-12-01 00:00:00', 0],
  ])('counts %s as out of range %d times for a file written at 2026-11-23 10:00Z', (timestamp, expected) => {
    const scanner = new EntryScanner({ levels: ['ERROR'], maxLineBytes: 1024, emit: () => undefined, mtimeMs: Date.parse('2026-11-23T10:00:00Z') }, 0);
    scanner.scan(Buffer.from(`${timestamp} [ERROR] x\n`));
    scanner.flush();
    expect(scanner.counts.timeOutOfRange).toBe(expected);
  });
});
