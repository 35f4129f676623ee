import type { Level } from './severity';
import { canonicalTime, monthNumber } from './timestamp';
import type { LineFormat, ParseContext, ParsedLine } from './types';
import { isDigit, isLetter, readFraction } from './chars';

/**
 * Apache httpd's error log. 2.4's default `ErrorLogFormat`:
 * `[Www Mmm dd hh:mm:ss.uuuuuu yyyy] [module:level] [pid N:tid N] …`
 * (`[:level]` for modules without a name, `[pid N]` on some builds); 2.2:
 * `[Www Mmm dd hh:mm:ss yyyy] [level] [client a.b.c.d] …`. The time is local
 * time without an offset (read in the source's zone). A custom
 * `ErrorLogFormat` that changes the time (`%{cu}t`) or drops the level is not
 * recognised; lines the server writes before its log is open
 * (`AH00558: apache2: …`) and CGI stderr copied raw by mod_cgid carry no
 * header and stay continuation lines.
 */

const APACHE_LEVELS: Readonly<Record<string, Level>> = {
  emerg: 'FATAL',
  alert: 'ALERT',
  crit: 'CRITICAL',
  error: 'ERROR',
  warn: 'WARN',
  notice: 'NOTICE',
  info: 'INFO',
  debug: 'DEBUG',
};

/** `[Mon Nov 23 10:00:00 2026] [x]` */
const MIN_LENGTH = 30;
/** A module name (`proxy_fcgi`, `authz_core`, `php7`) and level fit in this; longer brackets are not Apache's. */
const MAX_LEVEL_BRACKET = 48;
const MAX_FRACTION = 9;

function twoDigits(line: string, at: number): number {
  const a = line.charCodeAt(at);
  const b = line.charCodeAt(at + 1);
  return isDigit(a) && isDigit(b) ? (a - 0x30) * 10 + (b - 0x30) : -1;
}

/** Canonical level of the bracket's level part (`error`, `trace3`), or null. */
function levelOf(text: string): Level | null {
  const known = APACHE_LEVELS[text];
  if (known !== undefined) return known;
  // trace1 … trace8
  return text.length === 6 && text.startsWith('trace') && text.charCodeAt(5) >= 0x31 && text.charCodeAt(5) <= 0x38 ? 'TRACE' : null;
}

function parseApacheErrorLine(line: string, _context: ParseContext): ParsedLine | null {
  if (line.length < MIN_LENGTH || line.charCodeAt(0) !== 0x5b) return null;
  // weekday: three letters, then a space
  if (!isLetter(line.charCodeAt(1)) || !isLetter(line.charCodeAt(2)) || !isLetter(line.charCodeAt(3)) || line.charCodeAt(4) !== 0x20) return null;
  if (line.charCodeAt(8) !== 0x20) return null;
  const month = monthNumber(line.slice(5, 8));
  if (month === 0) return null;
  // day: `23`, `03`, ` 3` (ctime pads with a space) or `3`
  let i = 9;
  if (line.charCodeAt(i) === 0x20) i++;
  let day = line.charCodeAt(i) - 0x30;
  if (day < 0 || day > 9) return null;
  i++;
  if (isDigit(line.charCodeAt(i))) {
    day = day * 10 + (line.charCodeAt(i) - 0x30);
    i++;
  }
  if (line.charCodeAt(i) !== 0x20 || line.charCodeAt(i + 3) !== 0x3a || line.charCodeAt(i + 6) !== 0x3a) return null;
  const hour = twoDigits(line, i + 1);
  const minute = twoDigits(line, i + 4);
  const second = twoDigits(line, i + 7);
  if (hour < 0 || minute < 0 || second < 0) return null;
  i += 9;
  const read = readFraction(line, i, MAX_FRACTION);
  if (read === null) return null;
  i = read.end;
  const fraction = read.digits;
  if (line.charCodeAt(i) !== 0x20 || line.charCodeAt(i + 5) !== 0x5d || line.charCodeAt(i + 6) !== 0x20 || line.charCodeAt(i + 7) !== 0x5b) return null;
  const y1 = twoDigits(line, i + 1);
  const y2 = twoDigits(line, i + 3);
  if (y1 < 0 || y2 < 0) return null;
  const year = y1 * 100 + y2;

  // [level] or [module:level]; the module may be empty (`[:error]`)
  const open = i + 8;
  let close = open;
  let colon = -1;
  while (close < line.length && close - open <= MAX_LEVEL_BRACKET) {
    const c = line.charCodeAt(close);
    if (c === 0x5d) break;
    if (c === 0x3a) colon = close;
    else if (!isLetter(c) && !isDigit(c) && c !== 0x5f && c !== 0x2d && c !== 0x2e) return null;
    close++;
  }
  if (line.charCodeAt(close) !== 0x5d) return null;
  const levelText = line.slice(colon < 0 ? open : colon + 1, close);
  const level = levelOf(levelText);
  if (level === null) return null;
  const time = canonicalTime(year, month, day, hour, minute, second, fraction);
  if (time === '') return null;

  let messageStart = close + 1;
  if (line.charCodeAt(messageStart) === 0x20) messageStart++;
  // 2.4's `[pid N:tid N] ` is a fixed header field like nginx's pid#tid: dropped
  if (line.startsWith('[pid ', messageStart)) {
    const end = line.indexOf('] ', messageStart);
    if (end > 0 && end - messageStart < 48) messageStart = end + 2;
  }
  return { format: 'apache-error', time, level, levelText, message: line.slice(messageStart), fields: null };
}

/**
 * Apache httpd error log lines (2.4 default and 2.2 layouts). Levels: emerg
 * (FATAL), alert, crit, error, warn, notice, info, debug, trace1–8 (TRACE).
 * The message is what follows the level bracket, `[pid …]` removed, so
 * `[client …]`, the `AH…` code and `(errno)text:` stay.
 *
 * @example
 *   APACHE_ERROR_FORMAT.parse('[Mon Nov 23 10:00:00.123456 2026] [core:error] [pid 1234:tid 5678] [client 1.2.3.4:5678] AH00037: x', { referenceMs: 0 })
 *   // { format: 'apache-error', time: '2026-11-23 10:00:00.123456', level: 'ERROR', levelText: 'error', message: '[client 1.2.3.4:5678] AH00037: x', fields: null }
 */
export const APACHE_ERROR_FORMAT: LineFormat = {
  name: 'apache-error',
  parse: parseApacheErrorLine,
};
