/**
 * `brief`: the original format, `YYYY-MM-DD[ T]HH:MM:SS[.,f][Z|±hh[[:]mm]] [LEVEL] message`.
 * The string-level twin of `parseLineHeader` (lib/ingest/line-header.ts, the
 * byte-level parser ingest uses) with the same acceptance (docs/log-format.md),
 * except that the level is any ASCII word `levelOfWord` knows (`[CRIT]`,
 * `[Err]`, `[SEVERE]`). A line whose timestamp or level fails a rule is null
 * here (line-header calls it an unparseable header). Fraction digits are cut
 * to microseconds (line-header passes 9 and PostgreSQL rounds them).
 */
import { asciiLevel } from './timestamp-level';
import { canonicalOffset, canonicalTime } from './timestamp';
import type { LineFormat, ParsedLine } from './types';
import { isBlank, isDigit } from './chars';

/** `[` + the longest level word (`INFORMATIONAL`) + `]`. */
const MAX_LEVEL = 13;

function num(line: string, i: number, count: number): number {
  let value = 0;
  for (let k = 0; k < count; k += 1) {
    const c = line.charCodeAt(i + k);
    if (!isDigit(c)) return -1;
    value = value * 10 + (c - 48);
  }
  return value;
}

function parseBrief(line: string): ParsedLine | null {
  if (line.length < 19 || !isDigit(line.charCodeAt(0))) return null;
  const year = num(line, 0, 4);
  const month = num(line, 5, 2);
  const day = num(line, 8, 2);
  const hour = num(line, 11, 2);
  const minute = num(line, 14, 2);
  const second = num(line, 17, 2);
  const t = line.charCodeAt(10);
  if (
    year < 0 ||
    month < 0 ||
    day < 0 ||
    hour < 0 ||
    minute < 0 ||
    second < 0 ||
    line.charCodeAt(4) !== 45 ||
    line.charCodeAt(7) !== 45 ||
    (t !== 32 && t !== 84) ||
    line.charCodeAt(13) !== 58 ||
    line.charCodeAt(16) !== 58
  ) {
    return null;
  }
  // line-header rejects the leap second; canonicalTime would accept it.
  if (second > 59) return null;
  let i = 19;
  let fraction = '';
  const sep = line.charCodeAt(i);
  if ((sep === 46 || sep === 44) && isDigit(line.charCodeAt(i + 1))) {
    const start = i + 1;
    i = start;
    while (isDigit(line.charCodeAt(i))) i += 1;
    fraction = line.slice(start, Math.min(i, start + 6));
  }
  let offsetText = '';
  const o = line.charCodeAt(i);
  if (o === 90) {
    offsetText = 'Z';
    i += 1;
  } else if ((o === 43 || o === 45) && i + 2 < line.length && num(line, i + 1, 2) >= 0) {
    let end = i + 3;
    if (line.charCodeAt(end) === 58 && end + 2 < line.length && num(line, end + 1, 2) >= 0) end += 3;
    else if (end + 1 < line.length && num(line, end, 2) >= 0) end += 2;
    offsetText = line.slice(i, end);
    i = end;
  }
  const offset = canonicalOffset(offsetText);
  if (offset === null) return null;
  const time = canonicalTime(year, month, day, hour, minute, second, fraction, offset);
  if (time === '' || (i < line.length && !isBlank(line.charCodeAt(i)))) return null;
  while (isBlank(line.charCodeAt(i))) i += 1;
  if (line.charCodeAt(i) !== 91) return null;
  const levelStart = i + 1;
  let j = levelStart;
  while (j - levelStart <= MAX_LEVEL && j < line.length && line.charCodeAt(j) !== 93) j += 1;
  if (line.charCodeAt(j) !== 93) return null;
  const level = asciiLevel(line, levelStart, j);
  if (level === null) return null;
  let m = j + 1;
  while (isBlank(line.charCodeAt(m))) m += 1;
  return { format: 'brief', time, level, levelText: line.slice(levelStart, j), message: line.slice(m), fields: null };
}

/**
 * The original brief's lines (`2026-11-23 10:00:00 [ERROR] boom`).
 *
 * @example
 *   BRIEF_FORMAT.parse('2026-11-23 10:00:00 [error] boom', { referenceMs: 0 });
 *   // { format: 'brief', time: '2026-11-23 10:00:00', level: 'ERROR', levelText: 'error', message: 'boom', fields: null }
 */
export const BRIEF_FORMAT: LineFormat = { name: 'brief', parse: parseBrief };
