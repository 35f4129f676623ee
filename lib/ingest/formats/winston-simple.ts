/**
 * `winston-simple`: winston's `format.simple()` and `format.cli()` without
 * colours, `level: message` with npm's lower-case level names
 * (`error: payment failed {"orderId":7}`), no time.
 *
 * Only winston's own seven words are claimed, in lower case, followed by a
 * colon and a space: `Error: …` (a Node stack's first line) and `fatal: …`
 * (git) are not.
 */
import type { Level } from './severity';
import type { LineFormat, ParsedLine } from './types';

const NPM_LEVELS: Readonly<Record<string, Level>> = {
  error: 'ERROR',
  warn: 'WARN',
  info: 'INFO',
  http: 'INFO',
  verbose: 'DEBUG',
  debug: 'DEBUG',
  silly: 'TRACE',
};

function parseWinstonSimple(line: string): ParsedLine | null {
  const c = line.charCodeAt(0);
  // e, w, i, h, v, d, s
  if (c !== 0x65 && c !== 0x77 && c !== 0x69 && c !== 0x68 && c !== 0x76 && c !== 0x64 && c !== 0x73) return null;
  const colon = line.indexOf(': ');
  if (colon < 4 || colon > 7) return null;
  const levelText = line.slice(0, colon);
  const level = NPM_LEVELS[levelText];
  if (level === undefined) return null;
  return { format: 'winston-simple', time: '', level, levelText, message: line.slice(colon + 2), fields: null };
}

/**
 * winston `simple()` lines.
 *
 * @example
 *   WINSTON_SIMPLE_FORMAT.parse('error: boom', { referenceMs: 0 })?.level // 'ERROR'
 */
export const WINSTON_SIMPLE_FORMAT: LineFormat = { name: 'winston-simple', parse: parseWinstonSimple };
