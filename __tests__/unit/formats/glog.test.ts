import { GLOG_FORMAT } from '../../../lib/ingest/formats/glog';
import type { Level } from '../../../lib/ingest/formats/severity';

/** The file's modification time: 2026-11-23 12:00 UTC. */
const REFERENCE_MS = Date.UTC(2026, 10, 23, 12);

function parse(line: string, referenceMs = REFERENCE_MS): { time: string; level: Level | null; levelText: string; message: string } | null {
  const parsed = GLOG_FORMAT.parse(line, { referenceMs });
  if (parsed === null) return null;
  expect(parsed).toMatchObject({ format: 'glog', fields: null });
  return { time: parsed.time, level: parsed.level, levelText: parsed.levelText, message: parsed.message };
}

describe('Format: glog', () => {
  it.each([
    ['E1123 10:00:00.123456    1234 main.go:42] boom', '2026-11-23 10:00:00.123456', 'ERROR', 'E', 'main.go:42] boom'],
    ['I1123 10:00:00.000001       1 reflector.go:138] watching', '2026-11-23 10:00:00.000001', 'INFO', 'I', 'reflector.go:138] watching'],
    ['W1122 23:59:59.999999 7 cache.go:9] stale', '2026-11-22 23:59:59.999999', 'WARN', 'W', 'cache.go:9] stale'],
    [
      'F1123 10:00:00.123456    1234 main.cc:99] Check failed: db != nullptr',
      '2026-11-23 10:00:00.123456',
      'FATAL',
      'F',
      'main.cc:99] Check failed: db != nullptr',
    ],
    // glog >= 0.6 writes the year
    ['E20251123 10:00:00.123456  1236 worker.cc:12] job failed', '2025-11-23 10:00:00.123456', 'ERROR', 'E', 'worker.cc:12] job failed'],
    ['E1123 10:00:00.123456 1234 main.go:42]', '2026-11-23 10:00:00.123456', 'ERROR', 'E', 'main.go:42]'],
    ['E1123 10:00:00 1234 main.go:42] no fraction', '2026-11-23 10:00:00', 'ERROR', 'E', 'main.go:42] no fraction'],
    // klog with --add_dir_header
    [
      'E1123 10:00:00.123456    1234 k8s.io/client-go/tools/cache/reflector.go:138] failed',
      '2026-11-23 10:00:00.123456',
      'ERROR',
      'E',
      'k8s.io/client-go/tools/cache/reflector.go:138] failed',
    ],
  ])('reads %j', (line, time, level, levelText, message) => {
    expect(parse(line)).toEqual({ time, level, levelText, message });
  });

  it('puts a December line read in January in the year before', () => {
    expect(parse('E1231 23:00:00.000000 1 main.go:1] late', Date.UTC(2027, 0, 2))?.time).toBe('2026-12-31 23:00:00.000000');
  });

  it.each([
    ['X1123 10:00:00.123456    1234 main.go:42] unknown letter'],
    ['D1123 10:00:00.123456    1234 main.go:42] not a glog letter'],
    ['E1323 10:00:00.123456    1234 main.go:42] month 13'],
    ['E0230 10:00:00.123456    1234 main.go:42] 30 February'],
    ['E1123 25:00:00.123456    1234 main.go:42] hour 25'],
    ['E1123 10:00:00.123456    1234 main.go] no line number'],
    ['E1123 10:00:00.123456    1234 :42] no file'],
    ['E1123 10:00:00.123456    1234 main.go:42 no bracket'],
    ['E1123 10:00:00.123456 main.go:42] no thread id'],
    ['E1123 10:00:00.123456    1234 main.go:42]x junk'],
    ['E1123'],
    ['ERROR:root:boom'],
    ['E, [2026-11-23T10:00:00.123456 #1234] ERROR -- app: boom'],
    ['goroutine 1 [running]:'],
    [`E1123 10:00:00.123456 ${'1'.repeat(65_536)}`],
    [''],
  ])('rejects %j', (line) => {
    expect(parse(line)).toBeNull();
  });
});
