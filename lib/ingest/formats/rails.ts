/**
 * `rails`: Ruby's `Logger::Formatter` (the default of Ruby's Logger and of
 * Rails' production log): `E, [2026-11-23T10:00:00.123456 #1234] ERROR -- progname: message`,
 * `"%.1s, [%s #%d] %5s -- %s: %s\n"` in ruby/lib/logger/formatter.rb.
 *
 * The letter and the right-aligned word must agree (D DEBUG, I INFO, W WARN,
 * E ERROR, F FATAL, A ANY). `ANY` is what Logger prints for `Logger::UNKNOWN`
 * ("an unknown message that should always be logged"). Ruby ranks UNKNOWN (5)
 * above FATAL (4), but it says "unknown", not "fatal": it is stored as ERROR,
 * kept by the default level filter without firing the any-FATAL rule.
 * A custom `datetime_format` is read when `readTimestamp` knows its shape.
 * The time has no offset (Ruby writes local time): the source's zone applies.
 */
import type { Level } from './severity';
import { readTimestamp } from './timestamp-level';
import type { LineFormat, ParseContext, ParsedLine } from './types';
import { isDigit, isUpper } from './chars';

const SEVERITIES: Readonly<Record<string, Level>> = {
  DEBUG: 'DEBUG',
  INFO: 'INFO',
  WARN: 'WARN',
  ERROR: 'ERROR',
  FATAL: 'FATAL',
  ANY: 'ERROR',
};

function parseRails(line: string, context: ParseContext): ParsedLine | null {
  const letter = line.charCodeAt(0);
  // D I W E F A
  if (letter !== 68 && letter !== 73 && letter !== 87 && letter !== 69 && letter !== 70 && letter !== 65) return null;
  if (line.charCodeAt(1) !== 44 || line.charCodeAt(2) !== 32 || line.charCodeAt(3) !== 91) return null;
  const ts = readTimestamp(line, 4, context.referenceMs);
  if (ts === null || !ts.dateKnown) return null;
  let p = ts.end;
  while (line.charCodeAt(p) === 32) p += 1;
  if (line.charCodeAt(p) !== 35) return null;
  const pidStart = p + 1;
  p = pidStart;
  while (p - pidStart < 12 && isDigit(line.charCodeAt(p))) p += 1;
  if (p === pidStart || line.charCodeAt(p) !== 93 || line.charCodeAt(p + 1) !== 32) return null;
  p += 2;
  while (line.charCodeAt(p) === 32) p += 1;
  const wordStart = p;
  while (p - wordStart < 6 && isUpper(line.charCodeAt(p))) p += 1;
  if (line.charCodeAt(wordStart) !== letter || !line.startsWith(' -- ', p)) return null;
  const levelText = line.slice(wordStart, p);
  const level = SEVERITIES[levelText];
  if (level === undefined) return null;
  // `-- : message` when there is no progname; `-- progname: message` keeps the progname.
  const rest = p + 4;
  const message = line.charCodeAt(rest) === 58 ? line.slice(line.charCodeAt(rest + 1) === 32 ? rest + 2 : rest + 1) : line.slice(rest);
  return { format: 'rails', time: ts.time, level, levelText, message, fields: null };
}

/**
 * Ruby Logger lines (`E, [2026-11-23T10:00:00.123456 #1234] ERROR -- app: boom`).
 *
 * @example
 *   RAILS_FORMAT.parse('E, [2026-11-23T10:00:00.123456 #1234] ERROR -- app: boom', { referenceMs: 0 });
 *   // { format: 'rails', time: '2026-11-23 10:00:00.123456', level: 'ERROR', levelText: 'ERROR', message: 'app: boom', fields: null }
 */
export const RAILS_FORMAT: LineFormat = { name: 'rails', parse: parseRails };
