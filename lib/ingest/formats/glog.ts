/**
 * `glog`: Google's glog and Kubernetes' klog,
 * `Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg` (`E1123 10:00:00.123456    1234 main.go:42] boom`),
 * and glog ≥ 0.6's `Lyyyymmdd …` with the year. Levels I, W, E, F. A date
 * without a year gets one from `inferYear` (the file's modification time).
 * The time has no offset (glog writes local time unless told otherwise). The
 * message keeps `file:line]`, which tells the reader where it was logged.
 */
import { levelOfLetter } from './severity';
import { canonicalTime, inferYear } from './timestamp';
import type { LineFormat, ParseContext, ParsedLine } from './types';
import { digitsAt, isDigit } from './chars';

/** Longest `threadid` and `file:line` fields looked at. */
const MAX_FIELD = 256;

function parseGlog(line: string, context: ParseContext): ParsedLine | null {
  const letter = line.charCodeAt(0);
  // I W E F
  if (letter !== 73 && letter !== 87 && letter !== 69 && letter !== 70) return null;
  if (digitsAt(line, 1, 4) < 0) return null;
  let year = -1;
  let p = 5;
  if (line.charCodeAt(5) !== 32) {
    if (digitsAt(line, 5, 4) < 0 || line.charCodeAt(9) !== 32) return null;
    year = digitsAt(line, 1, 4);
    p = 9;
  }
  const month = digitsAt(line, p - 4, 2);
  const day = digitsAt(line, p - 2, 2);
  const hour = digitsAt(line, p + 1, 2);
  const minute = digitsAt(line, p + 4, 2);
  const second = digitsAt(line, p + 7, 2);
  if (hour < 0 || minute < 0 || second < 0 || line.charCodeAt(p + 3) !== 58 || line.charCodeAt(p + 6) !== 58) return null;
  p += 9;
  let fraction = '';
  if (line.charCodeAt(p) === 46) {
    const start = p + 1;
    p = start;
    while (p - start < 9 && isDigit(line.charCodeAt(p))) p += 1;
    fraction = line.slice(start, p);
  }
  if (line.charCodeAt(p) !== 32) return null;
  while (line.charCodeAt(p) === 32) p += 1;
  // threadid
  const threadStart = p;
  while (p - threadStart < MAX_FIELD && p < line.length && line.charCodeAt(p) !== 32) p += 1;
  if (p === threadStart || line.charCodeAt(p) !== 32) return null;
  p += 1;
  // file:line]
  const fileStart = p;
  while (p - fileStart < MAX_FIELD && p < line.length && line.charCodeAt(p) !== 93 && line.charCodeAt(p) !== 32) p += 1;
  if (line.charCodeAt(p) !== 93) return null;
  let d = p;
  while (d > fileStart && isDigit(line.charCodeAt(d - 1))) d -= 1;
  if (d === p || line.charCodeAt(d - 1) !== 58 || d - 1 === fileStart) return null;
  const after = line.charCodeAt(p + 1);
  if (!Number.isNaN(after) && after !== 32) return null;
  const y = year >= 0 ? year : inferYear(month, day, context.referenceMs);
  const time = canonicalTime(y, month, day, hour, minute, second, fraction, '');
  if (time === '') return null;
  const levelText = String.fromCharCode(letter);
  return { format: 'glog', time, level: levelOfLetter(levelText), levelText, message: line.slice(fileStart), fields: null };
}

/**
 * glog/klog lines.
 *
 * @example
 *   GLOG_FORMAT.parse('E1123 10:00:00.123456    1234 main.go:42] boom', { referenceMs: Date.UTC(2026, 11, 1) });
 *   // { format: 'glog', time: '2026-11-23 10:00:00.123456', level: 'ERROR', levelText: 'E', message: 'main.go:42] boom', fields: null }
 */
export const GLOG_FORMAT: LineFormat = { name: 'glog', parse: parseGlog };
