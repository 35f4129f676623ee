import { evaluateRule, initialState, leavesRoomToFire } from '../../lib/alert/evaluator';
import type { EvaluatedRule, RuleState } from '../../lib/alert/evaluator';
import { seededRandom } from '../support/random';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);
const rule: EvaluatedRule = { threshold: 5, clearBelow: 5, forMs: 0, repeatIntervalMs: 60 * MIN, maxNotificationsPerHour: 6 };

function firing(at: number, extra: Partial<RuleState> = {}): RuleState {
  return { state: 'firing', stateSince: at, firingSince: at, lastNotifiedAt: at, peakCount: 7, ...extra };
}

/** Feed counts one minute apart; returns the notifications (or '-') in order. */
function run(r: EvaluatedRule, counts: number[], sentLastHour = 0): string[] {
  let state: RuleState | null = null;
  return counts.map((count, i) => {
    const d = evaluateRule(r, state, { count, now: T0 + i * MIN, notificationsLastHour: sentLastHour });
    state = d.next;
    return d.notify ?? '-';
  });
}

describe('Function: evaluateRule', () => {
  describe('from OK', () => {
    it('stays OK below the threshold, notifying nothing', () => {
      const d = evaluateRule(rule, null, { count: 4, now: T0, notificationsLastHour: 0 });

      expect(d).toEqual({ next: initialState(T0), notify: null, held: null });
    });

    it('goes FIRING with one notification when the threshold is met', () => {
      const d = evaluateRule(rule, initialState(T0), { count: 5, now: T0 + MIN, notificationsLastHour: 0 });

      expect(d.notify).toBe('firing');
      expect(d.next).toEqual({
        state: 'firing',
        stateSince: T0 + MIN,
        firingSince: T0 + MIN,
        lastNotifiedAt: T0 + MIN,
        peakCount: 5,
        clearingSince: null,
        heldSince: null,
      });
    });

    it('fires even when the hourly cap is used up (the cap holds resolutions instead)', () => {
      const d = evaluateRule(rule, initialState(T0), { count: 9, now: T0, notificationsLastHour: 99 });

      expect(d.notify).toBe('firing');
    });

    it('goes PENDING, not FIRING, when the rule has a pending period', () => {
      const d = evaluateRule({ ...rule, forMs: 3 * MIN }, null, { count: 5, now: T0, notificationsLastHour: 0 });

      expect(d).toMatchObject({ next: { state: 'pending', stateSince: T0 }, notify: null });
    });
  });

  describe('from PENDING', () => {
    const pending = { ...rule, forMs: 3 * MIN };

    it('fires once the threshold has held for the whole pending period', () => {
      expect(run(pending, [5, 6, 7, 8, 9])).toEqual(['-', '-', '-', 'firing', '-']);
    });

    it('goes back to OK silently when the count drops before the period ends', () => {
      expect(run(pending, [5, 6, 2, 5, 6, 7])).toEqual(['-', '-', '-', '-', '-', '-']);
    });
  });

  describe('from FIRING', () => {
    it('notifies nothing while the rule keeps firing within the repeat interval', () => {
      const d = evaluateRule(rule, firing(T0), { count: 50, now: T0 + 59 * MIN, notificationsLastHour: 1 });

      expect(d).toMatchObject({ notify: null, next: { state: 'firing', peakCount: 50, lastNotifiedAt: T0 } });
    });

    it('sends a reminder when the repeat interval has passed, then waits another interval', () => {
      const first = evaluateRule(rule, firing(T0), { count: 6, now: T0 + 60 * MIN, notificationsLastHour: 1 });
      const second = evaluateRule(rule, first.next, { count: 6, now: T0 + 61 * MIN, notificationsLastHour: 2 });
      const third = evaluateRule(rule, first.next, { count: 6, now: T0 + 120 * MIN, notificationsLastHour: 1 });

      expect([first.notify, second.notify, third.notify]).toEqual(['reminder', null, 'reminder']);
      expect(first.next).toMatchObject({ state: 'firing', firingSince: T0, lastNotifiedAt: T0 + 60 * MIN });
    });

    it('sends no reminders when the repeat interval is 0', () => {
      const d = evaluateRule({ ...rule, repeatIntervalMs: 0 }, firing(T0), { count: 6, now: T0 + 600 * MIN, notificationsLastHour: 0 });

      expect(d.notify).toBeNull();
    });

    it('resolves with one notification when the count falls below the clear threshold', () => {
      const d = evaluateRule(rule, firing(T0), { count: 4, now: T0 + 30 * MIN, notificationsLastHour: 1 });

      expect(d.notify).toBe('resolved');
      expect(d.next).toEqual({
        state: 'ok',
        stateSince: T0 + 30 * MIN,
        firingSince: null,
        lastNotifiedAt: T0 + 30 * MIN,
        peakCount: 0,
        clearingSince: null,
        heldSince: null,
      });
    });

    it('keeps firing between the clear threshold and the fire threshold (no flapping)', () => {
      const hysteresis = { ...rule, clearBelow: 2 };

      expect(run(hysteresis, [5, 4, 3, 2, 5, 4, 1, 4])).toEqual(['firing', '-', '-', '-', '-', '-', 'resolved', '-']);
    });

    it('holds a resolution back, staying FIRING, while it would leave no room for the next FIRING', () => {
      const d = evaluateRule(rule, firing(T0), { count: 0, now: T0 + 5 * MIN, notificationsLastHour: 5 });

      expect(d).toMatchObject({ notify: null, held: 'resolution', next: { state: 'firing' } });
    });

    it('holds a reminder back when the cap is used up', () => {
      const d = evaluateRule(rule, firing(T0), { count: 9, now: T0 + 60 * MIN, notificationsLastHour: 6 });

      expect(d).toMatchObject({ notify: null, held: 'reminder', next: { state: 'firing', lastNotifiedAt: T0 } });
    });
  });

  it.each([
    ['a steady error rate', [6, 6, 6, 6, 6, 6], ['firing', '-', '-', '-', '-', '-']],
    ['a burst and recovery', [0, 9, 9, 0, 0], ['-', 'firing', '-', 'resolved', '-']],
    ['a count hovering at the threshold without a clear threshold', [5, 4, 5, 4], ['firing', 'resolved', 'firing', 'resolved']],
  ])('notifies only on transitions for %s', (_name, counts, expected) => {
    expect(run(rule, counts)).toEqual(expected);
  });
});

describe('Hourly cap against a flapping log', () => {
  /** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
  const prng = (seed: number): (() => number) => seededRandom(seed).next;

  it.each([1, 2, 3, 4, 5])('never exceeds the cap, and the last message never says resolved while firing (seed %d)', (seed) => {
    // Prepare
    const random = prng(seed);
    const capped = { ...rule, repeatIntervalMs: 10 * MIN, maxNotificationsPerHour: 4 };
    const sent: { at: number; kind: string }[] = [];
    let state: RuleState | null = null;

    for (let minute = 0; minute < 3000; minute += 1) {
      // Act: an attacker toggles the count around the threshold
      const now = T0 + minute * MIN;
      const count = random() < 0.5 ? 0 : 5 + Math.floor(random() * 3);
      const lastHour = sent.filter((n) => n.at > now - 60 * MIN).length;
      const d = evaluateRule(capped, state, { count, now, notificationsLastHour: lastHour });
      state = d.next;
      if (d.notify) sent.push({ at: now, kind: d.notify });

      // Assess
      expect(sent.filter((n) => n.at > now - 60 * MIN).length).toBeLessThanOrEqual(capped.maxNotificationsPerHour);
      if (count >= capped.threshold) {
        expect(state.state).toBe('firing');
        expect(sent[sent.length - 1]?.kind).not.toBe('resolved');
      }
    }
    expect(sent.length).toBeGreaterThan(100);
  });
});

describe('Function: leavesRoomToFire', () => {
  it.each([
    [0, true],
    [4, true],
    [5, false],
    [6, false],
  ])('with %d notifications in the hour and a cap of 6: %s', (sent, expected) => {
    expect(leavesRoomToFire({ maxNotificationsPerHour: 6 }, sent)).toBe(expected);
  });
});

describe('Function: evaluateRule (keepFiringFor)', () => {
  const keep = { ...rule, keepFiringForMs: 5 * MIN };

  it('does not flap at a steady rate whose count hovers at the threshold', () => {
    // one error every 65 s in a 5m window: the count is 5, then 4, then 5...
    const counts = Array.from({ length: 30 }, (_, i) => (i % 3 === 2 ? 4 : 5));

    expect(run(keep, counts).filter((n) => n !== '-')).toEqual(['firing']);
  });

  it('resolves once the count stayed below clearBelow for keepFiringFor, once', () => {
    expect(run(keep, [5, 0, 0, 0, 0, 0, 0, 0])).toEqual(['firing', '-', '-', '-', '-', '-', 'resolved', '-']);
  });

  it('starts the keep-firing period again when the count comes back', () => {
    expect(run(keep, [5, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0])).toEqual(['firing', '-', '-', '-', '-', '-', '-', '-', '-', '-', 'resolved', '-']);
  });

  it('remembers since when the cap holds a notification back, and forgets it once one goes', () => {
    const held = evaluateRule(rule, firing(T0), { count: 0, now: T0 + 30 * MIN, notificationsLastHour: 6 });
    const later = evaluateRule(rule, held.next, { count: 0, now: T0 + 40 * MIN, notificationsLastHour: 6 });
    const sent = evaluateRule(rule, later.next, { count: 0, now: T0 + 70 * MIN, notificationsLastHour: 0 });

    expect([held.held, held.next.heldSince, later.next.heldSince]).toEqual(['resolution', T0 + 30 * MIN, T0 + 30 * MIN]);
    expect([sent.notify, sent.next.heldSince]).toEqual(['resolved', null]);
  });
});
