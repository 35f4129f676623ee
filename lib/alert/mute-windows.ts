import type pg from 'pg';
import { ALERT_SQL as SQL } from '../../sql/alert-statements';
import { isTimeZone } from '../platform/env';
import { ConfigError } from '../platform/errors';
import { activeOccurrence, nextOccurrence } from './mute-calendar';
import type { MuteSchedule } from './mute-calendar';
import { GROUP_DIMENSIONS, globToLike } from './rules';
import type { GroupDimension } from './rules';

// Recurring mute windows (issue 13; Alertmanager's mute_time_intervals): the
// `muteWindows:` section of ALERT_RULES, beside `rules` and `health`, e.g.
// Sundays 02:00-04:00 Europe/Berlin for the weekly database maintenance.
// While a window is open, a notification it matches (rule name glob, key
// labels) is recorded, not sent, exactly as under a silence: each evaluation
// writes the window's current opening to alert_silences (mute_window names
// it), where the outbox INSERT matches it, and ends an opening whose window
// is no longer configured so. When a window closes and the alert still
// fires, the silences' STILL FIRING says so. Health rules are muted only by a
// window whose `rules` starts with `health:` (`health:*`): a window for
// maintenance of the applications does not hide logmon going blind.

/** A validated mute window. */
export interface MuteWindow extends MuteSchedule {
  name: string;
  /** A rule name, or a glob of names (`*` any characters); `health:…` for the health rules. */
  ruleGlob: string;
  /** Labels a key must have (as a silence's `--service` …); {} matches every key. */
  matchers: Partial<Record<GroupDimension, string>>;
  /** As written, for messages: "02:00", "24:00". */
  from: string;
  to: string;
  comment: string | null;
}

const FIELDS = ['name', 'rules', ...GROUP_DIMENSIONS, 'days', 'from', 'to', 'timeZone', 'comment'] as const;
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const FULL_DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const EVERY_DAY = [0, 1, 2, 3, 4, 5, 6] as const;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
/** An IANA name (Area/Location, UTC, Etc/GMT+1), not an offset such as "+02:00". */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;
const MAX_NAME_CHARS = 200;
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

type Spec = Record<string, unknown>;

/** Reads one window's fields, naming the window and the field in every error. */
class WindowReader {
  public constructor(
    private readonly spec: Spec,
    private readonly label: string,
  ) {}

  public fail(field: string, problem: string): never {
    const value = this.spec[field];
    const shown = value === undefined ? 'nothing' : JSON.stringify(value);
    throw new ConfigError(`ALERT_RULES: mute window ${this.label}: ${field} ${problem}, got ${shown}`, {
      muteWindow: this.label.replace(/^"|"$/g, ''),
      field,
      value,
    });
  }

  public text(field: string, maxChars: number): string | null {
    const value = this.spec[field];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string' || value.trim() === '') this.fail(field, 'must be a non-empty string');
    if (value.length > maxChars) this.fail(field, `must be at most ${maxChars} characters`);
    return value.trim();
  }

  public minutes(field: 'from' | 'to'): number {
    const value = this.spec[field];
    if (value === undefined || value === null) this.fail(field, 'is required (a time of day "HH:MM" such as "02:00")');
    const m = typeof value === 'string' ? TIME.exec(value.trim()) : null;
    if (field === 'to' && typeof value === 'string' && value.trim() === '24:00') return 24 * 60;
    if (m === null) this.fail(field, `must be a time of day "HH:MM" from 00:00 to ${field === 'from' ? '23:59' : '24:00'}`);
    return Number(m[1]) * 60 + Number(m[2]);
  }
}

function parseDays(reader: WindowReader, raw: unknown): number[] {
  if (raw === undefined || raw === null) return [...EVERY_DAY];
  const words = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(words) || words.length === 0 || words.some((w) => typeof w !== 'string'))
    reader.fail('days', 'must be a non-empty list of days such as ["sat", "sun"] or ["mon-fri"]');
  const dayOf = (word: string): number => {
    const w = word.trim().toLowerCase();
    const i = Math.max(DAY_NAMES.indexOf(w as (typeof DAY_NAMES)[number]), FULL_DAY_NAMES.indexOf(w as (typeof FULL_DAY_NAMES)[number]));
    if (i < 0) reader.fail('days', `contains "${word}" (known: ${DAY_NAMES.join(', ')}, their full names, or a range such as mon-fri)`);
    return i;
  };
  const days = new Set<number>();
  for (const word of words as string[]) {
    const [first, last, extra] = word.split('-');
    if (extra !== undefined) dayOf(word);
    const from = dayOf(first!);
    const to = last === undefined ? from : dayOf(last);
    // a range may wrap the week: fri-mon
    for (let d = from; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === to) break;
    }
  }
  return EVERY_DAY.filter((d) => days.has(d));
}

function parseWindow(spec: unknown, index: number): MuteWindow {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    throw new ConfigError(`ALERT_RULES: mute window #${index + 1} must be an object`, { muteWindow: `#${index + 1}` });
  const s = spec as Spec;
  const label = typeof s.name === 'string' && s.name.trim() !== '' ? JSON.stringify(s.name.trim()) : `#${index + 1}`;
  const reader = new WindowReader(s, label);
  for (const field of Object.keys(s))
    if (!(FIELDS as readonly string[]).includes(field)) reader.fail(field, `is not a known field (known: ${FIELDS.join(', ')})`);
  const name = reader.text('name', MAX_NAME_CHARS) ?? reader.fail('name', 'is required');
  if (CONTROL_CHARS.test(name)) reader.fail('name', 'must not contain control characters');
  const ruleGlob = reader.text('rules', 1000) ?? '*';
  const matchers: Partial<Record<GroupDimension, string>> = {};
  for (const dim of GROUP_DIMENSIONS) {
    const value = reader.text(dim, 1000);
    if (value !== null) matchers[dim] = value;
  }
  const days = parseDays(reader, s.days);
  const fromMinutes = reader.minutes('from');
  const toMinutes = reader.minutes('to');
  if (toMinutes === fromMinutes) reader.fail('to', `must differ from from (${(s.from as string).trim()}): an earlier time ends the next day`);
  if (s.timeZone === undefined || s.timeZone === null) reader.fail('timeZone', 'is required (an IANA time zone name such as "Europe/Berlin")');
  const timeZone = typeof s.timeZone === 'string' ? s.timeZone.trim() : '';
  if (!ZONE_NAME.test(timeZone) || !isTimeZone(timeZone)) reader.fail('timeZone', 'must be an IANA time zone name such as "Europe/Berlin"');
  return {
    name,
    ruleGlob,
    matchers,
    days,
    from: (s.from as string).trim(),
    to: (s.to as string).trim(),
    fromMinutes,
    toMinutes,
    timeZone,
    comment: reader.text('comment', 500),
  };
}

/**
 * Validate the `muteWindows:` section of ALERT_RULES (a list; none when
 * absent). Every problem throws a ConfigError naming the window and the field.
 *
 * @example
 *   parseMuteWindows([{ name: 'db-maintenance', days: ['sun'], from: '02:00', to: '04:00', timeZone: 'Europe/Berlin' }]);
 */
export function parseMuteWindows(section: unknown): MuteWindow[] {
  if (section === undefined || section === null) return [];
  if (!Array.isArray(section)) throw new ConfigError(`ALERT_RULES: muteWindows must be a list of mute windows, got ${JSON.stringify(section)}`, {});
  const windows = section.map((spec, i) => parseWindow(spec, i));
  const seen = new Set<string>();
  for (const w of windows) {
    if (seen.has(w.name))
      throw new ConfigError(`ALERT_RULES: mute window "${w.name}": name is used by more than one mute window`, { muteWindow: w.name, field: 'name' });
    seen.add(w.name);
  }
  return windows;
}

/** The mute windows of a parsed ALERT_RULES document (readRulesDocument): its `muteWindows:` section, or none. */
export function muteWindowsOf(doc: unknown): MuteWindow[] {
  return parseMuteWindows(typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? (doc as Spec).muteWindows : undefined);
}

/** Whether a window may mute the health rules: only one whose `rules` names them (`health:*`, `health:ingest-not-running`). */
export function mutesHealth(window: Pick<MuteWindow, 'ruleGlob'>): boolean {
  return window.ruleGlob.toLowerCase().startsWith('health:');
}

/** Whether a window's rule glob matches `name` (as the outbox INSERT does; health rules only for a health: glob). */
export function windowMatchesRule(window: Pick<MuteWindow, 'ruleGlob'>, name: string): boolean {
  if (name.startsWith('health:') && !mutesHealth(window)) return false;
  const pattern = window.ruleGlob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${pattern}$`, 's').test(name);
}

/** `sun 02:00-04:00 Europe/Berlin` (`daily` for every day). */
export function scheduleText(window: MuteWindow): string {
  const days = window.days.length === 7 ? 'daily' : window.days.map((d) => DAY_NAMES[d]).join(',');
  return `${days} ${window.from}-${window.to} ${window.timeZone}`;
}

function utc(ms: number): string {
  return `${new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, '')} UTC`;
}

/**
 * One line for `npm run silence -- list`: open until when, or when it opens next.
 *
 * @example
 *   describeMuteWindow(window, Date.now()) // 'mute window db-maintenance  active until 2026-01-04 03:00:00 UTC  rule * {}  sun 02:00-04:00 Europe/Berlin'
 */
export function describeMuteWindow(window: MuteWindow, now: number): string {
  const open = activeOccurrence(window, now);
  const next = open === null ? nextOccurrence(window, now) : null;
  const when = open !== null ? `active until ${utc(open.end)}` : next !== null ? `next ${utc(next.start)} to ${utc(next.end)}` : 'never opens';
  return `mute window ${window.name}  ${when}  rule ${window.ruleGlob}  ${JSON.stringify(window.matchers)}  ${scheduleText(window)}${window.comment ? `: ${window.comment}` : ''}`;
}

/**
 * Write the opening of each window open at `now` to alert_silences (the
 * outbox INSERT of this evaluation matches it) and end the openings of
 * windows that are not open so any more (removed, moved, closed early by
 * `npm run silence -- expire`, which the next evaluation does not reopen).
 */
export async function recordMuteOccurrences(client: Pick<pg.PoolClient, 'query'>, windows: readonly MuteWindow[], now: number): Promise<void> {
  const open = windows.flatMap((w) => {
    const o = activeOccurrence(w, now);
    return o === null ? [] : [{ w, o }];
  });
  await client.query(SQL.endMuteOccurrences, [open.map(({ w }) => w.name), open.map(({ o }) => new Date(o.start)), new Date(now)]);
  if (open.length === 0) return;
  await client.query(SQL.upsertMuteOccurrences, [
    open.map(({ w }) => w.name),
    open.map(({ w }) => w.ruleGlob),
    open.map(({ w }) => globToLike(w.ruleGlob)),
    open.map(({ w }) => JSON.stringify(w.matchers)),
    open.map(({ o }) => new Date(o.start)),
    open.map(({ o }) => new Date(o.end)),
    open.map(({ w }) => `${scheduleText(w)}${w.comment ? `: ${w.comment}` : ''}`),
    open.map(({ w }) => mutesHealth(w)),
    new Date(now),
  ]);
}
