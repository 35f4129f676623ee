/** Milliseconds per unit of a duration like "1h30m". */
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const DURATION = /^(?:\d+(?:ms|s|m|h|d))+$/;
const PART = /(\d+)(ms|s|m|h|d)/g;

/**
 * Parse a duration such as "90s", "5m", "1h30m" or "0s" into milliseconds;
 * null when `text` is not one (callers name the field in their error).
 *
 * @example
 *   parseDuration('1h30m') // 5400000
 */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (!DURATION.test(trimmed)) return null;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(PART)) total += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  return Number.isSafeInteger(total) ? total : null;
}

/**
 * A short human duration, largest units first, at most two of them.
 *
 * @example
 *   formatDuration(3_900_000) // "1h 5m"
 *   formatDuration(300_000)   // "5m"
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
  }
  return parts.slice(0, 2).join(' ');
}
