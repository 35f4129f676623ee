import type { Level } from '../../../lib/ingest/formats/severity';
import { RAILS_FORMAT } from '../../../lib/ingest/formats/rails';

function parse(line: string): { time: string; level: Level | null; levelText: string; message: string } | null {
  const parsed = RAILS_FORMAT.parse(line, { referenceMs: 0 });
  if (parsed === null) return null;
  expect(parsed).toMatchObject({ format: 'rails', fields: null });
  return { time: parsed.time, level: parsed.level, levelText: parsed.levelText, message: parsed.message };
}

describe('Format: rails', () => {
  it.each([
    ['E, [2026-11-23T10:00:00.123456 #1234] ERROR -- app: boom', '2026-11-23 10:00:00.123456', 'ERROR', 'ERROR', 'app: boom'],
    ['I, [2026-11-23T10:00:00.123456 #1234]  INFO -- : [req-1] Started GET "/"', '2026-11-23 10:00:00.123456', 'INFO', 'INFO', '[req-1] Started GET "/"'],
    ['W, [2026-11-23T10:00:00.000001 #1]  WARN -- worker: slow', '2026-11-23 10:00:00.000001', 'WARN', 'WARN', 'worker: slow'],
    [
      'F, [2026-11-23T10:00:00.123456 #1234] FATAL -- : out of memory (NoMemoryError)',
      '2026-11-23 10:00:00.123456',
      'FATAL',
      'FATAL',
      'out of memory (NoMemoryError)',
    ],
    ['D, [2026-11-23T10:00:00.123456 #1234] DEBUG -- : SQL (0.4ms)', '2026-11-23 10:00:00.123456', 'DEBUG', 'DEBUG', 'SQL (0.4ms)'],
    // Logger::UNKNOWN prints `A` / `ANY`: stored as ERROR
    ['A, [2026-11-23T10:00:00.123456 #1234]   ANY -- app: unknown', '2026-11-23 10:00:00.123456', 'ERROR', 'ANY', 'app: unknown'],
    // Ruby < 2.7 wrote `%06d ` for the fraction: the same text
    ['E, [2026-11-23T10:00:00.123456 #99999] ERROR -- : ', '2026-11-23 10:00:00.123456', 'ERROR', 'ERROR', ''],
    // a custom datetime_format
    ['E, [2026-11-23 10:00:00 +0100 #1234] ERROR -- : custom format', '2026-11-23 10:00:00+01:00', 'ERROR', 'ERROR', 'custom format'],
    ['E, [2026-11-23 10:00:00#1234] ERROR -- : no space before the pid', '2026-11-23 10:00:00', 'ERROR', 'ERROR', 'no space before the pid'],
  ])('reads %j', (line, time, level, levelText, message) => {
    expect(parse(line)).toEqual({ time, level, levelText, message });
  });

  it.each([
    ['E, [2026-11-23T10:00:00.123456 #1234]  INFO -- app: letter and word disagree'],
    ['X, [2026-11-23T10:00:00.123456 #1234] ERROR -- app: unknown letter'],
    ['E, [2026-11-23T10:00:00.123456 #1234] ERRORS -- app: not a severity'],
    ['E, [2026-11-23T10:00:00.123456] ERROR -- app: no pid'],
    ['E, [2026-11-23T10:00:00.123456 #] ERROR -- app: empty pid'],
    ['E, [2026-13-23T10:00:00.123456 #1234] ERROR -- app: month 13'],
    ['E, [10:00:00.123456 #1234] ERROR -- app: no date'],
    ['E, [2026-11-23T10:00:00.123456 #1234] ERROR app: no separator'],
    ["/app/lib/worker.rb:12:in `allocate'"],
    ['E1123 10:00:00.123456    1234 main.go:42] boom'],
    ['ERROR:root:boom'],
    ['2026-11-23 10:00:00 [ERROR] boom'],
    ['E, ['],
    [''],
  ])('rejects %j', (line) => {
    expect(parse(line)).toBeNull();
  });
});
