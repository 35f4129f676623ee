import { ConfigError } from '../platform/errors';
import { parseDuration } from '../platform/duration';
import { intVar } from '../platform/env';
import type { Env } from '../platform/env';
import { readLogLevels } from '../ingest/config';
import { ALERT_DEFAULTS } from './defaults';
import { HEALTH_CHECKS, HEALTH_RULE_PREFIX, healthSectionOf, parseHealthRules } from './health-rules';
import { muteWindowsOf, windowMatchesRule } from './mute-windows';
import type { MuteWindow } from './mute-windows';
import type { HealthRule } from './health-rules';
import { readRulesDocument, rulesOfDocument } from './rules';
import { CHANNEL_TYPE, channelsOf } from './channel-config';
import type { ChannelConfig } from './channel-config';
import type { AlertRule } from './rules';

export interface AlertConfig {
  rules: AlertRule[];
  /** The enabled built-in health rules (the `health:` section of ALERT_RULES; all of them by default). */
  health: HealthRule[];
  /** The SNS topic notifications are published to ('' when no sns channel is configured). */
  topicArn: string;
  /** Where notifications go (the `channels:` section of ALERT_RULES; the SNS topic alone by default). */
  channels: ChannelConfig[];
  /** Starts every subject, e.g. "[logmon]" or "[logmon prod]". */
  subjectPrefix: string;
  /** ALERT_DASHBOARD_URL: the dashboard each notification links to (null: none, the psql command instead). */
  dashboardUrl: string | null;
  /** How far back a run still evaluates windows holding entries committed since the previous run. */
  graceMs: number;
  /** Entries older than this when a run examines them are not reported as late data; 0 turns the late check off. */
  lateHorizonMs: number;
  /** Time limit of one SNS request. */
  snsTimeoutMs: number;
  /** ALERT_GROUP_WAIT: how long a notification waits for others to the same service and host to join its mail. */
  groupWaitMs: number;
  /** The recurring mute windows (the `muteWindows:` section of ALERT_RULES; none by default). */
  muteWindows: MuteWindow[];
}

/** A longer grace only delays what it would report and lengthens each run's scans. */
const MAX_GRACE_MS = 3_600_000;
const MAX_GROUP_WAIT_MS = 600_000;

const TOPIC_ARN = /^arn:[a-z-]+:sns:[a-z0-9-]+:[0-9]+:[A-Za-z0-9_.-]{1,256}$/;

/**
 * Read the alert configuration from the environment; every problem is a
 * ConfigError raised at start-up (the handler's module scope).
 *
 * @example
 *   const config = readAlertConfig(process.env);
 */
export function readAlertConfig(env: Env): AlertConfig {
  const doc = readRulesDocument(env.ALERT_RULES);
  const snsTimeoutMs = intVar(env, 'ALERT_SNS_TIMEOUT_MS', ALERT_DEFAULTS.snsTimeoutMs, 100);
  const channels = channelsOf(doc, env, snsTimeoutMs);
  const topicArn = env.ALERT_TOPIC_ARN?.trim() ?? '';
  // without an sns channel the topic is not used: a server without AWS needs none
  if (channels.some((c) => c.type === CHANNEL_TYPE.SNS) && !TOPIC_ARN.test(topicArn)) {
    throw new ConfigError(`ALERT_TOPIC_ARN must be an SNS topic ARN (arn:aws:sns:region:account:name), got "${topicArn}"`, { topicArn });
  }
  // Blank is unset: serverless.yml passes '' for a variable the shell or the deploy leaves out.
  const prefix = env.ALERT_SUBJECT_PREFIX?.trim() || ALERT_DEFAULTS.subjectPrefix;
  if (!/^[\x20-\x7e]{0,30}$/.test(prefix)) {
    throw new ConfigError(`ALERT_SUBJECT_PREFIX must be at most 30 printable ASCII characters, got "${prefix}"`, { prefix });
  }
  const horizonText = env.ALERT_LATE_HORIZON?.trim() || ALERT_DEFAULTS.lateHorizon;
  const lateHorizonMs = parseDuration(horizonText);
  if (lateHorizonMs === null || lateHorizonMs > 7 * 86_400_000) {
    throw new ConfigError(`ALERT_LATE_HORIZON must be a duration up to 7d such as "24h" ("0s" turns the late check off), got "${horizonText}"`, {
      horizonText,
    });
  }
  const graceText = env.ALERT_GRACE?.trim() || ALERT_DEFAULTS.grace;
  const graceMs = parseDuration(graceText);
  if (graceMs === null || graceMs > MAX_GRACE_MS) {
    throw new ConfigError(`ALERT_GRACE must be a duration up to 1h such as "3m", got "${graceText}"`, { graceText });
  }
  const groupWaitText = env.ALERT_GROUP_WAIT?.trim() || ALERT_DEFAULTS.groupWait;
  const groupWaitMs = parseDuration(groupWaitText);
  if (groupWaitMs === null || groupWaitMs > MAX_GROUP_WAIT_MS) {
    throw new ConfigError(`ALERT_GROUP_WAIT must be a duration up to 10m such as "2m" ("0s": each mail at once), got "${groupWaitText}"`, { groupWaitText });
  }
  const rules = rulesOfDocument(doc, { ingestedLevels: readLogLevels(env) });
  const health = parseHealthRules(healthSectionOf(doc));
  const muteWindows = muteWindowsOf(doc);
  // a window whose glob names no rule is a typo, which would mute nothing while seeming to
  const names = [...rules.map((r) => r.name), ...HEALTH_CHECKS.map((c) => `${HEALTH_RULE_PREFIX}${c}`)];
  for (const w of muteWindows)
    if (!names.some((n) => windowMatchesRule(w, n)))
      throw new ConfigError(
        `ALERT_RULES: mute window "${w.name}": rules matches no rule, got ${JSON.stringify(w.ruleGlob)} (rules: ${rules.map((r) => r.name).join(', ')}; "health:*" for the health rules)`,
        { muteWindow: w.name, field: 'rules', value: w.ruleGlob },
      );
  return {
    rules,
    health,
    muteWindows,
    topicArn,
    channels,
    subjectPrefix: prefix,
    dashboardUrl: readDashboardUrl(env),
    graceMs,
    lateHorizonMs,
    snsTimeoutMs,
    groupWaitMs,
  };
}

/** ALERT_DASHBOARD_URL: an http(s) URL, or unset. */
export function readDashboardUrl(env: Env): string | null {
  const text = env.ALERT_DASHBOARD_URL?.trim() ?? '';
  if (text === '') return null;
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    url = null;
  }
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new ConfigError(`ALERT_DASHBOARD_URL must be the dashboard's http(s) URL, such as http://127.0.0.1:3000/, got "${text}"`, { text });
  return url.toString();
}
