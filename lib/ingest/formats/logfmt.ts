import { levelOfFieldText, timeOfText } from './json';
import { levelOfPinoNumber, levelOfSyslogSeverity } from './severity';
import type { Level } from './severity';
import type { LineFormat, ParsedLine } from './types';

/**
 * logfmt: `key=value key2="quoted \"value\""` lines, as written by logrus's
 * TextFormatter (without a terminal), Go's log/slog TextHandler, go-kit log
 * (Prometheus, Loki), Grafana, log15 and Heroku's router, optionally behind
 * an RFC 3339 time and Heroku's `heroku[router]: ` (`heroku logs`).
 *
 * Every token must be a pair: a bare word (prose, a stack frame) means the
 * line is not logfmt. Known limit: logfmt's bare keys (`key` alone, meaning
 * true) are therefore not accepted; no common Go encoder writes them.
 */

const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const EQUALS = 0x3d;
const BACKSLASH = 0x5c;

/** Where one pair lies in the line; one object is reused for every pair. */
interface PairBounds {
  keyStart: number;
  keyEnd: number;
  keyQuoted: boolean;
  valueStart: number;
  valueEnd: number;
  valueQuoted: boolean;
  /** Index of the next pair (spaces skipped). */
  next: number;
}

const PAIR: PairBounds = { keyStart: 0, keyEnd: 0, keyQuoted: false, valueStart: 0, valueEnd: 0, valueQuoted: false, next: 0 };

/** Separators between pairs; a CR is one so that a CRLF file's last value does not end in `\r`. */
function isSpace(c: number): boolean {
  return c === SPACE || c === TAB || c === 0x0d;
}

/** Key characters: letters, digits, `_ . - / @` (slog groups are dotted: `req.id`). */
function isKeyChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2e || c === 0x2d || c === 0x2f || c === 0x40;
}

/** Index of the quote closing the one at `open`, or -1. */
function closingQuote(line: string, open: number): number {
  for (let i = open + 1; i < line.length; i += 1) {
    const c = line.charCodeAt(i);
    if (c === BACKSLASH) i += 1;
    else if (c === QUOTE) return i;
  }
  return -1;
}

/** Read the pair at `i` into `p`; false when the text there is not `key=value`. */
function readPair(line: string, i: number, p: PairBounds): boolean {
  const n = line.length;
  let j = i;
  if (line.charCodeAt(j) === QUOTE) {
    const close = closingQuote(line, j);
    if (close < 0) return false;
    p.keyStart = j + 1;
    p.keyEnd = close;
    p.keyQuoted = true;
    j = close + 1;
  } else {
    while (j < n && isKeyChar(line.charCodeAt(j))) j += 1;
    if (j === i) return false;
    p.keyStart = i;
    p.keyEnd = j;
    p.keyQuoted = false;
  }
  if (line.charCodeAt(j) !== EQUALS) return false;
  j += 1;
  if (line.charCodeAt(j) === QUOTE) {
    const close = closingQuote(line, j);
    if (close < 0) return false;
    p.valueStart = j + 1;
    p.valueEnd = close;
    p.valueQuoted = true;
    j = close + 1;
    if (j < n && !isSpace(line.charCodeAt(j))) return false;
  } else {
    p.valueStart = j;
    while (j < n && !isSpace(line.charCodeAt(j))) j += 1;
    p.valueEnd = j;
    p.valueQuoted = false;
  }
  while (j < n && isSpace(line.charCodeAt(j))) j += 1;
  p.next = j;
  return true;
}

function keyIs(line: string, p: PairBounds, name: string): boolean {
  return p.keyEnd - p.keyStart === name.length && line.startsWith(name, p.keyStart);
}

function keyIsAny(line: string, p: PairBounds, names: readonly string[]): boolean {
  for (const name of names) if (keyIs(line, p, name)) return true;
  return false;
}

const LEVEL_KEYS = ['level', 'lvl', 'severity', 'loglevel', 'log_level'] as const;
/** Heroku's router writes its level as `at=info|error`; `at` counts only when it holds a level word. */
const AT_KEY = 'at';
const TIME_KEYS = ['time', 'ts', 't', 'timestamp'] as const;
const MESSAGE_KEYS = ['msg', 'message'] as const;
const ERROR_KEYS = ['error', 'err'] as const;
const STACK_KEYS = ['stacktrace', 'stack'] as const;

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', a: '\x07', b: '\b', f: '\f', v: '\v', '/': '/' };

function hexChar(hex: string): string | null {
  if (!/^[0-9a-fA-F]+$/.test(hex)) return null;
  const code = Number.parseInt(hex, 16);
  return code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : '\uFFFD';
}

/**
 * The text of a quoted value with Go's strconv.Quote escapes undone (`\"`,
 * `\\`, `\n`, `\t`, `\uXXXX`, `\UXXXXXXXX`); `\xHH` is a raw byte in Go,
 * kept as the character when ASCII, else U+FFFD. Unknown escapes stay as written.
 */
function unquote(line: string, start: number, end: number): string {
  let slash = line.indexOf('\\', start);
  if (slash === -1 || slash >= end) return line.slice(start, end);
  let out = '';
  let from = start;
  while (slash !== -1 && slash < end) {
    out += line.slice(from, slash);
    const e = line[slash + 1] ?? '';
    let used = 2;
    let text: string | null = ESCAPES[e] ?? null;
    if (text === null && (e === 'u' || e === 'U' || e === 'x')) {
      const width = e === 'u' ? 4 : e === 'U' ? 8 : 2;
      text = slash + 2 + width <= end ? hexChar(line.slice(slash + 2, slash + 2 + width)) : null;
      if (text !== null) {
        if (e === 'x' && text.charCodeAt(0) > 0x7f) text = '\uFFFD';
        used = 2 + width;
      }
    }
    out += text ?? line.slice(slash, slash + 2);
    from = slash + used;
    slash = line.indexOf('\\', from);
  }
  return out + line.slice(from, end);
}

/** Defines `name` as an own property even when it is `__proto__` (assignment would set the prototype). */
function setField(fields: Record<string, unknown>, name: string, value: string): void {
  if (name === '__proto__') Object.defineProperty(fields, name, { value, enumerable: true, writable: true, configurable: true });
  else fields[name] = value;
}

function levelOfValue(value: string, syslog: boolean): Level | null {
  if (value === '' || value.length > 24) return null;
  const c = value.charCodeAt(0);
  if (c >= 0x30 && c <= 0x39) {
    if (!/^\d{1,3}$/.test(value)) return null;
    const n = Number(value);
    if (syslog) return levelOfSyslogSeverity(n);
    return n >= 10 && n <= 100 ? levelOfPinoNumber(n) : null;
  }
  return levelOfFieldText(value);
}

/**
 * An RFC 3339 time before the pairs, optionally followed by Heroku's
 * `source[dyno]: ` (`heroku logs`, log drains).
 */
const TIME_PREFIX = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?) (?:[A-Za-z0-9_.-]{1,64}\[[A-Za-z0-9_.-]{1,64}\]: )?/;

function stringField(fields: Record<string, unknown>, name: string): string {
  const value = Object.hasOwn(fields, name) ? fields[name] : undefined;
  return typeof value === 'string' ? value : '';
}

/** The first non-empty value among `names`, or ''. */
function firstValue(fields: Record<string, unknown>, names: readonly string[]): string {
  for (const name of names) {
    const value = stringField(fields, name);
    if (value !== '') return value;
  }
  return '';
}

const LEVEL_AND_AT_KEYS: readonly string[] = [...LEVEL_KEYS, AT_KEY];

/**
 * Parse one logfmt line, or null when it is not one: every token must be a
 * `key=value` pair, at least two of them, with a level key (`level`, `lvl`,
 * `severity`, `loglevel`, `log_level`, or Heroku's `at` holding a level
 * word) or both a message (`msg`, `message`) and a time (`time`, `ts`, `t`,
 * `timestamp`) key.
 *
 * @example
 *   parseLogfmtLine('time=2026-11-23T10:00:00.123+01:00 level=ERROR msg=boom')?.time // '2026-11-23 10:00:00.123+01:00'
 */
export function parseLogfmtLine(line: string): ParsedLine | null {
  const first = line.charCodeAt(0);
  let start = 0;
  let sourceStart = 0;
  let timeText = '';
  if (first >= 0x30 && first <= 0x39) {
    // Most lines starting with a date are text formats: the word after the time must be `key=` or `source[`.
    if (line.length < 24 || line.charCodeAt(4) !== 0x2d) return null;
    const space = line.indexOf(' ', 19);
    if (space === -1 || space > 40) return null;
    let j = space + 1;
    while (j < line.length && isKeyChar(line.charCodeAt(j))) j += 1;
    const after = line.charCodeAt(j);
    if (j === space + 1 || (after !== EQUALS && after !== 0x5b)) return null;
    const m = TIME_PREFIX.exec(line);
    if (m === null) return null;
    timeText = m[1]!;
    sourceStart = timeText.length + 1;
    start = m[0].length;
  } else if (!(isKeyChar(first) || first === QUOTE) || first === 0x2d || first === 0x2f || first === 0x2e) {
    return null;
  }

  // First pass: structure and the keys present, without allocating.
  const p = PAIR;
  let pairs = 0;
  let hasLevel = false;
  let hasMessage = false;
  let hasTime = false;
  for (let i = start; i < line.length; i = p.next) {
    if (!readPair(line, i, p)) return null;
    pairs += 1;
    if (p.keyQuoted) continue;
    if (keyIsAny(line, p, LEVEL_KEYS)) hasLevel = true;
    else if (keyIs(line, p, AT_KEY)) hasLevel ||= levelOfFieldText(line.slice(p.valueStart, p.valueEnd)) !== null;
    else if (keyIsAny(line, p, MESSAGE_KEYS)) hasMessage = true;
    else if (keyIsAny(line, p, TIME_KEYS)) hasTime = true;
  }
  if (pairs < 2 || !(hasLevel || (hasMessage && hasTime))) return null;

  const fields: Record<string, unknown> = {};
  for (let i = start; i < line.length; i = p.next) {
    readPair(line, i, p);
    const name = p.keyQuoted ? unquote(line, p.keyStart, p.keyEnd) : line.slice(p.keyStart, p.keyEnd);
    setField(fields, name, p.valueQuoted ? unquote(line, p.valueStart, p.valueEnd) : line.slice(p.valueStart, p.valueEnd));
  }

  let level: Level | null = null;
  let levelText = '';
  for (const name of LEVEL_AND_AT_KEYS) {
    if (!Object.hasOwn(fields, name)) continue;
    const value = stringField(fields, name);
    const found = levelOfValue(value, name === 'severity');
    if (found === null && name === AT_KEY) continue;
    if (levelText === '') levelText = value;
    if (found !== null) {
      level = found;
      levelText = value;
      break;
    }
  }

  let time = '';
  for (const name of TIME_KEYS) {
    time = timeOfText(stringField(fields, name));
    if (time !== '') break;
  }
  if (time === '' && timeText !== '') time = timeOfText(timeText);

  let message = firstValue(fields, MESSAGE_KEYS) || firstValue(fields, ERROR_KEYS);
  const stack = firstValue(fields, STACK_KEYS);
  if (stack.includes('\n') && !message.includes(stack)) message = message === '' ? stack : `${message}\n${stack}`;
  if (message === '') message = line.slice(sourceStart).trimEnd();

  return { format: 'logfmt', time, level, levelText, message, fields };
}

/** The `logfmt` format: see `parseLogfmtLine`. */
export const LOGFMT_FORMAT: LineFormat = {
  name: 'logfmt',
  parse: parseLogfmtLine,
};
