/**
 * Parsing of one line's header: `YYYY-MM-DD HH:MM:SS[.fff][Z|±hh[:mm]] [LEVEL] message`.
 * Works on bytes, without decoding and without allocating, because most lines
 * are dropped by level: only `timestampText` (called for stored entries) makes
 * a string.
 *
 * Contract (every rule is documented in docs/log-format.md):
 * - only `buf[start..end)` is read; `end` excludes the line terminator;
 * - the timestamp starts at the first byte: `T` or a space between date and
 *   time; seconds 00–59; fractional seconds after `.` or `,` (any number of
 *   digits, the first 9 are kept); an optional `Z` or `±hh`, `±hhmm`, `±hh:mm`
 *   offset up to ±15:59 (PostgreSQL's limit), otherwise LOG_TIMEZONE applies;
 * - one or more spaces/tabs, then `[LEVEL]`: ASCII letters in any case
 *   (`error`, `Error`), one of the known levels, reported upper-case;
 * - spaces/tabs after `]` are skipped; the message is the rest of the line.
 */

export const HEADER_NONE = 0;
export const HEADER_OK = 1;
/** Starts like a timestamp but is not a valid one (e.g. month 13, `+16:00`): unparseable. */
export const HEADER_BAD_TIMESTAMP = 2;
/** Valid timestamp, but no `[LEVEL]` or an unknown level: unparseable. */
export const HEADER_BAD_LEVEL = 3;

export type HeaderStatus = typeof HEADER_NONE | typeof HEADER_OK | typeof HEADER_BAD_TIMESTAMP | typeof HEADER_BAD_LEVEL;

/** Where the parts of a header line are; one object is reused for every line. */
export interface LineHeader {
  status: HeaderStatus;
  /** Start of the timestamp (the line's first byte). */
  timestampStart: number;
  /** End of the timestamp, offset included. */
  timestampEnd: number;
  /** Index of the fraction separator (`.` or `,`), or -1. */
  fractionStart: number;
  /** End of the fraction digits (the offset, if any, starts here). */
  fractionEnd: number;
  /** Upper-case level word (one of the table's strings). */
  level: string;
  /** Where the level word is, as written (between the brackets). */
  levelStart: number;
  levelEnd: number;
  /** Byte index where the message starts. */
  messageStart: number;
}

/** Known levels prepared for byte comparison; build once with `compileLevels`. */
export interface LevelTable {
  /** Candidates by length: lower-case ASCII codes and the canonical name. */
  readonly byLength: ReadonlyArray<ReadonlyArray<{ readonly codes: Uint8Array; readonly name: string }>>;
  readonly maxLength: number;
}

/** Fraction digits handed to PostgreSQL: it rounds to microseconds and rejects very long inputs. */
export const MAX_FRACTION_DIGITS = 9;
/** PostgreSQL rejects offsets beyond ±15:59. */
const MAX_OFFSET_HOURS = 15;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Prepare level names (ASCII letters) for `parseLineHeader`.
 *
 * @example
 *   const KNOWN = compileLevels(['INFO', 'ERROR']);
 */
export function compileLevels(names: readonly string[]): LevelTable {
  const byLength: { codes: Uint8Array; name: string }[][] = [];
  let maxLength = 0;
  for (const raw of names) {
    const name = raw.toUpperCase();
    if (!/^[A-Z]+$/.test(name)) throw new Error(`level "${raw}" must be ASCII letters`);
    const codes = Uint8Array.from(name.toLowerCase(), (c) => c.charCodeAt(0));
    const bucket = byLength[name.length] ?? [];
    byLength[name.length] = bucket;
    bucket.push({ codes, name });
    maxLength = Math.max(maxLength, name.length);
  }
  return { byLength, maxLength };
}

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
    isDigit(buf[s]) &&
    isDigit(buf[s + 1]) &&
    isDigit(buf[s + 2]) &&
    isDigit(buf[s + 3]) &&
    buf[s + 4] === 0x2d &&
    isDigit(buf[s + 5]) &&
    isDigit(buf[s + 6]) &&
    buf[s + 7] === 0x2d &&
    isDigit(buf[s + 8]) &&
    isDigit(buf[s + 9]) &&
    (buf[s + 10] === 0x20 || buf[s + 10] === 0x54) &&
    isDigit(buf[s + 11]) &&
    isDigit(buf[s + 12]) &&
    buf[s + 13] === 0x3a &&
    isDigit(buf[s + 14]) &&
    isDigit(buf[s + 15]) &&
    buf[s + 16] === 0x3a &&
    isDigit(buf[s + 17]) &&
    isDigit(buf[s + 18])
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

/** The canonical name of the level `buf[start..end)` (any case), or '' when unknown. */
function matchLevel(buf: Uint8Array, start: number, end: number, levels: LevelTable): string {
  const candidates = levels.byLength[end - start];
  if (candidates === undefined) return '';
  for (const candidate of candidates) {
    const codes = candidate.codes;
    let k = 0;
    // `| 0x20` folds A-Z onto a-z; the candidates hold letters only, so no other byte can match.
    while (k < codes.length && (buf[start + k]! | 0x20) === codes[k]) k += 1;
    if (k === codes.length) return candidate.name;
  }
  return '';
}

function setStatus(out: LineHeader, status: HeaderStatus): HeaderStatus {
  out.status = status;
  return status;
}

/**
 * Parse the header of the line `buf[start..end)` (terminator excluded) into `out`.
 *
 * @example
 *   const out = newLineHeader();
 *   const line = Buffer.from('2026-11-23 10:00:00 [error] boom');
 *   parseLineHeader(line, 0, line.length, compileLevels(['ERROR']), out);
 *   // out.status === HEADER_OK, out.level === 'ERROR', out.messageStart === 28
 */
export function parseLineHeader(buf: Uint8Array, start: number, end: number, levels: LevelTable, out: LineHeader): HeaderStatus {
  if (!hasTimestampShape(buf, start, end)) return setStatus(out, HEADER_NONE);
  if (!validDateTime(buf, start)) return setStatus(out, HEADER_BAD_TIMESTAMP);
  let i = start + 19;
  let fractionStart = -1;
  if (i + 1 < end && (buf[i] === 0x2e || buf[i] === 0x2c) && isDigit(buf[i + 1])) {
    fractionStart = i;
    i += 1;
    while (i < end && isDigit(buf[i])) i += 1;
  }
  const fractionEnd = i;
  if (i < end && buf[i] === 0x5a) {
    i += 1;
  } else if (i + 2 < end && (buf[i] === 0x2b || buf[i] === 0x2d) && isDigit(buf[i + 1]) && isDigit(buf[i + 2])) {
    if (num2(buf, i + 1) > MAX_OFFSET_HOURS) return setStatus(out, HEADER_BAD_TIMESTAMP);
    i += 3;
    let minutesAt = -1;
    if (i + 2 < end && buf[i] === 0x3a && isDigit(buf[i + 1]) && isDigit(buf[i + 2])) minutesAt = i + 1;
    else if (i + 1 < end && isDigit(buf[i]) && isDigit(buf[i + 1])) minutesAt = i;
    if (minutesAt >= 0) {
      if (num2(buf, minutesAt) > 59) return setStatus(out, HEADER_BAD_TIMESTAMP);
      i = minutesAt + 2;
    }
  }
  const timestampEnd = i;
  if (i < end && !isBlank(buf[i])) return setStatus(out, HEADER_BAD_TIMESTAMP);
  while (i < end && isBlank(buf[i])) i += 1;
  if (i >= end || buf[i] !== 0x5b) return setStatus(out, HEADER_BAD_LEVEL);
  const levelStart = i + 1;
  const levelLimit = Math.min(end, levelStart + levels.maxLength + 1);
  let j = levelStart;
  while (j < levelLimit && buf[j] !== 0x5d) j += 1;
  if (j >= levelLimit) return setStatus(out, HEADER_BAD_LEVEL);
  const level = matchLevel(buf, levelStart, j, levels);
  if (level === '') return setStatus(out, HEADER_BAD_LEVEL);
  i = j + 1;
  while (i < end && isBlank(buf[i])) i += 1;
  out.timestampStart = start;
  out.timestampEnd = timestampEnd;
  out.fractionStart = fractionStart;
  out.fractionEnd = fractionEnd;
  out.level = level;
  out.levelStart = levelStart;
  out.levelEnd = j;
  out.messageStart = i;
  return setStatus(out, HEADER_OK);
}

/**
 * The timestamp of a parsed header as PostgreSQL input: `,` becomes `.`,
 * fraction digits beyond MAX_FRACTION_DIGITS are dropped, the rest is as written.
 */
export function timestampText(buf: Buffer, h: LineHeader): string {
  if (h.fractionStart < 0) return buf.toString('latin1', h.timestampStart, h.timestampEnd);
  const digitsEnd = Math.min(h.fractionEnd, h.fractionStart + 1 + MAX_FRACTION_DIGITS);
  return (
    `${buf.toString('latin1', h.timestampStart, h.fractionStart)}.${buf.toString('latin1', h.fractionStart + 1, digitsEnd)}` +
    buf.toString('latin1', h.fractionEnd, h.timestampEnd)
  );
}

export function newLineHeader(): LineHeader {
  return { status: HEADER_NONE, timestampStart: 0, timestampEnd: 0, fractionStart: -1, fractionEnd: 0, level: '', levelStart: 0, levelEnd: 0, messageStart: 0 };
}
