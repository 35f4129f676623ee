/**
 * Building blocks for the timestamps of the formats: every parser turns what
 * it read into one canonical text, `YYYY-MM-DD HH:MM:SS[.ffffff][Z|±hh:mm]`,
 * which PostgreSQL reads in the source's time zone when it has no offset.
 */

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Month number 1–12 of an English month name or its 3-letter abbreviation (any case), or 0. */
export function monthNumber(name: string): number {
  return MONTHS[name.slice(0, 3).toLowerCase()] ?? 0;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Fraction digits PostgreSQL keeps (microseconds); more are cut, not rounded. */
const MAX_FRACTION = 6;

/**
 * The canonical text of a wall-clock time, or '' when a field is out of range
 * (month 13, 31 February, hour 24, second 61…). `fraction` is the digits after
 * the separator as written ('' for none); `offset` is '' (source zone), 'Z' or
 * `±hh:mm`.
 *
 * @example
 *   canonicalTime(2026, 11, 23, 10, 0, 0, '123', '') // '2026-11-23 10:00:00.123'
 */
export function canonicalTime(year: number, month: number, day: number, hour: number, minute: number, second: number, fraction = '', offset = ''): string {
  if (!Number.isInteger(year) || year < 1 || year > 9999) return '';
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]!) return '';
  if (month === 2 && day === 29 && !((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0)) return '';
  // 60 is a leap second; PostgreSQL reads it as the next minute.
  if (hour > 23 || minute > 59 || second > 60) return '';
  const frac = fraction === '' ? '' : `.${fraction.slice(0, MAX_FRACTION)}`;
  return `${pad(year, 4)}-${pad(month)}-${pad(day)} ${pad(hour)}:${pad(minute)}:${pad(second)}${frac}${offset}`;
}

/**
 * A UTC offset as written (`Z`, `+01:00`, `+0100`, `+01`, `-05:30`) in the
 * canonical `Z`/`±hh:mm` form, or null when it is not one (PostgreSQL accepts
 * up to ±15:59).
 */
export function canonicalOffset(text: string): string | null {
  if (text === '') return '';
  if (text === 'Z' || text === 'z' || text === 'UTC' || text === 'GMT') return 'Z';
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(text);
  if (m === null) return null;
  const hours = Number(m[2]);
  const minutes = m[3] === undefined ? 0 : Number(m[3]);
  if (hours > 15 || minutes > 59) return null;
  return `${m[1]}${m[2]}:${pad(minutes)}`;
}

/**
 * Seconds or milliseconds since the epoch (decided by magnitude: below 1e11 is
 * seconds, i.e. before the year 5138; nanoseconds and microseconds are
 * recognised the same way) as canonical UTC text, or '' when out of range.
 *
 * @example
 *   epochTime(1795428000.5) // '2026-11-23 10:00:00.500Z'
 */
export function epochTime(value: number): string {
  if (!Number.isFinite(value) || value <= 0) return '';
  let ms = value;
  if (value < 1e11) ms = value * 1000;
  else if (value >= 1e17) ms = value / 1e6;
  else if (value >= 1e14) ms = value / 1e3;
  const date = new Date(ms);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() > 9999) return '';
  const micro = Math.round((ms - Math.floor(ms)) * 1000);
  const fraction = `${pad(date.getUTCMilliseconds(), 3)}${micro > 0 ? pad(micro, 3) : ''}`;
  return canonicalTime(
    date.getUTCFullYear(),
    date.getUTCMonth() + 1,
    date.getUTCDate(),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
    fraction,
    'Z',
  );
}

/**
 * The year of a date written without one (syslog, glog): the year of
 * `referenceMs` (the file's modification time), or the year before when that
 * would put the date more than a day after the reference (a December line in
 * a file read in January).
 */
export function inferYear(month: number, day: number, referenceMs: number): number {
  const ref = new Date(referenceMs);
  const year = ref.getUTCFullYear();
  const candidate = Date.UTC(year, month - 1, day);
  return candidate - referenceMs > 86_400_000 ? year - 1 : year;
}

/**
 * `ms` as the wall clock of `timeZone`, expressed as the UTC fields of the
 * returned instant: what year-less and date-less times are completed with
 * (a file written at 00:30 in Tokyo is still the previous day in UTC).
 *
 * @example
 *   new Date(wallClockMs(Date.UTC(2026, 10, 22, 23, 30), 'Asia/Tokyo')).getUTCDate() // 23
 */
export function wallClockMs(ms: number, timeZone: string): number {
  if (timeZone === 'UTC' || !Number.isFinite(ms)) return ms;
  try {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    }).formatToParts(new Date(ms));
    const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? '0');
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'), ms % 1000);
  } catch {
    return ms;
  }
}
