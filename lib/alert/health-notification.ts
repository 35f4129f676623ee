import { formatDuration } from '../platform/duration';
import { HEALTH_MESSAGE_KIND, NOTIFICATION_KIND, NOTIFIED_STATE } from './categories';
import type { NotificationKind } from './categories';
import type { HealthObservation } from './health-checks';
import type { HealthRule } from './health-rules';
import { MAX_SUBJECT_CHARS, cleanLine, silenceEndedLines, toSubjectAscii, truncate, wrapProse } from './notification';
import type { Notification, SilenceEnded } from './notification';

export interface HealthNotificationInput {
  kind: Exclude<NotificationKind, 'late'>;
  rule: HealthRule;
  observation: HealthObservation;
  now: number;
  prefix: string;
  /** When the rule went FIRING (reminders and resolutions). */
  firingSince?: number | null;
  /** Why a resolution happened when the check does not say so (e.g. it was disabled). */
  reason?: string;
  /** A reminder sent because the silence (or mute window) that kept this check quiet ended while it still fails. */
  silenceEnded?: SilenceEnded | null;
}

const HEADLINE = { firing: 'FIRING', reminder: 'STILL FIRING', resolved: 'RESOLVED' } as const;

/** What each check watches, first line of its body. */
const MEANING: Record<HealthRule['check'], string> = {
  'ingest-not-running': 'No ingest run has finished lately: nothing new is read, so no rule can fire. Silence from logmon does not mean all is well.',
  'source-missing': 'A configured file is missing or unreadable, or a configured pattern matches no file: nothing is read from it.',
  'source-silent': 'A source expected to be written to (expectActivityWithin) has not changed for longer than that.',
  'not-understood': 'Most lines of a file match no format: they are not stored, and no rule counts them.',
  'loss-recorded': 'Ingest recorded bytes it could not read: entries in them were never stored or counted.',
  'outbox-not-draining': 'Notifications wait in the outbox: SNS does not accept them.',
  'rule-failing':
    'An alert rule could not be evaluated (PostgreSQL refused it, or it ran past its time limit): it cannot fire. Every other rule is evaluated as usual.',
  'alert-behind':
    'The rules do not see entries as they are committed: they are counted, once, when the alert job reaches them; alerts on them wait until then.',
  'channel-failing':
    'A notification channel does not accept notifications: they wait for it (each is sent once it recovers), while the other channels get theirs as usual. This message goes to the channels that work.',
  'partition-missing':
    "log_entries has no partition for today or tomorrow (UTC): the retention job creates each day's two days ahead and has not. Nothing is lost (entries of such a day go to the default partition), but retention can then only delete them row by row.",
};

function utc(ms: number): string {
  return `${new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, '')} UTC`;
}

/**
 * Subject, body and attributes of a health notification, pure. Attributes:
 * `kind=health`, `severity` (the rule's), `rule` (`health:<check>`) and
 * `state` as for threshold rules, so filter policies can route them.
 *
 * @example
 *   formatHealthNotification({ kind: 'firing', rule, observation, now, prefix: '[logmon]' }).subject;
 *   // "[logmon] FIRING health:ingest-not-running: no ingest run for 6m (limit 5m)"
 */
export function formatHealthNotification(input: HealthNotificationInput): Notification {
  const { kind, rule, observation, now } = input;
  const firedMs = input.firingSince != null ? Math.max(0, now - input.firingSince) : null;
  const prefix = toSubjectAscii(input.prefix);
  let facts = toSubjectAscii(cleanLine(observation.headline));
  if (kind === 'resolved' && firedMs !== null) facts += `, fired ${formatDuration(firedMs)}`;
  if (kind === 'reminder' && firedMs !== null) facts += `, for ${formatDuration(firedMs)}`;
  const subject = truncate(`${prefix ? `${prefix} ` : ''}${HEADLINE[kind]} ${rule.name}: ${facts}`, MAX_SUBJECT_CHARS);
  const lines: string[] = [];
  const state = kind === 'resolved' ? 'RESOLVED' : kind === 'reminder' ? 'STILL FIRING' : 'FIRING';
  lines.push(`logmon health check "${rule.check}" is ${state}: ${cleanLine(observation.headline)}.`, '');
  if (input.reason) lines.push(input.reason, '');
  if (input.silenceEnded) lines.push(...silenceEndedLines(input.silenceEnded));
  if (kind !== 'resolved') lines.push(MEANING[rule.check], '');
  lines.push(`Check:      ${rule.name}`, `Severity:   ${rule.severity}`);
  if (input.firingSince != null)
    lines.push(kind === 'resolved' ? `Fired:      ${utc(input.firingSince)} to ${utc(now)}` : `Since:      ${utc(input.firingSince)}`);
  // each line one line: a file name with a line break cannot start a line of its own
  lines.push(...observation.lines.map((l) => truncate(cleanLine(l), 400)));
  if (kind !== 'resolved') lines.push('', `What to do: ${observation.hint}`);
  const reminder = rule.repeatIntervalMs > 0 ? `a reminder every ${formatDuration(rule.repeatIntervalMs)} while it fails,` : 'no reminders,';
  lines.push(
    '',
    '-- ',
    `logmon sends one message when a health check starts failing, ${reminder} and one when it passes again. No message means no change.`,
    `Configure or turn it off in the health: section of ALERT_RULES (docs/alerting.md#health-rules).`,
  );
  return {
    kind,
    subject,
    body: `${wrapProse(lines).join('\n')}\n`,
    attributes: {
      severity: rule.severity,
      rule: rule.name,
      state: kind === NOTIFICATION_KIND.REMINDER ? NOTIFIED_STATE.FIRING : kind,
      kind: HEALTH_MESSAGE_KIND,
    },
  };
}
