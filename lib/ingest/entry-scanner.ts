import { isUtf8 } from 'node:buffer';
import { KNOWN_LEVELS } from './levels';
import { HEADER_NONE, HEADER_OK, compileLevels, newLineHeader, parseLineHeader, timestampText } from './line-header';

/** One log entry to store: its first line's offset, and its (multi-line) message. */
export interface EntryRecord {
  offset: number;
  timestamp: string;
  level: string;
  message: string;
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
  c.matchedBytes = 0;
  c.skippedBytes = 0;
  c.unparseableBytes = 0;
  c.blankBytes = 0;
}

export interface ScannerOptions {
  /** Upper-case levels to keep. */
  levels: readonly string[];
  /** Longest line kept whole, terminator (`\n` or `\r\n`) not counted. */
  maxLineBytes: number;
  /** Receives each complete entry with a wanted level. */
  emit: (entry: EntryRecord) => void;
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const KNOWN = compileLevels(KNOWN_LEVELS);

/** What the pending entry is. */
const NO_ENTRY = 0;
const KEEP = 1;
const SKIP = 2;
const BAD = 3;
type PendingKind = typeof NO_ENTRY | typeof KEEP | typeof SKIP | typeof BAD;

/**
 * Turns file bytes into log entries, Vector-style: complete lines only, a
 * maximum line length, and multi-line entries (lines without a timestamp
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
  /** Counts of the pending entry, committed when it finishes. */
  private readonly open: ScanCounts = emptyCounts();
  private readonly header = newLineHeader();
  private readonly wanted: ReadonlySet<string>;
  private readonly max: number;
  private readonly marker: string;
  private pendingKind: PendingKind = NO_ENTRY;
  private pendingOffset = 0;
  private pendingTimestamp = '';
  private pendingLevel = '';
  private pendingMessage = '';

  public constructor(
    private readonly options: ScannerOptions,
    startOffset: number,
    skipping = false,
  ) {
    this.position = startOffset;
    this.skipping = skipping;
    this.wanted = new Set(options.levels);
    this.max = options.maxLineBytes;
    this.marker = ` …[line truncated at ${options.maxLineBytes} bytes]`;
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
    const status = blank ? HEADER_NONE : parseLineHeader(buf, start, textEnd, KNOWN, this.header);
    // A new entry starts: the previous one is complete, and its counts are
    // committed before this line's counts open with the new entry.
    if (status !== HEADER_NONE) this.finishPending();
    let c: ScanCounts;
    if (blank) {
      c = this.target();
      c.blankLines += 1;
      c.blankBytes += lineBytes;
    } else if (status === HEADER_NONE) {
      if (this.pendingKind === NO_ENTRY) {
        c = this.counts;
        c.unparseableLines += 1;
        c.unparseableBytes += lineBytes;
      } else {
        c = this.open;
        c.continuationLines += 1;
        this.chargeEntryBytes(lineBytes);
        if (this.pendingKind === KEEP) this.pendingMessage += `\n${this.decode(buf, start, textEnd, truncated)}`;
      }
    } else {
      c = this.open;
      this.pendingOffset = this.position + start;
      if (status === HEADER_OK) {
        const h = this.header;
        if (this.wanted.has(h.level)) {
          this.pendingKind = KEEP;
          this.pendingTimestamp = timestampText(buf, h);
          this.pendingLevel = h.level;
          this.pendingMessage = this.decode(buf, h.messageStart, textEnd, truncated);
        } else {
          this.pendingKind = SKIP;
        }
      } else {
        // Bad timestamp or level: unparseable, and its continuation lines go with it.
        this.pendingKind = BAD;
        c.unparseableLines += 1;
      }
      this.chargeEntryBytes(lineBytes);
    }
    c.lines += 1;
    if (truncated) {
      c.truncatedLines += 1;
      c.truncatedBytes += lineEnd - textEnd;
    }
  }

  private chargeEntryBytes(bytes: number): void {
    if (this.pendingKind === KEEP) this.open.matchedBytes += bytes;
    else if (this.pendingKind === SKIP) this.open.skippedBytes += bytes;
    else this.open.unparseableBytes += bytes;
  }

  /** Text of a stored line; only pending kept entries are decoded, so counts go to `open`. */
  private decode(buf: Buffer, start: number, end: number, truncated: boolean): string {
    let text = buf.toString('utf8', start, end);
    if (text.includes('\uFFFD') && !isUtf8(buf.subarray(start, end))) {
      this.open.invalidUtf8Lines += 1;
      this.open.invalidUtf8Bytes += countInvalidUtf8(buf, start, end);
    }
    if (text.includes('\0')) {
      // NUL cannot be stored in a PostgreSQL text value: mark where it was.
      const parts = text.split('\0');
      this.open.nulBytes += parts.length - 1;
      text = parts.join('\uFFFD');
    }
    return truncated ? text + this.marker : text;
  }

  private finishPending(): void {
    const kind = this.pendingKind;
    if (kind === NO_ENTRY) return;
    this.pendingKind = NO_ENTRY;
    if (kind === KEEP) {
      this.open.entriesMatched += 1;
      const entry: EntryRecord = {
        offset: this.pendingOffset,
        timestamp: this.pendingTimestamp,
        level: this.pendingLevel,
        message: this.pendingMessage,
      };
      this.pendingMessage = '';
      this.options.emit(entry);
    } else if (kind === SKIP) {
      this.open.entriesSkipped += 1;
    }
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
