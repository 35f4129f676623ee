/**
 * Parsing of one line's header: `YYYY-MM-DD HH:MM:SS[.fff][Z|±hh:mm] [LEVEL] message`.
 * Works on bytes (no decoding) because most lines are dropped by level.
 *
 * Accepted, and documented in docs/log-format.md:
 * - `T` or a space between date and time; fractional seconds after `.` or `,`;
 *   an optional `Z` or `±hh[:mm]` offset (otherwise LOG_TIMEZONE applies);
 * - one or more spaces/tabs before `[LEVEL]` and before the message;
 * - the level in any case (`error`, `Error`), stored upper-case.
 */

export const HEADER_NONE = 0;
export const HEADER_OK = 1;
/** Starts like a timestamp but is not a valid one (e.g. month 13): unparseable. */
export const HEADER_BAD_TIMESTAMP = 2;
/** Valid timestamp, but no `[LEVEL]` or an unknown level: unparseable. */
export const HEADER_BAD_LEVEL = 3;

export type HeaderStatus = typeof HEADER_NONE | typeof HEADER_OK | typeof HEADER_BAD_TIMESTAMP | typeof HEADER_BAD_LEVEL;

/** Where the parts of a header line are; reused between calls to spare allocations. */
export interface LineHeader {
  status: HeaderStatus;
  /** Timestamp text, normalised for PostgreSQL (`,` → `.`). */
  timestamp: string;
  /** Upper-case level. */
  level: string;
  /** Byte index where the message starts. */
  messageStart: number;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MAX_LEVEL_LENGTH = 10;

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

function num2(buf: Uint8Array, i: number): number {
  return (buf[i]! - 0x30) * 10 + (buf[i + 1]! - 0x30);
}

function isBlank(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09;
}

/** True when `buf[start..end)` begins with the shape `dddd-dd-dd[ T]dd:dd:dd`. */
export function hasTimestampShape(buf: Uint8Array, start: number, end: number): boolean {
  if (end - start < 19) return false;
  const s = start;
  return (
    isDigit(buf[s]) && isDigit(buf[s + 1]) && isDigit(buf[s + 2]) && isDigit(buf[s + 3]) &&
    buf[s + 4] === 0x2d && isDigit(buf[s + 5]) && isDigit(buf[s + 6]) &&
    buf[s + 7] === 0x2d && isDigit(buf[s + 8]) && isDigit(buf[s + 9]) &&
    (buf[s + 10] === 0x20 || buf[s + 10] === 0x54) &&
    isDigit(buf[s + 11]) && isDigit(buf[s + 12]) && buf[s + 13] === 0x3a &&
    isDigit(buf[s + 14]) && isDigit(buf[s + 15]) && buf[s + 16] === 0x3a &&
    isDigit(buf[s + 17]) && isDigit(buf[s + 18])
  );
}

function validDateTime(buf: Uint8Array, s: number): boolean {
  const year = num2(buf, s) * 100 + num2(buf, s + 2);
  const month = num2(buf, s + 5);
  const day = num2(buf, s + 8);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const maxDay = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
  if (day > maxDay) return false;
  return num2(buf, s + 11) <= 23 && num2(buf, s + 14) <= 59 && num2(buf, s + 17) <= 59;
}

/**
 * Parse the header of the line `buf[start..end)` (no newline) into `out`.
 * `levels` maps upper-case level names to themselves (the known levels).
 *
 * @example
 *   const out = newLineHeader();
 *   parseLineHeader(Buffer.from('2026-11-23 10:00:00 [ERROR] boom'), 0, 32, KNOWN, out);
 *   // out.status === HEADER_OK, out.level === 'ERROR', out.messageStart === 28
 */
export function parseLineHeader(
  buf: Buffer,
  start: number,
  end: number,
  levels: ReadonlySet<string>,
  out: LineHeader,
): HeaderStatus {
  if (!hasTimestampShape(buf, start, end)) return (out.status = HEADER_NONE);
  if (!validDateTime(buf, start)) return (out.status = HEADER_BAD_TIMESTAMP);
  let i = start + 19;
  let comma = -1;
  // fractional seconds
  if ((buf[i] === 0x2e || buf[i] === 0x2c) && isDigit(buf[i + 1])) {
    if (buf[i] === 0x2c) comma = i - start;
    i += 1;
    while (i < end && isDigit(buf[i])) i += 1;
  }
  // explicit offset
  if (buf[i] === 0x5a) {
    i += 1;
  } else if ((buf[i] === 0x2b || buf[i] === 0x2d) && isDigit(buf[i + 1]) && isDigit(buf[i + 2])) {
    i += 3;
    if (buf[i] === 0x3a && isDigit(buf[i + 1]) && isDigit(buf[i + 2])) i += 3;
    else if (isDigit(buf[i]) && isDigit(buf[i + 1])) i += 2;
  }
  const tsEnd = i;
  if (i < end && !isBlank(buf[i])) return (out.status = HEADER_BAD_TIMESTAMP);
  while (i < end && isBlank(buf[i])) i += 1;
  if (buf[i] !== 0x5b) return (out.status = HEADER_BAD_LEVEL);
  const levelStart = i + 1;
  let j = levelStart;
  while (j < end && j - levelStart <= MAX_LEVEL_LENGTH && buf[j] !== 0x5d) j += 1;
  if (buf[j] !== 0x5d || j === levelStart) return (out.status = HEADER_BAD_LEVEL);
  const level = levelText(buf, levelStart, j);
  if (!levels.has(level)) return (out.status = HEADER_BAD_LEVEL);
  i = j + 1;
  while (i < end && isBlank(buf[i])) i += 1;
  let timestamp = buf.toString('latin1', start, tsEnd);
  if (comma >= 0) timestamp = `${timestamp.slice(0, comma)}.${timestamp.slice(comma + 1)}`;
  out.timestamp = timestamp;
  out.level = level;
  out.messageStart = i;
  return (out.status = HEADER_OK);
}

const levelCache = new Map<string, string>();

/** Upper-case ASCII level text; non-letters make it unknown. */
function levelText(buf: Buffer, start: number, end: number): string {
  const raw = buf.toString('latin1', start, end);
  let cached = levelCache.get(raw);
  if (cached === undefined) {
    cached = /^[A-Za-z]+$/.test(raw) ? raw.toUpperCase() : '';
    if (levelCache.size < 1000) levelCache.set(raw, cached);
  }
  return cached;
}

export function newLineHeader(): LineHeader {
  return { status: HEADER_NONE, timestamp: '', level: '', messageStart: 0 };
}
