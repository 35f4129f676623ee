import { ConfigError } from './errors';
import { loadAlertRules } from './alert-rules';
import type { AlertRule } from './alert-rules';
import { parseDuration } from './duration';
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

type Env = Record<string, string | undefined>;

function list(value: string | undefined, fallback: string[]): string[] {
  if (value === undefined || value.trim() === '') return fallback;
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Parse a non-negative integer variable, naming it when it is wrong. */
export function intVar(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`${name} must be an integer >= ${min}, got "${raw}"`, { name, raw });
  }
  return value;
}

/** Throws ConfigError unless `zone` is an IANA zone this runtime knows. */
export function checkTimeZone(zone: string, name = 'LOG_TIMEZONE'): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch (err) {
    throw new ConfigError(`${name} "${zone}" is not a known IANA time zone`, { name, zone }, { cause: err });
  }
  return zone;
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

export interface RetentionConfig {
  /** Entries, anomalies and sent notifications older than this many days are removed. */
  days: number;
  /** Rows per DELETE; each batch is one short transaction. */
  batchSize: number;
  /** Stop this long before the Lambda time limit (the next run carries on). */
  stopMarginMs: number;
}

/**
 * Read the retention configuration from the environment.
 *
 * @example
 *   const config = readRetentionConfig({ RETENTION_DAYS: '14' }); // { days: 14, batchSize: 5000, ... }
 */
export function readRetentionConfig(env: Env): RetentionConfig {
  return {
    days: intVar(env, 'RETENTION_DAYS', 30, 1),
    batchSize: intVar(env, 'RETENTION_BATCH_SIZE', 5000, 1),
    stopMarginMs: 10000,
  };
}

export interface AlertConfig {
  rules: AlertRule[];
  /** The SNS topic notifications are published to. */
  topicArn: string;
  /** Starts every subject, e.g. "[logmon]" or "[logmon prod]". */
  subjectPrefix: string;
  /** How far back a run still evaluates windows holding entries committed since the previous run. */
  graceMs: number;
  /** Entries older than this when a run examines them are not reported as late data; 0 turns the late check off. */
  lateHorizonMs: number;
  /** Time limit of one SNS request. */
  snsTimeoutMs: number;
}

/** A longer grace only delays what it would report and lengthens each run's scans. */
const MAX_GRACE_MS = 3_600_000;

const TOPIC_ARN = /^arn:[a-z-]+:sns:[a-z0-9-]+:[0-9]+:[A-Za-z0-9_.-]{1,256}$/;

/**
 * Read the alert configuration from the environment; every problem is a
 * ConfigError raised at start-up (the handler's module scope).
 *
 * @example
 *   const config = readAlertConfig(process.env);
 */
export function readAlertConfig(env: Env): AlertConfig {
  const topicArn = env.ALERT_TOPIC_ARN?.trim() ?? '';
  if (!TOPIC_ARN.test(topicArn)) {
    throw new ConfigError(`ALERT_TOPIC_ARN must be an SNS topic ARN (arn:aws:sns:region:account:name), got "${topicArn}"`, { topicArn });
  }
  const prefix = (env.ALERT_SUBJECT_PREFIX ?? '[logmon]').trim();
  if (!/^[\x20-\x7e]{0,30}$/.test(prefix)) {
    throw new ConfigError(`ALERT_SUBJECT_PREFIX must be at most 30 printable ASCII characters, got "${prefix}"`, { prefix });
  }
  const horizonText = env.ALERT_LATE_HORIZON?.trim() || '24h';
  const lateHorizonMs = parseDuration(horizonText);
  if (lateHorizonMs === null || lateHorizonMs > 7 * 86_400_000) {
    throw new ConfigError(`ALERT_LATE_HORIZON must be a duration up to 7d such as "24h" ("0s" turns the late check off), got "${horizonText}"`, { horizonText });
  }
  const graceText = env.ALERT_GRACE?.trim() || '3m';
  const graceMs = parseDuration(graceText);
  if (graceMs === null || graceMs > MAX_GRACE_MS) {
    throw new ConfigError(`ALERT_GRACE must be a duration up to 1h such as "3m", got "${graceText}"`, { graceText });
  }
  return {
    rules: loadAlertRules(env.ALERT_RULES, { ingestedLevels: readLogLevels(env) }),
    topicArn,
    subjectPrefix: prefix,
    graceMs,
    lateHorizonMs,
    snsTimeoutMs: intVar(env, 'ALERT_SNS_TIMEOUT_MS', 10000, 100),
  };
}
