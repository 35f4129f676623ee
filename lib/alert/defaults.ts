import { parseDuration } from '../platform/duration';

/**
 * Every default of the alert job, written once: readAlertConfig, runAlert's
 * optional dependencies, the rule parser, the SNS client and the fallback of
 * a removed rule read them here. Durations are written as the variables take
 * them. The README and docs/alerting.md state the same values, which
 * `__tests__/unit/alert-defaults.test.ts` checks.
 *
 * @example
 *   const prefix = env.ALERT_SUBJECT_PREFIX?.trim() || ALERT_DEFAULTS.subjectPrefix;
 */
export const ALERT_DEFAULTS = {
  /** ALERT_SUBJECT_PREFIX: starts every subject. */
  subjectPrefix: '[logmon]',
  /** ALERT_GRACE: two schedule periods (ingest's lag, then the evaluation that sees the commit) plus a margin. */
  grace: '3m',
  /** ALERT_GROUP_WAIT: notifications go out at once; a wait lets later evaluations' join one mail per service and host. */
  groupWait: '0s',
  /** ALERT_LATE_HORIZON: late data older than this is not reported. */
  lateHorizon: '24h',
  /** ALERT_SNS_TIMEOUT_MS: time limit of one SNS request attempt. */
  snsTimeoutMs: 10_000,
  /** AWS_MAX_ATTEMPTS: attempts per publish within a run (the SDK's own default). */
  snsMaxAttempts: 3,
  /** The optional fields of a rule (`clearBelow` defaults to the rule's threshold, `severity` to its levels'). */
  rule: { for: '0s', repeatInterval: '1h', maxNotificationsPerHour: 6, maxKeys: 100, timeout: '10s' },
  /** The defaults of a `type: new-template` rule (its groupBy defaults to [template]). */
  newTemplate: { threshold: 1, window: '10m', unseenFor: '7d', learningPeriod: '24h' },
  /** The rules used when ALERT_RULES is unset or blank: one state per file, so two incidents in two files are two notifications. */
  rules: [
    { name: 'error-burst', minLevel: 'ERROR', threshold: 5, window: '5m', groupBy: ['source'] },
    { name: 'any-fatal', levels: ['FATAL'], threshold: 1, window: '1m', groupBy: ['source'] },
  ],
} as const;

function toMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === null) throw new Error(`ALERT_DEFAULTS holds "${text}", which is not a duration`);
  return ms;
}

/** The default durations of ALERT_DEFAULTS in milliseconds. */
export const ALERT_DEFAULT_MS = {
  grace: toMs(ALERT_DEFAULTS.grace),
  lateHorizon: toMs(ALERT_DEFAULTS.lateHorizon),
  for: toMs(ALERT_DEFAULTS.rule.for),
  repeatInterval: toMs(ALERT_DEFAULTS.rule.repeatInterval),
  ruleTimeout: toMs(ALERT_DEFAULTS.rule.timeout),
  newTemplateWindow: toMs(ALERT_DEFAULTS.newTemplate.window),
  unseenFor: toMs(ALERT_DEFAULTS.newTemplate.unseenFor),
  learningPeriod: toMs(ALERT_DEFAULTS.newTemplate.learningPeriod),
} as const;
