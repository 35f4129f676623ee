/**
 * `timestamp-level`: a line that starts with a timestamp and names its level
 * in one of the first header fields after it — the default and common layouts
 * of log4j 1/2, logback, Spring Boot, java.util.logging (one-line formats),
 * Tomcat, Python logging, Flask, Monolog/Laravel, Go `log`/slog, zap console,
 * Serilog, NLog, log4js, winston `printf`, gunicorn, Celery, Airflow,
 * Elasticsearch, Kafka, PHP's error log.
 *
 * The header after the timestamp is read field by field (at most
 * MAX_FIELDS): separators (`-`, `---`, `|`, `:`), bracketed groups
 * (`[main]`, `{file.py:12}`, `(x)`, `<x>`), numbers (pid), logger-like names
 * (`com.foo.Bar`, `app -`, `name   ` padded) are skipped; the first
 * level-shaped token ends the header. Level-shaped means: a level word
 * (`levelOfWord`) in brackets in any case, or bare in upper case (`ERROR`,
 * `ERROR:`, `app.ERROR:`, `ERROR/MainProcess`), or bare in lower case from
 * the words loggers print (`error`, `error:`), or Title-case between `|` or
 * tabs (NLog `|Error|`), or a `level=error` pair. A message word after a name (`2026-… Got ERROR`) or
 * `Error:` starting a message is not a level. A line with a valid leading
 * date but no level field is still an entry start, with `level: null`.
 *
 * Lines of other formats that share the shape return null: PostgreSQL
 * (`SEVERITY:  ` with two spaces), MySQL (`…123456Z 0 [ERROR]`, `[MY-…]`),
 * CRI (`…Z stderr F`), nginx error (`2026/11/23 10:00:00 [error] 12#0:`).
 *
 * Known limits: a time of day alone (`10:00:00.123`, log4j2/logback
 * defaults) takes its date from `context.referenceMs` in UTC, so lines written
 * before midnight and read after it get the next day; such lines count only
 * when they have a level field. Zone names other than UTC/GMT (`CET`,
 * `Europe/Berlin`) are dropped and the time is read in the source's zone.
 * Non-English month names and JUL's two-line SimpleFormatter are read only as
 * far as `Mon DD, YYYY h:mm:ss AM` (an entry start without level; its
 * `SEVERE: …` line is python-basic's).
 */
import { levelOfWord } from './severity';
import type { Level } from './severity';
import { canonicalTime, monthNumber } from './timestamp';
import type { LineFormat, ParseContext, ParsedLine } from './types';
import { digitsAt, isBlank, isDigit, isLetter, isUpper } from './chars';

const TAB = 9;
const SPACE = 32;
const ESC = 27;
const HASH = 35;
const LPAREN = 40;
const RPAREN = 41;
const PLUS = 43;
const COMMA = 44;
const DASH = 45;
const DOT = 46;
const SLASH = 47;
const COLON = 58;
const EQUALS = 61;
const QUOTE = 34;
const LT = 60;
const GT = 62;
const LBRACKET = 91;
const RBRACKET = 93;
const UNDERSCORE = 95;
const LBRACE = 123;
const PIPE = 124;
const RBRACE = 125;

/** Header fields (thread, pid, logger, …) skipped before the level; more means the level is not in the header. */
const MAX_FIELDS = 4;
/** Longest bracketed header field looked at (`[RMI TCP Connection(2)-127.0.0.1]`). */
const MAX_GROUP = 128;
/** Longest bare header token (a logger name) looked at. */
const MAX_TOKEN = 128;
/** How far into the line the PostgreSQL `SEVERITY:  ` marker is looked for. */
const PG_PROBE = 512;
/** Longest level word (`INFORMATIONAL`). */
const MAX_LEVEL_WORD = 13;

/** End of the ANSI colour sequences (`ESC [ 0;31 m`) starting at `i`, or `i` when there is none. */
function skipSgr(line: string, i: number): number {
  let p = i;
  while (line.charCodeAt(p) === ESC && line.charCodeAt(p + 1) === LBRACKET) {
    let q = p + 2;
    const limit = q + 16;
    while (q < limit && (isDigit(line.charCodeAt(q)) || line.charCodeAt(q) === 59)) q += 1;
    if (line.charCodeAt(q) !== 109) return p;
    p = q + 1;
  }
  return p;
}

/** What `readTimestamp` found. */
export interface LeadingTimestamp {
  /** Index just after the timestamp (fraction, offset and a `UTC`/`+01:00` zone after a space included). */
  end: number;
  /** Canonical time (see `canonicalTime`). */
  time: string;
  /** False for a time of day alone, whose date was taken from the reference instant. */
  dateKnown: boolean;
  /** `T` between date and time (RFC 3339 shape). */
  isoT: boolean;
  /** Number of fraction digits written. */
  fractionDigits: number;
  /** Canonical offset: '', 'Z' or `±hh:mm`. */
  offset: string;
  /** The date separator as a char code (`-`, `/`, `.`), JUL_DATE for `Nov 23, 2026`, 0 for other shapes. */
  dateSeparator: number;
}

/** `dateSeparator` of java.util.logging's `Nov 23, 2026 10:00:00 AM`. */
export const JUL_DATE = 1;

/** Scratch of the clock reader; parsing is synchronous, so one object serves every call. */
const clock = { hour: 0, minute: 0, second: 0, fraction: '', fractionDigits: 0, end: 0 };

/** Read `H[H]:MM:SS[.,fraction]` at `i` into `clock`; `minHourDigits` 1 allows JUL's unpadded hour. */
function readClock(line: string, i: number, minHourDigits: 1 | 2): boolean {
  let p = i;
  let hour = digitsAt(line, p, 2);
  if (hour >= 0) p += 2;
  else if (minHourDigits === 1 && isDigit(line.charCodeAt(p))) {
    hour = line.charCodeAt(p) - 48;
    p += 1;
  } else return false;
  if (line.charCodeAt(p) !== COLON) return false;
  const minute = digitsAt(line, p + 1, 2);
  if (minute < 0 || line.charCodeAt(p + 3) !== COLON) return false;
  const second = digitsAt(line, p + 4, 2);
  if (second < 0) return false;
  p += 6;
  let fraction = '';
  let fractionDigits = 0;
  const sep = line.charCodeAt(p);
  if ((sep === DOT || sep === COMMA) && isDigit(line.charCodeAt(p + 1))) {
    const start = p + 1;
    p = start;
    while (isDigit(line.charCodeAt(p))) p += 1;
    fractionDigits = p - start;
    // canonicalTime keeps microseconds; a hostile run of digits is not copied.
    fraction = line.slice(start, Math.min(p, start + 6));
  }
  clock.hour = hour;
  clock.minute = minute;
  clock.second = second;
  clock.fraction = fraction;
  clock.fractionDigits = fractionDigits;
  clock.end = p;
  return true;
}

/** Scratch of the offset reader. */
const zone = { text: '', end: 0 };

/** An offset written right at `i` (`Z`, `±hh`, `±hhmm`, `±hh:mm`) into `zone`; false when one is written but invalid. */
function readOffsetAt(line: string, i: number): boolean {
  zone.text = '';
  zone.end = i;
  const c = line.charCodeAt(i);
  if (c === 90 || c === 122) {
    zone.text = 'Z';
    zone.end = i + 1;
    return true;
  }
  if (c !== PLUS && c !== DASH) return true;
  const hours = digitsAt(line, i + 1, 2);
  if (hours < 0) return true;
  let minutes = 0;
  let end = i + 3;
  if (line.charCodeAt(end) === COLON && digitsAt(line, end + 1, 2) >= 0) {
    minutes = digitsAt(line, end + 1, 2);
    end += 3;
  } else if (digitsAt(line, end, 2) >= 0) {
    minutes = digitsAt(line, end, 2);
    end += 2;
  }
  if (isDigit(line.charCodeAt(end))) return true;
  // PostgreSQL accepts offsets up to ±15:59.
  if (hours > 15 || minutes > 59) return false;
  zone.text = `${c === PLUS ? '+' : '-'}${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
  zone.end = end;
  return true;
}

function endsToken(c: number): boolean {
  return Number.isNaN(c) || isBlank(c) || c === RBRACKET || c === COLON || c === PIPE || c === ESC;
}

/**
 * The offset after the clock: attached (strict: `+16:00` makes the timestamp
 * invalid), or after one space (`+01:00` Serilog, `+0000` gunicorn, `UTC`),
 * where anything else is left to the header (`- 5 items`, `-42 degrees`).
 */
function readZone(line: string, i: number): boolean {
  if (!readOffsetAt(line, i)) return false;
  if (zone.text !== '' || line.charCodeAt(i) !== SPACE) return true;
  const c = line.charCodeAt(i + 1);
  if (c === PLUS || c === DASH) {
    if (readOffsetAt(line, i + 1) && zone.end - (i + 1) >= 5 && endsToken(line.charCodeAt(zone.end))) return true;
  } else if ((line.startsWith('UTC', i + 1) || line.startsWith('GMT', i + 1)) && (endsToken(line.charCodeAt(i + 4)) || line.charCodeAt(i + 4) === COMMA)) {
    zone.text = 'Z';
    zone.end = i + 4;
    return true;
  }
  zone.text = '';
  zone.end = i;
  return true;
}

function finish(line: string, year: number, month: number, day: number, dateKnown: boolean, isoT: boolean, dateSeparator: number): LeadingTimestamp | null {
  if (!readZone(line, clock.end)) return null;
  const time = canonicalTime(year, month, day, clock.hour, clock.minute, clock.second, clock.fraction, zone.text);
  if (time === '') return null;
  return { end: zone.end, time, dateKnown, isoT, fractionDigits: clock.fractionDigits, offset: zone.text, dateSeparator };
}

/** Month number of the three letters at `i` (checked to be letters first, so foreign text allocates nothing). */
function monthAt(line: string, i: number): number {
  if (!isLetter(line.charCodeAt(i)) || !isLetter(line.charCodeAt(i + 1)) || !isLetter(line.charCodeAt(i + 2))) return 0;
  return monthNumber(line.slice(i, i + 3));
}

/**
 * The timestamp at `start`: `YYYY-MM-DD[T ]HH:MM:SS[.,f][offset]` (also `/`
 * or `.` between the date parts), `HH:MM:SS[.,f]` (date from `referenceMs`,
 * UTC), `DD-Mon-YYYY HH:MM:SS[.f]`, `DD Mon YYYY HH:MM:SS[,f]`,
 * `Mon DD, YYYY H:MM:SS AM`; the offset may follow after one space
 * (`+01:00`, `+0000`, `UTC`). Null when there is none or it is invalid
 * (month 13, 31 February, hour 24, offset beyond ±15:59).
 *
 * @example
 *   readTimestamp('2026-11-23 10:00:00,123 ERROR x', 0, 0)?.time // '2026-11-23 10:00:00.123'
 */
export function readTimestamp(line: string, start: number, referenceMs: number): LeadingTimestamp | null {
  const c0 = line.charCodeAt(start);
  if (isDigit(c0)) {
    const c2 = line.charCodeAt(start + 2);
    if (c2 === COLON) {
      if (!readClock(line, start, 2)) return null;
      const ref = new Date(referenceMs);
      return finish(line, ref.getUTCFullYear(), ref.getUTCMonth() + 1, ref.getUTCDate(), false, false, 0);
    }
    if (isDigit(c2)) {
      const year = digitsAt(line, start, 4);
      const sep = line.charCodeAt(start + 4);
      if (isDigit(sep)) return readCompactTimestamp(line, start);
      if (year < 0 || (sep !== DASH && sep !== SLASH && sep !== DOT) || line.charCodeAt(start + 7) !== sep) return null;
      const month = digitsAt(line, start + 5, 2);
      const day = digitsAt(line, start + 8, 2);
      const t = line.charCodeAt(start + 10);
      if (month < 0 || day < 0 || (t !== SPACE && t !== 84)) return null;
      if (!readClock(line, start + 11, 2)) return null;
      return finish(line, year, month, day, true, t === 84, sep);
    }
    if (c2 === SLASH) {
      // log4j `%d{yy/MM/dd HH:mm:ss}`, Spark's default: `17/06/09 20:10:40`.
      const yy = digitsAt(line, start, 2);
      const month = digitsAt(line, start + 3, 2);
      const day = digitsAt(line, start + 6, 2);
      if (yy < 0 || month < 0 || day < 0 || line.charCodeAt(start + 5) !== SLASH || line.charCodeAt(start + 8) !== SPACE) return null;
      if (!readClock(line, start + 9, 2)) return null;
      return finish(line, 2000 + yy, month, day, true, false, SLASH);
    }
    if (c2 === DASH || c2 === SPACE) {
      // Tomcat `23-Nov-2026 10:00:00.123`, log4j %d{DATE} `23 Nov 2026 10:00:00,123`.
      const day = digitsAt(line, start, 2);
      if (line.charCodeAt(start + 6) !== c2 || line.charCodeAt(start + 11) !== SPACE) return null;
      const month = monthAt(line, start + 3);
      const year = digitsAt(line, start + 7, 4);
      if (month === 0 || year < 0 || !readClock(line, start + 12, 2)) return null;
      return finish(line, year, month, day, true, false, 0);
    }
    return null;
  }
  if (isUpper(c0)) return readJulTimestamp(line, start);
  return null;
}

/** Hadoop HDFS's `yyMMdd HHmmss` (`081109 203615 148 INFO dfs.DataNode: …`), no separators at all. */
function readCompactTimestamp(line: string, start: number): LeadingTimestamp | null {
  const yy = digitsAt(line, start, 2);
  const month = digitsAt(line, start + 2, 2);
  const day = digitsAt(line, start + 4, 2);
  const hour = digitsAt(line, start + 7, 2);
  const minute = digitsAt(line, start + 9, 2);
  const second = digitsAt(line, start + 11, 2);
  if (yy < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return null;
  if (line.charCodeAt(start + 6) !== SPACE || line.charCodeAt(start + 13) !== SPACE) return null;
  const time = canonicalTime(2000 + yy, month, day, hour, minute, second, '', '');
  if (time === '') return null;
  return { end: start + 13, time, dateKnown: true, isoT: false, fractionDigits: 0, offset: '', dateSeparator: 0 };
}

/** java.util.logging SimpleFormatter's `Nov 23, 2026 10:00:00 AM`. */
function readJulTimestamp(line: string, start: number): LeadingTimestamp | null {
  if (line.charCodeAt(start + 3) !== SPACE) return null;
  let p = start + 4;
  let day = digitsAt(line, p, 2);
  if (day >= 0) p += 2;
  else if (isDigit(line.charCodeAt(p))) {
    day = line.charCodeAt(p) - 48;
    p += 1;
  } else return null;
  if (line.charCodeAt(p) !== COMMA || line.charCodeAt(p + 1) !== SPACE) return null;
  const year = digitsAt(line, p + 2, 4);
  if (year < 0 || line.charCodeAt(p + 6) !== SPACE) return null;
  const month = monthAt(line, start);
  if (month === 0 || !readClock(line, p + 7, 1)) return null;
  const e = clock.end;
  if (line.charCodeAt(e) !== SPACE || line.charCodeAt(e + 2) !== 77) return null;
  const meridiem = line.charCodeAt(e + 1);
  if ((meridiem !== 65 && meridiem !== 80) || clock.hour < 1 || clock.hour > 12) return null;
  const hour = (clock.hour % 12) + (meridiem === 80 ? 12 : 0);
  const time = canonicalTime(year, month, day, hour, clock.minute, clock.second, clock.fraction, '');
  if (time === '') return null;
  return { end: e + 3, time, dateKnown: true, isoT: false, fractionDigits: clock.fractionDigits, offset: '', dateSeparator: JUL_DATE };
}

/** Lower-case words loggers print as levels (zap, winston, Go); the other lower-case level words are too likely prose (`alert`, `log`, `note`). */
const LOWER_LEVELS: ReadonlySet<string> = new Set(['trace', 'verbose', 'debug', 'info', 'notice', 'warn', 'warning', 'error', 'fatal', 'panic', 'critical']);

/** Level words of other loggers that `levelOfWord` does not know. */
const EXTRA_LEVELS: Readonly<Record<string, Level>> = {
  // zap's DPanic: an error that panics only in development.
  DPANIC: 'ERROR',
  // Serilog's `{Level:u3}` of Verbose.
  VRB: 'TRACE',
};

/**
 * The level of the ASCII word `line[start, end)` in any case, or null: only
 * ASCII letters count, because `toUpperCase` would turn `ınfo` into `INFO`.
 *
 * @example
 *   asciiLevel('[Err] x', 1, 4) // 'ERROR'
 */
export function asciiLevel(line: string, start: number, end: number): Level | null {
  const length = end - start;
  if (length < 3 || length > MAX_LEVEL_WORD) return null;
  for (let k = start; k < end; k += 1) if (!isLetter(line.charCodeAt(k))) return null;
  const word = line.slice(start, end);
  return levelOfWord(word) ?? EXTRA_LEVELS[word.toUpperCase()] ?? null;
}

const CASE_UPPER = 1;
const CASE_LOWER = 2;
const CASE_MIXED = 3;

function caseOf(line: string, start: number, end: number): number {
  let upper = 0;
  for (let k = start; k < end; k += 1) if (isUpper(line.charCodeAt(k))) upper += 1;
  if (upper === end - start) return CASE_UPPER;
  return upper === 0 ? CASE_LOWER : CASE_MIXED;
}

/** PostgreSQL's severities; its log lines write them as `SEVERITY:  ` (two spaces). */
const PG_SEVERITIES: ReadonlySet<string> = new Set([
  'DEBUG',
  'DEBUG1',
  'DEBUG2',
  'DEBUG3',
  'DEBUG4',
  'DEBUG5',
  'INFO',
  'NOTICE',
  'WARNING',
  'ERROR',
  'LOG',
  'FATAL',
  'PANIC',
  'DETAIL',
  'HINT',
  'QUERY',
  'CONTEXT',
  'LOCATION',
  'STATEMENT',
]);

/** True when the line carries PostgreSQL's `SEVERITY:  ` marker in its first PG_PROBE characters. */
function looksLikePostgres(line: string, from: number): boolean {
  let k = line.lastIndexOf(':  ', PG_PROBE);
  while (k > from) {
    let w = k;
    while (w > from && k - w < 10 && (isUpper(line.charCodeAt(w - 1)) || isDigit(line.charCodeAt(w - 1)))) w -= 1;
    const before = line.charCodeAt(w - 1);
    if (k - w >= 3 && (isBlank(before) || before === COLON || before === RBRACKET) && PG_SEVERITIES.has(line.slice(w, k))) return true;
    k = line.lastIndexOf(':  ', k - 1);
  }
  return false;
}

/** PHP error log levels after `PHP ` (`PHP Fatal error:  Uncaught …`). */
const PHP_LEVELS: ReadonlyArray<readonly [string, Level]> = [
  ['Fatal error', 'FATAL'],
  ['Parse error', 'ERROR'],
  ['Recoverable fatal error', 'ERROR'],
  ['Catchable fatal error', 'ERROR'],
  ['Warning', 'WARN'],
  ['Notice', 'NOTICE'],
  ['Deprecated', 'NOTICE'],
  ['Strict Standards', 'NOTICE'],
];

/** Where the header scan found the level: the level word and the whole token around it (`[ERROR]`, `ERROR`). */
const found = { level: 'INFO' as Level, textStart: 0, textEnd: 0, tokenStart: 0, tokenEnd: 0 };

const SCAN_LEVEL = 0;
const SCAN_NONE = 1;
const SCAN_REJECT = 2;

function setFound(level: Level, textStart: number, textEnd: number, tokenStart: number, tokenEnd: number): number {
  found.level = level;
  found.textStart = textStart;
  found.textEnd = textEnd;
  found.tokenStart = tokenStart;
  found.tokenEnd = tokenEnd;
  return SCAN_LEVEL;
}

function closerOf(open: number): number {
  if (open === LBRACKET) return RBRACKET;
  if (open === LPAREN) return RPAREN;
  if (open === LT) return GT;
  return RBRACE;
}

/** Index of `closer` in `line[from, limit)`, or -1. */
function findWithin(line: string, from: number, limit: number, closer: number): number {
  for (let e = from; e < limit; e += 1) if (line.charCodeAt(e) === closer) return e;
  return -1;
}

/** Skip blanks and colour codes. */
function skipBlanks(line: string, i: number, limit: number): number {
  let p = i;
  while (p < limit) {
    const c = line.charCodeAt(p);
    if (isBlank(c)) p += 1;
    else if (c === ESC) {
      const q = skipSgr(line, p);
      if (q === p) return p;
      p = q;
    } else return p;
  }
  return p;
}

/** A separator field: `|`, or a run of `-`/`:` followed by a blank or the end. Returns its end, or `i`. */
function skipSeparator(line: string, i: number): number {
  const c = line.charCodeAt(i);
  if (c === PIPE) return i + 1;
  if (c === COMMA && line.charCodeAt(i + 1) === SPACE) return i + 1;
  if (c !== DASH && c !== COLON) return i;
  let p = i;
  while (p - i < 4 && line.charCodeAt(p) === c) p += 1;
  const next = line.charCodeAt(p);
  return Number.isNaN(next) || isBlank(next) ? p : i;
}

/** nginx's `[error] 1234#0: …` after the level. */
function isNginxPid(line: string, i: number): boolean {
  let p = i;
  while (line.charCodeAt(p) === SPACE) p += 1;
  const start = p;
  while (p - start < 12 && isDigit(line.charCodeAt(p))) p += 1;
  return p > start && line.charCodeAt(p) === HASH;
}

/** CRI: `… stdout F message` / `… stderr P message`. */
function isCriStream(line: string, p: number, q: number): boolean {
  if (q - p !== 6 || (!line.startsWith('stdout', p) && !line.startsWith('stderr', p))) return false;
  const tag = line.charCodeAt(q + 1);
  const after = line.charCodeAt(q + 2);
  return line.charCodeAt(q) === SPACE && (tag === 70 || tag === 80) && (Number.isNaN(after) || after === SPACE);
}

/** `PHP Fatal error:  …` after PHP's `[23-Nov-2026 10:00:00 UTC] `. */
function scanPhp(line: string, i: number): number {
  const start = i + 4;
  for (const [text, level] of PHP_LEVELS) {
    if (line.startsWith(text, start) && line.charCodeAt(start + text.length) === COLON) {
      return setFound(level, start, start + text.length, i, start + text.length + 1);
    }
  }
  // `PHP Stack trace:` and its `PHP   1. {main}() …` frames continue the fatal error above.
  if (line.startsWith('Stack trace:', start)) return SCAN_REJECT;
  let p = start;
  while (line.charCodeAt(p) === SPACE) p += 1;
  return p > start && isDigit(line.charCodeAt(p)) ? SCAN_REJECT : SCAN_NONE;
}

/** Keys of a `key=value` level field after the timestamp (`2026-… level=error msg=…`). */
const LEVEL_KEYS: ReadonlySet<string> = new Set(['level', 'lvl', 'severity', 'loglevel']);

/** The value of `level=error` / `level="error"` starting at `v`; the token is the whole pair. */
function scanLevelKey(line: string, keyStart: number, v: number): number {
  const quoted = line.charCodeAt(v) === QUOTE ? 1 : 0;
  const s = v + quoted;
  let e = s;
  while (e - s <= MAX_LEVEL_WORD && isLetter(line.charCodeAt(e))) e += 1;
  if (quoted === 1 && line.charCodeAt(e) !== QUOTE) return SCAN_NONE;
  const level = asciiLevel(line, s, e);
  const after = line.charCodeAt(e + quoted);
  if (level === null || !(Number.isNaN(after) || isBlank(after))) return SCAN_NONE;
  return setFound(level, s, e, keyStart, e + quoted);
}

/** True when a bare level word `[start, end)` is written the way a logger writes its level field. */
function levelShaped(line: string, start: number, end: number): boolean {
  const after = line.charCodeAt(end);
  const kind = caseOf(line, start, end);
  if (kind === CASE_UPPER) return endsToken(after) || after === SLASH;
  if (kind === CASE_LOWER) return endsToken(after) && LOWER_LEVELS.has(line.slice(start, end));
  // Title case is prose (`Error: ENOENT`) unless it sits in a column (NLog `|Error|`, Windows CBS `Error       CSI`).
  return after === PIPE || after === TAB || (after === SPACE && line.charCodeAt(end + 1) === SPACE);
}

/** True when the bare token `[start, end)` reads as a logger/host name field, not as the first word of a message. */
function isNameField(line: string, start: number, end: number): boolean {
  for (let k = start; k < end; k += 1) {
    const c = line.charCodeAt(k);
    if (c === DOT || c === UNDERSCORE || (c === COLON && line.charCodeAt(k + 1) === COLON)) return k < end - 1;
  }
  // Padded columns (`%(name)-12s `) or a following separator (`app - ERROR`, `app|ERROR`).
  const after = line.charCodeAt(end);
  if (after === TAB || after === PIPE) return true;
  if (after !== SPACE) return false;
  const next = line.charCodeAt(end + 1);
  if (next === SPACE || next === PIPE) return true;
  return next === DASH && isBlank(line.charCodeAt(end + 2));
}

/** `channel.LEVEL:` (Monolog): the index of the last dot when `[start, end)` has that shape, else -1. */
function monologDot(line: string, start: number, end: number): number {
  if (line.charCodeAt(end - 1) !== COLON) return -1;
  const dot = line.lastIndexOf('.', end - 1);
  if (dot <= start || dot < end - 2 - MAX_LEVEL_WORD) return -1;
  return caseOf(line, dot + 1, end - 1) === CASE_UPPER ? dot : -1;
}

/**
 * Read the header fields from `i` until a level is found (SCAN_LEVEL, see
 * `found`), the header ends without one (SCAN_NONE) or the line turns out to
 * be another format's (SCAN_REJECT).
 */
function scanHeader(line: string, i: number, ts: LeadingTimestamp): number {
  const limit = Math.min(line.length, i + PG_PROBE);
  let p = i;
  let fields = 0;
  while (fields <= MAX_FIELDS) {
    p = skipBlanks(line, p, limit);
    const sepEnd = skipSeparator(line, p);
    if (sepEnd > p) {
      p = sepEnd;
      continue;
    }
    if (p >= limit) return SCAN_NONE;
    const c = line.charCodeAt(p);
    if (c === LBRACKET || c === LPAREN || c === LT || c === LBRACE) {
      const close = findWithin(line, p + 1, Math.min(limit, p + MAX_GROUP), closerOf(c));
      if (close < 0) return SCAN_NONE;
      let s = p + 1;
      let t = close;
      while (s < t && line.charCodeAt(s) === SPACE) s += 1;
      while (t > s && line.charCodeAt(t - 1) === SPACE) t -= 1;
      const level = asciiLevel(line, s, t);
      if (level !== null) {
        if (ts.dateSeparator === SLASH && caseOf(line, s, t) === CASE_LOWER && isNginxPid(line, close + 1)) return SCAN_REJECT;
        return setFound(level, s, t, p, close + 1);
      }
      // MySQL 8: `… [ERROR] [MY-010000] [Server] …`.
      if (line.startsWith('MY-', s)) return SCAN_REJECT;
      p = close + 1;
    } else if (isDigit(c)) {
      let q = p;
      while (q - p < 20 && isDigit(line.charCodeAt(q))) q += 1;
      if (!isBlank(line.charCodeAt(q))) return SCAN_NONE;
      // MySQL 5.7/8: `2026-11-23T10:00:00.123456Z 0 [ERROR] …`.
      if (fields === 0 && ts.isoT && ts.fractionDigits === 6 && ts.offset !== '' && line.charCodeAt(q + 1) === LBRACKET) return SCAN_REJECT;
      p = q;
    } else if (isLetter(c) || c === UNDERSCORE) {
      let q = p;
      while (q - p <= MAX_LEVEL_WORD && isLetter(line.charCodeAt(q))) q += 1;
      if (fields === 0 && isCriStream(line, p, q)) return SCAN_REJECT;
      if (q - p === 3 && line.startsWith('PHP ', p)) return scanPhp(line, p);
      const level = asciiLevel(line, p, q);
      if (level !== null && levelShaped(line, p, q)) return setFound(level, p, q, p, q);
      if (line.charCodeAt(q) === EQUALS && LEVEL_KEYS.has(line.slice(p, q))) return scanLevelKey(line, p, q + 1);
      let e = q;
      while (e - p < MAX_TOKEN && e < limit && !isBlank(line.charCodeAt(e)) && line.charCodeAt(e) !== PIPE && line.charCodeAt(e) !== ESC) e += 1;
      const dot = monologDot(line, p, e);
      if (dot >= 0) {
        const channelLevel = asciiLevel(line, dot + 1, e - 1);
        if (channelLevel !== null) return setFound(channelLevel, dot + 1, e - 1, dot + 1, e - 1);
      }
      if (fields >= 2 || !isNameField(line, p, e)) return SCAN_NONE;
      p = e;
    } else {
      return SCAN_NONE;
    }
    fields += 1;
  }
  return SCAN_NONE;
}

/** Whether the timestamp may end at `p`: a blank, the end, NLog's `|`, a colour code, Celery's `: `, or anything but a word after its `]`. */
function endsTimestamp(line: string, p: number, closedBracket: boolean): boolean {
  const c = line.charCodeAt(p);
  if (Number.isNaN(c) || isBlank(c) || c === PIPE || c === ESC) return true;
  if (c === COMMA && line.charCodeAt(p + 1) === SPACE) return true;
  if (closedBracket) return c === LBRACKET || c === COLON;
  return c === COLON && isBlank(line.charCodeAt(p + 1));
}

function isSeparatorChar(c: number): boolean {
  return isBlank(c) || c === DASH || c === PIPE || c === COLON || c === DOT || c === SLASH;
}

/** `line[start, end)` without leading and trailing blanks and separators. */
function trimmedField(line: string, start: number, end: number): string {
  let s = start;
  let e = end;
  while (s < e && isSeparatorChar(line.charCodeAt(s))) s += 1;
  while (e > s && isSeparatorChar(line.charCodeAt(e - 1))) e -= 1;
  return line.slice(s, e);
}

// Linear (no nested quantifiers); applied only to text that contains ESC.
const SGR = /\x1b\[[0-9;]*m/g;

/** `trimmedField` without colour codes (Spring Boot and zap colour the fields around the level). */
function cleanField(line: string, start: number, end: number): string {
  const raw = trimmedField(line, start, end);
  if (!raw.includes('\x1b')) return raw;
  const plain = raw.replace(SGR, '');
  return trimmedField(plain, 0, plain.length);
}

/**
 * The message: the header fields before the level (thread, pid, logger) and
 * the rest after it, as written, without the separators next to the level.
 */
function composeMessage(line: string, headerStart: number, bracketOpen: boolean): string {
  const prefix = cleanField(line, headerStart, found.tokenStart);
  let s = skipBlanks(line, found.tokenEnd, line.length);
  if (bracketOpen) {
    // env_logger `[ts ERROR my_crate] msg`, Celery `[ts: ERROR/MainProcess] msg`: the rest of the bracket is a field.
    const close = findWithin(line, s, Math.min(line.length, s + MAX_GROUP), RBRACKET);
    if (close >= 0) {
      const head = [prefix, cleanField(line, s, close)].filter((x) => x !== '').join(' ');
      let r = close + 1;
      while (isBlank(line.charCodeAt(r))) r += 1;
      return head === '' ? line.slice(r) : `[${head}] ${line.slice(r)}`;
    }
  }
  if (prefix === '') {
    const c = line.charCodeAt(s);
    if (c === PIPE || c === SLASH) s += 1;
    else s = skipSeparator(line, s);
    return line.slice(skipBlanks(line, s, line.length));
  }
  const suffix = line.slice(s);
  if (suffix === '') return prefix;
  return suffix.charCodeAt(0) === COLON ? `${prefix}${suffix}` : `${prefix} ${suffix}`;
}

function parseTimestampLevel(line: string, context: ParseContext): ParsedLine | null {
  if (line.length < 8) return null;
  let i = 0;
  let c = line.charCodeAt(0);
  if (c === ESC) {
    i = skipSgr(line, 0);
    c = line.charCodeAt(i);
  }
  let bracketOpen = false;
  if (c === LBRACKET) {
    bracketOpen = true;
    i += 1;
    c = line.charCodeAt(i);
  }
  if (!isDigit(c) && !isUpper(c)) return null;
  const ts = readTimestamp(line, i, context.referenceMs);
  if (ts === null) return null;
  let p = ts.end;
  let closed = false;
  if (bracketOpen) {
    if (line.charCodeAt(p) === SPACE) {
      // PHP writes its zone name: `[23-Nov-2026 10:00:00 Europe/Berlin]`.
      let q = p + 1;
      while (q - p <= 40 && (isLetter(line.charCodeAt(q)) || line.charCodeAt(q) === SLASH || line.charCodeAt(q) === UNDERSCORE)) q += 1;
      if (q > p + 1 && line.charCodeAt(q) === RBRACKET && asciiLevel(line, p + 1, q) === null) p = q;
    }
    if (line.charCodeAt(p) === RBRACKET) {
      bracketOpen = false;
      closed = true;
      p += 1;
    }
  }
  if (!endsTimestamp(line, p, closed)) return null;
  let level: Level | null = null;
  let levelText = '';
  let message: string;
  // JUL's date line names the source class and method (`… PM com.foo.Log error`), never the level.
  const r = ts.dateSeparator === JUL_DATE ? SCAN_NONE : scanHeader(line, p, ts);
  if (r === SCAN_REJECT) return null;
  if (r === SCAN_LEVEL) {
    // PostgreSQL: `2026-… UTC [123] ERROR:  message` (elog.c writes two spaces).
    if (line.startsWith(':  ', found.textEnd) && PG_SEVERITIES.has(line.slice(found.textStart, found.textEnd))) return null;
    level = found.level;
    levelText = line.slice(found.textStart, found.textEnd);
    message = composeMessage(line, p, bracketOpen);
  } else {
    // A time of day alone is too weak a sign without a level (it may be continuation text).
    if (!ts.dateKnown || looksLikePostgres(line, p)) return null;
    message = line.slice(skipBlanks(line, p, line.length));
  }
  if (message.includes('\x1b')) message = message.replace(SGR, '');
  return { format: 'timestamp-level', time: ts.time, level, levelText, message, fields: null };
}

/**
 * Lines that start with a timestamp followed by a level field (see the
 * module comment for the accepted layouts and the lines left to other formats).
 *
 * @example
 *   TIMESTAMP_LEVEL_FORMAT.parse('2026-11-23 10:00:00,123 [main] ERROR com.foo.Bar - boom', { referenceMs: 0 });
 *   // { format: 'timestamp-level', time: '2026-11-23 10:00:00.123', level: 'ERROR', levelText: 'ERROR',
 *   //   message: '[main] com.foo.Bar - boom', fields: null }
 */
export const TIMESTAMP_LEVEL_FORMAT: LineFormat = { name: 'timestamp-level', parse: parseTimestampLevel };
