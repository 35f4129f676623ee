/**
 * `YYYY-MM-DD HH:MM:SS` of `date` as a wall clock in `timeZone` (the log
 * format's timestamps, which carry no offset).
 *
 * @example
 *   formatLocalTimestamp(new Date('2026-11-23T15:00:00Z'), 'America/New_York') // '2026-11-23 10:00:00'
 */
export function formatLocalTimestamp(date: Date, timeZone = 'UTC'): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let f = FORMATTERS.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    FORMATTERS.set(timeZone, f);
  }
  return f;
}

/**
 * The wall clock of `timeZone` at the instant `at`, as milliseconds of the
 * same reading in UTC (whole seconds): `Date.UTC(year, month, day, h, m, s)`.
 * Date arithmetic on it (`getUTCDay`, adding a day) is calendar arithmetic.
 *
 * @example
 *   wallClockMs(Date.parse('2026-01-04T01:30:00Z'), 'Europe/Berlin') // Date.parse('2026-01-04T02:30:00Z')
 */
export function wallClockMs(at: number, timeZone: string): number {
  const parts = formatterOf(timeZone).formatToParts(new Date(at));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
}

/** How far `timeZone`'s wall clock is ahead of UTC at `at` (whole seconds). */
function offsetAt(at: number, timeZone: string): number {
  const second = Math.floor(at / 1000) * 1000;
  return wallClockMs(second, timeZone) - second;
}

const DAY_MS = 86_400_000;

/**
 * The first instant at which `timeZone`'s wall clock reads `wall` (a wall
 * clock reading as wallClockMs gives it) or later. A reading that comes twice
 * (the hour repeated when summer time ends) is its first time; one that never
 * comes (skipped when summer time starts) is the instant the clock jumps
 * over it. Zones change their offset at most once in two days.
 *
 * @example
 *   instantAtWallClock(Date.UTC(2026, 2, 29, 2, 30), 'Europe/Berlin') // Date.parse('2026-03-29T01:00:00Z'): 02:30 is skipped
 */
export function instantAtWallClock(wall: number, timeZone: string): number {
  const before = offsetAt(wall - DAY_MS, timeZone);
  const after = offsetAt(wall + DAY_MS, timeZone);
  const readsWall = [wall - before, wall - after].filter((t) => t + offsetAt(t, timeZone) === wall).sort((a, b) => a - b);
  if (readsWall.length > 0) return readsWall[0]!;
  // skipped: the clock jumps from below `wall` to above it between these two instants; find the jump to the second
  let lo = wall - after;
  let hi = wall - before;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (mid + offsetAt(mid, timeZone) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}
