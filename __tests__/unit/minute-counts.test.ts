import { readsMinutes, wholeMinutes } from '../../lib/alert/minute-counts';
import { parseAlertRules } from '../../lib/alert/rules';

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
