import type { Level } from './severity';
import { canonicalOffset, canonicalTime } from './timestamp';
import type { LineFormat, ParseContext, ParsedLine } from './types';
import { digitsAt, isDigit, isLetter, isUpper, readFraction } from './chars';

/**
 * PostgreSQL's stderr / logging-collector log: `log_line_prefix`, then
 * `SEVERITY:  message` (the server always writes two spaces after the colon,
 * which is what tells its lines from applications'). Recognised prefixes: any
 * that start with `%m` or `%t` (`'%m [%p] '`, the default of 15–17;
 * `'%m [%p] %q%u@%d '`, Debian's; `'%t [%p]: [%l-1] user=%u,db=%d,…'`, the
 * one pgBadger documents; Amazon RDS's `'%t:%r:%u@%d:[%p]:'`), the same
 * inside `< … >` (`'< %m >'`), and the empty prefix of old servers (no time). The severity must be the first
 * `WORD:  ` within the first 512 characters.
 *
 * The zone abbreviation after the time (log_timezone) is mapped only when it
 * is unambiguous: `UTC`, `GMT`, `Z` and numeric ones (`+01`, `-0530`); `CET`,
 * `EST`, `IST`… name different offsets in different places, so the time is
 * then read in the source's zone. Localised servers (`lc_messages` other than
 * English: `FEHLER:`, `ERREUR:`) are not recognised; csvlog is not read, and
 * jsonlog lines are JSON (`timestamp`, `error_severity`, `message`).
 */

/** Entry-starting severities as the server writes them (DEBUG1–5 are all written `DEBUG`). */
const SEVERITIES: Readonly<Record<string, Level>> = {
  DEBUG: 'DEBUG',
  DEBUG1: 'DEBUG',
  DEBUG2: 'DEBUG',
  DEBUG3: 'DEBUG',
  DEBUG4: 'DEBUG',
  DEBUG5: 'DEBUG',
  LOG: 'INFO',
  INFO: 'INFO',
  NOTICE: 'NOTICE',
  WARNING: 'WARN',
  ERROR: 'ERROR',
  FATAL: 'FATAL',
  PANIC: 'FATAL',
};

/**
 * Lines that carry the prefix but continue the entry above: they are not
 * claimed, so the scanner appends them to the ERROR (or LOG) they explain.
 */
const DETAIL_LABELS: ReadonlySet<string> = new Set(['DETAIL', 'HINT', 'QUERY', 'CONTEXT', 'LOCATION', 'STATEMENT']);

const MAX_PREFIX = 512;
const MAX_WORD = 9;
const MAX_FRACTION = 9;
/** `2026-11-23 10:00:00 LOG:  x` */
const MIN_TIMED_LENGTH = 26;

/** Space, `]`, `>`, `,`, `:` or `-`: what separates the fields of a prefix. */
function isSeparator(code: number): boolean {
  return code === 0x20 || code === 0x5d || code === 0x3e || code === 0x2c || code === 0x3a || code === 0x2d;
}

interface Stamp {
  time: string;
  /** Index after the time and its zone. */
  end: number;
}

/** `YYYY-MM-DD HH:MM:SS[.fff][ ZONE]` at `start` (`%m`, `%t`), or null. */
function readStamp(line: string, start: number): Stamp | null {
  const s = start;
  if (line.charCodeAt(s + 4) !== 0x2d || line.charCodeAt(s + 7) !== 0x2d || line.charCodeAt(s + 10) !== 0x20) return null;
  if (line.charCodeAt(s + 13) !== 0x3a || line.charCodeAt(s + 16) !== 0x3a) return null;
  const year = digitsAt(line, s, 4);
  const month = digitsAt(line, s + 5, 2);
  const day = digitsAt(line, s + 8, 2);
  const hour = digitsAt(line, s + 11, 2);
  const minute = digitsAt(line, s + 14, 2);
  const second = digitsAt(line, s + 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return null;
  let i = s + 19;
  const read = readFraction(line, i, MAX_FRACTION);
  if (read === null) return null;
  i = read.end;
  const fraction = read.digits;
  let offset = '';
  if (line.charCodeAt(i) === 0x20) {
    const z = i + 1;
    const c = line.charCodeAt(z);
    let e = z;
    if (isLetter(c)) {
      while (e - z < 6 && isLetter(line.charCodeAt(e))) e++;
    } else if (c === 0x2b || c === 0x2d) {
      e = z + 1;
      while (e - z < 6 && (isDigit(line.charCodeAt(e)) || line.charCodeAt(e) === 0x3a)) e++;
    }
    // a zone ends at a space or at the prefix's next separator (`]`, `>`, `,`, `:` of RDS's '%t:%r:…', `-` of Azure's '%t-%c-')
    const after = line.charCodeAt(e);
    // (`LOG:  ` right after the time is the severity, not a zone)
    if (e > z && isSeparator(after) && !(after === 0x3a && line.charCodeAt(e + 1) === 0x20)) {
      // abbreviations other than UTC/GMT are ambiguous: the source's zone applies
      offset = canonicalOffset(line.slice(z, e)) ?? '';
      i = e;
    }
  }
  const time = canonicalTime(year, month, day, hour, minute, second, fraction, offset);
  return time === '' ? null : { time, end: i };
}

/**
 * The severity word that ends at `colon` (the first `:  ` of the line), as
 * the start of the word, or -1 when the word is not a PostgreSQL label.
 */
function wordStart(line: string, colon: number, min: number): number {
  let w = colon;
  while (w > min && colon - w < MAX_WORD && (isUpper(line.charCodeAt(w - 1)) || isDigit(line.charCodeAt(w - 1)))) w--;
  if (w === colon || !isUpper(line.charCodeAt(w))) return -1;
  // the word stands alone: at the start, or after a space or a separator of the prefix
  return w === min || isSeparator(line.charCodeAt(w - 1)) ? w : -1;
}

function parsePostgresLine(line: string, _context: ParseContext): ParsedLine | null {
  const first = line.charCodeAt(0);
  let from = 0;
  let time = '';
  if (isDigit(first)) {
    if (line.length < MIN_TIMED_LENGTH) return null;
    const stamp = readStamp(line, 0);
    if (stamp === null) return null;
    time = stamp.time;
    from = stamp.end;
  } else if (first === 0x3c) {
    // '< %m >'
    if (line.length < MIN_TIMED_LENGTH + 3 || line.charCodeAt(1) !== 0x20 || !isDigit(line.charCodeAt(2))) return null;
    const stamp = readStamp(line, 2);
    if (stamp === null) return null;
    time = stamp.time;
    from = stamp.end;
  } else if (!isUpper(first)) {
    return null;
  }

  // the first `:  ` of the line ends the severity word; without a prefix it opens the line
  const limit = Math.min(line.length - 2, from + (time === '' ? MAX_WORD + 1 : MAX_PREFIX));
  let colon = -1;
  for (let i = from; i < limit; i++) {
    if (line.charCodeAt(i) === 0x3a && line.charCodeAt(i + 1) === 0x20 && line.charCodeAt(i + 2) === 0x20) {
      colon = i;
      break;
    }
  }
  if (colon < 0) return null;
  const w = wordStart(line, colon, from);
  if (w < 0 || (time === '' && w !== 0)) return null;
  const word = line.slice(w, colon);
  if (DETAIL_LABELS.has(word)) return null;
  const level = SEVERITIES[word];
  if (level === undefined) return null;
  return { format: 'postgresql', time, level, levelText: word, message: line.slice(colon + 3), fields: null };
}

/**
 * PostgreSQL server log lines. DETAIL/HINT/QUERY/CONTEXT/LOCATION/STATEMENT
 * lines return null on purpose: they continue the entry above. The message is
 * the text after `SEVERITY:  ` (prefix fields such as pid and user@db are
 * dropped).
 *
 * @example
 *   POSTGRESQL_FORMAT.parse('2026-11-23 10:00:00.123 UTC [1234] ERROR:  relation "x" does not exist', { referenceMs: 0 })
 *   // { format: 'postgresql', time: '2026-11-23 10:00:00.123Z', level: 'ERROR', levelText: 'ERROR', message: 'relation "x" does not exist', fields: null }
 */
export const POSTGRESQL_FORMAT: LineFormat = {
  name: 'postgresql',
  parse: parsePostgresLine,
};
