/**
 * Character-code tests the format parsers share. Parsers look at char codes
 * rather than regular expressions so that rejecting a foreign line costs a
 * few comparisons and allocates nothing. NaN (past the end of a line) is
 * none of these.
 */

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

export function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}

/** An ASCII letter (a non-ASCII letter is never part of a level word or a field name). */
export function isLetter(c: number): boolean {
  return isUpper(c) || isLower(c);
}

/** A space or a tab. */
export function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/**
 * The number written with exactly `width` digits at `line[start..start+width)`,
 * or -1 when one of them is not a digit.
 *
 * @example
 *   digitsAt('2026-11-23', 5, 2) // 11
 */
export function digitsAt(line: string, start: number, width: number): number {
  let value = 0;
  for (let k = start; k < start + width; k += 1) {
    const c = line.charCodeAt(k);
    if (!isDigit(c)) return -1;
    value = value * 10 + (c - 48);
  }
  return value;
}

/**
 * The fraction of seconds after a `.` at `line[i]`: its first `max` digits
 * and where it ends (`skipRest`: past any further digits, which are dropped).
 * No `.` at `i` is no fraction (`{ end: i, digits: '' }`); a `.` without a
 * digit after it is not a time at all (null).
 *
 * @example
 *   readFraction('10:00:00.123456 x', 8, 9) // { end: 15, digits: '123456' }
 */
export function readFraction(line: string, i: number, max: number, skipRest = false): { end: number; digits: string } | null {
  if (line.charCodeAt(i) !== 0x2e) return { end: i, digits: '' };
  const start = i + 1;
  let end = start;
  while (end - start < max && isDigit(line.charCodeAt(end))) end += 1;
  if (end === start) return null;
  const digits = line.slice(start, end);
  if (skipRest) while (isDigit(line.charCodeAt(end))) end += 1;
  return { end, digits };
}
