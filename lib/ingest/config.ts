import { ConfigError } from '../platform/errors';
import { checkTimeZone, intVar, list } from '../platform/env';
import type { Env } from '../platform/env';
import { KNOWN_LEVELS } from './levels';

export { KNOWN_LEVELS };

export interface IngestConfig {
  /** Paths or globs of the monitored files. */
  logFiles: string[];
  /** Upper-case levels to store. */
  levels: string[];
  /** IANA zone of the (offset-less) timestamps in the files. */
  timeZone: string;
  /** Longer lines are stored truncated (with a marker) and counted. */
  maxLineBytes: number;
  /** The last entry of a file is held back for continuation lines until the file is this quiet. */
  multilineFlushMs: number;
  /** File bytes consumed per transaction (bounds memory and transaction size). */
  batchBytes: number;
  /** Stop reading this long before the Lambda time limit and commit. */
  stopMarginMs: number;
}

/** The upper-case levels ingest stores (LOG_LEVELS, default ERROR,FATAL). */
export function readLogLevels(env: Env): string[] {
  const levels = list(env.LOG_LEVELS, ['ERROR', 'FATAL']).map((l) => l.toUpperCase());
  for (const level of levels) {
    if (!(KNOWN_LEVELS as readonly string[]).includes(level)) {
      throw new ConfigError(`LOG_LEVELS contains unknown level "${level}" (known: ${KNOWN_LEVELS.join(', ')})`, { level });
    }
  }
  return levels;
}

/**
 * Read the ingest configuration from the environment.
 *
 * @example
 *   const config = readIngestConfig(process.env);
 */
export function readIngestConfig(env: Env): IngestConfig {
  return {
    logFiles: list(env.LOG_FILES, ['logs/app.log']),
    levels: readLogLevels(env),
    timeZone: checkTimeZone(env.LOG_TIMEZONE?.trim() || 'UTC'),
    maxLineBytes: intVar(env, 'LOG_MAX_LINE_BYTES', 64 * 1024, 256),
    multilineFlushMs: intVar(env, 'MULTILINE_FLUSH_MS', 5000),
    batchBytes: intVar(env, 'INGEST_BATCH_BYTES', 16 * 1024 * 1024, 64 * 1024),
    stopMarginMs: intVar(env, 'INGEST_STOP_MARGIN_MS', 10000),
  };
}
