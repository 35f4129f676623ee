import { parseDuration } from '../platform/duration';
import { ConfigError } from '../platform/errors';
import { SEVERITY, isOneOf } from './categories';
import type { Severity } from './categories';
import { ALERT_DEFAULTS, ALERT_DEFAULT_MS } from './defaults';

/** The built-in health checks: what logmon watches in itself (docs/alerting.md#health-rules). */
export const HEALTH_CHECK = {
  INGEST_NOT_RUNNING: 'ingest-not-running',
  SOURCE_MISSING: 'source-missing',
  SOURCE_SILENT: 'source-silent',
  NOT_UNDERSTOOD: 'not-understood',
  LOSS_RECORDED: 'loss-recorded',
  OUTBOX_NOT_DRAINING: 'outbox-not-draining',
  RULE_FAILING: 'rule-failing',
  ALERT_BEHIND: 'alert-behind',
  CHANNEL_FAILING: 'channel-failing',
  PARTITION_MISSING: 'partition-missing',
} as const;
export type HealthCheck = (typeof HEALTH_CHECK)[keyof typeof HEALTH_CHECK];
export const HEALTH_CHECKS: readonly HealthCheck[] = Object.values(HEALTH_CHECK);

/** Health rules keep their state under this prefix in alert_state (`health:ingest-not-running`). */
export const HEALTH_RULE_PREFIX = 'health:';

/** A built-in health rule, enabled, with its thresholds. */
export interface HealthRule {
  check: HealthCheck;
  /** `health:<check>`: the alert_state and alert_outbox rule name. */
  name: string;
  severity: Severity;
  /** ingest-not-running, outbox-not-draining, alert-behind and channel-failing: how long the condition must last. not-understood: the runs looked at. */
  afterMs: number;
  /** not-understood: FIRING above this share of unparsed lines (0..1)... */
  share: number;
  /** ...of at least this many lines. */
  minLines: number;
  /** Reminder interval while FIRING; 0 sends none. */
  repeatIntervalMs: number;
  maxNotificationsPerHour: number;
}

type Spec = Record<string, unknown>;

/** Defaults of each check, as the `health:` section takes them (docs/alerting.md states the same). */
export const HEALTH_DEFAULTS: Readonly<Record<HealthCheck, Readonly<Spec>>> = {
  'ingest-not-running': { severity: SEVERITY.CRITICAL, after: '5m' },
  'source-missing': { severity: SEVERITY.CRITICAL },
  'source-silent': { severity: SEVERITY.WARNING },
  'not-understood': { severity: SEVERITY.WARNING, share: 0.5, minLines: 10, window: '15m' },
  'loss-recorded': { severity: SEVERITY.WARNING },
  'outbox-not-draining': { severity: SEVERITY.WARNING, after: '10m' },
  'rule-failing': { severity: SEVERITY.CRITICAL },
  'alert-behind': { severity: SEVERITY.WARNING, after: '5m' },
  'channel-failing': { severity: SEVERITY.WARNING, after: '5m' },
  'partition-missing': { severity: SEVERITY.WARNING },
};

const COMMON_FIELDS = ['enabled', 'severity', 'repeatInterval', 'maxNotificationsPerHour'] as const;
const FIELDS: Record<HealthCheck, readonly string[]> = {
  'ingest-not-running': [...COMMON_FIELDS, 'after'],
  'source-missing': COMMON_FIELDS,
  'source-silent': COMMON_FIELDS,
  'not-understood': [...COMMON_FIELDS, 'share', 'minLines', 'window'],
  'loss-recorded': COMMON_FIELDS,
  'outbox-not-draining': [...COMMON_FIELDS, 'after'],
  'rule-failing': COMMON_FIELDS,
  'alert-behind': [...COMMON_FIELDS, 'after'],
  'channel-failing': [...COMMON_FIELDS, 'after'],
  'partition-missing': COMMON_FIELDS,
};

function fail(check: string, field: string, problem: string, value: unknown): never {
  const shown = value === undefined ? 'nothing' : JSON.stringify(value);
  throw new ConfigError(`ALERT_RULES: health.${check}${field ? `.${field}` : ''} ${problem}, got ${shown}`, { check, field, value });
}

function durationOf(check: string, field: string, value: unknown, minMs: number): number {
  const ms = typeof value === 'string' ? parseDuration(value) : null;
  if (ms === null || (ms !== 0 && ms < minMs)) fail(check, field, `must be a duration of at least ${minMs / 60_000}m such as "5m"`, value);
  return ms;
}

function parseOne(check: HealthCheck, raw: unknown): HealthRule | null {
  if (raw === false) return null;
  const given: Spec = raw === undefined || raw === null || raw === true ? {} : (raw as Spec);
  if (typeof given !== 'object' || Array.isArray(given)) fail(check, '', 'must be an object, true or false', raw);
  for (const field of Object.keys(given)) {
    if (!FIELDS[check].includes(field)) fail(check, field, `is not a known field (known: ${FIELDS[check].join(', ')})`, given[field]);
  }
  if (given.enabled !== undefined && typeof given.enabled !== 'boolean') fail(check, 'enabled', 'must be true or false', given.enabled);
  if (given.enabled === false) return null;
  const spec: Spec = { ...HEALTH_DEFAULTS[check], ...given };
  if (!isOneOf(SEVERITY, spec.severity)) fail(check, 'severity', `must be one of ${Object.values(SEVERITY).join(', ')}`, spec.severity);
  const share = spec.share ?? 0;
  if (typeof share !== 'number' || share < 0 || share >= 1) fail(check, 'share', 'must be a number from 0 to below 1 (0.5 is half the lines)', share);
  const minLines = spec.minLines ?? 1;
  if (typeof minLines !== 'number' || !Number.isSafeInteger(minLines) || minLines < 1) fail(check, 'minLines', 'must be an integer >= 1', minLines);
  const maxPerHour = spec.maxNotificationsPerHour ?? ALERT_DEFAULTS.rule.maxNotificationsPerHour;
  if (typeof maxPerHour !== 'number' || !Number.isSafeInteger(maxPerHour) || maxPerHour < 2)
    fail(check, 'maxNotificationsPerHour', 'must be an integer >= 2', maxPerHour);
  const afterText = spec.after ?? spec.window;
  return {
    check,
    name: `${HEALTH_RULE_PREFIX}${check}`,
    severity: spec.severity,
    afterMs: afterText === undefined ? 0 : durationOf(check, spec.after !== undefined ? 'after' : 'window', afterText, 60_000),
    share,
    minLines,
    repeatIntervalMs: spec.repeatInterval === undefined ? ALERT_DEFAULT_MS.repeatInterval : durationOf(check, 'repeatInterval', spec.repeatInterval, 60_000),
    maxNotificationsPerHour: maxPerHour,
  };
}

/**
 * The enabled health rules from the `health:` section of ALERT_RULES: every
 * check is on with its defaults unless the section sets it to `false` (or
 * `enabled: false`) or changes its fields. Unknown checks and fields are a
 * ConfigError.
 *
 * @example
 *   parseHealthRules({ 'ingest-not-running': { after: '10m' }, 'loss-recorded': false });
 */
export function parseHealthRules(section: unknown): HealthRule[] {
  if (section === undefined || section === null) return HEALTH_CHECKS.map((c) => parseOne(c, undefined)!);
  if (typeof section !== 'object' || Array.isArray(section))
    throw new ConfigError(`ALERT_RULES: health must be an object of checks (${HEALTH_CHECKS.join(', ')})`, { value: section });
  for (const key of Object.keys(section)) {
    if (!(HEALTH_CHECKS as readonly string[]).includes(key))
      fail(key, '', `is not a health check (known: ${HEALTH_CHECKS.join(', ')})`, (section as Spec)[key]);
  }
  return HEALTH_CHECKS.map((c) => parseOne(c, (section as Spec)[c])).filter((r): r is HealthRule => r !== null);
}

/** The health rules used when nothing configures them: every check, with its defaults. */
export const DEFAULT_HEALTH_RULES: readonly HealthRule[] = parseHealthRules(undefined);

/** The `health:` section of a parsed ALERT_RULES document (see readRulesDocument), or undefined. */
export function healthSectionOf(doc: unknown): unknown {
  return typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? (doc as Spec).health : undefined;
}
