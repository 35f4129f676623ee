import { levelOfLetter, levelOfPinoNumber, levelOfSyslogSeverity, levelOfWord } from './severity';
import type { Level } from './severity';
import { canonicalOffset, canonicalTime, inferYear, monthNumber } from './timestamp';
import type { LineFormat, ParseContext, ParsedLine } from './types';
import { digitsAt, isDigit, isLetter, isLower, isUpper, readFraction } from './chars';

/**
 * Syslog as written to files:
 * - RFC 3164 / rsyslog's `RSYSLOG_TraditionalFileFormat` (Debian 12's and
 *   Ubuntu's default): `Mmm dd hh:mm:ss host tag[pid]: msg` (day padded with a
 *   space or a zero), optionally with `<PRI>` in front; the year is inferred;
 * - rsyslog's `RSYSLOG_FileFormat` (and journalctl `-o short-iso`):
 *   `yyyy-mm-ddThh:mm:ss[.ffffff]±hh:mm host tag[pid]: msg`, optionally with `<PRI>`;
 * - RFC 5424: `<PRI>1 timestamp host app procid msgid [sd…] msg` (`-` for nil values).
 *
 * The level is that of a level token at the start of the message (after the
 * tag), else the PRI's severity (PRI % 8), else none. Level tokens:
 * `<3>`, `ERROR …`, `error: …`, `[error] …`, a glog header `E1123 10:00:00…`,
 * or a logfmt/JSON record's `level=`/`"level":` (Docker, Go services, pino
 * under journald); `[3-1] ` (PostgreSQL's syslog sequence) and `1234: ` are
 * skipped first. A level word further in (`kernel: … error …`) does not count.
 *
 * An RFC 3339 line is only claimed when it continues with a host that is not
 * a level word, a number or a bracketed field: `2026-11-23T10:00:00Z ERROR …`
 * and `… [main] INFO …` belong to `timestamp-level`. A tag without a colon
 * (rsyslog writes RFC 5424 messages' app name so) is accepted; the message is
 * then the rest of the line.
 */

const MAX_PRI = 191;
const MAX_HOST = 255;
const MAX_TAG = 128;
const MAX_PID = 32;
const MAX_FRACTION = 9;
const MAX_LEVEL_WORD = 13;
/** How far into a logfmt or JSON message `level` is looked for. */
const MAX_FIELD_SEARCH = 256;
const JSON_KEYS = ['"level":', '"severity":', '"lvl":'] as const;
const LOGFMT_KEYS = ['level=', 'lvl='] as const;
/** `Nov 23 10:00:00 h x` */
const MIN_LENGTH = 18;

interface Stamp {
  time: string;
  end: number;
}

/** `hh:mm:ss[.fff]` at `at`: [hour, minute, second, index after, fraction digits], or null. */
function clockAt(line: string, at: number): [number, number, number, number, string] | null {
  if (line.charCodeAt(at + 2) !== 0x3a || line.charCodeAt(at + 5) !== 0x3a) return null;
  const hour = digitsAt(line, at, 2);
  const minute = digitsAt(line, at + 3, 2);
  const second = digitsAt(line, at + 6, 2);
  if (hour < 0 || minute < 0 || second < 0) return null;
  let i = at + 8;
  const read = readFraction(line, i, MAX_FRACTION, true);
  if (read === null) return null;
  i = read.end;
  const fraction = read.digits;
  return [hour, minute, second, i, fraction];
}

/** `Mmm dd hh:mm:ss` (RFC 3164) at `at`. */
function bsdStamp(line: string, at: number, referenceMs: number): Stamp | null {
  if (!isUpper(line.charCodeAt(at)) || !isLower(line.charCodeAt(at + 1)) || !isLower(line.charCodeAt(at + 2))) return null;
  if (line.charCodeAt(at + 3) !== 0x20) return null;
  const month = monthNumber(line.slice(at, at + 3));
  if (month === 0) return null;
  let i = at + 4;
  if (line.charCodeAt(i) === 0x20) i++;
  let day = digitsAt(line, i, 1);
  if (day < 0) return null;
  i++;
  if (isDigit(line.charCodeAt(i))) {
    day = day * 10 + (line.charCodeAt(i) - 0x30);
    i++;
  }
  if (line.charCodeAt(i) !== 0x20) return null;
  const clock = clockAt(line, i + 1);
  if (clock === null) return null;
  const [hour, minute, second, end, fraction] = clock;
  const time = canonicalTime(inferYear(month, day, referenceMs), month, day, hour, minute, second, fraction);
  return time === '' ? null : { time, end };
}

/** `yyyy-mm-ddThh:mm:ss[.fff](Z|±hh:mm|±hhmm)` at `at`; the offset is required unless `optionalOffset`. */
function isoStamp(line: string, at: number, optionalOffset: boolean): Stamp | null {
  if (line.charCodeAt(at + 4) !== 0x2d || line.charCodeAt(at + 7) !== 0x2d || line.charCodeAt(at + 10) !== 0x54) return null;
  const year = digitsAt(line, at, 4);
  const month = digitsAt(line, at + 5, 2);
  const day = digitsAt(line, at + 8, 2);
  if (year < 0 || month < 0 || day < 0) return null;
  const clock = clockAt(line, at + 11);
  if (clock === null) return null;
  const [hour, minute, second, afterClock, fraction] = clock;
  let i = afterClock;
  let offset: string | null = '';
  const z = line.charCodeAt(i);
  if (z === 0x5a || z === 0x7a) {
    offset = 'Z';
    i++;
  } else if (z === 0x2b || z === 0x2d) {
    let e = i + 1;
    while (e - i < 7 && (isDigit(line.charCodeAt(e)) || line.charCodeAt(e) === 0x3a)) e++;
    offset = canonicalOffset(line.slice(i, e));
    i = e;
  } else if (!optionalOffset) {
    return null;
  }
  if (offset === null) return null;
  const time = canonicalTime(year, month, day, hour, minute, second, fraction, offset);
  return time === '' ? null : { time, end: i };
}

/**
 * End of the space-free token at `at` (at most `max` long), or -1 when it is
 * empty, too long, or has a control byte (or, when `strict`, one of `[]="{`,
 * which a host name never has but application fields do).
 */
function tokenEnd(line: string, at: number, max: number, strict: boolean): number {
  let i = at;
  while (i < line.length && i - at <= max) {
    const c = line.charCodeAt(i);
    if (c === 0x20) break;
    if (c < 0x21 || (strict && (c === 0x5b || c === 0x5d || c === 0x3d || c === 0x22 || c === 0x7b))) return -1;
    i++;
  }
  return i === at || i - at > max ? -1 : i;
}

function allDigits(line: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isDigit(line.charCodeAt(i))) return false;
  return true;
}

/**
 * Where the message starts after a tag at `at` (`app:`, `app[12]:`, `postfix/smtpd[3]:`),
 * or -1 when the token there is not a tag ending in a colon.
 */
function afterTag(line: string, at: number): number {
  let i = at;
  while (i < line.length && i - at < MAX_TAG) {
    const c = line.charCodeAt(i);
    if (c === 0x20 || c === 0x5b || c === 0x3a || c < 0x21) break;
    i++;
  }
  if (i === at) return -1;
  if (line.charCodeAt(i) === 0x5b) {
    const p = i + 1;
    i = p;
    while (i < line.length && i - p < MAX_PID && line.charCodeAt(i) !== 0x5d && line.charCodeAt(i) !== 0x20) i++;
    if (line.charCodeAt(i) !== 0x5d) return -1;
    i++;
  }
  if (line.charCodeAt(i) !== 0x3a) return -1;
  i++;
  if (i < line.length && line.charCodeAt(i) !== 0x20) return -1;
  return i < line.length ? i + 1 : i;
}

interface Found {
  level: Level;
  text: string;
}

/** `level=error` / `lvl=warn` / `"level":"error"` / `"level":50` in the first characters of the message. */
function levelField(line: string, start: number): Found | null {
  const window = line.slice(start, start + MAX_FIELD_SEARCH);
  const json = window.charCodeAt(0) === 0x7b;
  for (const key of json ? JSON_KEYS : LOGFMT_KEYS) {
    let k = window.indexOf(key);
    // a logfmt key starts a field (`sublevel=` is not `level=`)
    while (!json && k > 0 && window.charCodeAt(k - 1) !== 0x20) k = window.indexOf(key, k + 1);
    if (k < 0) continue;
    k += key.length;
    while (window.charCodeAt(k) === 0x20) k++;
    const quoted = window.charCodeAt(k) === 0x22;
    if (quoted) k++;
    let v = k;
    while (v - k <= MAX_LEVEL_WORD && (isLetter(window.charCodeAt(v)) || isDigit(window.charCodeAt(v)))) v++;
    if (v === k || v - k > MAX_LEVEL_WORD) continue;
    const value = window.slice(k, v);
    const level = json && !quoted ? levelOfPinoNumber(Number(value)) : levelOfWord(value);
    if (level !== null) return { level, text: value };
  }
  return null;
}

/** A level token at `start`, the start of the message, or null. */
function messageLevel(line: string, start: number): Found | null {
  let i = start;
  while (line.charCodeAt(i) === 0x20) i++;
  const c = line.charCodeAt(i);
  // kernel-style `<3>`
  if (c === 0x3c && isDigit(line.charCodeAt(i + 1)) && line.charCodeAt(i + 2) === 0x3e) {
    const level = levelOfSyslogSeverity(line.charCodeAt(i + 1) - 0x30);
    return level === null ? null : { level, text: line.slice(i, i + 3) };
  }
  // PostgreSQL's `[3-1] ` sequence numbers and a leading `1234: ` are not the message yet
  if (c === 0x5b && isDigit(line.charCodeAt(i + 1))) {
    let j = i + 1;
    while (j - i < 24 && (isDigit(line.charCodeAt(j)) || line.charCodeAt(j) === 0x2d)) j++;
    if (line.charCodeAt(j) === 0x5d && line.charCodeAt(j + 1) === 0x20) i = j + 2;
  } else if (isDigit(c)) {
    let j = i;
    while (j - i < 20 && isDigit(line.charCodeAt(j))) j++;
    if (line.charCodeAt(j) === 0x3a && line.charCodeAt(j + 1) === 0x20) i = j + 2;
  }
  const d = line.charCodeAt(i);
  if (d === 0x5b) {
    // [error] / [ERROR]
    let j = i + 1;
    while (j - i <= MAX_LEVEL_WORD && isLetter(line.charCodeAt(j))) j++;
    if (j === i + 1 || line.charCodeAt(j) !== 0x5d) return null;
    const text = line.slice(i + 1, j);
    const level = levelOfWord(text);
    return level === null ? null : { level, text };
  }
  if (d === 0x7b) return levelField(line, i);
  if (!isLetter(d)) return null;
  // glog/klog header: E1123 10:00:00.123456
  if (isUpper(d) && allDigits(line, i + 1, i + 5) && line.charCodeAt(i + 5) === 0x20 && line.charCodeAt(i + 8) === 0x3a) {
    const level = 'IWEF'.includes(line[i]!) ? levelOfLetter(line[i]!) : null;
    return level === null ? null : { level, text: line[i]! };
  }
  let j = i;
  let upper = true;
  while (j - i <= MAX_LEVEL_WORD && isLetter(line.charCodeAt(j))) {
    if (!isUpper(line.charCodeAt(j))) upper = false;
    j++;
  }
  if (j - i > MAX_LEVEL_WORD) return null;
  const after = line.charCodeAt(j);
  if (after === 0x3d) return levelField(line, i);
  // `error: …` in any case; a bare word only when upper-case (`ERROR could not …`)
  if (after !== 0x3a && !(upper && (after === 0x20 || Number.isNaN(after)))) return null;
  const text = line.slice(i, j);
  const level = levelOfWord(text);
  return level === null ? null : { level, text };
}

function isLevelToken(line: string, start: number, end: number): boolean {
  return end - start <= MAX_LEVEL_WORD && levelOfWord(line.slice(start, end)) !== null;
}

/** RFC 5424 after `<PRI>1 `. */
function parseRfc5424(line: string, at: number, pri: number, priText: string): ParsedLine | null {
  let time = '';
  let i = at;
  if (line.charCodeAt(i) === 0x2d) {
    i++;
  } else {
    const stamp = isoStamp(line, i, true);
    if (stamp === null) return null;
    time = stamp.time;
    i = stamp.end;
  }
  const fields: number[] = [];
  for (let n = 0; n < 4; n++) {
    if (line.charCodeAt(i) !== 0x20) return null;
    const end = tokenEnd(line, i + 1, MAX_HOST, false);
    if (end < 0) return null;
    fields.push(i + 1, end);
    i = end;
  }
  if (line.charCodeAt(i) !== 0x20) return null;
  i++;
  // structured data: `-` or one or more [id param="value" …] with \] \" \\ escapes inside values
  if (line.charCodeAt(i) === 0x2d) {
    i++;
  } else {
    if (line.charCodeAt(i) !== 0x5b) return null;
    while (line.charCodeAt(i) === 0x5b) {
      let quoted = false;
      i++;
      for (; i < line.length; i++) {
        const c = line.charCodeAt(i);
        if (quoted && c === 0x5c) i++;
        else if (c === 0x22) quoted = !quoted;
        else if (!quoted && c === 0x5d) break;
      }
      if (i >= line.length) return null;
      i++;
    }
  }
  if (i < line.length && line.charCodeAt(i) !== 0x20) return null;
  while (line.charCodeAt(i) === 0x20) i++;
  if (line.charCodeAt(i) === 0xfeff) i++;
  const [, , appStart, appEnd, pidStart, pidEnd] = fields as [number, number, number, number, number, number];
  const app = line.slice(appStart, appEnd);
  const pid = line.slice(pidStart, pidEnd);
  const body = line.slice(i);
  let message = body;
  if (app !== '-') message = pid === '-' ? `${app}: ${body}` : `${app}[${pid}]: ${body}`;
  return result(time, message, messageLevel(line, i), pri, priText);
}

function parseSyslogLine(line: string, context: ParseContext): ParsedLine | null {
  if (line.length < MIN_LENGTH) return null;
  let i = 0;
  let pri = -1;
  let priText = '';
  const first = line.charCodeAt(0);
  if (first === 0x3c) {
    let p = 1;
    while (p < 5 && isDigit(line.charCodeAt(p))) p++;
    if (p === 1 || p > 4 || line.charCodeAt(p) !== 0x3e) return null;
    pri = digitsAt(line, 1, p - 1);
    if (pri > MAX_PRI) return null;
    priText = line.slice(0, p + 1);
    i = p + 1;
    if (line.charCodeAt(i) === 0x31 && line.charCodeAt(i + 1) === 0x20) return parseRfc5424(line, i + 2, pri, priText);
  } else if (!isUpper(first) && !isDigit(first)) {
    return null;
  }

  const iso = isDigit(line.charCodeAt(i));
  const stamp = iso ? isoStamp(line, i, false) : bsdStamp(line, i, context.referenceMs);
  if (stamp === null || line.charCodeAt(stamp.end) !== 0x20) return null;

  const hostStart = stamp.end + 1;
  let messageStart: number;
  let tagStart: number;
  const tagged = iso ? -1 : afterTag(line, hostStart);
  if (tagged > 0) {
    // `Mmm dd hh:mm:ss tag: msg`: a sender that left out the host
    tagStart = hostStart;
    messageStart = tagged;
  } else {
    const hostEnd = tokenEnd(line, hostStart, MAX_HOST, true);
    if (hostEnd < 0 || line.charCodeAt(hostEnd) !== 0x20 || line.charCodeAt(hostEnd - 1) === 0x3a) return null;
    if (iso && (allDigits(line, hostStart, hostEnd) || isLevelToken(line, hostStart, hostEnd))) return null;
    tagStart = hostEnd + 1;
    const afterTagAt = afterTag(line, tagStart);
    messageStart = afterTagAt > 0 ? afterTagAt : tagStart;
  }
  return result(stamp.time, line.slice(tagStart), messageLevel(line, messageStart), pri, priText);
}

/**
 * The entry: the message's own level token wins over the PRI, because
 * forwarders set the PRI per stream, not per line (journald and Docker's
 * syslog driver send all of stdout as info and all of stderr as err).
 */
function result(time: string, message: string, found: Found | null, pri: number, priText: string): ParsedLine {
  if (found !== null) return { format: 'syslog', time, level: found.level, levelText: found.text, message, fields: null };
  if (pri >= 0) return { format: 'syslog', time, level: levelOfSyslogSeverity(pri % 8), levelText: priText, message, fields: null };
  return { format: 'syslog', time, level: null, levelText: '', message, fields: null };
}

/**
 * Syslog file lines (RFC 3164 with or without PRI, RFC 3339 timestamps,
 * RFC 5424). The message starts at the tag (`app[1234]: msg`), the host is
 * dropped; for RFC 5424 it is `app[procid]: msg` (MSGID and structured data
 * dropped).
 *
 * @example
 *   SYSLOG_FORMAT.parse('Nov 23 10:00:00 web1 app[1234]: ERROR disk full', { referenceMs: Date.UTC(2026, 11, 1) })
 *   // { format: 'syslog', time: '2026-11-23 10:00:00', level: 'ERROR', levelText: 'ERROR', message: 'app[1234]: ERROR disk full', fields: null }
 */
export const SYSLOG_FORMAT: LineFormat = {
  name: 'syslog',
  parse: parseSyslogLine,
};
