import type { Level } from './severity';
import { canonicalOffset, canonicalTime, monthNumber } from './timestamp';
import type { LineFormat, ParseContext, ParsedLine } from './types';
import { isDigit } from './chars';

/**
 * NCSA common / combined access logs as nginx (`combined`, its default) and
 * Apache (`common`, `combined`, `vhost_combined`) write them:
 * `[vhost:port ]host ident user [dd/Mmm/yyyy:hh:mm:ss ±hhmm] "request" status bytes[ …]`.
 * Anything may follow the byte count (referer, user agent, extra fields of
 * custom formats). Three or four space-free fields must precede the date: a
 * user name with a space in it, or a custom format with more leading fields,
 * is not recognised.
 */

/** The shortest line: `a - - [23/Nov/2026:10:00:00 +0000] "" 200 0`. */
const MIN_LENGTH = 44;
/** The fields before the date are short; a line with no ` [` this early is not an access log. */
const MAX_PREFIX = 600;
/** `[dd/Mmm/yyyy:hh:mm:ss ±hhmm]` */
const DATE_LENGTH = 28;

function twoDigits(line: string, at: number): number {
  const a = line.charCodeAt(at);
  const b = line.charCodeAt(at + 1);
  return isDigit(a) && isDigit(b) ? (a - 0x30) * 10 + (b - 0x30) : -1;
}

/** Index of the `[` that opens the date after 3 or 4 fields, or -1. */
function dateStart(line: string): number {
  const limit = Math.min(line.length - DATE_LENGTH, MAX_PREFIX);
  let spaces = 0;
  for (let i = 1; i < limit; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x20) {
      if (line.charCodeAt(i - 1) === 0x20) return -1;
      spaces++;
      if (line.charCodeAt(i + 1) === 0x5b) return spaces === 3 || spaces === 4 ? i + 1 : -1;
      if (spaces > 3) return -1;
    } else if (c < 0x21 || c === 0x22 || c === 0x5b) {
      // controls, tabs, quotes and brackets do not occur in these fields
      return -1;
    }
  }
  return -1;
}

/** Index of the quote that closes the request opened at `start - 1`, or -1. Apache escapes `"` as `\"`, nginx as `\x22`. */
function requestEnd(line: string, start: number): number {
  for (let i = start; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i;
  }
  return -1;
}

function levelOfStatus(first: number): Level {
  if (first === 0x35) return 'ERROR';
  if (first === 0x34) return 'WARN';
  return 'INFO';
}

function parseAccessLine(line: string, _context: ParseContext): ParsedLine | null {
  if (line.length < MIN_LENGTH) return null;
  const first = line.charCodeAt(0);
  if (first <= 0x20 || first === 0x5b || first === 0x22) return null;
  const b = dateStart(line);
  if (b < 0) return null;
  if (line.charCodeAt(b + 3) !== 0x2f || line.charCodeAt(b + 7) !== 0x2f || line.charCodeAt(b + 12) !== 0x3a) return null;
  if (line.charCodeAt(b + 15) !== 0x3a || line.charCodeAt(b + 18) !== 0x3a || line.charCodeAt(b + 21) !== 0x20) return null;
  if (line.charCodeAt(b + 27) !== 0x5d || line.charCodeAt(b + 28) !== 0x20 || line.charCodeAt(b + 29) !== 0x22) return null;
  const day = twoDigits(line, b + 1);
  const y1 = twoDigits(line, b + 8);
  const y2 = twoDigits(line, b + 10);
  const hour = twoDigits(line, b + 13);
  const minute = twoDigits(line, b + 16);
  const second = twoDigits(line, b + 19);
  if (day < 0 || y1 < 0 || y2 < 0 || hour < 0 || minute < 0 || second < 0) return null;

  const requestStart = b + 30;
  const close = requestEnd(line, requestStart);
  if (close < 0 || line.charCodeAt(close + 1) !== 0x20) return null;
  const s = close + 2;
  const s0 = line.charCodeAt(s);
  if (s0 < 0x31 || s0 > 0x35 || !isDigit(line.charCodeAt(s + 1)) || !isDigit(line.charCodeAt(s + 2)) || line.charCodeAt(s + 3) !== 0x20) return null;
  // bytes sent: digits, or `-` when none (Apache %b)
  let e = s + 4;
  if (line.charCodeAt(e) === 0x2d) e++;
  else while (isDigit(line.charCodeAt(e))) e++;
  if (e === s + 4 || (e < line.length && line.charCodeAt(e) !== 0x20)) return null;

  const month = monthNumber(line.slice(b + 4, b + 7));
  const offset = canonicalOffset(line.slice(b + 22, b + 27));
  if (month === 0 || offset === null) return null;
  const time = canonicalTime(y1 * 100 + y2, month, day, hour, minute, second, '', offset);
  if (time === '') return null;
  const status = line.slice(s, s + 3);
  return { format: 'access-log', time, level: levelOfStatus(s0), levelText: status, message: `${line.slice(requestStart, close)} ${status}`, fields: null };
}

/**
 * Access log lines: level from the status (5xx ERROR, 4xx WARN, else INFO;
 * `levelText` is the status), message `request-line status` with the
 * request's escapes as written.
 *
 * @example
 *   ACCESS_LOG_FORMAT.parse('1.2.3.4 - - [23/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 500 123 "-" "curl/8"', { referenceMs: 0 })
 *   // { format: 'access-log', time: '2026-11-23 10:00:00+00:00', level: 'ERROR', levelText: '500', message: 'GET / HTTP/1.1 500', fields: null }
 */
export const ACCESS_LOG_FORMAT: LineFormat = {
  name: 'access-log',
  parse: parseAccessLine,
};
