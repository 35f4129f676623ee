import { levelOfWord, levelsAtOrAbove } from '../ingest/formats/severity';
import { NOTIFICATION_KIND, NOTIFIED_STATE } from './categories';
import type { MessageKind, NotificationKind, NotifiedState, Severity } from './categories';
import type { AlertRule } from './rules';
import { RULE_TYPE } from './rules';
import type { KeyLabels } from './rule-key';
import { formatDuration } from '../platform/duration';
import { displayName } from '../platform/fs-name';

/**
 * The short name of a key in a subject: `service@host`, the file's name when
 * it says more than the service, the level, the template (what is there).
 * The file's name follows the service: `checkout@web-1 app.log`.
 *
 * @example
 *   keyTitle({ service: 'payments', host: 'api-1', file: '/var/log/payments.log' }, null) // 'payments@api-1'
 */
export function keyTitle(labels: KeyLabels | undefined, templateText: string | null | undefined): string {
  if (!labels) return '';
  const parts: string[] = [];
  const fileName = labels.file ? (labels.file.split('/').pop() ?? labels.file) : '';
  const service = labels.service ?? '';
  const who = labels.host ? `${service}@${labels.host}` : service;
  if (who !== '') parts.push(who);
  if (fileName !== '' && fileName.replace(/\.log$/, '') !== service) parts.push(fileName);
  if (labels.level) parts.push(labels.level);
  if ('template' in labels) parts.push(templateText ?? labels.template ?? '(no template)');
  return parts.join(' ');
}

/**
 * SNS documents a subject as printable ASCII "less than 100 characters": at
 * most 99 (a subject of exactly 100 risks a refusal, which would hold its
 * rule's notifications back for good).
 */
export const MAX_SUBJECT_CHARS = 99;
const ELLIPSIS = '...';
const MIN_NAME_CHARS = 12;
const SAMPLE_LINES = 3;
const LINE_CHARS = 200;

/** One error template among a window's entries (or, for entries stored before templates, one first line). */
export interface MessageCount {
  /** The template (or the first line). */
  message: string;
  count: number;
  /** One real entry of it, and its file. */
  example?: string | null;
  examplePath?: string | null;
  /** When the alert job first saw the template (a Date, or its JSON text in a late tally). */
  knownSince?: Date | string | null;
  /** Files it came from in the window. */
  files?: number;
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
  /** Distinct files the entries came from. */
  files?: number;
  /** Most frequent error templates, most frequent first. */
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
  /** Late data: the busiest window reached the rule's count cap (windows across slices are not counted past it): at least `busiestWindowCount`. */
  busiestAtLeast?: boolean;
  /** Late data: a backlog is still being examined, so the counts are a lower bound. */
  lateStillExamining?: boolean;
  /** Late data: the ingest outage (health:ingest-not-running FIRING, `to` null while it lasts) these entries follow. */
  ingestOutage?: { from: number; to: number | null } | null;
  /** The key this notification is about (a rule with groupBy): its labels. */
  labels?: KeyLabels;
  /** The key's template, as text (a key with a template label). */
  templateText?: string | null;
  /** The key-limit notice: keys over the rule's maxKeys, not tracked one by one. */
  keysOverLimit?: number;
  /** Resolutions: the entries of the whole incident (from a window before it fired to now): when the errors stopped, what they were. */
  incident?: WindowDetails | null;
  /** The hourly cap held this notification back since then (it says so). */
  heldSince?: number | null;
  /** A resolution because the rule left the configuration while it fired, not because the errors stopped. */
  removed?: boolean;
  /** A reminder sent because the silence (or mute window) that kept this alert quiet ended while it still fires. */
  silenceEnded?: SilenceEnded | null;
  /** Sent now because the critical alert `by` of the same source, which this one was folded into since `since`, no longer fires (inhibition.ts). */
  inhibitionEnded?: { by: string; since: number } | null;
  /** The dashboard's URL (ALERT_DASHBOARD_URL): the next step links to this alert there; null: the psql command. */
  dashboardUrl?: string | null;
}

/** The silence, or the opening of a mute window, that recorded a key's latest notification and has ended. */
export interface SilenceEnded {
  id: string;
  comment: string;
  endedAt: number;
  /** The mute window this was an opening of (its comment is the window's schedule); null for a silence. */
  muteWindow: string | null;
}

/**
 * The lines that open a STILL FIRING sent because a silence or a mute window
 * ended while the alert still fires.
 *
 * @example
 *   silenceEndedLines({ id: '3', comment: 'deploy 4.2', endedAt, muteWindow: null })[0]
 *   // 'The silence #3 ("deploy 4.2") ended at 2026-11-23 10:00:00 UTC and this alert still fires:'
 */
export function silenceEndedLines(ended: SilenceEnded): string[] {
  const what =
    ended.muteWindow === null
      ? `The silence #${ended.id} ("${truncate(cleanLine(ended.comment), 100)}")`
      : `The mute window "${truncate(cleanLine(ended.muteWindow), 100)}" (${truncate(cleanLine(ended.comment), 200)})`;
  return [
    `${what} ended at ${utc(ended.endedAt)} and this alert still fires: what happened meanwhile was recorded, not sent; this is the first message since.`,
    '',
  ];
}

/** The SNS String message attributes of a notification, for subscription filter policies (docs/alerting.md). */
export interface NotificationAttributes {
  severity: Severity;
  rule: string;
  state: NotifiedState;
  /** The notification kind, or `health` for the built-in health rules. */
  kind: MessageKind;
  /** The key's service and host (a rule grouped by them), for filter policies per team or host. */
  service?: string;
  host?: string;
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
  // a file name's bytes that are not UTF-8 (lib/platform/fs-name.ts) as \xNN
  return displayName(text).replace(ANSI_ESCAPES, '').replace(/\t/g, ' ').replace(/\r/g, '').replace(UNSAFE_CHARS, '?');
}

/**
 * Text from a log or a file name that must stay on one line (a label, a
 * path): cleanText, and line breaks as `?`, so a file named with a newline
 * cannot start a line of its own in a message.
 */
export function cleanLine(text: string): string {
  return cleanText(text).replace(/\n/g, '?');
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
export function formatSubject(input: {
  kind: NotificationKind;
  rule: AlertRule;
  prefix: string;
  count: number;
  firedMs?: number | null;
  /** The key's short name (keyTitle). */
  key?: string;
  /** The rule was removed while firing: the subject says so, not "RESOLVED". */
  removed?: boolean;
  /** The count is a lower bound (late data: busiestAtLeast). */
  atLeast?: boolean;
}): string {
  const { kind, rule, count } = input;
  const prefix = toSubjectAscii(input.prefix);
  // a line break in a file name is `?`, not a space: the subject shows the name was odd
  const key = toSubjectAscii(cleanLine(input.key ?? ''));
  if (rule.type === RULE_TYPE.NEW_TEMPLATE && kind === 'firing') {
    // what broke comes first: the new template itself
    const head = `${prefix ? `${prefix} ` : ''}NEW ERROR `;
    return truncate(`${head}${truncate(toSubjectAscii(rule.name) || '?', 30)}: ${count} x ${key}`, MAX_SUBJECT_CHARS);
  }
  let facts = countText(rule, count);
  if (kind === 'reminder' && input.firedMs != null) facts += `, for ${formatDuration(input.firedMs)}`;
  if (kind === 'resolved' && input.firedMs != null) facts += `, fired ${formatDuration(input.firedMs)}`;
  if (kind === 'late')
    facts = `${input.atLeast ? 'at least ' : ''}${count} ${levelsText(rule)} within ${formatDuration(rule.windowMs)} in the past (threshold ${rule.threshold})`;
  if (kind === 'resolved' && input.removed)
    facts = `rule removed while firing, no longer evaluated${input.firedMs != null ? ` (fired ${formatDuration(input.firedMs)})` : ''}`;
  const head = `${prefix ? `${prefix} ` : ''}${kind === 'resolved' && input.removed ? 'REMOVED' : HEADLINE[kind]} `;
  const name = toSubjectAscii(rule.name) || '?';
  const room = Math.max(MIN_NAME_CHARS, MAX_SUBJECT_CHARS - head.length - facts.length - 2);
  if (key !== '') {
    // the rule's name and the key share the room; the key (where) gets at least half
    const keyRoom = Math.max(MIN_NAME_CHARS, room - Math.min(name.length, Math.floor(room / 2)) - 1);
    const nameRoom = Math.max(MIN_NAME_CHARS, room - Math.min(key.length, keyRoom) - 1);
    return truncate(`${head}${truncate(name, nameRoom)} ${truncate(key, keyRoom)}: ${facts}`, MAX_SUBJECT_CHARS);
  }
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
  if (rule.source) lines.push(field('Files', cleanLine(rule.source)));
  if (rule.pattern) lines.push(field('Pattern', cleanLine(rule.pattern)));
  lines.push(field('Severity', rule.severity));
  return lines;
}

/** Where the key's entries come from, and what it is about. */
function keyLines(input: NotificationInput): string[] {
  const labels = input.labels;
  if (!labels || Object.keys(labels).length === 0) return [];
  const lines: string[] = [];
  // a file without a service or host (none configured) shows none
  if (labels.service) lines.push(field('Service', cleanLine(labels.service)));
  if (labels.host) lines.push(field('Host', cleanLine(labels.host)));
  if ('file' in labels) lines.push(field('File', truncate(cleanLine(labels.file ?? '(unknown file)'), LINE_CHARS)));
  if ('level' in labels) lines.push(field('Level', cleanLine(labels.level ?? '')));
  if ('template' in labels) lines.push(field('Template', truncate(cleanLine(input.templateText ?? labels.template ?? '(none)'), LINE_CHARS)));
  return lines;
}

function topTemplateLines(details: WindowDetails): string[] {
  const lines: string[] = [];
  const width = String(details.topMessages[0]?.count ?? 0).length;
  lines.push('', 'Top errors (by template):');
  for (const m of details.topMessages) {
    lines.push(`  ${String(m.count).padStart(width)} x ${truncate(cleanText(m.message).split('\n')[0] ?? '', LINE_CHARS)}`);
    const pad = ' '.repeat(width + 5);
    const example = m.example ? (cleanText(m.example).split('\n')[0] ?? '') : '';
    if (example !== '' && example !== cleanText(m.message).split('\n')[0]) lines.push(`${pad}e.g. ${truncate(example, LINE_CHARS)}`);
    const facts: string[] = [];
    // where each comes from, when the window's entries come from several files
    if (m.files !== undefined && m.files > 1) facts.push(`${m.files} files`);
    else if (m.examplePath && (details.files ?? 0) > 1) facts.push(truncate(cleanLine(m.examplePath), LINE_CHARS));
    if (m.knownSince) {
      const since = new Date(m.knownSince);
      facts.push(since.getTime() > details.from ? `NEW: first seen ${utc(since)}` : `known since ${utc(since)}`);
    }
    if (facts.length > 0) lines.push(`${pad}${facts.join(', ')}`);
  }
  const shown = details.topMessages.reduce((sum, m) => sum + m.count, 0);
  if (shown < details.count) lines.push(`  ${String(details.count - shown).padStart(width)} x (other templates)`);
  return lines;
}

function occurrenceLines(details: WindowDetails): string[] {
  const lines = [field('Window', `${utc(details.from)} to ${utc(details.to)}`)];
  if (details.firstAt) lines.push(field('First', utc(details.firstAt)));
  if (details.lastAt) lines.push(field('Last', utc(details.lastAt)));
  if (details.files !== undefined && details.files > 1) lines.push(field('From', `${details.files} files`));
  if (details.topMessages.length > 0) lines.push(...topTemplateLines(details));
  if (details.samples.length > 0) {
    lines.push('', 'Latest entries:');
    for (const s of details.samples) {
      lines.push(`  ${utc(s.loggedAt)}  ${s.level}  ${truncate(cleanLine(s.path), LINE_CHARS)}`);
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
  return [`Counted in the window ending ${utc(details.to)}: its entries were stored after that time, so it is evaluated now, as it was then.`, ''];
}

/** The key-limit notice of a grouped rule. */
function keyLimitLines(input: NotificationInput): string[] {
  const { rule, kind } = input;
  if (kind === 'resolved')
    return [`Rule "${cleanText(rule.name)}" is back within its limit of ${rule.maxKeys} keys: every key is tracked on its own again.`, '', ...ruleLines(rule)];
  return [
    `Rule "${cleanText(rule.name)}" has more keys over its threshold than its limit of ${rule.maxKeys} (groupBy: ${rule.groupBy.join(', ')}).`,
    `${input.keysOverLimit} more ${input.keysOverLimit === 1 ? 'key is' : 'keys are'} over the threshold and not tracked one by one: they get no notifications of their own until keys resolve. Raise maxKeys, or group by less.`,
    '',
    ...ruleLines(rule),
    ...occurrenceLines(input.details),
  ];
}

function footer(rule: AlertRule): string[] {
  const reminder = rule.repeatIntervalMs > 0 ? `a reminder every ${formatDuration(rule.repeatIntervalMs)} while it fires,` : 'no reminders,';
  const what = rule.groupBy.length > 0 ? `this rule starts firing for a key (${rule.groupBy.join(', ')})` : 'this rule starts firing';
  if (rule.type === RULE_TYPE.NEW_TEMPLATE)
    return [
      '',
      '-- ',
      `logmon sends one message when a new error template appears (${rule.threshold} or more within ${formatDuration(rule.windowMs)}); none when it goes.`,
      `At most ${rule.maxNotificationsPerHour} messages per hour per template.`,
    ];
  return [
    '',
    '-- ',
    `logmon sends one message when ${what}, ${reminder} and one when it resolves (count below ${rule.clearBelow}${rule.keepFiringForMs > 0 ? ` for ${formatDuration(rule.keepFiringForMs)}` : ''}). No message means no change.`,
    ...(rule.groupBy.length > 0 ? ['Each key has its own state: another key firing gets its own message.'] : []),
    `At most ${rule.maxNotificationsPerHour} messages per hour${rule.groupBy.length > 0 ? ' per key' : ''}: past that, the ${rule.groupBy.length > 0 ? 'key' : 'rule'} stays FIRING until there is room.`,
  ];
}

/** Width of a mail client's text pane: prose lines of a body are wrapped to it. */
export const BODY_COLUMNS = 72;
const FIELD_LINE = /^[A-Z][A-Za-z ]{0,10}: +/;

/**
 * Wrap a body's prose to BODY_COLUMNS at spaces: a field line (`Count:
 * 12 in 5m`) goes on under its value's column, other prose from the left.
 * Indented lines (templates, log entries, commands) are data and stay whole,
 * as does a word longer than the width.
 *
 * @example
 *   wrapProse(['Rule "x" is FIRING for a very long key …']); // lines of at most 72 characters
 */
export function wrapProse(lines: readonly string[], columns = BODY_COLUMNS): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (line.length <= columns || /^\s/.test(line) || line === '-- ') {
      out.push(line);
      continue;
    }
    const indent = ' '.repeat(FIELD_LINE.exec(line)?.[0].length ?? 0);
    let current = '';
    for (const word of line.split(' ')) {
      if (current !== '' && current.length + 1 + word.length > columns) {
        out.push(current);
        current = indent + word;
      } else current = current === '' ? word : `${current} ${word}`;
    }
    out.push(current);
  }
  return out;
}

/**
 * The next step, last before the footer: the `psql` command that lists the
 * entries around the window's end with their files and offsets (or the
 * dashboard's view of it, when one is configured).
 */
function nextStepLines(input: NotificationInput): string[] {
  if (input.kind === 'late' || input.keysOverLimit !== undefined) return [];
  const end = new Date(Math.min(input.details.to, input.now));
  if (input.dashboardUrl) {
    const url = new URL(input.dashboardUrl);
    url.searchParams.set('rule', input.rule.name);
    url.searchParams.set('at', end.toISOString().replace(/\.\d+Z$/, 'Z'));
    url.hash = 'history';
    return ['', 'Next: this alert and the entries around it on the dashboard:', `  ${url.toString()}`];
  }
  const at = end
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '+00');
  return ['', 'Next: the entries around it, with their files and offsets:', `  psql "$DATABASE_URL" -v at='${at}' \\`, '    -f sql/queries/entries-around.sql'];
}

function formatBody(input: NotificationInput): string {
  const { kind, rule, details, now } = input;
  const firedMs = input.firingSince != null ? Math.max(0, now - input.firingSince) : null;
  const count = `${details.count} in ${details.to < now ? '' : 'the last '}${formatDuration(rule.windowMs)} (threshold ${rule.threshold})`;
  const title = keyTitle(input.labels, input.templateText);
  const about = title === '' ? '' : ` for ${truncate(cleanLine(title), LINE_CHARS)}`;
  const where = keyLines(input);
  const lines: string[] = [];
  if (input.keysOverLimit !== undefined) {
    lines.push(...keyLimitLines(input));
  } else if (rule.type === RULE_TYPE.NEW_TEMPLATE && kind !== 'late') {
    lines.push(`Rule "${cleanText(rule.name)}": a NEW kind of error, ${details.count} ${details.count === 1 ? 'entry' : 'entries'} since it appeared.`, '');
    lines.push(...where);
    const top = details.topMessages[0];
    const first = top?.knownSince ?? details.firstAt;
    if (first) lines.push(field('First seen', utc(new Date(first))));
    // where it appeared, when the key does not say (groupBy: [template])
    if (!where.some((l) => l.startsWith('File:'))) {
      const from = (details.files ?? 0) > 1 ? `${details.files} files` : (top?.examplePath ?? details.samples[0]?.path ?? null);
      if (from) lines.push(field('Where', truncate(cleanLine(from), LINE_CHARS)));
    }
    lines.push(
      field('New means', `not seen in the ${formatDuration(rule.unseenForMs)} before it appeared`),
      ...ruleLines(rule),
      field('Count', count),
      ...occurrenceLines(details),
    );
  } else
    switch (kind) {
      case 'firing':
        lines.push(`Rule "${cleanText(rule.name)}" is FIRING${about}: ${details.count} matching entries in ${formatDuration(rule.windowMs)}.`, '');
        lines.push(...earlierWindowLines(details, now));
        lines.push(...where, ...ruleLines(rule), field('Count', count), ...occurrenceLines(details));
        break;
      case 'reminder':
        lines.push(`Rule "${cleanText(rule.name)}" is STILL FIRING${about}${firedMs !== null ? `, for ${formatDuration(firedMs)} now.` : '.'}`, '');
        lines.push(...earlierWindowLines(details, now));
        lines.push(...where, ...ruleLines(rule), field('Count', count));
        if (input.firingSince != null) lines.push(field('Since', utc(input.firingSince)));
        lines.push(...occurrenceLines(details));
        break;
      case 'resolved':
        if (input.removed)
          lines.push(
            `Rule "${cleanText(rule.name)}" was REMOVED from the configuration while it was firing${about}: the errors may well go on, but this rule no longer watches them.`,
            '',
          );
        else lines.push(`Rule "${cleanText(rule.name)}" is RESOLVED${about}${firedMs !== null ? ` after firing for ${formatDuration(firedMs)}.` : '.'}`, '');
        if (input.reason) lines.push(input.reason, '');
        lines.push(...where, ...ruleLines(rule), field('Count', `${count}, resolves below ${rule.clearBelow}`));
        if (input.firingSince != null) lines.push(field('Fired', `${utc(input.firingSince)} to ${utc(now)}`));
        if (input.peakCount !== undefined) {
          lines.push(field('Peak', `${input.peakCount}${input.peakAtLeast ? ' or more' : ''} in ${formatDuration(rule.windowMs)}`));
        }
        if (input.incident?.lastAt) lines.push(field('Stopped', `${utc(input.incident.lastAt)} (the last matching entry)`));
        else if (details.lastAt) lines.push(field('Last entry', utc(details.lastAt)));
        if (rule.keepFiringForMs > 0) lines.push(field('Resolves', `after ${formatDuration(rule.keepFiringForMs)} below ${rule.clearBelow} (keepFiringFor)`));
        if (input.incident && input.incident.count > 0) {
          lines.push(field('Incident', `${input.incident.count} matching entries in all`));
          if (input.incident.topMessages.length > 0) lines.push(...topTemplateLines(input.incident));
        }
        break;
      case 'late':
        lines.push(`Entries that arrived late met rule "${cleanText(rule.name)}" in the past.`, '');
        lines.push(
          `They were logged between ${utc(details.firstAt ?? details.from)} and ${utc(details.lastAt ?? details.to)} but ingested only now, after that period's evaluation. This reports the past; the rule's state is unchanged.`,
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
        lines.push(
          field(
            'Busiest',
            `${input.busiestAtLeast ? 'at least ' : ''}${input.busiestWindowCount ?? details.count} within ${formatDuration(rule.windowMs)} (threshold ${rule.threshold})`,
          ),
        );
        lines.push(field('Late total', `${input.lateStillExamining ? 'at least ' : ''}${details.count}`), ...occurrenceLines(details).slice(1));
        break;
    }
  if (input.silenceEnded) lines.splice(2, 0, ...silenceEndedLines(input.silenceEnded));
  if (input.inhibitionEnded)
    lines.splice(
      2,
      0,
      `The critical alert "${truncate(cleanLine(input.inhibitionEnded.by), 100)}" for this source no longer fires: this alert was folded into its messages since ${utc(input.inhibitionEnded.since)}, and it still fires.`,
      '',
    );
  if (input.heldSince != null) {
    // the cap delayed this message: say so, and since when
    lines.splice(
      2,
      0,
      `This message was held back by the hourly cap (at most ${rule.maxNotificationsPerHour} messages per hour) since ${utc(input.heldSince)}: it is ${formatDuration(Math.max(0, now - input.heldSince))} late.`,
      '',
    );
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
  lines.push(...nextStepLines(input), ...footer(rule));
  return `${wrapProse(lines).join('\n')}\n`;
}

function formatKeyLimitSubject(input: NotificationInput): string {
  const prefix = toSubjectAscii(input.prefix);
  const name = truncate(toSubjectAscii(input.rule.name) || '?', 40);
  const facts =
    input.kind === 'resolved' ? `back within ${input.rule.maxKeys} keys` : `${input.keysOverLimit} keys over the limit of ${input.rule.maxKeys} not tracked`;
  return truncate(`${prefix ? `${prefix} ` : ''}${HEADLINE[input.kind]} ${name} key limit: ${facts}`, MAX_SUBJECT_CHARS);
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
    subject:
      input.keysOverLimit !== undefined
        ? formatKeyLimitSubject(input)
        : formatSubject({
            kind: input.kind,
            rule: input.rule,
            prefix: input.prefix,
            count,
            firedMs,
            key: keyTitle(input.labels, input.templateText),
            removed: input.removed,
            atLeast: input.kind === 'late' && input.busiestAtLeast === true,
          }),
    body: formatBody(input),
    attributes: {
      severity: input.rule.severity,
      rule: cleanText(input.rule.name),
      state: input.kind === NOTIFICATION_KIND.REMINDER ? NOTIFIED_STATE.FIRING : input.kind,
      kind: input.kind,
      ...(input.labels?.service ? { service: cleanLine(input.labels.service) } : {}),
      ...(input.labels?.host ? { host: cleanLine(input.labels.host) } : {}),
    },
  };
}
