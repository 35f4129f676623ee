import type { Level } from './severity';
import { canonicalOffset, canonicalTime } from './timestamp';
import type { LineFormat, ParseContext, ParsedLine } from './types';
import { digitsAt, isDigit, readFraction } from './chars';

/**
 * MySQL and MariaDB error logs:
 * - MySQL 5.7 / 8 (`log_sink_internal`): `2026-11-23T10:00:00.123456Z 0 [ERROR] [MY-010119] [Server] msg`,
 *   with `+01:00` instead of `Z` when `log_timestamps=SYSTEM`;
 * - MariaDB 10.1+ and MySQL 5.6: `2026-11-23 10:00:00 140234 [ERROR] msg` (local time, the hour may
 *   be padded with a space);
 * - MySQL ≤ 5.5 and MariaDB ≤ 10.0: `201123 10:00:00 [ERROR] msg` (two-digit year, taken as 20yy).
 * Labels: ERROR, Warning, Note (INFO), System (NOTICE), in any case. The
 * thread id is required in the first two layouts: it is what tells them from
 * the brief's `YYYY-MM-DD HH:MM:SS [LEVEL]`. Old InnoDB lines without a label
 * (`201123 10:00:00  InnoDB: Error: …`) and the unprefixed `Version: …` line
 * are not claimed.
 */

const LABELS: Readonly<Record<string, Level>> = {
  error: 'ERROR',
  warning: 'WARN',
  note: 'INFO',
  system: 'NOTICE',
};

const MAX_FRACTION = 9;
const MAX_THREAD_DIGITS = 20;
/** `201123 10:00:00 [Note]` */
const MIN_LENGTH = 22;

/** An hour written `%2d` (` 9`) or `%02d` (`09`). */
function hourAt(line: string, at: number): number {
  return line.charCodeAt(at) === 0x20 ? digitsAt(line, at + 1, 1) : digitsAt(line, at, 2);
}

function parseMysqlLine(line: string, _context: ParseContext): ParsedLine | null {
  if (line.length < MIN_LENGTH || !isDigit(line.charCodeAt(0))) return null;
  let year: number;
  let month: number;
  let day: number;
  let t: number;
  let threadRequired: boolean;
  if (line.charCodeAt(4) === 0x2d) {
    if (line.charCodeAt(7) !== 0x2d) return null;
    const sep = line.charCodeAt(10);
    if (sep !== 0x54 && sep !== 0x20) return null;
    year = digitsAt(line, 0, 4);
    month = digitsAt(line, 5, 2);
    day = digitsAt(line, 8, 2);
    t = 11;
    threadRequired = true;
  } else if (line.charCodeAt(6) === 0x20) {
    const yy = digitsAt(line, 0, 2);
    year = yy < 0 ? -1 : 2000 + yy;
    month = digitsAt(line, 2, 2);
    day = digitsAt(line, 4, 2);
    t = 7;
    threadRequired = false;
  } else {
    return null;
  }
  if (line.charCodeAt(t + 2) !== 0x3a || line.charCodeAt(t + 5) !== 0x3a) return null;
  const hour = hourAt(line, t);
  const minute = digitsAt(line, t + 3, 2);
  const second = digitsAt(line, t + 6, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return null;
  let i = t + 8;
  const read = readFraction(line, i, MAX_FRACTION);
  if (read === null) return null;
  i = read.end;
  const fraction = read.digits;
  let offset = '';
  const z = line.charCodeAt(i);
  if (z === 0x5a) {
    offset = 'Z';
    i++;
  } else if (z === 0x2b || z === 0x2d) {
    let end = i + 1;
    while (end - i < 7 && (isDigit(line.charCodeAt(end)) || line.charCodeAt(end) === 0x3a)) end++;
    const mapped = canonicalOffset(line.slice(i, end));
    if (mapped === null) return null;
    offset = mapped;
    i = end;
  }
  if (line.charCodeAt(i) !== 0x20) return null;
  i++;
  // thread id
  const threadStart = i;
  while (i - threadStart < MAX_THREAD_DIGITS && isDigit(line.charCodeAt(i))) i++;
  if (i > threadStart) {
    if (line.charCodeAt(i) !== 0x20) return null;
    i++;
  } else if (threadRequired) {
    return null;
  }
  if (line.charCodeAt(i) !== 0x5b) return null;
  const labelStart = i + 1;
  let close = labelStart;
  while (close - labelStart < 8 && close < line.length && line.charCodeAt(close) !== 0x5d) close++;
  if (line.charCodeAt(close) !== 0x5d) return null;
  const levelText = line.slice(labelStart, close);
  const level = LABELS[levelText.toLowerCase()];
  if (level === undefined) return null;
  const time = canonicalTime(year, month, day, hour, minute, second, fraction, offset);
  if (time === '') return null;
  const messageStart = line.charCodeAt(close + 1) === 0x20 ? close + 2 : close + 1;
  return { format: 'mysql', time, level, levelText, message: line.slice(messageStart), fields: null };
}

/**
 * MySQL / MariaDB error log lines; the message is what follows the label, so
 * MySQL 8's `[MY-010119] [Server]` stay in it.
 *
 * @example
 *   MYSQL_FORMAT.parse('2026-11-23T10:00:00.123456Z 0 [ERROR] [MY-010119] [Server] Aborting', { referenceMs: 0 })
 *   // { format: 'mysql', time: '2026-11-23 10:00:00.123456Z', level: 'ERROR', levelText: 'ERROR', message: '[MY-010119] [Server] Aborting', fields: null }
 */
export const MYSQL_FORMAT: LineFormat = {
  name: 'mysql',
  parse: parseMysqlLine,
};
