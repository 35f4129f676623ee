import { RULE_TYPE } from './rules';
import type { AlertRule } from './rules';
import type { RuleKey } from './rule-key';

/** One minute in ms: the grain of log_entry_minutes (020_entry_minutes.sql). */
export const MINUTE_MS = 60_000;

/** The whole minutes [lo, hi) of a window (from, to]: those it holds from their first instant to their last. */
export interface WholeMinutes {
  lo: Date;
  hi: Date;
}

/**
 * The whole minutes of the window (fromMs, toMs], or null when it holds none.
 * The minute starting at `fromMs` is not whole (the window excludes its first
 * instant), nor is the one holding `toMs`: the statements count both ends,
 * (from, lo) and [hi, to], from the entries.
 *
 * @example
 *   wholeMinutes(Date.parse('2026-12-03T10:00:30Z'), Date.parse('2026-12-03T10:05:10Z'))
 *   // { lo: 10:01:00, hi: 10:05:00 }: four minutes from the counts, 30 s + 10 s from the entries
 */
export function wholeMinutes(fromMs: number, toMs: number): WholeMinutes | null {
  const lo = Math.floor(fromMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  const hi = Math.floor(toMs / MINUTE_MS) * MINUTE_MS;
  return hi > lo ? { lo: new Date(lo), hi: new Date(hi) } : null;
}

/**
 * Whether a window count of `rule` can read the per-minute counts: they keep
 * (minute, file, template, level), so a rule filtering on levels and file
 * only. A `pattern` reads each message, a new-template rule each template's
 * first appearance, and one key of a grouped rule is counted from entries too.
 */
export function readsMinutes(rule: AlertRule, key: RuleKey | null): boolean {
  return rule.pattern === null && rule.type !== RULE_TYPE.NEW_TEMPLATE && key === null;
}
