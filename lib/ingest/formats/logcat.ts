/**
 * `logcat`: Android's `adb logcat -v threadtime` (the default of
 * `adb logcat` and of bug reports), `MM-DD HH:MM:SS.mmm  PID  TID L TAG: msg`,
 * and `-v time`, `MM-DD HH:MM:SS.mmm L/TAG( PID): msg`. Level letters
 * V D I W E F (A = assert, taken as FATAL); the year is the file's.
 */
import { levelOfLetter } from './severity';
import type { Level } from './severity';
import { canonicalTime, inferYear } from './timestamp';
import type { LineFormat, ParseContext, ParsedLine } from './types';
import { digitsAt } from './chars';

function letterLevel(c: string): Level | null {
  if (c === 'V') return 'TRACE';
  if (c === 'A') return 'FATAL';
  return 'DIEWF'.includes(c) ? levelOfLetter(c) : null;
}

function parseLogcat(line: string, context: ParseContext): ParsedLine | null {
  // MM-DD HH:MM:SS.mmm
  if (
    line.length < 24 ||
    line.charCodeAt(2) !== 45 ||
    line.charCodeAt(5) !== 32 ||
    line.charCodeAt(8) !== 58 ||
    line.charCodeAt(11) !== 58 ||
    line.charCodeAt(14) !== 46
  )
    return null;
  const month = digitsAt(line, 0, 2);
  const day = digitsAt(line, 3, 2);
  const hour = digitsAt(line, 6, 2);
  const minute = digitsAt(line, 9, 2);
  const second = digitsAt(line, 12, 2);
  const millis = digitsAt(line, 15, 3);
  if (month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || millis < 0 || line.charCodeAt(18) !== 32) return null;
  let p = 18;
  while (line.charCodeAt(p) === 32 && p < 30) p += 1;
  let levelText: string;
  let message: string;
  if (line.charCodeAt(p + 1) === 47) {
    // -v time: `E/Tag( 123): msg`
    levelText = line[p]!;
    message = line.slice(p + 2);
  } else {
    // -v threadtime: `  1702  2395 D Tag: msg`
    const pidStart = p;
    while (p < line.length && line.charCodeAt(p) >= 48 && line.charCodeAt(p) <= 57) p += 1;
    if (p === pidStart || line.charCodeAt(p) !== 32) return null;
    while (line.charCodeAt(p) === 32 && p < 60) p += 1;
    const tidStart = p;
    while (p < line.length && line.charCodeAt(p) >= 48 && line.charCodeAt(p) <= 57) p += 1;
    if (p === tidStart || line.charCodeAt(p) !== 32 || line.charCodeAt(p + 2) !== 32) return null;
    levelText = line[p + 1]!;
    message = line.slice(p + 3);
  }
  const level = letterLevel(levelText);
  if (level === null) return null;
  const time = canonicalTime(inferYear(month, day, context.referenceMs), month, day, hour, minute, second, String(millis).padStart(3, '0'), '');
  if (time === '') return null;
  return { format: 'logcat', time, level, levelText, message, fields: null };
}

/**
 * Android logcat lines (`threadtime` and `time` formats).
 *
 * @example
 *   LOGCAT_FORMAT.parse('03-17 16:13:46.764  2227  2794 E Keyguard: sim is null', { referenceMs: Date.UTC(2026, 2, 18) })?.level // 'ERROR'
 */
export const LOGCAT_FORMAT: LineFormat = { name: 'logcat', parse: parseLogcat };
