import type { AlertStateName, NotificationKind } from './categories';
import type { AlertRule } from './rules';

/** What is kept per rule between runs (times in ms since the epoch). */
export interface RuleState {
  state: AlertStateName;
  /** When the current state began. */
  stateSince: number;
  /** When the rule last went FIRING; null unless firing. */
  firingSince: number | null;
  lastNotifiedAt: number | null;
  /** Highest count seen while firing. */
  peakCount: number;
  /** While FIRING: when the count first fell below `clearBelow` (it resolves once that lasted `keepFiringForMs`); null while it does not. */
  clearingSince?: number | null;
  /** When the hourly cap first held back one of its notifications; null when none is held. */
  heldSince?: number | null;
}

/** One evaluation's input: the window count at `now`. */
export interface Observation {
  count: number;
  now: number;
  /** Notifications this rule queued in the hour before `now`. */
  notificationsLastHour: number;
}

export interface Decision {
  next: RuleState;
  notify: Exclude<NotificationKind, 'late'> | null;
  /** What the hourly cap held back this time (the rule stays FIRING). */
  held: 'resolution' | 'reminder' | null;
}

export type EvaluatedRule = Pick<AlertRule, 'threshold' | 'clearBelow' | 'forMs' | 'repeatIntervalMs' | 'maxNotificationsPerHour'> &
  Partial<Pick<AlertRule, 'keepFiringForMs'>>;

/** The state of a rule never evaluated before. */
export function initialState(now: number): RuleState {
  return { state: 'ok', stateSince: now, firingSince: null, lastNotifiedAt: null, peakCount: 0, clearingSince: null, heldSince: null };
}

/**
 * Whether a notification that may be followed by a FIRING (a resolution, a
 * late-data report) fits the cap: it must leave one slot in the hour, so a
 * FIRING is never held and the last message a subscriber got is never
 * "all is well" while the rule fires.
 */
export function leavesRoomToFire(rule: Pick<AlertRule, 'maxNotificationsPerHour'>, notificationsLastHour: number): boolean {
  return notificationsLastHour <= rule.maxNotificationsPerHour - 2;
}

/**
 * The state machine of one rule, pure: OK → (PENDING for `forMs`) → FIRING
 * when the count reaches the threshold; FIRING → OK (resolved) when it has
 * stayed below `clearBelow` for `keepFiringForMs`; a reminder every
 * `repeatIntervalMs` while FIRING.
 *
 * The hourly cap never holds a FIRING back; it holds resolutions and
 * reminders instead, so a rule an attacker makes flap stays FIRING (silent,
 * but not falsely "resolved") until the hour has room again.
 *
 * @example
 *   const { next, notify } = evaluateRule(rule, previous, { count: 7, now: Date.now(), notificationsLastHour: 0 });
 */
export function evaluateRule(rule: EvaluatedRule, previous: RuleState | null, observation: Observation): Decision {
  const { count, now, notificationsLastHour } = observation;
  const state = previous ?? initialState(now);
  const stay: Decision = { next: state, notify: null, held: null };
  const fire = (): Decision => ({
    next: { state: 'firing', stateSince: now, firingSince: now, lastNotifiedAt: now, peakCount: count, clearingSince: null, heldSince: null },
    notify: 'firing',
    held: null,
  });
  const becomeOk = (): RuleState => ({
    state: 'ok',
    stateSince: now,
    firingSince: null,
    lastNotifiedAt: state.lastNotifiedAt,
    peakCount: 0,
    clearingSince: null,
    heldSince: null,
  });
  const hold = (next: RuleState, held: 'resolution' | 'reminder'): Decision => ({ next: { ...next, heldSince: state.heldSince ?? now }, notify: null, held });

  switch (state.state) {
    case 'ok':
      if (count < rule.threshold) return stay;
      if (rule.forMs === 0) return fire();
      return { next: { ...state, state: 'pending', stateSince: now }, notify: null, held: null };

    case 'pending':
      if (count < rule.threshold) return { next: becomeOk(), notify: null, held: null };
      if (now - state.stateSince >= rule.forMs) return fire();
      return stay;

    case 'firing': {
      const firing: RuleState = { ...state, peakCount: Math.max(state.peakCount, count), clearingSince: null };
      if (count < rule.clearBelow) {
        // keep firing for a while after the count fell: a count hovering at the threshold does not flap
        const clearingSince = state.clearingSince ?? now;
        if (now - clearingSince < (rule.keepFiringForMs ?? 0)) return { next: { ...firing, clearingSince }, notify: null, held: null };
        if (!leavesRoomToFire(rule, notificationsLastHour)) return hold({ ...firing, clearingSince }, 'resolution');
        return { next: { ...becomeOk(), lastNotifiedAt: now }, notify: 'resolved', held: null };
      }
      const lastReminderBase = state.lastNotifiedAt ?? state.firingSince ?? state.stateSince;
      if (rule.repeatIntervalMs > 0 && now - lastReminderBase >= rule.repeatIntervalMs) {
        if (notificationsLastHour >= rule.maxNotificationsPerHour) return hold(firing, 'reminder');
        return { next: { ...firing, lastNotifiedAt: now, heldSince: null }, notify: 'reminder', held: null };
      }
      return { next: firing, notify: null, held: null };
    }
  }
}
