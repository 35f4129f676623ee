import type { Level } from './severity';

/**
 * The formats logmon reads. `auto` (the default of a source) detects the
 * format of each line among all of them; a source may also name one.
 */
export const FORMAT_NAMES = [
  'brief', // YYYY-MM-DD HH:MM:SS [LEVEL] message (the original brief's generator)
  'json', // JSON lines: pino, bunyan, winston, zap, logrus JSON, Serilog compact, journald `-o json`, ECS
  'logfmt', // key=value: logrus text, Go slog TextHandler, Heroku
  'timestamp-level', // a leading timestamp then a level word: log4j/logback/log4j2, Spring Boot, Python logging, Monolog, Go log, …
  'rails', // Ruby Logger: `E, [2026-11-23T10:00:00.123456 #1234] ERROR -- app: message`
  'python-basic', // Python logging.basicConfig default `ERROR:root:message` (no timestamp)
  'winston-simple', // winston format.simple(): `error: message {"meta":1}` (no timestamp)
  'logcat', // Android `adb logcat -v threadtime`: `03-17 16:13:38.811  1702  2395 E Tag: message`
  'bgl', // IBM Blue Gene RAS log (LogHub BGL): `- 1117838570 2005.06.03 NODE 2005-06-03-15.42.50.675872 NODE RAS KERNEL FATAL …`
  'glog', // glog/klog: `E1123 10:00:00.123456   1234 file.go:12] message`
  'nginx-error', // `2026/11/23 10:00:00 [error] 1234#0: *5 message`
  'apache-error', // `[Mon Nov 23 10:00:00.123456 2026] [core:error] [pid 1234] message`
  'access-log', // NCSA common/combined access logs (nginx, Apache): 5xx → ERROR, 4xx → WARN, else INFO
  'postgresql', // PostgreSQL server log, log_line_prefix '%m [%p] ' and variants: `… ERROR:  message`
  'mysql', // MySQL 8 error log: `2026-11-23T10:00:00.123456Z 0 [ERROR] [MY-010000] [Server] message`
  'syslog', // RFC 3164 (`<PRI>Mmm dd hh:mm:ss host tag: msg`, with or without PRI) and RFC 5424
] as const;

/** A preset, `regex` (a source's own regular expression) or `stack-trace` (an uncaught exception's trace with no entry above it). */
export type FormatName = (typeof FORMAT_NAMES)[number] | 'regex' | 'stack-trace';

/** What one recognised line says: the start of an entry. */
export interface ParsedLine {
  format: FormatName;
  /**
   * The entry's instant as PostgreSQL input: `YYYY-MM-DD HH:MM:SS[.ffffff]`
   * followed by `Z` or `±hh:mm` when the line gave an offset (or the time was
   * an epoch number); without one it is read in the source's time zone.
   * '' when the line carries no time (the reader supplies one and records it).
   */
  time: string;
  /** Canonical level, or null when the line names none (then it is not an error entry). */
  level: Level | null;
  /** The level as written (`err`, `50`, `<3>`, `E`), '' when none. */
  levelText: string;
  /** The message: for text formats the rest of the line after the header; for JSON/logfmt the message field. */
  message: string;
  /** Structured fields of JSON and logfmt lines (the whole object), stored as jsonb; null for text formats. */
  fields: Record<string, unknown> | null;
}

/** What a parser may need besides the line. */
export interface ParseContext {
  /**
   * Year for timestamps written without one (syslog `Nov 23 10:00:00`, glog
   * `E1123`), and the date of times written alone (`10:00:00.123`): those of
   * the file's modification time as a wall clock in the source's zone (its
   * UTC fields, see `wallClockMs`). A date that would lie
   * more than a day after `referenceMs` belongs to the year before.
   */
  referenceMs: number;
}

/**
 * A line format: `parse` returns null when the line is not of this format
 * (then another format, or the multi-line rule, decides what it is). Parsers
 * are pure and must reject foreign lines cheaply (first-byte checks before
 * regular expressions): `auto` tries several per line.
 */
export interface LineFormat {
  readonly name: FormatName;
  parse(line: string, context: ParseContext): ParsedLine | null;
}

/** A container runtime's wrapping of one line (Docker json-file, CRI). */
export interface WrappedLine {
  /** The application's line, its trailing newline removed. */
  inner: string;
  /** True when the runtime split a long line and more of it follows in the next record. */
  partial: boolean;
  /** The runtime's timestamp of the record (RFC 3339), used when the inner line carries none. */
  time: string;
  stream: 'stdout' | 'stderr';
}

export interface LineWrapper {
  readonly name: 'docker-json' | 'cri';
  unwrap(line: string): WrappedLine | null;
}
