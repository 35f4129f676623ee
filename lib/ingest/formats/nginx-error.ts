import { levelOfWord } from './severity';
import type { Level } from './severity';
import { canonicalTime } from './timestamp';
import type { LineFormat, ParseContext, ParsedLine } from './types';
import { digitsAt, isDigit } from './chars';

/**
 * nginx's error log (`ngx_log_error_core`): `YYYY/MM/DD HH:MM:SS [level] pid#tid: `
 * then, for a connection, `*cid ` and the message. The time is local time
 * without an offset, so it is read in the source's zone. nginx has no fraction
 * and always writes the pid#tid pair: requiring it keeps Go's `log` package
 * (`2026/11/23 10:00:00 [ERROR] …`, same date layout) for `timestamp-level`.
 * Lines nginx writes to stderr before its log is open (`nginx: [emerg] …`)
 * carry no time and are not claimed.
 */

const NGINX_LEVELS: ReadonlySet<string> = new Set(['debug', 'info', 'notice', 'warn', 'error', 'crit', 'alert', 'emerg']);

/** `2026/11/23 10:00:00 [` */
const HEADER_LENGTH = 21;
const MAX_LEVEL_LENGTH = 6;
const MAX_ID_DIGITS = 20;

/** End of a run of 1–20 digits starting at `start`, or -1 when there is none. */
function endOfDigits(line: string, start: number): number {
  let i = start;
  while (i < line.length && i - start < MAX_ID_DIGITS && isDigit(line.charCodeAt(i))) i++;
  return i === start ? -1 : i;
}

function parseNginxErrorLine(line: string, _context: ParseContext): ParsedLine | null {
  if (line.length < HEADER_LENGTH + 2 || !isDigit(line.charCodeAt(0))) return null;
  if (line.charCodeAt(4) !== 0x2f || line.charCodeAt(7) !== 0x2f || line.charCodeAt(10) !== 0x20) return null;
  if (line.charCodeAt(13) !== 0x3a || line.charCodeAt(16) !== 0x3a || line.charCodeAt(19) !== 0x20 || line.charCodeAt(20) !== 0x5b) return null;
  const year = digitsAt(line, 0, 4);
  const month = digitsAt(line, 5, 2);
  const day = digitsAt(line, 8, 2);
  const hour = digitsAt(line, 11, 2);
  const minute = digitsAt(line, 14, 2);
  const second = digitsAt(line, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return null;

  let close = HEADER_LENGTH;
  while (close < HEADER_LENGTH + MAX_LEVEL_LENGTH + 1 && line.charCodeAt(close) !== 0x5d) close++;
  if (line.charCodeAt(close) !== 0x5d || line.charCodeAt(close + 1) !== 0x20) return null;
  const levelText = line.slice(HEADER_LENGTH, close);
  if (!NGINX_LEVELS.has(levelText)) return null;

  // pid#tid: (tid is the pid again on Linux without threads)
  const pidEnd = endOfDigits(line, close + 2);
  if (pidEnd < 0 || line.charCodeAt(pidEnd) !== 0x23) return null;
  const tidEnd = endOfDigits(line, pidEnd + 1);
  if (tidEnd < 0 || line.charCodeAt(tidEnd) !== 0x3a) return null;

  const time = canonicalTime(year, month, day, hour, minute, second);
  if (time === '') return null;
  const level: Level | null = levelOfWord(levelText);
  const messageStart = line.charCodeAt(tidEnd + 1) === 0x20 ? tidEnd + 2 : tidEnd + 1;
  return { format: 'nginx-error', time, level, levelText, message: line.slice(messageStart), fields: null };
}

/**
 * nginx error log lines; the message keeps the connection number (`*9`) that
 * ties the lines of one request together, and drops pid#tid.
 *
 * @example
 *   NGINX_ERROR_FORMAT.parse('2026/11/23 10:00:00 [error] 1234#5678: *9 open() "/x" failed', { referenceMs: 0 })
 *   // { format: 'nginx-error', time: '2026-11-23 10:00:00', level: 'ERROR', levelText: 'error', message: '*9 open() "/x" failed', fields: null }
 */
export const NGINX_ERROR_FORMAT: LineFormat = {
  name: 'nginx-error',
  parse: parseNginxErrorLine,
};
