import { LEVELS, LEVEL_NAMES, levelOfLetter, levelOfPinoNumber, levelOfSyslogSeverity, levelOfWord } from './severity';
import type { Level } from './severity';
import { canonicalOffset, canonicalTime, epochTime, monthNumber } from './timestamp';
import type { LineFormat, ParsedLine } from './types';

/**
 * JSON lines: one JSON object per line, as written by pino, bunyan, winston,
 * zap, zerolog, logrus, Serilog (compact), Microsoft.Extensions.Logging,
 * structlog, python-json-logger, log4j2/logback JSON layouts, ECS loggers,
 * GELF, MongoDB, OpenTelemetry and `journalctl -o json`.
 *
 * The parsed object is used only as data: every key is read as an own
 * property (a `__proto__` or `constructor` key is just a key), nothing is
 * merged into another object, and nothing recurses into it, so nesting depth
 * cannot exhaust the stack here.
 */

type JsonObject = Record<string, unknown>;

/** How a level key's value is read. */
type LevelKind =
  /** words, or pino/bunyan numbers 10–60 (GELF's `level` is syslog 0–7) */
  | 'library'
  /** words, or syslog severities 0–7 */
  | 'syslog'
  /** words only (a number under such a key is something else, e.g. an HTTP status) */
  | 'word'
  /** words, or OpenTelemetry SeverityNumber 1–24 */
  | 'otel'
  /** Python `levelno`: 10 DEBUG … 50 CRITICAL */
  | 'python'
  /** MongoDB `s`: F, E, W, I, D1–D5 */
  | 'letter';

interface Key {
  /** The key as written, dotted for nested keys (`log.level`). */
  readonly name: string;
  /** Its parts: a dotted key is looked up as written first, then nested. */
  readonly parts: readonly string[];
}

function key(name: string): Key {
  return { name, parts: name.split('.') };
}

interface LevelKey extends Key {
  readonly kind: LevelKind;
}

function levelKey(name: string, kind: LevelKind): LevelKey {
  return { ...key(name), kind };
}

/** Level keys, the first one present wins. */
const LEVEL_KEYS: readonly LevelKey[] = [
  levelKey('level', 'library'), // pino, bunyan, winston, zap, zerolog, logrus, log4j2/logback JSON, GELF (syslog)
  levelKey('severity', 'syslog'), // Google Cloud structured logging
  levelKey('log.level', 'library'), // ECS (dotted in log4j2's EcsLayout, nested in others)
  levelKey('levelname', 'word'), // python-json-logger
  levelKey('lvl', 'library'),
  levelKey('loglevel', 'library'),
  levelKey('log_level', 'library'),
  levelKey('Level', 'word'), // Serilog JsonFormatter
  levelKey('LogLevel', 'word'), // Microsoft.Extensions.Logging JsonConsole
  levelKey('@l', 'word'), // Serilog compact (CLEF)
  levelKey('@fields.level', 'library'), // winston format.logstash()
  levelKey('PRIORITY', 'syslog'), // journald
  levelKey('syslogseverity', 'syslog'), // rsyslog jsonmesg
  levelKey('severity_text', 'word'), // OpenTelemetry
  levelKey('SeverityText', 'word'),
  levelKey('severityText', 'word'), // OTLP JSON
  levelKey('severity_number', 'otel'),
  levelKey('SeverityNumber', 'otel'),
  levelKey('severityNumber', 'otel'),
  levelKey('levelno', 'python'),
  levelKey('s', 'letter'), // MongoDB 4.4+
  levelKey('status', 'word'), // Datadog
];

/** Time keys, the first one that holds a valid time wins. */
const TIME_KEYS: readonly Key[] = [
  'time', // pino (epoch ms), bunyan (ISO), logrus, zerolog
  'timestamp', // winston, GELF (epoch seconds), Google Cloud
  'ts', // zap (epoch seconds), go-kit
  '@timestamp', // ECS, logstash
  '@t', // Serilog compact
  't', // MongoDB ({"$date": …})
  'date',
  'datetime',
  'Timestamp', // Serilog JsonFormatter, Microsoft.Extensions.Logging
  'asctime', // python-json-logger
  'timereported', // rsyslog jsonmesg
  // journald: the time the program logged it, else the time journald received it (microseconds)
  '_SOURCE_REALTIME_TIMESTAMP',
  '__REALTIME_TIMESTAMP',
  'timeUnixNano', // OpenTelemetry (0 when unknown: then the observed time)
  'observedTimeUnixNano',
  'timeMillis', // log4j2 JsonLayout
  'instant', // log4j2 JsonLayout ({epochSecond, nanoOfSecond})
].map(key);

/** Message keys, the first one with a text wins. */
const MESSAGE_KEYS: readonly Key[] = [
  'msg',
  'message',
  '@m', // Serilog rendered message
  '@mt', // Serilog message template (rendered below)
  'MESSAGE', // journald
  'event', // structlog
  'body', // OpenTelemetry (a string, or OTLP's {"stringValue": …})
  'Body', // OpenTelemetry in ClickHouse/collector exporters
  'short_message', // GELF
  '@message', // winston format.logstash()
  'RenderedMessage', // Serilog JsonFormatter
  'Message', // Microsoft.Extensions.Logging
  'MessageTemplate',
  'fields.message', // Rust tracing-subscriber
  'textPayload',
].map(key);

/** An error's text, the message when the line has no message key (zerolog `.Err(err).Send()`). */
const ERROR_TEXT_KEYS: readonly Key[] = ['error', 'err', 'err.message', 'error.message'].map(key);

/** Where loggers put an error's stack trace; the first one present is appended to the message. */
const STACK_KEYS: readonly Key[] = [
  'err.stack', // pino, bunyan
  'error.stack', // pino errorKey 'error', Powertools
  'stack', // winston format.errors({ stack: true })
  '@fields.stack', // winston format.logstash()
  'stack_trace', // logstash-logback-encoder
  'error.stack_trace', // ECS
  'exception.stacktrace', // OpenTelemetry semantic conventions
  'stacktrace', // zap
  'exception', // structlog format_exc_info
  'exc_info', // python-json-logger
  '@x', // Serilog compact
  'Exception', // Serilog JsonFormatter, Microsoft.Extensions.Logging
  'full_message', // GELF
].map(key);

/** Words some loggers use that the shared table does not know. */
const EXTRA_WORDS: Readonly<Record<string, Level>> = {
  DPANIC: 'CRITICAL', // zap: above error, panics in development
  HTTP: 'INFO', // winston's npm levels: between info and verbose
  SILLY: 'TRACE',
  DBUG: 'DEBUG', // log15 (geth)
  TRCE: 'TRACE',
};

/** Objects nested deeper than this keep no `fields`: PostgreSQL's jsonb input recurses per level. */
const MAX_FIELDS_DEPTH = 64;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An own property, never one of Object.prototype (`constructor`, `toString`…). */
function own(object: JsonObject, name: string): unknown {
  return Object.hasOwn(object, name) ? object[name] : undefined;
}

/** The value of a key: `log.level` as a dotted key, else nested `log: {level}`. */
function valueAt(object: JsonObject, k: Key): unknown {
  const direct = own(object, k.name);
  if (direct !== undefined || k.parts.length === 1) return direct;
  let current: unknown = object;
  for (const part of k.parts) {
    if (!isObject(current)) return undefined;
    current = own(current, part);
  }
  return current;
}

/** OpenTelemetry SeverityNumber 1–24 on the shared scale: the highest level at or below it. */
function levelOfOtelNumber(n: number): Level | null {
  if (!Number.isInteger(n) || n < 1 || n > 24) return null;
  let found: Level = 'TRACE';
  for (const l of LEVEL_NAMES) if (LEVELS[l] <= n) found = l;
  return found;
}

function levelOfNumber(n: number, kind: LevelKind, gelf: boolean): Level | null {
  if (!Number.isFinite(n)) return null;
  switch (kind) {
    case 'library':
      if (gelf) return levelOfSyslogSeverity(n);
      // pino allows custom levels between the standard ones; bigger numbers are not levels
      return n >= 10 && n <= 100 ? levelOfPinoNumber(n) : null;
    case 'syslog':
      return levelOfSyslogSeverity(n);
    case 'otel':
      return levelOfOtelNumber(n);
    case 'python':
      if (n < 10 || n > 100) return null;
      return n >= 50 ? 'CRITICAL' : n >= 40 ? 'ERROR' : n >= 30 ? 'WARN' : n >= 20 ? 'INFO' : 'DEBUG';
    default:
      return null;
  }
}

/**
 * The level of a level word as structured loggers write it: any case, the
 * shared table's words plus zap's `dpanic`, winston's `http`/`silly` and
 * log15's `dbug`/`trce`, and Go
 * slog's offsets (`ERROR+2`, `WARN-4`), which stay at their base level.
 *
 * @example
 *   levelOfFieldText('ERROR+2') // 'ERROR'
 */
export function levelOfFieldText(text: string): Level | null {
  const found = levelOfWord(text) ?? EXTRA_WORDS[text.toUpperCase()] ?? null;
  if (found !== null) return found;
  const sign = Math.max(text.indexOf('+'), text.indexOf('-'));
  if (sign > 0 && /^[+-]\d{1,2}$/.test(text.slice(sign))) return levelOfWord(text.slice(0, sign));
  return null;
}

function levelOfValue(value: unknown, kind: LevelKind, gelf: boolean): Level | null {
  if (typeof value === 'number') return levelOfNumber(value, kind, gelf);
  if (typeof value !== 'string') return null;
  const text = value.length > 0 && value.length <= 24 ? value.trim() : '';
  if (text === '') return null;
  const c = text.charCodeAt(0);
  if (c >= 0x30 && c <= 0x39) return /^\d{1,3}$/.test(text) ? levelOfNumber(Number(text), kind, gelf) : null;
  if (kind === 'letter') {
    // MongoDB: F, E, W, I and D1–D5
    if (text.length === 1 || (text.length === 2 && text[0] === 'D' && text[1]! >= '1' && text[1]! <= '5')) return levelOfLetter(text[0]!);
    return null;
  }
  return levelOfFieldText(text);
}

const ISO_TIME =
  /^(\d{4})([-/])(\d{2})\2(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2}))?(?:[.,](\d{1,12}))?(?: ?(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)(?: [A-Z]{2,5})?)?$/;
const CLF_TIME = /^(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))? ([+-]\d{4})$/;
const EPOCH_DIGITS = /^(\d{1,19})(?:\.(\d{1,12}))?$/;

/** Epoch seconds before 1973 are counters or durations, not times. */
const MIN_EPOCH_SECONDS = 1e8;

/**
 * An epoch time written as digits, exactly (nanosecond values exceed what a
 * double holds): the unit is decided by the number of integer digits, as
 * `epochTime` decides it by magnitude (≤ 11 seconds, ≤ 14 ms, ≤ 17 µs, else ns).
 */
function epochDigitsTime(digits: string, fraction: string): string {
  const n = digits.length;
  const unit = n <= 11 ? 0 : n <= 14 ? 3 : n <= 17 ? 6 : 9;
  const seconds = Number(digits.slice(0, n - unit));
  if (seconds < MIN_EPOCH_SECONDS) return '';
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return '';
  return canonicalTime(
    date.getUTCFullYear(),
    date.getUTCMonth() + 1,
    date.getUTCDate(),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
    digits.slice(n - unit) + fraction,
    'Z',
  );
}

/**
 * The canonical time of a timestamp as structured loggers write it, or ''
 * when it is none: RFC 3339 / ISO 8601 (`T` or space, `.` or `,` before the
 * fraction, `-` or `/` in the date, seconds optional, offset `Z`, `±hh`,
 * `±hhmm`, `±hh:mm`, `UTC` or none, and Go's `+0000 UTC` form), the access-log
 * form `23/Nov/2026:10:00:00 +0000`, and epoch seconds, milliseconds,
 * microseconds or nanoseconds written as digits.
 *
 * Known limit: this belongs in timestamp.ts (logfmt and the container
 * wrappers use it too); it lives here because that file is shared.
 *
 * @example
 *   timeOfText('2026-11-23T10:00:00.123456789+01:00') // '2026-11-23 10:00:00.123456+01:00'
 *   timeOfText('1795428000123456') // '2026-11-23 10:00:00.123456Z'
 */
export function timeOfText(text: string): string {
  const n = text.length;
  if (n < 9 || n > 64) return '';
  const c = text.charCodeAt(0);
  if (c < 0x30 || c > 0x39) return '';
  const fifth = text.charCodeAt(4);
  if (fifth === 0x2d || fifth === 0x2f) {
    const m = ISO_TIME.exec(text);
    if (m === null) return '';
    const offset = canonicalOffset(m[9] ?? '');
    if (offset === null) return '';
    return canonicalTime(Number(m[1]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), Number(m[7] ?? 0), m[8] ?? '', offset);
  }
  if (text.charCodeAt(2) === 0x2f) {
    const m = CLF_TIME.exec(text);
    if (m === null) return '';
    const offset = canonicalOffset(m[8]!);
    if (offset === null) return '';
    return canonicalTime(Number(m[3]), monthNumber(m[2]!), Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]), m[7] ?? '', offset);
  }
  const m = EPOCH_DIGITS.exec(text);
  return m === null ? '' : epochDigitsTime(m[1]!, m[2] ?? '');
}

function timeOfValue(value: unknown): string {
  if (typeof value === 'string') return timeOfText(value);
  if (typeof value === 'number') return value >= MIN_EPOCH_SECONDS ? epochTime(value) : '';
  if (!isObject(value)) return '';
  // MongoDB extended JSON: {"$date": "2026-…"} or {"$date": {"$numberLong": "…"}}
  const date = own(value, '$date');
  if (typeof date === 'string' || typeof date === 'number') return timeOfValue(date);
  if (isObject(date)) {
    const long = own(date, '$numberLong');
    return typeof long === 'string' ? timeOfText(long) : '';
  }
  // log4j2 JsonLayout's instant
  const seconds = own(value, 'epochSecond');
  const nanos = own(value, 'nanoOfSecond');
  if (typeof seconds === 'number' && Number.isSafeInteger(seconds) && seconds >= MIN_EPOCH_SECONDS) {
    const fraction = typeof nanos === 'number' && Number.isInteger(nanos) && nanos >= 0 && nanos < 1e9 ? String(nanos).padStart(9, '0') : '';
    return epochDigitsTime(String(seconds), fraction);
  }
  return '';
}

/** journald writes a MESSAGE that is not valid UTF-8 as an array of bytes. */
function textOfBytes(value: readonly unknown[]): string | null {
  if (value.length === 0 || value.length > 65536) return null;
  const bytes = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i += 1) {
    const b = value[i];
    if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255) return null;
    bytes[i] = b;
  }
  return new TextDecoder().decode(bytes);
}

/** A message value as text, or null when it is not one (an object, e.g. ECS `event`). */
function textOfMessage(value: unknown, bytesAllowed: boolean): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return bytesAllowed ? textOfBytes(value) : null;
  if (isObject(value)) {
    const s = own(value, 'stringValue');
    if (typeof s === 'string') return s;
  }
  return null;
}

const TEMPLATE_HOLE = /\{\{|\}\}|\{[@$]?([A-Za-z_][A-Za-z0-9_]{0,63})(?:[,:][^{}]{0,64})?\}/g;

/**
 * Serilog's compact format writes the template (`@mt`), not the rendered
 * text: fill its holes with the record's properties. Strings are not quoted
 * as Serilog would; holes naming a missing or structured value stay as written.
 */
function renderTemplate(template: string, object: JsonObject): string {
  if (!template.includes('{') && !template.includes('}')) return template;
  return template.replace(TEMPLATE_HOLE, (hole: string, name: string | undefined) => {
    if (name === undefined) return hole[0]!;
    const value = own(object, name);
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : hole;
  });
}

/** log4j2 JsonLayout's `thrown`: name, message and frames, as Java prints them. */
function textOfThrown(thrown: JsonObject): string {
  const name = own(thrown, 'name');
  const message = own(thrown, 'message');
  let text = typeof name === 'string' ? name : '';
  if (typeof message === 'string') text = text === '' ? message : `${text}: ${message}`;
  const frames = own(thrown, 'extendedStackTrace');
  if (Array.isArray(frames)) {
    for (const frame of frames) {
      if (!isObject(frame)) continue;
      const cls = own(frame, 'class');
      const method = own(frame, 'method');
      const file = own(frame, 'file');
      const line = own(frame, 'line');
      if (typeof cls !== 'string' || typeof method !== 'string') continue;
      const where = typeof file === 'string' ? (typeof line === 'number' ? `${file}:${line}` : file) : 'Unknown Source';
      text += `\n\tat ${cls}.${method}(${where})`;
    }
  }
  return text;
}

/** Keys whose name is too common to trust a one-line value as a stack (`"stack": "production"`). */
const GENERIC_STACK_KEYS: ReadonlySet<string> = new Set(['stack', 'exception']);

function stackOf(object: JsonObject): string {
  for (const k of STACK_KEYS) {
    const value = valueAt(object, k);
    if (typeof value !== 'string' || value === '') continue;
    if (GENERIC_STACK_KEYS.has(k.name) && !value.includes('\n')) continue;
    return value;
  }
  const thrown = own(object, 'thrown');
  return isObject(thrown) ? textOfThrown(thrown) : '';
}

/** True when the line nests objects/arrays deeper than `MAX_FIELDS_DEPTH` (the line is valid JSON). */
function nestsTooDeep(line: string): boolean {
  // Cheap bound first: fewer brackets than the limit cannot nest deeper.
  let brackets = 0;
  for (let i = line.indexOf('{'); i !== -1 && brackets <= MAX_FIELDS_DEPTH; i = line.indexOf('{', i + 1)) brackets += 1;
  for (let i = line.indexOf('['); i !== -1 && brackets <= MAX_FIELDS_DEPTH; i = line.indexOf('[', i + 1)) brackets += 1;
  if (brackets <= MAX_FIELDS_DEPTH) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > MAX_FIELDS_DEPTH) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth -= 1;
    }
  }
  return false;
}

/** Docker's json-file record (`{"log":…,"stream":…,"time":…}`) is the container wrapper's, not an application's line. */
function isDockerRecord(object: JsonObject): boolean {
  return typeof own(object, 'log') === 'string' && typeof own(object, 'stream') === 'string';
}

function parseJsonObject(text: string): JsonObject | null {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

/**
 * Parse one JSON log line, or null when it is not a JSON object with a level,
 * time or message key (or is a Docker json-file record).
 *
 * @example
 *   parseJsonLine('{"level":50,"time":1795428000000,"msg":"boom"}')?.level // 'ERROR'
 */
export function parseJsonLine(line: string): ParsedLine | null {
  let start = 0;
  const n = line.length;
  while (start < n) {
    const c = line.charCodeAt(start);
    if (c !== 0x20 && c !== 0x09 && c !== 0xfeff) break;
    start += 1;
  }
  if (line.charCodeAt(start) !== 0x7b) return null;
  let end = n;
  while (end > start && (line.charCodeAt(end - 1) === 0x20 || line.charCodeAt(end - 1) === 0x09 || line.charCodeAt(end - 1) === 0x0d)) end -= 1;
  if (end - start < 2 || line.charCodeAt(end - 1) !== 0x7d) return null;
  const text = start === 0 && end === n ? line : line.slice(start, end);
  const object = parseJsonObject(text);
  if (object === null || isDockerRecord(object)) return null;

  const gelf = typeof own(object, 'short_message') === 'string';
  let level: Level | null = null;
  let levelText = '';
  let levelSeen = false;
  for (const k of LEVEL_KEYS) {
    const value = valueAt(object, k);
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    const found = levelOfValue(value, k.kind, gelf);
    // `status` and `s` are level keys only when they hold a level.
    if (found === null && (k.kind === 'letter' || k.name === 'status')) continue;
    if (!levelSeen) {
      levelSeen = true;
      levelText = String(value);
    }
    if (found !== null) {
      level = found;
      levelText = String(value);
      break;
    }
  }

  let time = '';
  for (const k of TIME_KEYS) {
    const value = valueAt(object, k);
    if (value === undefined) continue;
    time = timeOfValue(value);
    if (time !== '') break;
  }

  let message: string | null = null;
  for (const k of MESSAGE_KEYS) {
    message = textOfMessage(valueAt(object, k), k.name === 'MESSAGE');
    if (message === null) continue;
    if (k.name === '@mt') message = renderTemplate(message, object);
    break;
  }
  if (message === null && !levelSeen && time === '') return null;

  // Serilog's compact format leaves out @l for Information.
  if (!levelSeen && own(object, '@t') !== undefined && (own(object, '@mt') !== undefined || own(object, '@m') !== undefined)) level = 'INFO';

  let body = message ?? '';
  if (body === '') {
    for (const k of ERROR_TEXT_KEYS) {
      const value = valueAt(object, k);
      if (typeof value === 'string' && value !== '') {
        body = value;
        break;
      }
    }
  }
  const stack = stackOf(object);
  // GELF's full_message repeats the short one: keep the full text once.
  if (stack !== '' && !body.includes(stack)) body = body === '' || stack.startsWith(body) ? stack : `${body}\n${stack}`;
  if (body === '') body = text;

  return { format: 'json', time, level, levelText, message: body, fields: nestsTooDeep(text) ? null : object };
}

/** The `json` format: see `parseJsonLine`. */
export const JSON_FORMAT: LineFormat = {
  name: 'json',
  parse: parseJsonLine,
};
