import crypto from 'node:crypto';
import { GenerationCache } from './generation-cache';
import { ShapeTable } from './shape-table';

/**
 * An entry's error template: its message with the parts that vary between
 * occurrences of "the same error" replaced by placeholders, and a stable id
 * (the first 64 bits of the SHA-1 of the template text, a signed integer).
 */
export interface Template {
  readonly template: string;
  /** `log_entries.template_id` (bigint) in decimal text, as COPY and `$n` parameters take it: see templateId. */
  readonly id: string;
}

/** Tokens of the first line looked at; the rest of a very long line is `<…>`. */
const MAX_TOKENS = 256;
/** A longer token is a blob (base64, a serialised object): always `<*>`. */
const MAX_TOKEN_CHARS = 200;
/** A quoted string is looked for up to this many characters. */
const MAX_QUOTED_CHARS = 256;
/** Stack frames kept in the template. */
const MAX_FRAMES = 3;
/** Lines after the first searched for frames and the exception type (a 64 KiB trace has ~1,000). */
const MAX_TRACE_LINES = 200;

/** A quoted HTTP request line keeps its method: `"GET <*>"`, `"POST <*>"`. */
const HTTP_METHOD = /^(?:GET|HEAD|POST|PUT|DELETE|PATCH|OPTIONS|CONNECT|TRACE) /;
const OPENERS = '([{<';
const CLOSERS = ')]}>,;.!?';
const BOUNDARY_BEFORE_QUOTE = ' \t=:([{,';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?::\d{1,5})?$/;
/** Hex groups and colons only, at least two colons (checked apart), optionally in brackets with a port. */
const IPV6 = /^\[?[0-9a-f:]*:[0-9a-f:]*(?:\.\d{1,3}){0,3}(?:%\w+)?\]?(?::\d{1,5})?$/i;
const DATE = /^\d{4}[-/]\d{2}[-/]\d{2}(?:[T_]\d{2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const TIME = /^\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?$/;
const URL_TOKEN = /^[a-z][a-z0-9+.-]{1,15}:\/\/\S+$/i;
const EMAIL = /^[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}$/;
const NUMBER = /^[-+]?\d[\d._]*$/;
/** A number with a short unit: 31ms, 12.5s, 80%, 4KB. */
const NUMBER_UNIT = /^[-+]?\d[\d,.]*([a-z%µ]{1,5})$/i;
const HEX_LITERAL = /^0x[0-9a-f]+$/i;
const HEX = /^[0-9a-f]{8,}$/i;
/** `/a`, `./a`, `../a`, `~/a`, `C:\\a`: a path (the root `/` alone is not). */
const PATH = /^(?:\.{1,2}\/|~\/|\/[^/\s]|[a-z]:\\)/i;
/** `ns1.example.com`: a name of three labels or more ending in a top-level domain (a generic one or a country's). */
const HOST_NAME = /^(?:[a-z0-9-]{1,63}\.){2,8}(?:com|net|org|edu|gov|mil|info|biz|local|internal|[a-z]{2})$/i;
/** Two-letter file extensions, not country domains, for a name like `app.min.js`. */
const NOT_A_TLD = new Set(['js', 'py', 'rb', 'go', 'sh', 'cs', 'ts', 'db', 'so', 'gz', 'md', 'pl', 'rs', 'kt', 'mk', 'ps', 'pm', 'cc', 'hh', 'el', 'ml']);
/** `name.example.com:443`: a host name with a port counts as an address. */
const HOST_PORT = /^[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,8}:\d{1,5}$/i;
/** `key=value`, also after a `prefix:` (`environment:user.dir=/`, `release:lock=42`). */
const KEY_VALUE = /^((?:[a-z_][\w.-]{0,63}:)?[a-z_][\w.-]{0,63})=(.*)$/i;
const DIGIT = /\d/;
/** The word after `user` is a user name (`session opened for user alice`), unless it is one of NOT_A_NAME. */
const USER_NAME = /^[\w.-]{1,32}$/;
const NOT_A_NAME = new Set([
  'not',
  'is',
  'was',
  'has',
  'from',
  'for',
  'by',
  'to',
  'in',
  'on',
  'with',
  'and',
  'or',
  'name',
  'id',
  'unknown',
  'account',
  'session',
]);

const FRAME = /^\s*(?:at |File ")/;
const EXCEPTION_LINE = /^(?:Caused by: )?([a-z_$][\w$.]{0,200}(?:Exception|Error|Exit|Interrupt|Throwable))\b/i;
const LINE_NUMBER = /:\d+(?::\d+)?(?=\)|$)|:line \d+|, line \d+|\+0x[0-9a-f]+|\$\d+|0x[0-9a-f]+/g;

/**
 * The template and id of a stored entry's message.
 *
 * - First line: split on white space; each token is kept, or replaced by a
 *   placeholder (`<uuid>`, `<ip>`, `<url>`, `<email>`, `<ts>`, `<num>`,
 *   `<hex>`, `<path>`, `<*>` for any other token with a digit, a quoted
 *   string or a `key=value` value). Leading `([{<` and trailing `)]},;.` stay.
 * - Further lines (stack traces): the first exception type (`Caused by:`
 *   included) and the first MAX_FRAMES `at …` / `File "…"` frames, without
 *   line numbers, so a release that moves code keeps its templates.
 *
 * Pure and deterministic (the id is the same on every machine and run);
 * linear in the message, no backtracking-prone expression: every regular
 * expression runs on one token of at most MAX_TOKEN_CHARS or one frame line.
 *
 * @example
 *   templateOf('Payment failed for order=1234 (card 4242)').template
 *   // 'Payment failed for order=<*> (card <num>)'
 */
export function templateOf(message: string): Template {
  const newline = message.indexOf('\n');
  if (newline < 0) {
    if (message.length > MAX_SHAPE_CHARS) return lineTemplate(message);
    shapeHash(message, message.length, message.length, HASH);
    const hi = HASH[0]!;
    const lo = HASH[1]!;
    const known = SHAPES.get(hi, lo);
    if (known !== undefined) return known;
    const t = lineTemplate(message);
    // a template that kept a digit (`PSR1=<*>`, a key) depends on its value: not shared by the shape
    if (!HAS_NONZERO_DIGIT.test(t.template)) SHAPES.set(hi, lo, t);
    return t;
  }
  const end = traceEnd(message, newline + 1);
  if (end > MAX_TRACE_SHAPE_CHARS) return traceTemplate(message, newline, templateOf(message.slice(0, newline)).template);
  shapeHash(message, newline, end, HASH);
  const hi = HASH[0]!;
  const lo = HASH[1]!;
  const known = SHAPES.get(hi, lo);
  if (known !== undefined) return known;
  const first = templateOf(message.slice(0, newline));
  const t = traceTemplate(message, newline, first.template);
  if (!HAS_NONZERO_DIGIT.test(first.template) && t.template.length <= MAX_REMEMBERED_TEMPLATE_CHARS) SHAPES.set(hi, lo, t);
  return t;
}

/**
 * A flat copy of `text` that keeps nothing else alive, for what a cache
 * holds: a message a format parsed out of its line (up to
 * LOG_MAX_LINE_BYTES) may be a slice of that line, and 8,192 cached slices
 * could hold as many lines. Made on a cache miss only.
 */
function ownCopy(text: string): string {
  return Buffer.from(text, 'utf16le').toString('utf16le');
}

function lineTemplate(line: string): Template {
  return templateFor(maskLine(line));
}

/**
 * A multi-line entry: its first line's template (`first`, from templateOf,
 * whose cache makes a repeated first line cheap: maskLine's all the same),
 * then its exception type and top frames.
 */
function traceTemplate(message: string, newline: number, first: string): Template {
  const parts = traceParts(message, newline + 1);
  return templateFor(parts.length === 0 ? first : `${first}\n${parts.join('\n')}`);
}

/**
 * Templates of recent message shapes: messages that differ only in their
 * numbers are templated once. A one-line message's shape is its text with
 * digits 2-9 read as 1 (so that no `0x` appears or goes): every rule looks
 * at digits as a class, never at their value, so a message and its shape
 * have one template. A multi-line message's is its first line's shape and
 * the exact text of the lines its template reads (traceEnd): a stack trace
 * repeats exactly (one code path in one release) while its first line's
 * values vary, and frames may keep digits (`Accessor112`). Keyed by a hash of the shape, computed without
 * building it (this runs for every stored entry; see shapeHash). Many
 * shapes share a template (a hex id's letters make a shape each), so an
 * entry is a slot and a reference to an interned Template: 2 × 65,536
 * shapes cost a few MB.
 */
const SHAPES = new ShapeTable<Template>(65_536);
/** shapeHash's result (a typed array: no number boxed per entry). */
const HASH = new Int32Array(2);
const HAS_NONZERO_DIGIT = /[1-9]/;
const CHAR_1 = 49;
const CHAR_9 = 57;

/** A longer one-line message is templated every time (a shape repeats in short lines, a blob does not). */
const MAX_SHAPE_CHARS = 512;
/** A trace whose template reads further is templated every time: hashing that much costs more than its template. */
const MAX_TRACE_SHAPE_CHARS = 16_384;

/**
 * The message's shape key (see SHAPES): two 32-bit hashes (FNV-1a, and a
 * multiply-rotate one) over its UTF-16 units up to `end`, digits 2-9 read as
 * 1 before `firstEnd` (the first line's end) and exact after it, written to
 * `out`. Two shapes share a key with a probability of about n²/2⁶⁵ for n
 * shapes in the cache (1 in 10⁹ for the 131,072 it keeps), so a hit is not
 * checked against the message (a check would be a second pass over it).
 */
function shapeHash(message: string, firstEnd: number, end: number, out: Int32Array): void {
  // read as UTF-16 units from a typed array: one native copy, then loads with
  // no string-representation checks (charCodeAt on a composed message is slower)
  UNITS_BUFFER.write(message, 0, end * 2, 'utf16le');
  let h = 0x811c9dc5;
  let g = 0x9e3779b9;
  for (let i = 0; i < firstEnd; i += 1) {
    let c = UNITS[i]!;
    if (c > CHAR_1 && c <= CHAR_9) c = CHAR_1;
    h = Math.imul(h ^ c, 0x01000193);
    g = Math.imul((g << 5) | (g >>> 27), 0x5bd1e995) ^ c;
  }
  for (let i = firstEnd; i < end; i += 1) {
    const c = UNITS[i]!;
    h = Math.imul(h ^ c, 0x01000193);
    g = Math.imul((g << 5) | (g >>> 27), 0x5bd1e995) ^ c;
  }
  // a multi-line key differs from a one-line one however its text reads
  if (end > firstEnd) h = Math.imul(h ^ 0xffff, 0x01000193);
  // the table's slot comes from the low bits of the second: mix them
  g = Math.imul(g ^ (g >>> 16), 0x85ebca6b);
  out[0] = h;
  out[1] = g ^ (g >>> 13);
}

/** shapeHash's copy of the units it hashes (MAX_TRACE_SHAPE_CHARS at most: 32 KiB). */
const UNITS_BUFFER = Buffer.alloc(MAX_TRACE_SHAPE_CHARS * 2);
const UNITS = new Uint16Array(UNITS_BUFFER.buffer, UNITS_BUFFER.byteOffset, MAX_TRACE_SHAPE_CHARS);

/**
 * Where traceParts stops reading a trace whose lines start at `from`: the end
 * of the line holding its MAX_FRAMES-th frame, or of its MAX_TRACE_LINES-th
 * line, or the message's end. The template depends on nothing after it (a
 * Java trace's 50 further frames), so neither does its key.
 */
function traceEnd(message: string, from: number): number {
  let frames = 0;
  let start = from;
  for (let line = 0; line < MAX_TRACE_LINES && start < message.length; line += 1) {
    const nl = message.indexOf('\n', start);
    const end = nl < 0 ? message.length : nl;
    if (FRAME.test(message.slice(start, Math.min(end, start + 1024)))) frames += 1;
    if (frames >= MAX_FRAMES || nl < 0) return end;
    start = nl + 1;
  }
  return Math.min(start, message.length);
}

/** The key templateOf looks a message up by (shapeHash's halves joined, 53 of their 64 bits), -1 when it has none: for tests. */
export function shapeKey(message: string): number {
  const out = new Int32Array(2);
  const newline = message.indexOf('\n');
  if (newline < 0 && message.length > MAX_SHAPE_CHARS) return -1;
  const end = newline < 0 ? message.length : traceEnd(message, newline + 1);
  if (end > MAX_TRACE_SHAPE_CHARS) return -1;
  shapeHash(message, newline < 0 ? message.length : newline, end, out);
  return (out[0]! >>> 0) * 0x200000 + ((out[1]! >>> 0) & 0x1fffff);
}

/**
 * Recent templates, interned: most entries repeat a template, and hashing is
 * a third of the work; the shape cache's entries point here. Two
 * generations, as the shape cache.
 */
const TEMPLATES = new GenerationCache<string, Template>(8192);
/** A longer template is not remembered (a trace's, cut at MAX_TRACE_LINES lines of 1 KiB). */
const MAX_REMEMBERED_TEMPLATE_CHARS = 4096;

/** The Template of a template text: the interned one, or a new one (its id hashed) remembered. */
function templateFor(text: string): Template {
  const known = TEMPLATES.get(text);
  if (known !== undefined) return known;
  const id = idOfDigest(crypto.createHash('sha1').update(text).digest());
  if (text.length > MAX_REMEMBERED_TEMPLATE_CHARS) return { template: text, id };
  const own = ownCopy(text);
  return TEMPLATES.set(own, { template: own, id });
}

/**
 * A template's id: the first 64 bits of the SHA-1 of its text, big-endian,
 * as a signed 64-bit integer in decimal text (what a PostgreSQL `bigint`
 * takes in COPY text and as a parameter). The same on every run and machine.
 *
 * @example
 *   templateId('Disk quota exceeded') // '-5296940549557852182'
 */
export function templateId(template: string): string {
  return templateFor(template).id;
}

/**
 * The id of a SHA-1 digest: its first 8 bytes as a signed big-endian
 * integer, i.e. `BigInt.asIntN(64, BigInt('0x' + hex.slice(0, 16)))` of its
 * hex form (a unit test checks the two agree).
 */
export function idOfDigest(digest: Buffer): string {
  return digest.readBigInt64BE(0).toString();
}

/** One line with quoted strings and variable tokens masked, white space runs as one space. */
export function maskLine(line: string): string {
  const tokens = maskQuoted(line.trim()).split(/\s+/);
  const out: string[] = [];
  const n = Math.min(tokens.length, MAX_TOKENS);
  let afterUser = false;
  let values = false;
  let quantities = false;
  let addresses = false;
  for (let i = 0; i < n; i += 1) {
    const t = tokens[i]!;
    if (t === '') continue;
    const masked = afterUser && USER_NAME.test(t) && !NOT_A_NAME.has(t.toLowerCase()) ? '<*>' : isPlain(t) ? t : maskTokenMemo(t);
    afterUser = t.length === 4 && t.toLowerCase() === 'user';
    values ||= masked.startsWith('<num>') || masked.startsWith('<ts>');
    quantities ||= masked.endsWith('<num>');
    addresses ||= masked === '<ip>' || masked === '<host>';
    out.push(masked);
  }
  if (tokens.length > MAX_TOKENS) out.push('<…>');
  let words = quantities ? joinQuantities(out) : out;
  if (addresses) words = maskNamesNearAddresses(words);
  return collapseRuns(values ? collapseDates(words) : words).join(' ');
}

/** Units of a size written as a word after its number (`5.2 KB`, `93.0 B`, `403 bytes`). */
const SIZE_UNITS = new Set(['B', 'kB', 'KB', 'MB', 'GB', 'TB', 'PB', 'KiB', 'MiB', 'GiB', 'TiB', 'kb', 'mb', 'gb', 'byte', 'bytes', 'Bytes']);
/**
 * Units of a duration written as a word after its number (`12 sec`, `1.5 seconds`): one event writes
 * the same duration as `00:12` or `<1 sec`, so both are `<ts>`. Sub-second units (`ms`, `us`) are
 * not: nothing writes those as a clock time, and `<num> ms` stays a number.
 */
const TIME_UNITS = new Set(['s', 'sec', 'secs', 'second', 'seconds', 'min', 'mins', 'minute', 'minutes', 'h', 'hr', 'hrs', 'hour', 'hours', 'day', 'days']);

/**
 * A number and the unit word after it are one value: `5.2 KB` and `93.0 B` are `<size>`, `12 sec` and
 * a bound `<1 sec` are `<ts>`; a size restated in parentheses right after a size (`1190 bytes (1.16 KB)`)
 * is dropped, since it is written only when the value is large.
 */
function joinQuantities(tokens: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    const lead = t.slice(0, -5);
    if (next === undefined || !t.endsWith('<num>') || !isOpeners(lead)) {
      out.push(t);
      continue;
    }
    let unitEnd = next.length;
    while (unitEnd > 0 && (CLOSERS.includes(next[unitEnd - 1]!) || next[unitEnd - 1] === ':')) unitEnd -= 1;
    const unit = next.slice(0, unitEnd);
    const kind = SIZE_UNITS.has(unit) ? '<size>' : TIME_UNITS.has(unit.toLowerCase()) ? '<ts>' : null;
    if (kind === null) {
      out.push(t);
      continue;
    }
    const opened = lead.replaceAll('<', '');
    const after = next.slice(unitEnd);
    if (opened === '(' && after.startsWith(')') && out[out.length - 1] === kind) out[out.length - 1] = kind + after.slice(1);
    else out.push(opened + kind + after);
    i += 1;
  }
  return out;
}

/** Only `([{<`: what may open a value (a leading `<` is a bound, `<1 sec`). */
function isOpeners(text: string): boolean {
  for (const c of text) if (!OPENERS.includes(c)) return false;
  return true;
}

function isAddress(token: string | undefined): boolean {
  return token !== undefined && (token.startsWith('<ip>') || token.startsWith('<host>'));
}

/**
 * Names in the places logs put them next to an address: the name in parentheses after it
 * (`from 10.0.0.1 (host.example.com)`, `()` when it has none) is `(<*>)`, and the account in
 * `for alice from 10.0.0.1` is `<*>` (unless it is one of NOT_A_NAME).
 */
function maskNamesNearAddresses(tokens: string[]): string[] {
  const out = tokens.slice();
  for (let i = 1; i < out.length; i += 1) {
    const t = out[i]!;
    const previous = out[i - 1]!;
    if (t.startsWith('(') && (previous === '<ip>' || previous === '<host>')) {
      const close = t.indexOf(')');
      if (close === 1 || (close > 1 && isPlaceholder(t.slice(1, close)))) out[i] = `(<*>)${t.slice(close + 1)}`;
    } else if (previous === 'for' && out[i + 1] === 'from' && isAddress(out[i + 2]) && USER_NAME.test(t) && !NOT_A_NAME.has(t.toLowerCase())) {
      out[i] = '<*>';
    }
  }
  return out;
}

/**
 * A token no rule can change: ASCII letters, hyphens, non-ASCII
 * text, and at most trailing punctuation (the fast path for most words).
 */
function isPlain(token: string): boolean {
  if (token.length > MAX_TOKEN_CHARS) return false;
  for (let i = 0; i < token.length; i += 1) {
    const c = token.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 45 || c >= 128) continue;
    // , ; . ! ? : ) at the end only
    if ((c === 44 || c === 59 || c === 46 || c === 33 || c === 63 || c === 58 || c === 41) && i >= token.length - 2) continue;
    return false;
  }
  return true;
}

/** A variable-length list (`IRQs 3 4 5 6`, `name dn910 dn911 dn912`) is one placeholder: runs of one placeholder collapse. */
function collapseRuns(tokens: string[]): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    const previous = out[out.length - 1] ?? '';
    if (isPlaceholder(previous) && t.startsWith(previous) && isPunctuation(t.slice(previous.length))) out[out.length - 1] = t;
    else out.push(t);
  }
  return out;
}

function isPlaceholder(token: string): boolean {
  return token.startsWith('<') && token.endsWith('>');
}

function isPunctuation(text: string): boolean {
  for (const c of text) if (!CLOSERS.includes(c)) return false;
  return true;
}

const DATE_WORDS = new Set(
  'mon tue wed thu fri sat sun monday tuesday wednesday thursday friday saturday sunday jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august september october november december'.split(
    ' ',
  ),
);
/** Zone abbreviations that follow a time: `Fri Jul 01 08:16:53 PDT 2005`. */
const ZONE_WORD = /^[A-Z]{1,4}T$|^UTC$/;

const NOT_DATE = 0;
const MONTH = 1;
const DAY_NAME = 2;
const VALUE = 3;
const ZONE = 4;

/** What a masked token can be in a written-out date. */
function dateKind(token: string): number {
  const bare = token.endsWith(',') ? token.slice(0, -1) : token;
  if (bare === '<num>' || bare === '<ts>') return VALUE;
  if (bare.length < 3 || bare.length > 9) return NOT_DATE;
  const c = bare.charCodeAt(0);
  if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return NOT_DATE;
  if (ZONE_WORD.test(bare)) return ZONE;
  const lower = bare.toLowerCase();
  if (!DATE_WORDS.has(lower)) return NOT_DATE;
  return DAY_NAMES.has(lower.slice(0, 3)) ? DAY_NAME : MONTH;
}

const DAY_NAMES = new Set(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

/**
 * A written-out date (`Fri Jun 17 20:55:07 2005`, `17 Jun 2005 20:55`) is one
 * `<ts>`: a run of weekday and month names, numbers, times and a zone word
 * (after a value) holding a month name and a number or time.
 */
function collapseDates(tokens: string[]): string[] {
  const kinds = tokens.map(dateKind);
  const out: string[] = [];
  let i = 0;
  while (i < tokens.length) {
    if (kinds[i] === NOT_DATE || kinds[i] === ZONE) {
      out.push(tokens[i]!);
      i += 1;
      continue;
    }
    let j = i;
    let month = false;
    let value = false;
    for (; j < tokens.length; j += 1) {
      const k = kinds[j]!;
      if (k === MONTH) month = true;
      else if (k === VALUE) value = true;
      else if (k === NOT_DATE || (k === ZONE && !value)) break;
    }
    if (month && value && j - i >= 2) {
      out.push('<ts>');
      i = j;
    } else {
      out.push(tokens[i]!);
      i += 1;
    }
  }
  return out;
}

/** `"…"` and `'…'` (opened after a boundary, closed within MAX_QUOTED_CHARS on the line) become `"<*>"`. */
function maskQuoted(line: string): string {
  if (line.indexOf('"') < 0 && line.indexOf("'") < 0) return line;
  let out = '';
  let from = 0;
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if ((c === '"' || c === "'") && (i === 0 || BOUNDARY_BEFORE_QUOTE.includes(line[i - 1]!))) {
      const limit = Math.min(line.length, i + 1 + MAX_QUOTED_CHARS);
      let j = i + 1;
      while (j < limit && line[j] !== c) j += 1;
      const closes = j < limit && (c === '"' || j + 1 === line.length || !/\w/.test(line[j + 1]!));
      if (closes) {
        const method = HTTP_METHOD.exec(line.slice(i + 1, Math.min(j, i + 9)));
        out += `${line.slice(from, i)}${c}${method === null ? '' : method[0]}<*>${c}`;
        i = j + 1;
        from = i;
        continue;
      }
    }
    i += 1;
  }
  return out + line.slice(from);
}

/** A token with its surrounding punctuation kept and its core masked. */
/**
 * maskToken's results for tokens without a digit (logger names, paths,
 * words with punctuation), which recur in most lines: maskToken is a pure
 * function of the token, so a remembered result is the result. Tokens with
 * a digit are mostly values that do not recur: they are not remembered.
 * Two generations, as the shape cache.
 */
const TOKEN_MEMO = new GenerationCache<string, string>(8192);
const MAX_MEMO_TOKEN_CHARS = 80;

function maskTokenMemo(token: string): string {
  if (token.length > MAX_MEMO_TOKEN_CHARS || DIGIT.test(token)) return maskToken(token);
  const known = TOKEN_MEMO.get(token);
  if (known !== undefined) return known;
  const masked = maskToken(token);
  TOKEN_MEMO.set(ownCopy(token), masked === token ? ownCopy(token) : masked);
  return masked;
}

function maskToken(token: string): string {
  let start = 0;
  let end = token.length;
  while (start < end && OPENERS.includes(token[start]!)) start += 1;
  while (end > start && CLOSERS.includes(token[end - 1]!)) end -= 1;
  // `host:` / `(10.0.0.1:8080)`: a trailing colon is punctuation unless the core is an IPv6 address
  if (end > start && token[end - 1] === ':' && token[end - 2] !== ':') end -= 1;
  const core = token.slice(start, end);
  if (core === '') return token;
  const masked = maskCore(core);
  // `[2001:db8::1]:8443`: the bracket belongs to the address
  if (masked === '<ip>' && start > 0 && token[start - 1] === '[' && core.includes(']')) start -= 1;
  return token.slice(0, start) + masked + token.slice(end);
}

function maskCore(core: string): string {
  if (core.length > MAX_TOKEN_CHARS) return '<*>';
  if (core.startsWith('"<*>"') || core.startsWith("'<*>'")) return core;
  const kv = KEY_VALUE.exec(core);
  if (kv !== null) return kv[2] === '' ? core : `${kv[1]}=<*>`;
  if (URL_TOKEN.test(core)) return '<url>';
  if (core.includes('@') && EMAIL.test(core)) return '<email>';
  if (PATH.test(core)) return '<path>';
  if (core.includes(',') && DIGIT.test(core)) return maskList(core);
  const paren = core.indexOf('(');
  if (paren > 0) {
    const callee = core.slice(0, paren);
    return `${DIGIT.test(callee) ? maskCore(callee) : callee}(${maskCore(core.slice(paren + 1))}`;
  }
  if (HOST_PORT.test(core)) return '<ip>';
  if (HOST_NAME.test(core) && !NOT_A_TLD.has(core.slice(core.lastIndexOf('.') + 1).toLowerCase())) return '<host>';
  if (!DIGIT.test(core)) return core;
  if (IPV4.test(core)) return '<ip>';
  if (NUMBER.test(core)) return '<num>';
  if (UUID.test(core)) return '<uuid>';
  if (HEX_LITERAL.test(core)) return '<hex>';
  // a hex field may hold only digits (`00998588`): bare hex and decimal are both <num>
  if (HEX.test(core)) return '<num>';
  const unit = NUMBER_UNIT.exec(core);
  if (unit !== null) return `<num>${unit[1]}`;
  if (DATE.test(core) || TIME.test(core)) return '<ts>';
  if (isIpv6(core)) return '<ip>';
  return '<*>';
}

/** `10.0.0.1,10.0.0.2` or `3,4,5`: the items masked, a run of one placeholder kept once. */
function maskList(core: string): string {
  const items = core.split(',').map((item) => (item === '' ? item : maskCore(item)));
  return items.filter((t, i) => i === 0 || t !== items[i - 1]).join(',');
}

function isIpv6(core: string): boolean {
  let colons = 0;
  for (let i = 0; i < core.length; i += 1) if (core[i] === ':') colons += 1;
  return colons >= 2 && IPV6.test(core);
}

/** The exception type and the top frames of a multi-line entry, line numbers removed. */
function traceParts(message: string, from: number): string[] {
  const parts: string[] = [];
  let exception = false;
  let frames = 0;
  let start = from;
  for (let line = 0; line < MAX_TRACE_LINES && start < message.length && frames < MAX_FRAMES; line += 1) {
    const nl = message.indexOf('\n', start);
    const end = nl < 0 ? message.length : nl;
    const text = message.slice(start, Math.min(end, start + 1024));
    if (FRAME.test(text)) {
      parts.push(text.trim().replace(LINE_NUMBER, ''));
      frames += 1;
    } else if (!exception) {
      const m = EXCEPTION_LINE.exec(text.trim());
      if (m !== null) {
        parts.push(m[1]!);
        exception = true;
      }
    }
    if (nl < 0) break;
    start = nl + 1;
  }
  return parts;
}
