import { isUtf8 } from 'node:buffer';
import { FormatDetector, LINE_KINDS } from './formats/detector';
import { ALL_FORMATS, WRAPPERS } from './formats/index';
import { LEVELS, levelOfWord } from './formats/severity';
import { traceStartLevel } from './formats/stack-trace';
import type { Level } from './formats/severity';
import type { FormatName, ParsedLine } from './formats/types';
import { KNOWN_LEVELS } from './levels';
import { HEADER_BAD_LEVEL, HEADER_BAD_TIMESTAMP, HEADER_NONE, HEADER_OK, compileLevels, newLineHeader, parseLineHeader, timestampText } from './line-header';
import type { HeaderStatus } from './line-header';

/** Where an entry's time came from (`log_entries.time_source`). */
export const TIME_SOURCES = ['line', 'wrapper', 'read'] as const;
export type TimeSource = (typeof TIME_SOURCES)[number];

/** One log entry to store: its first line's offset, and its (multi-line) message. */
export interface EntryRecord {
  offset: number;
  /** PostgreSQL timestamp input; without an offset it is read in the source's zone. */
  timestamp: string;
  /** Canonical level (see formats/severity.ts). */
  level: string;
  message: string;
  /** Severity number of `level`. */
  severity: number;
  /** The level as written, when it differs from `level` (else ''). */
  levelText: string;
  /** JSON text of a structured line's fields, or null. */
  fields: string | null;
  timeSource: TimeSource;
}

/** Why a line was not understood (`ingest_unparsed.reason`). */
export const UNPARSED_REASONS = ['no_format', 'bad_timestamp', 'unknown_level', 'orphan_continuation'] as const;
export type UnparsedReason = (typeof UNPARSED_REASONS)[number];

/** A line no format understood, kept so an operator can see it (the first few per batch). */
export interface UnparsedSample {
  offset: number;
  line: Buffer;
  reason: UnparsedReason;
}

/**
 * What the scanner met. Two identities hold for any committed counts
 * (see `EntryScanner`):
 * - lines = entriesMatched + entriesSkipped + continuationLines + blankLines + unparseableLines
 * - bytes consumed = matchedBytes + skippedBytes + unparseableBytes + blankBytes + truncatedBytes
 */
export interface ScanCounts {
  /** Lines consumed (an over-long line counts once). */
  lines: number;
  /** Entries with a wanted level (handed to the sink). */
  entriesMatched: number;
  /** Entries with a known level not in LOG_LEVELS. */
  entriesSkipped: number;
  /** Lines without a timestamp that belong to the entry above. */
  continuationLines: number;
  /** Empty or whitespace-only lines (never stored). */
  blankLines: number;
  /** Header lines with a bad timestamp or unknown/missing level, and lines with no entry to continue. */
  unparseableLines: number;
  /** Lines over the maximum length, stored truncated. */
  truncatedLines: number;
  /** Bytes dropped from over-long lines: from the cut to the end of the line, terminator included. */
  truncatedBytes: number;
  /** Stored lines with invalid UTF-8 (replaced by U+FFFD). */
  invalidUtf8Lines: number;
  /** Bytes of those lines that are not part of a valid UTF-8 sequence. */
  invalidUtf8Bytes: number;
  /** NUL bytes replaced with U+FFFD in stored messages. */
  nulBytes: number;
  /** Stored entries whose time is far from the file's modification time (more than a day after it, or a year before). */
  timeOutOfRange: number;
  /** Bytes of the lines of stored entries (kept part and terminators). */
  matchedBytes: number;
  /** Bytes of the lines of entries with an unwanted level. */
  skippedBytes: number;
  /** Bytes of unparseable lines and of the continuation lines that follow an unparseable header. */
  unparseableBytes: number;
  /** Bytes of blank lines. */
  blankBytes: number;
}

export function emptyCounts(): ScanCounts {
  return {
    lines: 0,
    entriesMatched: 0,
    entriesSkipped: 0,
    continuationLines: 0,
    blankLines: 0,
    unparseableLines: 0,
    truncatedLines: 0,
    truncatedBytes: 0,
    invalidUtf8Lines: 0,
    invalidUtf8Bytes: 0,
    nulBytes: 0,
    timeOutOfRange: 0,
    matchedBytes: 0,
    skippedBytes: 0,
    unparseableBytes: 0,
    blankBytes: 0,
  };
}

/** Add the counts of `source` into `target` (other fields of either are left alone). */
export function addCounts(target: ScanCounts, source: ScanCounts): void {
  target.lines += source.lines;
  target.entriesMatched += source.entriesMatched;
  target.entriesSkipped += source.entriesSkipped;
  target.continuationLines += source.continuationLines;
  target.blankLines += source.blankLines;
  target.unparseableLines += source.unparseableLines;
  target.truncatedLines += source.truncatedLines;
  target.truncatedBytes += source.truncatedBytes;
  target.invalidUtf8Lines += source.invalidUtf8Lines;
  target.invalidUtf8Bytes += source.invalidUtf8Bytes;
  target.nulBytes += source.nulBytes;
  target.timeOutOfRange += source.timeOutOfRange;
  target.matchedBytes += source.matchedBytes;
  target.skippedBytes += source.skippedBytes;
  target.unparseableBytes += source.unparseableBytes;
  target.blankBytes += source.blankBytes;
}

/** Sum of the byte buckets: equals the bytes consumed. */
export function accountedBytes(c: ScanCounts): number {
  return c.matchedBytes + c.skippedBytes + c.unparseableBytes + c.blankBytes + c.truncatedBytes;
}

/** Set every count of `c` to zero (other fields are left alone). */
export function resetCounts(c: ScanCounts): void {
  c.lines = 0;
  c.entriesMatched = 0;
  c.entriesSkipped = 0;
  c.continuationLines = 0;
  c.blankLines = 0;
  c.unparseableLines = 0;
  c.truncatedLines = 0;
  c.truncatedBytes = 0;
  c.invalidUtf8Lines = 0;
  c.invalidUtf8Bytes = 0;
  c.nulBytes = 0;
  c.timeOutOfRange = 0;
  c.matchedBytes = 0;
  c.skippedBytes = 0;
  c.unparseableBytes = 0;
  c.blankBytes = 0;
}

export interface ScannerOptions {
  /** Levels to keep: the lowest of them and everything above (canonical names or level words). */
  levels: readonly string[];
  /** Longest line kept whole, terminator (`\n` or `\r\n`) not counted. */
  maxLineBytes: number;
  /** Receives each complete entry with a wanted level. */
  emit: (entry: EntryRecord) => void;
  /** Decides the format of lines the brief format's byte parser does not take (default: `auto` over every format). */
  detector?: FormatDetector;
  /** Try the brief format's byte parser first (default true; off for a source pinned to another format). */
  briefFastPath?: boolean;
  /** A source's multi-line rule: only lines matching it start an entry. */
  multilineStart?: RegExp | null;
  /** Canonical time for entries whose line carries none (the read time). */
  readTime?: string;
  /** Receives the first few lines no format understood (at most MAX_UNPARSED_SAMPLES per scanner). */
  onUnparsed?: (sample: UnparsedSample) => void;
  /** The file's modification time: stored entries far from it are counted in `timeOutOfRange`. */
  mtimeMs?: number;
}

const DAY_MS = 86_400_000;
/** Slack for a time read in an unknown zone: UTC-12 to UTC+14. */
const ZONE_SLACK_MS = 14 * 3_600_000;
const CANONICAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?\s?(Z|[+-]\d{2}(?::?\d{2})?)?/;

/**
 * Milliseconds since the epoch of a timestamp as stored (offset-less ones
 * taken as UTC: callers allow a zone's worth of slack), or NaN.
 */
export function approximateEpochMs(text: string): number {
  const m = CANONICAL.exec(text);
  if (m === null) return Number.NaN;
  let ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  const offset = m[8];
  if (offset !== undefined && offset !== 'Z') {
    const sign = offset[0] === '-' ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0')) * 60_000;
  }
  return ms;
}

/** `YYYY-MM-DD` of `ms` in UTC. */
function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** True when `buf[start..end)` holds exactly the ASCII characters of `text`. */
function bytesEqual(buf: Buffer, start: number, end: number, text: string): boolean {
  if (end - start !== text.length) return false;
  for (let i = 0; i < text.length; i += 1) if (buf[start + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** More than a day after the file was last written, or more than a year before: a wrong clock, year or zone. */
export function isTimeOutOfRange(timestamp: string, mtimeMs: number): boolean {
  const ms = approximateEpochMs(timestamp);
  if (Number.isNaN(ms)) return false;
  return ms > mtimeMs + DAY_MS + ZONE_SLACK_MS || ms < mtimeMs - 366 * DAY_MS - ZONE_SLACK_MS;
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const KNOWN = compileLevels(KNOWN_LEVELS);
/** Level word of the brief format (upper-case) → canonical level. */
const WORD_LEVEL: ReadonlyMap<string, Level> = new Map(KNOWN_LEVELS.map((w) => [w, levelOfWord(w)!]));
/** Samples of unparsed lines kept per batch, and bytes kept of each. */
export const MAX_UNPARSED_SAMPLES = 5;
const SAMPLE_BYTES = 1024;
/** A stack-trace start continues the entry above only when that entry is at least a warning. */
const TRACE_HOLDER_SEVERITY = LEVELS.WARN;

/** What the pending entry is. */
const NO_ENTRY = 0;
const KEEP = 1;
const SKIP = 2;
const BAD = 3;
/** A container record split by its runtime (a line over 16 KiB): held until its last record, then read as one line. */
const HOLD = 4;
type PendingKind = typeof NO_ENTRY | typeof KEEP | typeof SKIP | typeof BAD | typeof HOLD;

function lowestSeverity(levels: readonly string[]): number {
  let min = Number.POSITIVE_INFINITY;
  for (const l of levels) {
    const level = levelOfWord(l);
    if (level !== null) min = Math.min(min, LEVELS[level]);
  }
  return min;
}

/** A string as jsonb takes it: no NUL, no lone surrogates (PostgreSQL rejects both). */
function jsonbText(value: string): string {
  return value.replaceAll('\0', '\uFFFD').toWellFormed();
}

/** `value` with every key and string made jsonb-safe (only called when a key needs it: rare). */
function jsonbSafe(value: unknown): unknown {
  if (typeof value === 'string') return jsonbText(value);
  if (Array.isArray(value)) return value.map(jsonbSafe);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[jsonbText(k)] = jsonbSafe(v);
    return out;
  }
  return value;
}

/** JSON text of structured fields for a jsonb column, or null. */
function fieldsJson(fields: Record<string, unknown> | null): string | null {
  if (fields === null) return null;
  try {
    const text = JSON.stringify(fields, (_key, value: unknown) => (typeof value === 'string' ? jsonbText(value) : value));
    // A key with NUL or a lone surrogate survives the replacer (it only sees values).
    return /\\u0000|\\ud[89a-f]/i.test(text) ? JSON.stringify(jsonbSafe(fields)) : text;
  } catch {
    return null;
  }
}

/**
 * Turns file bytes into log entries, Vector-style: complete lines only, a
 * maximum line length, and multi-line entries (lines no format recognises
 * belong to the entry above). Pure: no I/O, no clock.
 *
 * Contract:
 * - `scan(buf)` is given the bytes starting at `position`; it consumes every
 *   complete line and returns how many bytes it consumed. The unconsumed rest
 *   is a partial line of at most `maxLineBytes + 1` bytes (room for a `\r`
 *   whose `\n` has not arrived), to be given again with more bytes after it.
 *   With `eof`, the rest is taken as a last line without terminator.
 * - A line whose content is longer than `maxLineBytes` is cut at a UTF-8
 *   boundary at most `maxLineBytes` in, marked, and the rest of it up to its
 *   newline is discarded (`skipping`), even across calls, so one long line
 *   never stalls a file. The cut is the same whether the line arrives whole
 *   or in pieces.
 * - Each line is first offered to the brief format's byte parser (no
 *   decoding: the fast path), then to the detector (every format of
 *   formats/, container records unwrapped). A recognised line starts an
 *   entry; an uncaught exception's trace start (formats/stack-trace.ts)
 *   starts one when no warning-or-worse entry is open; any other line
 *   continues the entry above, or is unparseable when there is none.
 * - The last entry stays pending (it may still get continuation lines) until
 *   the next entry starts or `flush()` is called. `checkpoint()` is therefore
 *   the start of the pending entry, or `position` when none is pending:
 *   resuming from it never loses or repeats an entry.
 * - `counts` cover exactly the bytes from the start offset to `checkpoint()`:
 *   the pending entry's lines are counted when it finishes, so re-reading a
 *   held entry in a later run never counts its lines twice. Every consumed
 *   byte lands in exactly one byte bucket (see `ScanCounts`).
 * - Blank lines are counted and never stored; they do not end an entry.
 */
export class EntryScanner {
  public position: number;
  public skipping: boolean;
  public readonly counts: ScanCounts = emptyCounts();
  /** Entries per format, counted like `counts` when each entry finishes (what `auto` chose). */
  public readonly formats = new Map<string, number>();
  /** Counts of the pending entry, committed when it finishes. */
  private readonly open: ScanCounts = emptyCounts();
  private readonly header = newLineHeader();
  private readonly minSeverity: number;
  private readonly max: number;
  private readonly marker: string;
  private readonly detector: FormatDetector;
  private readonly fast: boolean;
  private readonly multilineStart: RegExp | null;
  private readonly readTime: string;
  private samples = 0;
  /** Dates (`YYYY-MM-DD`) strictly between which a time is surely not out of range (see isTimeOutOfRange). */
  private readonly rangeLowDate: string;
  private readonly rangeHighDate: string;
  private pendingKind: PendingKind = NO_ENTRY;
  private pendingOffset = 0;
  private pendingTimestamp = '';
  private pendingLevel = '';
  private pendingSeverity = 0;
  private pendingLevelText = '';
  private pendingFields: string | null = null;
  private pendingTimeSource: TimeSource = 'line';
  private pendingMessage = '';
  /** Blank lines met since the pending entry's last line. */
  private heldBlankLines = 0;
  /** Those blank lines, as seen by the line being consumed. */
  private blanksBefore = 0;
  /** Format of the pending entry's first line, counted in `formats` when the entry finishes. */
  private pendingFormat: FormatName = 'brief';
  /** While HOLD: the records' text so far, their runtime's time and their bytes. */
  private holdText = '';
  private holdWrapperTime = '';
  private holdBytes = 0;
  /**
   * The time of the line just before, when it was a dated line without a
   * level: java.util.logging's default writes the date on one line and
   * `SEVERE: message` on the next, which takes that time.
   */
  private carriedTime = '';
  private carryNow = '';

  public constructor(
    private readonly options: ScannerOptions,
    startOffset: number,
    skipping = false,
  ) {
    this.position = startOffset;
    this.skipping = skipping;
    this.minSeverity = lowestSeverity(options.levels);
    this.max = options.maxLineBytes;
    this.marker = ` …[line truncated at ${options.maxLineBytes} bytes]`;
    this.detector = options.detector ?? new FormatDetector({ kind: 'auto' }, ALL_FORMATS, WRAPPERS, { referenceMs: Date.now() });
    this.fast = options.briefFastPath ?? true;
    this.multilineStart = options.multilineStart ?? null;
    this.readTime = options.readTime ?? new Date().toISOString();
    const mtime = options.mtimeMs;
    const validMtime = mtime !== undefined && Number.isFinite(mtime) && Math.abs(mtime) < 8e15;
    this.rangeLowDate = validMtime ? isoDate(mtime - 366 * DAY_MS - ZONE_SLACK_MS + DAY_MS) : '9999';
    this.rangeHighDate = validMtime ? isoDate(mtime + ZONE_SLACK_MS) : '0000';
  }

  /** Offset to resume from, and whether that offset is inside an over-long line. */
  public checkpoint(): { offset: number; skipping: boolean } {
    if (this.pendingKind !== NO_ENTRY) return { offset: this.pendingOffset, skipping: false };
    return { offset: this.position, skipping: this.skipping };
  }

  public hasPending(): boolean {
    return this.pendingKind !== NO_ENTRY;
  }

  /** Finish the pending entry now (the file has been quiet long enough). */
  public flush(): void {
    this.finishPending();
  }

  /** Consume the complete lines of `buf` (bytes from `position`); returns bytes consumed. */
  public scan(buf: Buffer, eof = false): number {
    const len = buf.length;
    let i = 0;
    if (this.skipping) {
      const nl = buf.indexOf(NEWLINE);
      i = nl === -1 ? len : nl + 1;
      this.target().truncatedBytes += i;
      if (nl !== -1 || eof) this.skipping = false;
    }
    while (i < len) {
      const nl = buf.indexOf(NEWLINE, i);
      if (nl === -1) {
        const rest = len - i;
        if (eof) {
          this.consumeLine(buf, i, buf[len - 1] === CR ? len - 1 : len, len);
          i = len;
        } else if (rest > this.max + 1 || (rest === this.max + 1 && buf[len - 1] !== CR)) {
          // An over-long line still being written: keep its head, skip the rest.
          this.consumeLine(buf, i, len, len);
          this.skipping = true;
          i = len;
        }
        break;
      }
      this.consumeLine(buf, i, nl > i && buf[nl - 1] === CR ? nl - 1 : nl, nl + 1);
      i = nl + 1;
    }
    this.position += i;
    return i;
  }

  /** Counts to charge: the pending entry's while one is open, else the committed ones. */
  private target(): ScanCounts {
    return this.pendingKind === NO_ENTRY ? this.counts : this.open;
  }

  /**
   * One line `buf[start..lineEnd)` whose content ends at `contentEnd` (before
   * its terminator). When `lineEnd === contentEnd` and the content is over-long,
   * the line continues after `buf` (the caller then skips its rest).
   */
  private consumeLine(buf: Buffer, start: number, contentEnd: number, lineEnd: number): void {
    const truncated = contentEnd - start > this.max;
    const textEnd = truncated ? utf8CutPoint(buf, start, start + this.max) : contentEnd;
    const lineBytes = (truncated ? textEnd : lineEnd) - start;
    const blank = !truncated && isBlankLine(buf, start, textEnd);
    this.carriedTime = this.carryNow;
    this.carryNow = '';
    this.blanksBefore = this.heldBlankLines;
    if (!blank) this.heldBlankLines = 0;
    let c: ScanCounts;
    if (blank) {
      c = this.target();
      c.blankLines += 1;
      c.blankBytes += lineBytes;
      // Kept in the message only if a continuation line follows (a blank line inside a stack trace).
      if (this.pendingKind === KEEP) this.heldBlankLines += 1;
    } else {
      const status: HeaderStatus = this.fast && this.multilineStart === null ? parseLineHeader(buf, start, textEnd, KNOWN, this.header) : HEADER_NONE;
      if (status === HEADER_OK) {
        c = this.startBriefEntry(buf, start, textEnd, truncated, lineBytes);
      } else {
        c = this.consumeDetected(buf, start, textEnd, truncated, lineBytes, status);
      }
    }
    c.lines += 1;
    if (truncated) {
      c.truncatedLines += 1;
      c.truncatedBytes += lineEnd - textEnd;
    }
  }

  /** The fast path: a line of the brief format, read from bytes. */
  private startBriefEntry(buf: Buffer, start: number, textEnd: number, truncated: boolean, lineBytes: number): ScanCounts {
    this.finishPending();
    const h = this.header;
    const level = WORD_LEVEL.get(h.level) ?? 'ERROR';
    const severity = LEVELS[level];
    this.pendingOffset = this.position + start;
    this.pendingFormat = 'brief';
    if (severity >= this.minSeverity) {
      this.pendingKind = KEEP;
      this.pendingTimestamp = timestampText(buf, h);
      this.pendingLevel = level;
      this.pendingSeverity = severity;
      this.pendingLevelText = bytesEqual(buf, h.levelStart, h.levelEnd, level) ? '' : buf.toString('latin1', h.levelStart, h.levelEnd);
      this.pendingFields = null;
      this.pendingTimeSource = 'line';
      this.pendingMessage = this.decode(buf, h.messageStart, textEnd, truncated);
    } else {
      this.pendingKind = SKIP;
    }
    this.chargeEntryBytes(lineBytes);
    return this.open;
  }

  /** Lines the fast path did not take: the detector decides. */
  private consumeDetected(buf: Buffer, start: number, textEnd: number, truncated: boolean, lineBytes: number, status: HeaderStatus): ScanCounts {
    const raw = buf.toString('utf8', start, textEnd);
    if (this.multilineStart !== null) {
      if (!this.multilineStart.test(raw)) return this.continueEntry(buf, start, textEnd, truncated, lineBytes, raw);
      const parsed = this.detector.parse(raw);
      if (parsed !== null) return this.startParsedEntry(buf, start, textEnd, truncated, lineBytes, parsed, '');
      return this.startBadEntry(buf, start, textEnd, lineBytes, 'no_format');
    }
    const d = this.detector.detect(raw);
    if (this.pendingKind === HOLD) {
      // The next record of a split line: one more continuation line of it, until the last record.
      this.holdText += d.text;
      this.holdBytes += lineBytes;
      this.open.continuationLines += 1;
      if (!d.partial) this.resolveHold();
      return this.open;
    }
    if (d.partial) {
      this.finishPending();
      this.pendingKind = HOLD;
      this.pendingOffset = this.position + start;
      this.holdText = d.text;
      this.holdWrapperTime = d.wrapperTime;
      this.holdBytes = lineBytes;
      return this.open;
    }
    if (d.kind === LINE_KINDS.entry && d.parsed !== null) return this.startParsedEntry(buf, start, textEnd, truncated, lineBytes, d.parsed, d.wrapperTime);
    if (d.traceLevel !== null && (this.pendingKind === NO_ENTRY || this.pendingKind === BAD || this.pendingSeverity < TRACE_HOLDER_SEVERITY)) {
      const trace: ParsedLine = { format: 'stack-trace', time: '', level: d.traceLevel, levelText: '', message: d.text, fields: null };
      return this.startParsedEntry(buf, start, textEnd, truncated, lineBytes, trace, d.wrapperTime);
    }
    // The brief parser's verdict is about the raw line, so it does not apply to a container record's inner line.
    if ((status === HEADER_BAD_TIMESTAMP || status === HEADER_BAD_LEVEL) && d.wrapperTime === '') {
      return this.startBadEntry(buf, start, textEnd, lineBytes, status === HEADER_BAD_TIMESTAMP ? 'bad_timestamp' : 'unknown_level');
    }
    return this.continueEntry(buf, start, textEnd, truncated, lineBytes, d.text);
  }

  /** The last record of a split line arrived (or the file went quiet): read the joined text as one line. */
  private resolveHold(): void {
    const text = this.holdText;
    const bytes = this.holdBytes;
    this.holdText = '';
    this.holdBytes = 0;
    let parsed = this.detector.parse(text);
    if (parsed === null) {
      const traceLevel = traceStartLevel(text);
      if (traceLevel !== null) parsed = { format: 'stack-trace', time: '', level: traceLevel, levelText: '', message: text, fields: null };
    }
    if (parsed === null) {
      // Known limit: a split line that is not an entry start cannot continue the entry above (that one was finished when the split began).
      this.pendingKind = BAD;
      this.pendingSeverity = 0;
      this.open.unparseableLines += 1;
      this.open.unparseableBytes += bytes;
      return;
    }
    this.pendingFormat = parsed.format;
    this.applyParsed(parsed, this.holdWrapperTime, this.cleanText(parsed.message));
    this.chargeEntryBytes(bytes);
  }

  private continueEntry(buf: Buffer, start: number, textEnd: number, truncated: boolean, lineBytes: number, text: string): ScanCounts {
    if (this.pendingKind === NO_ENTRY) {
      const c = this.counts;
      c.unparseableLines += 1;
      c.unparseableBytes += lineBytes;
      this.sample(buf, start, textEnd, this.position + start, 'no_format');
      return c;
    }
    const c = this.open;
    c.continuationLines += 1;
    this.chargeEntryBytes(lineBytes);
    if (this.pendingKind === KEEP) {
      const kept = this.clean(buf, start, textEnd, truncated, text);
      this.pendingMessage += `${'\n'.repeat(this.blanksBefore + 1)}${kept}`;
    }
    return c;
  }

  private startParsedEntry(
    buf: Buffer,
    start: number,
    textEnd: number,
    truncated: boolean,
    lineBytes: number,
    parsed: ParsedLine,
    wrapperTime: string,
  ): ScanCounts {
    this.finishPending();
    this.pendingOffset = this.position + start;
    this.pendingFormat = parsed.format;
    const keeps = parsed.level !== null && LEVELS[parsed.level] >= this.minSeverity;
    this.applyParsed(parsed, wrapperTime, keeps ? this.clean(buf, start, textEnd, truncated, parsed.message) : '');
    this.chargeEntryBytes(lineBytes);
    return this.open;
  }

  /** Make `parsed` the pending entry: KEEP when its level is wanted, else SKIP. */
  private applyParsed(parsed: ParsedLine, wrapperTime: string, message: string): void {
    const level = parsed.level;
    const severity = level === null ? 0 : LEVELS[level];
    this.pendingSeverity = severity;
    if (level === null && parsed.time !== '') this.carryNow = parsed.time;
    if (level === null || severity < this.minSeverity) {
      this.pendingKind = SKIP;
      return;
    }
    this.pendingKind = KEEP;
    if (parsed.time !== '') {
      this.pendingTimestamp = parsed.time;
      this.pendingTimeSource = 'line';
    } else if (this.carriedTime !== '') {
      this.pendingTimestamp = this.carriedTime;
      this.pendingTimeSource = 'line';
    } else if (wrapperTime !== '') {
      this.pendingTimestamp = wrapperTime;
      this.pendingTimeSource = 'wrapper';
    } else {
      this.pendingTimestamp = this.readTime;
      this.pendingTimeSource = 'read';
    }
    this.pendingLevel = level;
    this.pendingLevelText = parsed.levelText === level ? '' : parsed.levelText;
    this.pendingFields = fieldsJson(parsed.fields);
    this.pendingMessage = message;
  }

  /** A line that looks like an entry start but is not a valid one: unparseable, and its continuation lines go with it. */
  private startBadEntry(buf: Buffer, start: number, textEnd: number, lineBytes: number, reason: UnparsedReason): ScanCounts {
    this.finishPending();
    this.pendingOffset = this.position + start;
    this.pendingKind = BAD;
    this.pendingSeverity = 0;
    const c = this.open;
    c.unparseableLines += 1;
    this.chargeEntryBytes(lineBytes);
    this.sample(buf, start, textEnd, this.pendingOffset, reason);
    return c;
  }

  private countFormat(format: FormatName): void {
    this.formats.set(format, (this.formats.get(format) ?? 0) + 1);
  }

  private sample(buf: Buffer, start: number, end: number, offset: number, reason: UnparsedReason): void {
    if (this.options.onUnparsed === undefined || this.samples >= MAX_UNPARSED_SAMPLES) return;
    this.samples += 1;
    this.options.onUnparsed({ offset, line: Buffer.from(buf.subarray(start, Math.min(end, start + SAMPLE_BYTES))), reason });
  }

  private chargeEntryBytes(bytes: number): void {
    if (this.pendingKind === KEEP) this.open.matchedBytes += bytes;
    else if (this.pendingKind === SKIP) this.open.skippedBytes += bytes;
    else this.open.unparseableBytes += bytes;
  }

  /** Text of a stored line; only pending kept entries are decoded, so counts go to `open`. */
  private decode(buf: Buffer, start: number, end: number, truncated: boolean): string {
    return this.clean(buf, start, end, truncated, buf.toString('utf8', start, end));
  }

  /**
   * `text` (decoded from, or parsed out of, the line `buf[start..end)`) as it
   * is stored: invalid UTF-8 of the line counted, NUL replaced and counted,
   * the truncation marker added.
   */
  private clean(buf: Buffer, start: number, end: number, truncated: boolean, text: string): string {
    let out = text;
    if (out.includes('\uFFFD') && !isUtf8(buf.subarray(start, end))) {
      this.open.invalidUtf8Lines += 1;
      this.open.invalidUtf8Bytes += countInvalidUtf8(buf, start, end);
    }
    if (out.includes('\0')) {
      // NUL cannot be stored in a PostgreSQL text value: mark where it was.
      const parts = out.split('\0');
      this.open.nulBytes += parts.length - 1;
      out = parts.join('\uFFFD');
    }
    return truncated ? out + this.marker : out;
  }

  /** `text` as stored when it has no single byte range (a joined split line): NUL replaced and counted. */
  private cleanText(text: string): string {
    if (!text.includes('\0')) return text;
    const parts = text.split('\0');
    this.open.nulBytes += parts.length - 1;
    return parts.join('\uFFFD');
  }

  private finishPending(): void {
    if (this.pendingKind === HOLD) this.resolveHold();
    const kind = this.pendingKind;
    if (kind === NO_ENTRY) return;
    this.pendingKind = NO_ENTRY;
    if (kind === KEEP) {
      this.open.entriesMatched += 1;
      const ts = this.pendingTimestamp;
      // Most times fall well inside the range: two string comparisons, no parsing (dates compare as text).
      const surelyInRange = ts > this.rangeLowDate && ts < this.rangeHighDate;
      if (!surelyInRange && this.options.mtimeMs !== undefined && this.pendingTimeSource !== 'read' && isTimeOutOfRange(ts, this.options.mtimeMs)) {
        this.open.timeOutOfRange += 1;
      }
      const entry: EntryRecord = {
        offset: this.pendingOffset,
        timestamp: this.pendingTimestamp,
        level: this.pendingLevel,
        message: this.pendingMessage,
        severity: this.pendingSeverity,
        levelText: this.pendingLevelText,
        fields: this.pendingFields,
        timeSource: this.pendingTimeSource,
      };
      this.pendingMessage = '';
      this.pendingFields = null;
      this.options.emit(entry);
    } else if (kind === SKIP) {
      this.open.entriesSkipped += 1;
    }
    if (kind === KEEP || kind === SKIP) this.countFormat(this.pendingFormat);
    this.pendingSeverity = 0;
    addCounts(this.counts, this.open);
    resetCounts(this.open);
  }
}

function isBlankLine(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i += 1) {
    const b = buf[i];
    if (b !== 0x20 && b !== 0x09) return false;
  }
  return true;
}

/**
 * Where to cut `buf` at or before `end` without splitting a UTF-8 sequence:
 * back over at most 3 continuation bytes to their lead byte. Bytes that are
 * not valid UTF-8 anyway are cut at `end`.
 */
export function utf8CutPoint(buf: Uint8Array, start: number, end: number): number {
  let cut = end;
  while (cut > start && end - cut < 3 && (buf[cut]! & 0xc0) === 0x80) cut -= 1;
  return (buf[cut]! & 0xc0) === 0x80 ? end : cut;
}

/** Bytes of `buf[start..end)` that are not part of a well-formed UTF-8 sequence. */
export function countInvalidUtf8(buf: Uint8Array, start: number, end: number): number {
  let invalid = 0;
  let i = start;
  while (i < end) {
    const b = buf[i]!;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let need = 0;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    }
    let ok = need > 0;
    for (let k = 1; ok && k <= need; k += 1) {
      const c = i + k < end ? buf[i + k]! : -1;
      if (c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) ok = false;
    }
    if (ok) {
      i += need + 1;
    } else {
      invalid += 1;
      i += 1;
    }
  }
  return invalid;
}
