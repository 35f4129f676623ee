import { instantAtWallClock, wallClockMs } from '../platform/local-time';

// When a recurring mute window is open (mute-windows.ts), pure. A window is
// a wall-clock period of its own time zone on the days it names: it opens on
// such a day at `from` and closes at `to` that day, or the next day when `to`
// is not after `from` (22:00-02:00 crosses midnight; the day is the one it
// opens on). Each end is the first instant the zone's wall clock reads that
// time (lib/platform/local-time.ts), so daylight-saving changes follow the
// wall clock: on the night summer time starts, 02:00-04:00 Europe/Berlin
// opens when the clock jumps to 03:00 and lasts an hour; on the night it
// ends, it runs from the first 02:00 to 04:00 and lasts three hours; a window
// wholly inside the skipped hour does not open that night.

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** What decides when a window is open. */
export interface MuteSchedule {
  /** Days it opens on, 0 = Sunday … 6 = Saturday. */
  days: readonly number[];
  /** Minutes after midnight (0..1439). */
  fromMinutes: number;
  /** Minutes after midnight (1..1440); not after `fromMinutes`: the next day. */
  toMinutes: number;
  timeZone: string;
}

/** One opening of a window: [start, end) in milliseconds since the epoch. */
export interface Occurrence {
  start: number;
  end: number;
}

/** The opening of `schedule` on the local day `day` (a wall clock midnight, wallClockMs's scale); null when it does not open that day. */
function occurrenceOn(schedule: MuteSchedule, day: number): Occurrence | null {
  if (!schedule.days.includes(new Date(day).getUTCDay())) return null;
  const closes = schedule.toMinutes > schedule.fromMinutes ? day : day + DAY_MS;
  const start = instantAtWallClock(day + schedule.fromMinutes * MINUTE_MS, schedule.timeZone);
  const end = instantAtWallClock(closes + schedule.toMinutes * MINUTE_MS, schedule.timeZone);
  return end > start ? { start, end } : null;
}

/** Midnight of the local day of `at`, on wallClockMs's scale. */
function localDay(at: number, timeZone: string): number {
  const wall = wallClockMs(at, timeZone);
  return wall - (((wall % DAY_MS) + DAY_MS) % DAY_MS);
}

/**
 * The opening of `schedule` that `at` falls in (start included, end
 * excluded), or null when it is closed.
 *
 * @example
 *   activeOccurrence(sundayTwoToFourBerlin, Date.parse('2026-01-04T01:30:00Z'))
 *   // { start: Date.parse('2026-01-04T01:00:00Z'), end: Date.parse('2026-01-04T03:00:00Z') }
 */
export function activeOccurrence(schedule: MuteSchedule, at: number): Occurrence | null {
  const today = localDay(at, schedule.timeZone);
  // opened today, or yesterday and not closed yet (across midnight)
  for (const day of [today, today - DAY_MS]) {
    const o = occurrenceOn(schedule, day);
    if (o !== null && o.start <= at && at < o.end) return o;
  }
  return null;
}

/**
 * The first opening of `schedule` that starts after `at` (within the next
 * eight days, which hold every weekday).
 *
 * @example
 *   nextOccurrence(sundayTwoToFourBerlin, Date.parse('2026-01-05T12:00:00Z')) // the opening of Sunday 2026-01-11
 */
export function nextOccurrence(schedule: MuteSchedule, at: number): Occurrence | null {
  const today = localDay(at, schedule.timeZone);
  for (let k = 0; k <= 8; k += 1) {
    const o = occurrenceOn(schedule, today + k * DAY_MS);
    if (o !== null && o.start > at) return o;
  }
  return null;
}
