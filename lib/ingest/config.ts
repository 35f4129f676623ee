import fs from 'node:fs';
import path from 'node:path';
import { isDynamicPattern } from 'tinyglobby';
import { parseDuration } from '../platform/duration';
import { ConfigError } from '../platform/errors';
import { checkTimeZone, intVar, list } from '../platform/env';
import type { Env } from '../platform/env';
import { DEFAULT_MIN_LEVEL, LEVELS, levelOfWord, levelsAtOrAbove } from './formats/severity';
import type { Level } from './formats/severity';
import { KNOWN_LEVELS } from './levels';
import { machineTimeZone, readSources, shorthandSource } from './sources';
import type { SourceConfig } from './sources';

export { KNOWN_LEVELS };

export interface IngestConfig {
  /** Shorthand source: paths or globs of the monitored files (LOG_FILES; unused when `sources` is set). */
  logFiles: string[];
  /** Canonical levels stored by the shorthand source: `minLevel` and above. */
  levels: string[];
  /** Shorthand source: entries at this severity and above are stored (LOG_LEVELS). */
  minLevel: Level;
  /** Shorthand source: IANA zone of timestamps without an offset (LOG_TIMEZONE, default this machine's zone). */
  timeZone: string;
  /** Shorthand source: LOG_FORMAT (default `auto`). */
  format: string;
  /** Sources of the configuration file (LOGMON_CONFIG / logmon.yml); null: the shorthand source. */
  sources: SourceConfig[] | null;
  /** The configuration file the sources came from, or null. */
  configFile: string | null;
  /** Longer lines are stored truncated (with a marker) and counted. */
  maxLineBytes: number;
  /** The last entry of a file is held back for continuation lines until the file is this quiet. */
  multilineFlushMs: number;
  /** File bytes consumed per transaction (bounds memory and transaction size). */
  batchBytes: number;
  /** Stop reading this long before the Lambda time limit and commit. */
  stopMarginMs: number;
  /** INGEST_POLL_INTERVAL: the low-latency mode reads every source this often within one invocation; 0: once per invocation. */
  pollIntervalMs: number;
  /** ALERT_FUNCTION_NAME: the function asked for an evaluation after a pass stores entries; null: none is asked. */
  alertFunctionName: string | null;
  /** S3_FORCE_PATH_STYLE: S3 requests address `endpoint/bucket/key` (a local S3-compatible server), not `bucket.endpoint/key`. */
  s3ForcePathStyle: boolean;
}

/** The period of ingest's schedule (`rate(1 minute)` in serverless.yml): a polling invocation ends before the next one starts. */
export const INGEST_SCHEDULE_PERIOD_MS = 60_000;

const MIN_POLL_INTERVAL_MS = 1000;
const MAX_POLL_INTERVAL_MS = 30_000;

/** INGEST_POLL_INTERVAL: a duration from 1s to 30s, or 0 / unset (off). */
export function readPollInterval(env: Env): number {
  const text = env.INGEST_POLL_INTERVAL?.trim() || '0';
  const ms = text === '0' ? 0 : parseDuration(text);
  if (ms === null || (ms !== 0 && (ms < MIN_POLL_INTERVAL_MS || ms > MAX_POLL_INTERVAL_MS))) {
    throw new ConfigError(`INGEST_POLL_INTERVAL must be a duration from 1s to 30s such as "5s", or 0 (read once per invocation), got "${text}"`, { text });
  }
  return ms;
}

/** ALERT_FUNCTION_NAME: a function name or ARN; unset, empty or `none`: no evaluation is asked for. */
export function readAlertFunctionName(env: Env): string | null {
  const name = env.ALERT_FUNCTION_NAME?.trim() ?? '';
  return name === '' || name.toLowerCase() === 'none' ? null : name;
}

/** S3_FORCE_PATH_STYLE: `true`/`1` or `false`/`0`/unset. */
export function readForcePathStyle(env: Env): boolean {
  const text = env.S3_FORCE_PATH_STYLE?.trim().toLowerCase() ?? '';
  if (text === '' || text === 'false' || text === '0') return false;
  if (text === 'true' || text === '1') return true;
  throw new ConfigError(`S3_FORCE_PATH_STYLE must be true or false, got "${env.S3_FORCE_PATH_STYLE}"`, { value: env.S3_FORCE_PATH_STYLE });
}

/**
 * The minimum level of LOG_LEVELS: one level word (`ERROR` means ERROR and
 * above), or a list, whose lowest level is the minimum (`ERROR,FATAL` stores
 * ERROR, CRITICAL, ALERT and FATAL). Default ERROR.
 */
export function readMinLevel(env: Env): Level {
  // set but naming no level (`,`): refused, never read as the default (issue 15)
  if (env.LOG_LEVELS !== undefined && env.LOG_LEVELS.trim() !== '' && list(env.LOG_LEVELS, []).length === 0) {
    throw new ConfigError(`LOG_LEVELS "${env.LOG_LEVELS}" names no level (known: ${KNOWN_LEVELS.join(', ')}); leave it unset for ERROR and above`, {
      value: env.LOG_LEVELS,
    });
  }
  const words = list(env.LOG_LEVELS, [DEFAULT_MIN_LEVEL]);
  let min: Level | null = null;
  for (const word of words) {
    const level = levelOfWord(word);
    if (level === null) throw new ConfigError(`LOG_LEVELS contains unknown level "${word}" (known: ${KNOWN_LEVELS.join(', ')})`, { level: word });
    if (min === null || LEVELS[level] < LEVELS[min]) min = level;
  }
  return min ?? DEFAULT_MIN_LEVEL;
}

/** The canonical levels ingest stores: LOG_LEVELS' minimum and above. */
export function readLogLevels(env: Env): string[] {
  return levelsAtOrAbove(readMinLevel(env));
}

/** The sources a run reads: the configuration file's, or the shorthand one built from `config`. */
export function effectiveSources(config: IngestConfig): SourceConfig[] {
  if (config.sources !== null) return config.sources;
  const env: Env = { LOG_FILES: config.logFiles.join(','), LOG_FORMAT: config.format };
  const lowest = config.levels.map((l) => levelOfWord(l)).reduce<Level>((min, l) => (l !== null && LEVELS[l] < LEVELS[min] ? l : min), config.minLevel);
  return [shorthandSource(env, { timeZone: config.timeZone, minLevel: lowest })];
}

/**
 * Read the ingest configuration from the environment (and the sources file).
 *
 * @example
 *   const config = readIngestConfig(process.env);
 */
export function readIngestConfig(env: Env, dirs: readonly string[] = [process.cwd(), ...(env.LAMBDA_TASK_ROOT ? [env.LAMBDA_TASK_ROOT] : [])]): IngestConfig {
  const minLevel = readMinLevel(env);
  const timeZone = checkTimeZone(env.LOG_TIMEZONE?.trim() || machineTimeZone());
  const format = env.LOG_FORMAT?.trim() || 'auto';
  const { sources, file } = readSources(env, { timeZone, minLevel }, dirs);
  refuseDirectories(sources, process.cwd());
  return {
    logFiles: list(env.LOG_FILES, ['logs/app.log']),
    levels: levelsAtOrAbove(minLevel),
    minLevel,
    timeZone,
    format,
    sources: file === null ? null : sources,
    configFile: file,
    maxLineBytes: intVar(env, 'LOG_MAX_LINE_BYTES', 64 * 1024, 256),
    multilineFlushMs: intVar(env, 'MULTILINE_FLUSH_MS', 5000),
    batchBytes: intVar(env, 'INGEST_BATCH_BYTES', 16 * 1024 * 1024, 64 * 1024),
    stopMarginMs: intVar(env, 'INGEST_STOP_MARGIN_MS', 10000),
    pollIntervalMs: readPollInterval(env),
    alertFunctionName: readAlertFunctionName(env),
    s3ForcePathStyle: readForcePathStyle(env),
  };
}

/**
 * A literal configured path that is a directory is a mistake that would read
 * nothing for ever: refused at start-up, naming the glob meant (issue 15). A
 * path that does not exist yet is not refused (the application may create it
 * later): the run that finds no configured file at all fails, and the
 * source-missing health rule names it.
 */
export function refuseDirectories(sources: readonly SourceConfig[], cwd: string): void {
  for (const source of sources) {
    for (const p of source.paths) {
      if (isDynamicPattern(p)) continue;
      const absolute = path.resolve(cwd, p);
      let isDirectory = false;
      try {
        isDirectory = fs.statSync(absolute).isDirectory();
      } catch {
        continue;
      }
      if (isDirectory) {
        throw new ConfigError(`${source.name}: "${p}" is a directory, not a log file: name its files, e.g. "${path.join(p, '*.log')}"`, {
          source: source.name,
          path: absolute,
        });
      }
    }
  }
}
