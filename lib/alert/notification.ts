import { levelOfWord, levelsAtOrAbove } from '../ingest/formats/severity';
import { NOTIFICATION_KIND, NOTIFIED_STATE } from './categories';
import type { MessageKind, NotificationKind, NotifiedState, Severity } from './categories';
import type { AlertRule } from './rules';
import { formatDuration } from '../platform/duration';

/** SNS: a subject is at most 100 printable ASCII characters. */
export const MAX_SUBJECT_CHARS = 100;
const ELLIPSIS = '...';
const MIN_NAME_CHARS = 12;
const SAMPLE_LINES = 3;
const LINE_CHARS = 200;

export interface MessageCount {
  message: string;
  count: number;
}

export interface SampleEntry {
  loggedAt: Date;
  level: string;
  path: string;
  message: string;
}

/** What the entries counted by a rule looked like, read when a notification is owed. */
export interface WindowDetails {
  count: number;
  /** The period looked at: (from, to]. */
  from: number;
  to: number;
  firstAt: Date | null;
  lastAt: Date | null;
  /** Most frequent first lines, most frequent first. */
  topMessages: MessageCount[];
  /** Latest entries, newest first. */
  samples: SampleEntry[];
}

export interface NotificationInput {
  kind: NotificationKind;
  rule: AlertRule;
  now: number;
  prefix: string;
  details: WindowDetails;
  /** When the rule went FIRING (reminders and resolutions). */
  firingSince?: number | null;
  /** Highest count while firing (resolutions). */
  peakCount?: number;
  /** The peak reached the evaluation's count cap: it was at least `peakCount`. */
  peakAtLeast?: boolean;
  /** Why a resolution happened when it is not the count (e.g. the rule was removed). */
  reason?: string;
  /** Late data: the busiest window's count within `details`. */
  busiestWindowCount?: number;
  /** Late data: a backlog is still being examined, so the counts are a lower bound. */
  lateStillExamining?: boolean;
  /** Late data: the ingest outage (health:ingest-not-running FIRING, `to` null while it lasts) these entries follow. */
  ingestOutage?: { from: number; to: number | null } | null;
}

/** The SNS String message attributes of a notification, for subscription filter policies (docs/alerting.md). */
export interface NotificationAttributes {
  severity: Severity;
  rule: string;
  state: NotifiedState;
  /** The notification kind, or `health` for the built-in health rules. */
  kind: MessageKind;
}

/** A rendered notification, as stored in the outbox and published. */
export interface Notification {
  kind: NotificationKind;
  subject: string;
  body: string;
  attributes: NotificationAttributes;
}

const HEADLINE: Record<NotificationKind, string> = {
  firing: 'FIRING',
  reminder: 'STILL FIRING',
  resolved: 'RESOLVED',
  late: 'LATE DATA',
};

// Escape sequences, C0/C1 controls, Unicode line and paragraph separators
// (a line break to some readers, which would let log text start a line of its
// own) and bidirectional overrides (which can make a line read differently
// from what it says) never reach an inbox.
const ANSI_ESCAPES = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;
const UNSAFE_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text from a log line made safe to show: no escapes or controls, tabs as spaces. */
export function cleanText(text: string): string {
  return text.replace(ANSI_ESCAPES, '').replace(/\t/g, ' ').replace(/\r/g, '').replace(UNSAFE_CHARS, '?');
}

/** Cut `text` to `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return chars.slice(0, Math.max(0, max - ELLIPSIS.length)).join('') + ELLIPSIS;
}

/**
 * Printable ASCII only, for SNS subjects: accents dropped ("Zürich" →
 * "Zurich"), other characters as "?", whitespace collapsed.
 */
export function toSubjectAscii(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]+/g, '?')
    .trim();
}

/** `ERROR+` for a level and every one above it (what `minLevel` counts), else the levels joined. */
function levelsText(rule: AlertRule): string {
  const lowest = levelOfWord(rule.levels[0] ?? '');
  if (rule.levels.length > 1 && lowest !== null && levelsAtOrAbove(lowest).join('/') === rule.levels.join('/')) return `${lowest}+`;
  const text = rule.levels.join('/');
  return text.length <= 20 ? text : `${rule.levels.length}-level`;
}

/** "12 ERROR/FATAL in 5m (threshold 5)" */
function countText(rule: AlertRule, count: number): string {
  return `${count} ${levelsText(rule)} in ${formatDuration(rule.windowMs)} (threshold ${rule.threshold})`;
}

/**
 * The subject line: what happened, to which rule, count against threshold
 * and window. At most 100 printable ASCII characters whatever the rule name.
 *
 * @example
 *   formatSubject({ kind: 'firing', rule, prefix: '[logmon]', count: 12 })
 *   // "[logmon] FIRING error-burst: 12 ERROR/FATAL in 5m (threshold 5)"
 */
export function formatSubject(input: { kind: NotificationKind; rule: AlertRule; prefix: string; count: number; firedMs?: number | null }): string {
  const { kind, rule, count } = input;
  const prefix = toSubjectAscii(input.prefix);
  let facts = countText(rule, count);
  if (kind === 'reminder' && input.firedMs != null) facts += `, for ${formatDuration(input.firedMs)}`;
  if (kind === 'resolved' && input.firedMs != null) facts += `, fired ${formatDuration(input.firedMs)}`;
  if (kind === 'late') facts = `${count} ${levelsText(rule)} within ${formatDuration(rule.windowMs)} in the past (threshold ${rule.threshold})`;
  const head = `${prefix ? `${prefix} ` : ''}${HEADLINE[kind]} `;
  const name = toSubjectAscii(rule.name) || '?';
  const room = Math.max(MIN_NAME_CHARS, MAX_SUBJECT_CHARS - head.length - facts.length - 2);
  const subject = `${head}${truncate(name, room)}: ${facts}`;
  return truncate(subject, MAX_SUBJECT_CHARS);
}

function utc(value: Date | number): string {
  return `${new Date(value)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, '')} UTC`;
}

function field(label: string, value: string): string {
  return `${`${label}:`.padEnd(12)}${value}`;
}

function ruleLines(rule: AlertRule): string[] {
  const lines = [
    field('Rule', cleanText(rule.name)),
    field(
      'Condition',
      `${rule.threshold} or more ${levelsText(rule)} entries within ${formatDuration(rule.windowMs)}${rule.forMs > 0 ? `, for ${formatDuration(rule.forMs)}` : ''}`,
    ),
  ];
  if (rule.source) lines.push(field('Files', cleanText(rule.source)));
  if (rule.pattern) lines.push(field('Pattern', cleanText(rule.pattern)));
  lines.push(field('Severity', rule.severity));
  return lines;
}

function occurrenceLines(details: WindowDetails): string[] {
  const lines = [field('Window', `${utc(details.from)} to ${utc(details.to)}`)];
  if (details.firstAt) lines.push(field('First', utc(details.firstAt)));
  if (details.lastAt) lines.push(field('Last', utc(details.lastAt)));
  if (details.topMessages.length > 0) {
    const width = String(details.topMessages[0]?.count ?? 0).length;
    lines.push('', 'Top messages:');
    for (const m of details.topMessages)
      lines.push(`  ${String(m.count).padStart(width)} x ${truncate(cleanText(m.message).split('\n')[0] ?? '', LINE_CHARS)}`);
    const shown = details.topMessages.reduce((sum, m) => sum + m.count, 0);
    if (shown < details.count) lines.push(`  ${String(details.count - shown).padStart(width)} x (other messages)`);
  }
  if (details.samples.length > 0) {
    lines.push('', 'Latest entries:');
    for (const s of details.samples) {
      lines.push(`  ${utc(s.loggedAt)}  ${s.level}  ${truncate(cleanText(s.path), LINE_CHARS)}`);
      const messageLines = cleanText(s.message).split('\n');
      for (const l of messageLines.slice(0, SAMPLE_LINES)) lines.push(`    ${truncate(l, LINE_CHARS)}`);
      if (messageLines.length > SAMPLE_LINES) lines.push(`    (${messageLines.length - SAMPLE_LINES} more lines)`);
    }
  }
  return lines;
}

/**
 * A window that ended before the run: its entries were committed after the
 * run at its end had looked (ingest stores a minute's entries at a time), and
 * were counted as they were at their own time.
 */
function earlierWindowLines(details: WindowDetails, now: number): string[] {
  if (details.to >= now) return [];
  return [`Counted in the window ending ${utc(details.to)}: its entries were stored after that time, so it is`, 'evaluated now, as it was then.', ''];
}

function footer(rule: AlertRule): string[] {
  const reminder = rule.repeatIntervalMs > 0 ? `a reminder every ${formatDuration(rule.repeatIntervalMs)} while it fires,` : 'no reminders,';
  return [
    '',
    '-- ',
    `logmon sends one message when this rule starts firing, ${reminder}`,
    `and one when it resolves (count below ${rule.clearBelow}). No message means no change.`,
    `At most ${rule.maxNotificationsPerHour} messages per hour: past that, the rule stays FIRING until there is room.`,
  ];
}

function formatBody(input: NotificationInput): string {
  const { kind, rule, details, now } = input;
  const firedMs = input.firingSince != null ? Math.max(0, now - input.firingSince) : null;
  const count = `${details.count} in ${details.to < now ? '' : 'the last '}${formatDuration(rule.windowMs)} (threshold ${rule.threshold})`;
  const lines: string[] = [];
  switch (kind) {
    case 'firing':
      lines.push(`Rule "${cleanText(rule.name)}" is FIRING: ${details.count} matching entries in ${formatDuration(rule.windowMs)}.`, '');
      lines.push(...earlierWindowLines(details, now));
      lines.push(...ruleLines(rule), field('Count', count), ...occurrenceLines(details));
      break;
    case 'reminder':
      lines.push(`Rule "${cleanText(rule.name)}" is STILL FIRING${firedMs !== null ? `, for ${formatDuration(firedMs)} now.` : '.'}`, '');
      lines.push(...earlierWindowLines(details, now));
      lines.push(...ruleLines(rule), field('Count', count));
      if (input.firingSince != null) lines.push(field('Since', utc(input.firingSince)));
      lines.push(...occurrenceLines(details));
      break;
    case 'resolved':
      lines.push(`Rule "${cleanText(rule.name)}" is RESOLVED${firedMs !== null ? ` after firing for ${formatDuration(firedMs)}.` : '.'}`, '');
      if (input.reason) lines.push(input.reason, '');
      lines.push(...ruleLines(rule), field('Count', `${count}, resolves below ${rule.clearBelow}`));
      if (input.firingSince != null) lines.push(field('Fired', `${utc(input.firingSince)} to ${utc(now)}`));
      if (input.peakCount !== undefined) {
        lines.push(field('Peak', `${input.peakCount}${input.peakAtLeast ? ' or more' : ''} in ${formatDuration(rule.windowMs)}`));
      }
      if (details.lastAt) lines.push(field('Last entry', utc(details.lastAt)));
      break;
    case 'late':
      lines.push(`Entries that arrived late met rule "${cleanText(rule.name)}" in the past.`, '');
      lines.push(
        `They were logged between ${utc(details.firstAt ?? details.from)} and ${utc(details.lastAt ?? details.to)} but ingested only`,
        `now, after that period's evaluation. This reports the past; the rule's state is unchanged.`,
        '',
      );
      if (input.ingestOutage) {
        const { from, to } = input.ingestOutage;
        lines.push(
          `This follows an ingest outage: health:ingest-not-running fired at ${utc(from)}${to === null ? ' and still fires' : ` and resolved at ${utc(to)}`}.`,
          'These entries were logged while ingest was not running and stored when it resumed.',
          '',
        );
      }
      if (input.lateStillExamining) {
        lines.push('A backlog is still being examined: these are the late entries found so far (at least this many); the rest are reported later.', '');
      }
      lines.push(...ruleLines(rule));
      lines.push(field('Busiest', `${input.busiestWindowCount ?? details.count} within ${formatDuration(rule.windowMs)} (threshold ${rule.threshold})`));
      lines.push(field('Late total', `${input.lateStillExamining ? 'at least ' : ''}${details.count}`), ...occurrenceLines(details).slice(1));

      break;
  }
  if (rule.description) {
    // the rule's own words (what it means, what to do) right under the headline
    lines.splice(
      2,
      0,
      ...cleanText(rule.description)
        .split('\n')
        .map((l) => truncate(l, LINE_CHARS)),
      '',
    );
  }
  lines.push(...footer(rule));
  return `${lines.join('\n')}\n`;
}

/**
 * Subject, body and attributes of one notification, pure.
 *
 * @example
 *   const n = formatNotification({ kind: 'firing', rule, now, prefix: '[logmon]', details });
 *   // n.attributes: { severity: 'warning', rule: 'error-burst', state: 'firing', kind: 'firing' }
 */
export function formatNotification(input: NotificationInput): Notification {
  const firedMs = input.firingSince != null ? Math.max(0, input.now - input.firingSince) : null;
  const count = input.kind === 'late' ? (input.busiestWindowCount ?? input.details.count) : input.details.count;
  return {
    kind: input.kind,
    subject: formatSubject({ kind: input.kind, rule: input.rule, prefix: input.prefix, count, firedMs }),
    body: formatBody(input),
    attributes: {
      severity: input.rule.severity,
      rule: cleanText(input.rule.name),
      state: input.kind === NOTIFICATION_KIND.REMINDER ? NOTIFIED_STATE.FIRING : input.kind,
      kind: input.kind,
    },
  };
}
