/**
 * `python-basic`: lines that start with an upper-case level name and carry
 * no time.
 *
 * - Python's `logging.basicConfig()` default `%(levelname)s:%(name)s:%(message)s`
 *   (`ERROR:root:boom`, `CRITICAL:app.db:down`, `WARNING:py.warnings:…`): the
 *   level is any upper-case word `levelOfWord` knows (custom level names
 *   included), the logger name has no blank or colon; the message keeps the
 *   name as written (`root:boom`).
 * - `LEVEL: message` with one space, or padded to column 10 as uvicorn's
 *   `%(levelprefix)s` does (`ERROR:    msg`, `WARNING:  msg`); this is also
 *   the second line of java.util.logging's default two-line SimpleFormatter
 *   (`SEVERE: boom`), whose date line is timestamp-level's.
 *
 * Not claimed: lower-case or Title-case words (`error: …` from winston's
 * `simple()`, git, compilers; `Error: …` starting a Node stack; Go's
 * `panic:`), `LOG:`/`NOTE:` with a space (too common in prose), and
 * PostgreSQL's `ERROR:  ` with two spaces (an empty `log_line_prefix`;
 * uvicorn's `WARNING:  ` and `NOTICE:  ` do look the same).
 */
import { levelOfWord } from './severity';
import type { LineFormat, ParsedLine } from './types';
import { isUpper } from './chars';

/** Longest level name looked at (`INFORMATIONAL`). */
const MAX_LEVEL = 13;
/** Longest logger name looked at. */
const MAX_NAME = 256;
/** uvicorn pads `LEVEL:` so that the message starts at this column. */
const UVICORN_COLUMN = 10;

/** Words that may start `LEVEL: message`; the abbreviations and `LOG`/`NOTE` start prose too often. */
const SPACED_LEVELS: ReadonlySet<string> = new Set([
  'TRACE',
  'DEBUG',
  'INFO',
  'NOTICE',
  'WARN',
  'WARNING',
  'ERROR',
  'SEVERE',
  'CRITICAL',
  'ALERT',
  'FATAL',
  'EMERGENCY',
  'PANIC',
  'CONFIG',
  'FINE',
  'FINER',
  'FINEST',
]);

function parsePythonBasic(line: string): ParsedLine | null {
  if (!isUpper(line.charCodeAt(0))) return null;
  let i = 1;
  while (i <= MAX_LEVEL && isUpper(line.charCodeAt(i))) i += 1;
  if (i < 3 || line.charCodeAt(i) !== 58) return null;
  const levelText = line.slice(0, i);
  const level = levelOfWord(levelText);
  if (level === null) return null;
  const next = line.charCodeAt(i + 1);
  if (next === 32) {
    if (!SPACED_LEVELS.has(levelText)) return null;
    let m = i + 1;
    while (m - i <= UVICORN_COLUMN && line.charCodeAt(m) === 32) m += 1;
    if (m !== i + 2 && m !== UVICORN_COLUMN) return null;
    return { format: 'python-basic', time: '', level, levelText, message: line.slice(m), fields: null };
  }
  const nameStart = i + 1;
  let j = nameStart;
  const limit = Math.min(line.length, nameStart + MAX_NAME);
  while (j < limit) {
    const c = line.charCodeAt(j);
    if (c === 58 || c === 32 || c === 9) break;
    j += 1;
  }
  if (j === nameStart || line.charCodeAt(j) !== 58) return null;
  return { format: 'python-basic', time: '', level, levelText, message: line.slice(nameStart), fields: null };
}

/**
 * Python basicConfig lines and `LEVEL: message` lines (no time).
 *
 * @example
 *   PYTHON_BASIC_FORMAT.parse('ERROR:root:boom', { referenceMs: 0 });
 *   // { format: 'python-basic', time: '', level: 'ERROR', levelText: 'ERROR', message: 'root:boom', fields: null }
 */
export const PYTHON_BASIC_FORMAT: LineFormat = { name: 'python-basic', parse: parsePythonBasic };
