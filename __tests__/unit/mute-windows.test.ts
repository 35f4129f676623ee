// Recurring mute windows (issue 13): the `muteWindows:` section of
// ALERT_RULES, and when each window is open, in its own time zone, across
// midnight and daylight-saving changes. Pure: no database.
import { activeOccurrence, nextOccurrence } from '../../lib/alert/mute-calendar';
import { describeMuteWindow, muteWindowsOf, parseMuteWindows } from '../../lib/alert/mute-windows';
import type { MuteWindow } from '../../lib/alert/mute-windows';
import { ConfigError } from '../../lib/platform/errors';

const utc = (iso: string): number => Date.parse(iso);
const window = (spec: Record<string, unknown>): MuteWindow =>
  parseMuteWindows([{ name: 'w', from: '02:00', to: '04:00', timeZone: 'Europe/Berlin', ...spec }])[0]!;
const occurrence = (start: string, end: string) => ({ start: utc(start), end: utc(end) });

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('no error thrown');
}

describe('Function: parseMuteWindows', () => {
  it('reads a window with its defaults: every threshold rule, every day, no label', () => {
    // Act
    const [parsed] = parseMuteWindows([{ name: 'nightly', from: '22:00', to: '02:00', timeZone: 'Europe/Berlin' }]);

    // Assess
    expect(parsed).toEqual({
      name: 'nightly',
      ruleGlob: '*',
      matchers: {},
      days: [0, 1, 2, 3, 4, 5, 6],
      from: '22:00',
      to: '02:00',
      fromMinutes: 22 * 60,
      toMinutes: 2 * 60,
      timeZone: 'Europe/Berlin',
      comment: null,
    });
  });

  it('reads days by name, full name and range, rules, labels and a comment', () => {
    // Act
    const [parsed] = parseMuteWindows([
      {
        name: 'deploys',
        rules: 'error-*',
        service: 'payments',
        host: 'web-1',
        days: ['Sunday', 'mon-wed', 'fri-sat'],
        from: '00:00',
        to: '24:00',
        timeZone: 'America/New_York',
        comment: 'weekly deploy',
      },
    ]);

    // Assess
    expect(parsed).toMatchObject({
      ruleGlob: 'error-*',
      matchers: { service: 'payments', host: 'web-1' },
      days: [0, 1, 2, 3, 5, 6],
      toMinutes: 24 * 60,
      comment: 'weekly deploy',
    });
  });

  it.each([
    [
      { timeZone: 'Mars/Olympus' },
      'timeZone',
      'ALERT_RULES: mute window "w": timeZone must be an IANA time zone name such as "Europe/Berlin", got "Mars/Olympus"',
    ],
    [{ timeZone: '+02:00' }, 'timeZone', 'ALERT_RULES: mute window "w": timeZone must be an IANA time zone name such as "Europe/Berlin", got "+02:00"'],
    [{ timeZone: undefined }, 'timeZone', 'ALERT_RULES: mute window "w": timeZone is required (an IANA time zone name such as "Europe/Berlin"), got nothing'],
    [
      { days: ['sonday'] },
      'days',
      'ALERT_RULES: mute window "w": days contains "sonday" (known: sun, mon, tue, wed, thu, fri, sat, their full names, or a range such as mon-fri), got ["sonday"]',
    ],
    [{ days: [] }, 'days', 'ALERT_RULES: mute window "w": days must be a non-empty list of days such as ["sat", "sun"] or ["mon-fri"], got []'],
    [{ from: '2am' }, 'from', 'ALERT_RULES: mute window "w": from must be a time of day "HH:MM" from 00:00 to 23:59, got "2am"'],
    [{ from: '24:00' }, 'from', 'ALERT_RULES: mute window "w": from must be a time of day "HH:MM" from 00:00 to 23:59, got "24:00"'],
    [{ to: '4:00' }, 'to', 'ALERT_RULES: mute window "w": to must be a time of day "HH:MM" from 00:00 to 24:00, got "4:00"'],
    [{ to: '02:00' }, 'to', 'ALERT_RULES: mute window "w": to must differ from from (02:00): an earlier time ends the next day, got "02:00"'],
    [{ rules: '' }, 'rules', 'ALERT_RULES: mute window "w": rules must be a non-empty string, got ""'],
    [{ service: 7 }, 'service', 'ALERT_RULES: mute window "w": service must be a non-empty string, got 7'],
    [
      { tz: 'UTC' },
      'tz',
      'ALERT_RULES: mute window "w": tz is not a known field (known: name, rules, service, host, file, template, level, days, from, to, timeZone, comment), got "UTC"',
    ],
  ])('refuses %j, naming the window and the field', (spec, field, message) => {
    // Act
    const err = errorOf(() => window(spec));

    // Assess
    expect(err.message).toBe(message);
    expect(err.context).toMatchObject({ muteWindow: 'w', field });
  });

  it('names a window without a name by its place, and refuses two windows of one name and a section that is no list', () => {
    expect(errorOf(() => parseMuteWindows([{ from: '02:00', to: '04:00', timeZone: 'UTC' }])).message).toBe(
      'ALERT_RULES: mute window #1: name is required, got nothing',
    );
    const twice = { name: 'w', from: '02:00', to: '04:00', timeZone: 'UTC' };
    expect(errorOf(() => parseMuteWindows([twice, twice])).message).toBe('ALERT_RULES: mute window "w": name is used by more than one mute window');
    expect(errorOf(() => parseMuteWindows({ name: 'w' })).message).toBe('ALERT_RULES: muteWindows must be a list of mute windows, got {"name":"w"}');
  });

  it('reads the muteWindows section of an ALERT_RULES document, none when it has none', () => {
    expect(muteWindowsOf({ rules: [], muteWindows: [{ name: 'w', from: '02:00', to: '04:00', timeZone: 'UTC' }] }).map((w) => w.name)).toEqual(['w']);
    expect(muteWindowsOf([{ name: 'a-rule' }])).toEqual([]);
    expect(muteWindowsOf(null)).toEqual([]);
  });
});

describe('Function: activeOccurrence', () => {
  it.each([
    // Europe/Berlin: CET (UTC+1) in winter, CEST (UTC+2) in summer; 2026-01-04 is a Sunday
    ['open inside Sunday 02:00-04:00 Berlin in winter', {}, '2026-01-04T01:30:00Z', occurrence('2026-01-04T01:00:00Z', '2026-01-04T03:00:00Z')],
    ['open at its first minute', {}, '2026-01-04T01:00:00Z', occurrence('2026-01-04T01:00:00Z', '2026-01-04T03:00:00Z')],
    ['closed at its end (excluded)', {}, '2026-01-04T03:00:00Z', null],
    ['closed a minute before it', {}, '2026-01-04T00:59:00Z', null],
    ['open in summer time, an hour earlier in UTC', {}, '2026-07-05T00:30:00Z', occurrence('2026-07-05T00:00:00Z', '2026-07-05T02:00:00Z')],
    ['closed on a Monday, for a Sunday window', { days: ['sun'] }, '2026-01-05T01:30:00Z', null],
    // 2026-03-29: 02:00 CET becomes 03:00 CEST; 02:00 does not exist: the window starts when the clock jumps, and lasts one hour
    [
      'open from the jump to 03:00 on the night summer time starts, for an hour',
      {},
      '2026-03-29T01:00:00Z',
      occurrence('2026-03-29T01:00:00Z', '2026-03-29T02:00:00Z'),
    ],
    ['closed before the jump on that night', {}, '2026-03-29T00:59:59Z', null],
    // 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:00-03:00 comes twice: the window lasts three hours
    [
      'open in the first 02:30 on the night summer time ends, for three hours',
      {},
      '2026-10-25T00:30:00Z',
      occurrence('2026-10-25T00:00:00Z', '2026-10-25T03:00:00Z'),
    ],
    ['open in the second 02:30 on that night', {}, '2026-10-25T01:30:00Z', occurrence('2026-10-25T00:00:00Z', '2026-10-25T03:00:00Z')],
    ['open across midnight, before it', { from: '22:00', to: '02:00' }, '2026-01-04T22:30:00Z', occurrence('2026-01-04T21:00:00Z', '2026-01-05T01:00:00Z')],
    ['open across midnight, after it', { from: '22:00', to: '02:00' }, '2026-01-05T00:30:00Z', occurrence('2026-01-04T21:00:00Z', '2026-01-05T01:00:00Z')],
    [
      'open across midnight on Monday, when it opened on Sunday',
      { from: '22:00', to: '02:00', days: ['sun'] },
      '2026-01-05T00:30:00Z',
      occurrence('2026-01-04T21:00:00Z', '2026-01-05T01:00:00Z'),
    ],
    ['closed after midnight on Monday, for a Monday window (it opens at 22:00)', { from: '22:00', to: '02:00', days: ['mon'] }, '2026-01-05T00:30:00Z', null],
    [
      'open a whole day, to 24:00',
      { from: '00:00', to: '24:00', days: ['sun'] },
      '2026-01-04T22:59:00Z',
      occurrence('2026-01-03T23:00:00Z', '2026-01-04T23:00:00Z'),
    ],
    // America/New_York: 2026-03-08 02:00 EST becomes 03:00 EDT; an end inside the skipped hour is the jump
    [
      'open in New York until the jump, when it ends inside the skipped hour',
      { from: '01:30', to: '02:30', timeZone: 'America/New_York' },
      '2026-03-08T06:45:00Z',
      occurrence('2026-03-08T06:30:00Z', '2026-03-08T07:00:00Z'),
    ],
    [
      'open to midnight, written 00:00',
      { from: '22:00', to: '00:00', timeZone: 'UTC' },
      '2026-01-04T23:59:00Z',
      occurrence('2026-01-04T22:00:00Z', '2026-01-05T00:00:00Z'),
    ],
    [
      'open across midnight in UTC',
      { from: '23:00', to: '01:00', timeZone: 'UTC' },
      '2026-01-04T23:59:00Z',
      occurrence('2026-01-04T23:00:00Z', '2026-01-05T01:00:00Z'),
    ],
  ])('is %s', (_, spec, at, expected) => {
    // Act
    const open = activeOccurrence(window(spec), utc(at));

    // Assess
    expect(open).toEqual(expected);
  });

  it('is never open for a window wholly inside the hour skipped when summer time starts', () => {
    // Prepare
    const skipped = window({ from: '02:10', to: '02:50', days: ['sun'] });

    // Act
    const during = [-15, -10, -5, 0, 5, 10, 15].map((m) => activeOccurrence(skipped, utc('2026-03-29T01:00:00Z') + m * 60_000));

    // Assess
    expect(during).toEqual([null, null, null, null, null, null, null]);
    expect(activeOccurrence(skipped, utc('2026-04-05T00:20:00Z'))).toEqual(occurrence('2026-04-05T00:10:00Z', '2026-04-05T00:50:00Z'));
  });
});

describe('Function: nextOccurrence', () => {
  it.each([
    ['the coming Sunday, on a Monday', { days: ['sun'] }, '2026-01-05T12:00:00Z', occurrence('2026-01-11T01:00:00Z', '2026-01-11T03:00:00Z')],
    ['the next one, while one is open', { days: ['sun'] }, '2026-01-04T01:30:00Z', occurrence('2026-01-11T01:00:00Z', '2026-01-11T03:00:00Z')],
    ['the one at summer time, across the change', { days: ['sun'] }, '2026-03-23T12:00:00Z', occurrence('2026-03-29T01:00:00Z', '2026-03-29T02:00:00Z')],
    ['tonight, for a daily window', { from: '22:00', to: '02:00' }, '2026-01-05T12:00:00Z', occurrence('2026-01-05T21:00:00Z', '2026-01-06T01:00:00Z')],
  ])('is %s', (_, spec, at, expected) => {
    expect(nextOccurrence(window(spec), utc(at))).toEqual(expected);
  });
});

describe('Function: describeMuteWindow', () => {
  it('says in one line whether the window is open and until when, or when it opens next', () => {
    // Prepare
    const sunday = window({ name: 'db-maintenance', rules: 'error-burst', service: 'payments', days: ['sun'], comment: 'weekly vacuum' });

    // Act
    const open = describeMuteWindow(sunday, utc('2026-01-04T01:30:00Z'));
    const closed = describeMuteWindow(sunday, utc('2026-01-05T12:00:00Z'));

    // Assess
    expect(open).toBe(
      'mute window db-maintenance  active until 2026-01-04 03:00:00 UTC  rule error-burst  {"service":"payments"}  sun 02:00-04:00 Europe/Berlin: weekly vacuum',
    );
    expect(closed).toBe(
      'mute window db-maintenance  next 2026-01-11 01:00:00 UTC to 2026-01-11 03:00:00 UTC  rule error-burst  {"service":"payments"}  sun 02:00-04:00 Europe/Berlin: weekly vacuum',
    );
  });
});
