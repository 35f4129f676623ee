import { readsMinutes, wholeMinutes } from '../../lib/alert/minute-counts';
import { keptPatterns } from '../../lib/alert/pattern-minutes';
import { parseAlertRules } from '../../lib/alert/rules';
import { countedOnce, windowMinutes } from '../../lib/alert/window-counts';

const at = (t: string) => Date.parse(`2026-12-03T${t}Z`);
const iso = (m: { lo: Date; hi: Date } | null) => (m === null ? null : { lo: m.lo.toISOString(), hi: m.hi.toISOString() });

describe('The whole minutes of a window (from, to]', () => {
  it('starts after the minute holding `from` and ends at the minute holding `to`', () => {
    expect(iso(wholeMinutes(at('10:00:30'), at('10:05:10')))).toEqual({ lo: '2026-12-03T10:01:00.000Z', hi: '2026-12-03T10:05:00.000Z' });
  });

  it('leaves out the minute starting at `from`, whose first instant the window excludes', () => {
    expect(iso(wholeMinutes(at('10:00:00'), at('10:17:00')))).toEqual({ lo: '2026-12-03T10:01:00.000Z', hi: '2026-12-03T10:17:00.000Z' });
  });

  it('is none for a window holding no minute whole', () => {
    expect(wholeMinutes(at('10:00:30'), at('10:01:59.999'))).toBeNull();
    expect(wholeMinutes(at('10:00:00'), at('10:01:00'))).toBeNull();
    expect(iso(wholeMinutes(at('10:00:00'), at('10:02:00')))).toEqual({ lo: '2026-12-03T10:01:00.000Z', hi: '2026-12-03T10:02:00.000Z' });
  });
});

describe('Which window counts read the per-minute counts', () => {
  const [plain, patterned, fresh, grouped] = parseAlertRules([
    { name: 'plain', minLevel: 'ERROR', threshold: 5, window: '5m', source: '/var/log/*.log' },
    { name: 'patterned', minLevel: 'ERROR', threshold: 5, window: '5m', pattern: 'timeout' },
    { name: 'fresh', type: 'new-template', minLevel: 'ERROR', window: '10m' },
    { name: 'grouped', minLevel: 'ERROR', threshold: 5, window: '5m', groupBy: ['file'] },
  ]);

  it('a rule on levels and files, grouped or not, reads them; one key of a grouped rule does not', () => {
    expect(readsMinutes(plain!, null)).toBe(true);
    expect(readsMinutes(grouped!, null)).toBe(true);
    expect(readsMinutes(grouped!, '["/var/log/app.log"]')).toBe(false);
  });

  it('a rule with a pattern or a new-template rule counts from the entries', () => {
    expect(readsMinutes(patterned!, null)).toBe(false);
    expect(readsMinutes(fresh!, null)).toBe(false);
  });
});

describe('The minutes the evaluation’s one read takes of a window', () => {
  it('are its whole minutes, or none at the minute holding its end when it holds none whole', () => {
    expect(iso(windowMinutes(at('10:00:30'), at('10:05:10')))).toEqual({ lo: '2026-12-03T10:01:00.000Z', hi: '2026-12-03T10:05:00.000Z' });
    expect(iso(windowMinutes(at('10:00:30'), at('10:01:30')))).toEqual({ lo: '2026-12-03T10:01:00.000Z', hi: '2026-12-03T10:01:00.000Z' });
    expect(iso(windowMinutes(at('10:00:00'), at('10:01:00')))).toEqual({ lo: '2026-12-03T10:01:00.000Z', hi: '2026-12-03T10:01:00.000Z' });
  });
});

describe('Which rule patterns the alert job counts per minute', () => {
  const rules = parseAlertRules([
    { name: 'short', minLevel: 'ERROR', threshold: 5, window: '5m', pattern: 'timeout', timeout: '2s' },
    { name: 'long', minLevel: 'WARN', threshold: 5, window: '1h', pattern: 'timeout' },
    { name: 'other', minLevel: 'ERROR', threshold: 5, window: '10m', pattern: 'refused' },
    { name: 'plain', minLevel: 'ERROR', threshold: 5, window: '10m' },
    { name: 'fresh', type: 'new-template', minLevel: 'ERROR', window: '10m', pattern: 'disk' },
  ]);

  it('keeps each pattern once, over the longest window and under the shortest time limit of its rules; not the new-template rules’', () => {
    expect(Object.fromEntries(keptPatterns(rules))).toEqual({
      timeout: { windowMs: 3_600_000, timeoutMs: 2000 },
      refused: { windowMs: 600_000, timeoutMs: rules[2]!.timeoutMs },
    });
  });

  it('counts a rule in the evaluation’s one read unless it is a new-template rule or its pattern is not counted per minute', () => {
    const counted = new Map([['timeout', { coveredFrom: new Date(0), addedUntil: '2026-12-03 10:00:00+00', addedId: '0' }]]);
    expect(rules.map((r) => [r.name, countedOnce(r, counted)])).toEqual([
      ['short', true],
      ['long', true],
      ['other', false],
      ['plain', true],
      ['fresh', false],
    ]);
  });
});
