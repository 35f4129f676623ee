/**
 * One severity scale for every format (OpenTelemetry's SeverityNumber ranges,
 * which syslog and every logging library map onto). The canonical level is
 * stored in `log_entries.level`, the number in `severity`, and the text as the
 * line wrote it in `level_text`.
 */
export const LEVELS = {
  TRACE: 1,
  DEBUG: 5,
  INFO: 9,
  NOTICE: 11,
  WARN: 13,
  ERROR: 17,
  CRITICAL: 19,
  ALERT: 20,
  FATAL: 21,
} as const;

export type Level = keyof typeof LEVELS;
export const LEVEL_NAMES = Object.keys(LEVELS) as Level[];

/** The default level filter of ingest and of the default rules: ERROR and everything above it. */
export const DEFAULT_MIN_LEVEL: Level = 'ERROR';

/** Words (upper-cased) that name a level, as real loggers write them. */
const WORDS: Readonly<Record<string, Level>> = {
  TRACE: 'TRACE',
  TRC: 'TRACE',
  FINEST: 'TRACE',
  FINER: 'TRACE',
  VERBOSE: 'TRACE',
  DEBUG: 'DEBUG',
  DBG: 'DEBUG',
  FINE: 'DEBUG',
  CONFIG: 'DEBUG',
  INFO: 'INFO',
  INF: 'INFO',
  INFORMATION: 'INFO',
  INFORMATIONAL: 'INFO',
  LOG: 'INFO',
  NOTICE: 'NOTICE',
  NOTE: 'NOTICE',
  WARN: 'WARN',
  WARNING: 'WARN',
  WRN: 'WARN',
  ERROR: 'ERROR',
  ERR: 'ERROR',
  ERRO: 'ERROR',
  EROR: 'ERROR',
  SEVERE: 'ERROR',
  CRIT: 'CRITICAL',
  CRITICAL: 'CRITICAL',
  ALERT: 'ALERT',
  FATAL: 'FATAL',
  FATA: 'FATAL',
  FTL: 'FATAL',
  PANIC: 'FATAL',
  EMERG: 'FATAL',
  EMERGENCY: 'FATAL',
};

/** Every level word logmon knows, upper-case (what the brief format's `[LEVEL]` may hold). */
export const LEVEL_WORDS: readonly string[] = Object.keys(WORDS);

/**
 * The canonical level of a level word in any case (`error`, `Err`, `SEVERE`,
 * `emerg`), or null when the word is not a level.
 *
 * @example
 *   levelOfWord('Critical') // 'CRITICAL'
 */
export function levelOfWord(word: string): Level | null {
  return WORDS[word.toUpperCase()] ?? null;
}

/** One-letter levels (glog/klog `E1123`, Rails `E,`, zerolog/Go `E`). */
const LETTERS: Readonly<Record<string, Level>> = {
  T: 'TRACE',
  D: 'DEBUG',
  I: 'INFO',
  N: 'NOTICE',
  W: 'WARN',
  E: 'ERROR',
  C: 'CRITICAL',
  A: 'ALERT',
  F: 'FATAL',
};

export function levelOfLetter(letter: string): Level | null {
  return LETTERS[letter.toUpperCase()] ?? null;
}

/** Syslog severities 0–7 (RFC 5424 §6.2.1; journald PRIORITY). */
const SYSLOG: readonly Level[] = ['FATAL', 'ALERT', 'CRITICAL', 'ERROR', 'WARN', 'NOTICE', 'INFO', 'DEBUG'];

export function levelOfSyslogSeverity(severity: number): Level | null {
  return Number.isInteger(severity) && severity >= 0 && severity <= 7 ? SYSLOG[severity]! : null;
}

/**
 * pino/bunyan numeric levels (10 trace, 20 debug, 30 info, 40 warn, 50 error,
 * 60 fatal); values in between round down to the level below.
 */
export function levelOfPinoNumber(value: number): Level | null {
  if (!Number.isFinite(value) || value < 10) return null;
  if (value >= 60) return 'FATAL';
  if (value >= 50) return 'ERROR';
  if (value >= 40) return 'WARN';
  if (value >= 30) return 'INFO';
  if (value >= 20) return 'DEBUG';
  return 'TRACE';
}

export function severityOf(level: Level): number {
  return LEVELS[level];
}

/** Every canonical level at or above `min` (what "this severity and above" stores or counts). */
export function levelsAtOrAbove(min: Level): Level[] {
  return LEVEL_NAMES.filter((l) => LEVELS[l] >= LEVELS[min]);
}
