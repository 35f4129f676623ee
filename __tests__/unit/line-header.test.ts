import { KNOWN_LEVELS } from '../../lib/ingest/config';
import {
  HEADER_BAD_LEVEL,
  HEADER_BAD_TIMESTAMP,
  HEADER_NONE,
  HEADER_OK,
  compileLevels,
  newLineHeader,
  parseLineHeader,
  timestampText,
} from '../../lib/ingest/line-header';
import type { HeaderStatus } from '../../lib/ingest/line-header';

const KNOWN = compileLevels(KNOWN_LEVELS);

function parse(line: string): { status: HeaderStatus; timestamp?: string; level?: string; message?: string } {
  const buf = Buffer.from(line, 'utf8');
  const out = newLineHeader();
  const status = parseLineHeader(buf, 0, buf.length, KNOWN, out);
  if (status !== HEADER_OK) return { status };
  return { status, timestamp: timestampText(buf, out), level: out.level, message: buf.toString('utf8', out.messageStart) };
}

describe('Function: parseLineHeader', () => {
  it.each([
    ['2026-11-23 10:00:00 [ERROR] boom', '2026-11-23 10:00:00', 'ERROR', 'boom'],
    ['2026-11-23T10:00:00 [ERROR] T separator', '2026-11-23T10:00:00', 'ERROR', 'T separator'],
    ['2026-11-23 10:00:00.5 [ERROR] tenths', '2026-11-23 10:00:00.5', 'ERROR', 'tenths'],
    ['2026-11-23 10:00:00.123 [ERROR] millis', '2026-11-23 10:00:00.123', 'ERROR', 'millis'],
    ['2026-11-23 10:00:00,123 [ERROR] comma millis', '2026-11-23 10:00:00.123', 'ERROR', 'comma millis'],
    ['2026-11-23 10:00:00.123456 [ERROR] micros', '2026-11-23 10:00:00.123456', 'ERROR', 'micros'],
    ['2026-11-23 10:00:00.123456789 [ERROR] nanos', '2026-11-23 10:00:00.123456789', 'ERROR', 'nanos'],
    ['2026-11-23 10:00:00.123456789123 [ERROR] more', '2026-11-23 10:00:00.123456789', 'ERROR', 'more'],
    ['2026-11-23 10:00:00Z [ERROR] zulu', '2026-11-23 10:00:00Z', 'ERROR', 'zulu'],
    ['2026-11-23 10:00:00+05 [ERROR] hours', '2026-11-23 10:00:00+05', 'ERROR', 'hours'],
    ['2026-11-23 10:00:00+0530 [ERROR] hhmm', '2026-11-23 10:00:00+0530', 'ERROR', 'hhmm'],
    ['2026-11-23 10:00:00-03:30 [ERROR] hh:mm', '2026-11-23 10:00:00-03:30', 'ERROR', 'hh:mm'],
    ['2026-11-23 10:00:00,25+15:59 [ERROR] both', '2026-11-23 10:00:00.25+15:59', 'ERROR', 'both'],
    ['2026-11-23 10:00:00 [error] lower', '2026-11-23 10:00:00', 'ERROR', 'lower'],
    ['2026-11-23 10:00:00 [Error] title', '2026-11-23 10:00:00', 'ERROR', 'title'],
    ['2026-11-23 10:00:00 [fAtAl] mixed', '2026-11-23 10:00:00', 'FATAL', 'mixed'],
    ['2026-11-23 10:00:00 [WARN] short form', '2026-11-23 10:00:00', 'WARN', 'short form'],
    ['2026-11-23 10:00:00 [critical] long level', '2026-11-23 10:00:00', 'CRITICAL', 'long level'],
    ['2026-11-23 10:00:00 \t  [ERROR] \t spaced', '2026-11-23 10:00:00', 'ERROR', 'spaced'],
    ['2026-11-23 10:00:00 [ERROR]no space', '2026-11-23 10:00:00', 'ERROR', 'no space'],
    ['2026-11-23 10:00:00 [ERROR]', '2026-11-23 10:00:00', 'ERROR', ''],
    ['2026-11-23 10:00:00 [ERROR]   ', '2026-11-23 10:00:00', 'ERROR', ''],
    ['2026-11-23 10:00:00 [ERROR] trailing  spaces kept  ', '2026-11-23 10:00:00', 'ERROR', 'trailing  spaces kept  '],
    ['2026-11-23 10:00:00 [ERROR] [nested] [brackets]', '2026-11-23 10:00:00', 'ERROR', '[nested] [brackets]'],
    ['2028-02-29 23:59:59 [ERROR] leap day', '2028-02-29 23:59:59', 'ERROR', 'leap day'],
    ['2000-02-29 00:00:00 [ERROR] leap century', '2000-02-29 00:00:00', 'ERROR', 'leap century'],
    ['0001-01-01 00:00:00 [ERROR] year one', '0001-01-01 00:00:00', 'ERROR', 'year one'],
    ['2026-11-23 10:00:00 [ERROR] Zürich 東京 🚨', '2026-11-23 10:00:00', 'ERROR', 'Zürich 東京 🚨'],
  ])('parses %j', (line, timestamp, level, message) => {
    expect(parse(line)).toEqual({ status: HEADER_OK, timestamp, level, message });
  });

  it.each([
    ['2026-13-01 10:00:00 [ERROR] month 13'],
    ['2026-00-01 10:00:00 [ERROR] month 0'],
    ['2026-11-31 10:00:00 [ERROR] November 31'],
    ['2026-02-29 10:00:00 [ERROR] not a leap year'],
    ['1900-02-29 10:00:00 [ERROR] not a leap century'],
    ['2026-11-00 10:00:00 [ERROR] day 0'],
    ['0000-01-01 10:00:00 [ERROR] year 0'],
    ['2026-11-23 24:00:00 [ERROR] hour 24'],
    ['2026-11-23 10:60:00 [ERROR] minute 60'],
    ['2026-11-23 10:00:60 [ERROR] leap second'],
    ['2026-11-23 10:00:00+16:00 [ERROR] offset beyond PostgreSQL'],
    ['2026-11-23 10:00:00+05:60 [ERROR] offset minutes'],
    ['2026-11-23 10:00:00+05:3 [ERROR] half offset'],
    ['2026-11-23 10:00:00x [ERROR] junk after time'],
    ['2026-11-23 10:00:00. [ERROR] dot without digits'],
    ['2026-11-23 10:00:00z [ERROR] lower-case zulu'],
    ['2026-11-23 10:00:00Zx [ERROR] junk after zulu'],
    ['2026-11-23 10:00:00[ERROR] no blank before level'],
  ])('reports a bad timestamp for %j', (line) => {
    expect(parse(line).status).toBe(HEADER_BAD_TIMESTAMP);
  });

  it.each([
    ['2026-11-23 10:00:00'],
    ['2026-11-23 10:00:00 '],
    ['2026-11-23 10:00:00 no level'],
    ['2026-11-23 10:00:00 [NOPE] unknown level'],
    ['2026-11-23 10:00:00 [] empty level'],
    ['2026-11-23 10:00:00 [ERROR unterminated'],
    ['2026-11-23 10:00:00 [ ERROR ] spaces inside'],
    ['2026-11-23 10:00:00 [ERR0R] digit'],
    ['2026-11-23 10:00:00 [ERRORS] plural'],
    ['2026-11-23 10:00:00 [CRITICALLY] too long'],
    ['2026-11-23 10:00:00 [ÉRROR] not ASCII'],
    ['2026-11-23 10:00:00 UTC [ERROR] zone name'],
  ])('reports a bad level for %j', (line) => {
    expect(parse(line).status).toBe(HEADER_BAD_LEVEL);
  });

  it.each([
    [''],
    ['   at com.example.Foo.bar(Foo.java:10)'],
    [' 2026-11-23 10:00:00 [ERROR] indented'],
    ['\t2026-11-23 10:00:00 [ERROR] tab-indented'],
    ['[ERROR]'],
    ['[ERROR] no timestamp'],
    ['2026-11-23 [ERROR] date only'],
    ['2026-11-23 10:00 [ERROR] no seconds'],
    ['26-11-23 10:00:00 [ERROR] two-digit year'],
    ['2026/11/23 10:00:00 [ERROR] slashes'],
    ['Caused by: java.lang.IllegalStateException'],
  ])('finds no header in %j (a continuation line)', (line) => {
    expect(parse(line).status).toBe(HEADER_NONE);
  });

  it.each([
    ['2026-11-23 10:00:00 [ERROR] x', 19],
    ['2026-11-23 10:00:00 [ERROR] x', 20],
    ['2026-11-23 10:00:00 [ERROR] x', 26],
    ['2026-11-23 10:00:00.5 [ERROR] x', 20],
    ['2026-11-23 10:00:00+05:30 [ERROR] x', 23],
    ['2026-11-23 10:00:00+0530 [ERROR] x', 22],
    ['2026-11-23 10:00:00 [ERROR] x', 18],
  ])('reads nothing past `end` (%j cut at %d)', (line, end) => {
    // Prepare: the same bytes alone, and followed by the rest of the line.
    const whole = Buffer.from(line);
    const alone = Buffer.from(line.slice(0, end));
    const a = newLineHeader();
    const b = newLineHeader();

    // Act
    const inPlace = parseLineHeader(whole, 0, end, KNOWN, a);
    const copied = parseLineHeader(alone, 0, alone.length, KNOWN, b);

    // Assess
    expect(inPlace).toBe(copied);
    expect(a).toEqual(b);
  });

  it('parses a header in the middle of a buffer', () => {
    const buf = Buffer.from('xx\n2026-11-23 10:00:00,5 [Fatal] mid\nyy');
    const out = newLineHeader();

    const status = parseLineHeader(buf, 3, 36, KNOWN, out);

    expect(status).toBe(HEADER_OK);
    expect(timestampText(buf, out)).toBe('2026-11-23 10:00:00.5');
    expect(out.level).toBe('FATAL');
    expect(buf.toString('utf8', out.messageStart, 36)).toBe('mid');
  });
});

describe('Function: compileLevels', () => {
  it('matches only the levels it was given', () => {
    const levels = compileLevels(['error']);
    const buf = Buffer.from('2026-11-23 10:00:00 [INFO] x');
    expect(parseLineHeader(buf, 0, buf.length, levels, newLineHeader())).toBe(HEADER_BAD_LEVEL);
  });

  it('throws when a level is not ASCII letters', () => {
    expect(() => compileLevels(['ERR-1'])).toThrow('must be ASCII letters');
  });
});
