import { BRIEF_FORMAT } from '../../../lib/ingest/formats/brief';
import type { Level } from '../../../lib/ingest/formats/severity';
import { KNOWN_LEVELS } from '../../../lib/ingest/levels';
import { HEADER_OK, compileLevels, newLineHeader, parseLineHeader } from '../../../lib/ingest/line-header';
import { baseSeed, seededRandom } from '../../support/random';

function parse(line: string): { time: string; level: Level | null; levelText: string; message: string } | null {
  const parsed = BRIEF_FORMAT.parse(line, { referenceMs: 0 });
  if (parsed === null) return null;
  expect(parsed).toMatchObject({ format: 'brief', fields: null });
  return { time: parsed.time, level: parsed.level, levelText: parsed.levelText, message: parsed.message };
}

const KNOWN = compileLevels(KNOWN_LEVELS);

/** What line-header (the byte-level parser of ingest) says: level and message, or null. */
function lineHeader(line: string): { level: string; message: string } | null {
  const buf = Buffer.from(line, 'utf8');
  const out = newLineHeader();
  if (parseLineHeader(buf, 0, buf.length, KNOWN, out) !== HEADER_OK) return null;
  return { level: out.level, message: buf.toString('utf8', out.messageStart) };
}

describe('Format: brief', () => {
  it.each([
    ['2026-11-23 10:00:00 [ERROR] boom', '2026-11-23 10:00:00', 'ERROR', 'ERROR', 'boom'],
    ['2026-11-23T10:00:00 [error] T separator', '2026-11-23 10:00:00', 'ERROR', 'error', 'T separator'],
    ['2026-11-23 10:00:00,123 [WARNING] comma', '2026-11-23 10:00:00.123', 'WARN', 'WARNING', 'comma'],
    ['2026-11-23 10:00:00.123456789 [FATAL] nanos', '2026-11-23 10:00:00.123456', 'FATAL', 'FATAL', 'nanos'],
    ['2026-11-23 10:00:00Z [INFO] zulu', '2026-11-23 10:00:00Z', 'INFO', 'INFO', 'zulu'],
    ['2026-11-23 10:00:00+05 [ERROR] hours', '2026-11-23 10:00:00+05:00', 'ERROR', 'ERROR', 'hours'],
    ['2026-11-23 10:00:00+0530 [ERROR] hhmm', '2026-11-23 10:00:00+05:30', 'ERROR', 'ERROR', 'hhmm'],
    ['2026-11-23 10:00:00,25-03:30 [ERROR] both', '2026-11-23 10:00:00.25-03:30', 'ERROR', 'ERROR', 'both'],
    ['2026-11-23 10:00:00 \t [ERROR]\t spaced', '2026-11-23 10:00:00', 'ERROR', 'ERROR', 'spaced'],
    ['2026-11-23 10:00:00 [ERROR]', '2026-11-23 10:00:00', 'ERROR', 'ERROR', ''],
    ['2026-11-23 10:00:00 [ERROR] [nested] kept  ', '2026-11-23 10:00:00', 'ERROR', 'ERROR', '[nested] kept  '],
    // level words line-header's KNOWN_LEVELS lacks
    ['2026-11-23 10:00:00 [CRIT] crit', '2026-11-23 10:00:00', 'CRITICAL', 'CRIT', 'crit'],
    ['2026-11-23 10:00:00 [Err] err', '2026-11-23 10:00:00', 'ERROR', 'Err', 'err'],
    ['2026-11-23 10:00:00 [SEVERE] severe', '2026-11-23 10:00:00', 'ERROR', 'SEVERE', 'severe'],
    ['2026-11-23 10:00:00 [INFORMATIONAL] longest word', '2026-11-23 10:00:00', 'INFO', 'INFORMATIONAL', 'longest word'],
  ])('reads %j', (line, time, level, levelText, message) => {
    expect(parse(line)).toEqual({ time, level, levelText, message });
  });

  it.each([
    ['2026-13-45 10:00:00 [ERROR] invalid date'],
    ['2026-02-29 10:00:00 [ERROR] not a leap year'],
    ['0000-01-01 10:00:00 [ERROR] year 0'],
    ['2026-11-23 24:00:00 [ERROR] hour 24'],
    ['2026-11-23 10:00:60 [ERROR] leap second'],
    ['2026-11-23 10:00:00+16:00 [ERROR] offset'],
    ['2026-11-23 10:00:00+05:60 [ERROR] offset minutes'],
    ['2026-11-23 10:00:00+05:3 [ERROR] half offset'],
    ['2026-11-23 10:00:00z [ERROR] lower-case zulu'],
    ['2026-11-23 10:00:00[ERROR] no blank'],
    ['2026-11-23 10:00:00 UTC [ERROR] zone name'],
    ['2026-11-23 10:00:00 [NOPE] unknown level'],
    ['2026-11-23 10:00:00 [ ERROR ] spaces inside'],
    ['2026-11-23 10:00:00 [ınfo] dotless i'],
    ['2026-11-23 10:00:00 [ERROR unterminated'],
    ['2026-11-23 10:00:00 ERROR no brackets'],
    ['2026/11/23 10:00:00 [ERROR] slashes'],
    ['\tat com.example.Foo.bar(Foo.java:10)'],
    ['Caused by: java.lang.IllegalStateException'],
    [`2026-11-23 10:00:00 [${'E'.repeat(65_536)}]`],
    [''],
  ])('rejects %j', (line) => {
    expect(parse(line)).toBeNull();
  });

  it('accepts exactly the lines line-header accepts, with the same level and message (random lines)', () => {
    // Prepare: lines built from the pieces the grammar is made of, valid and not.
    const seed = baseSeed();
    const random = seededRandom(seed);
    const pieces = {
      date: ['2026-11-23', '2028-02-29', '2026-02-29', '2026-13-01', '0000-01-01', '2026/11/23', '2026-1-23'],
      sep: [' ', 'T', '  ', '_'],
      time: ['10:00:00', '23:59:59', '24:00:00', '10:60:00', '10:00:60', '10:00'],
      fraction: ['', '.5', ',123', '.123456789123', '.', ','],
      offset: ['', 'Z', 'z', '+05', '+0530', '-03:30', '+16:00', '+05:60', '+05:3', '+1'],
      gap: [' ', '\t', '', '  ', ' UTC '],
      level: ['[ERROR]', '[error]', '[Fatal]', '[WARNING]', '[NOPE]', '[]', '[ERROR', 'ERROR', '[ ERROR ]', '[CRITICAL]'],
      message: ['', ' boom', 'boom', '   spaced  ', ' [x] y'],
    };

    for (let i = 0; i < 2000; i += 1) {
      const line =
        random.pick(pieces.date) +
        random.pick(pieces.sep) +
        random.pick(pieces.time) +
        random.pick(pieces.fraction) +
        random.pick(pieces.offset) +
        random.pick(pieces.gap) +
        random.pick(pieces.level) +
        random.pick(pieces.message);

      // Act
      const ours = parse(line);
      const theirs = lineHeader(line);

      // Assess
      const context = `seed ${seed}, line ${JSON.stringify(line)}`;
      expect({ context, accepted: ours !== null }).toEqual({ context, accepted: theirs !== null });
      if (ours !== null && theirs !== null)
        expect({ context, level: ours.level, message: ours.message }).toEqual({
          context,
          level: theirs.level === 'WARNING' ? 'WARN' : theirs.level,
          message: theirs.message,
        });
    }
  });
});
