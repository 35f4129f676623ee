import { isUtf8 } from 'node:buffer';
import { HEADER_NONE, HEADER_OK, newLineHeader, parseLineHeader } from './line-header';
import { KNOWN_LEVELS } from './config';

/** One log entry to store: its first line's offset, and its (multi-line) message. */
export interface EntryRecord {
  offset: number;
  timestamp: string;
  level: string;
  message: string;
}

/** What the scanner met; every complete line read is in exactly one of the line counts. */
export interface ScanCounts {
  /** Complete lines consumed (newline-terminated). */
  lines: number;
  /** Entries with a wanted level (handed to the sink). */
  entriesMatched: number;
  /** Entries with a level not in LOG_LEVELS. */
  entriesSkipped: number;
  /** Lines without a timestamp, appended to the entry above. */
  continuationLines: number;
  /** Empty or whitespace-only lines (ignored). */
  blankLines: number;
  /** Lines that could not be parsed: bad timestamp, unknown/missing level, or no entry to continue. */
  unparseableLines: number;
  /** Lines over the maximum length, stored truncated. */
  truncatedLines: number;
  /** Bytes dropped from over-long lines. */
  truncatedBytes: number;
  /** Stored lines whose invalid UTF-8 was replaced with U+FFFD. */
  invalidUtf8Lines: number;
  /** NUL bytes replaced with U+FFFD in stored messages. */
  nulBytes: number;
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
    nulBytes: 0,
  };
}

// addCounts and resetCounts run once per line: spelled out field by field
// because a loop over the keys (megamorphic keyed access) took ~17% of the
// ingest CPU. A new count must be added to both (__tests__/unit/scan-counts).

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
  target.nulBytes += source.nulBytes;
}

/** Set every count of `counts` to zero (other fields are left alone). */
export function resetCounts(counts: ScanCounts): void {
  counts.lines = 0;
  counts.entriesMatched = 0;
  counts.entriesSkipped = 0;
  counts.continuationLines = 0;
  counts.blankLines = 0;
  counts.unparseableLines = 0;
  counts.truncatedLines = 0;
  counts.truncatedBytes = 0;
  counts.invalidUtf8Lines = 0;
  counts.nulBytes = 0;
}

interface PendingEntry {
  offset: number;
  keep: boolean;
  timestamp: string;
  level: string;
  message: string;
}

export interface ScannerOptions {
  /** Upper-case levels to keep. */
  levels: readonly string[];
  maxLineBytes: number;
  /** Receives each complete entry with a wanted level. */
  emit: (entry: EntryRecord) => void;
}

const NEWLINE = 0x0a;
const KNOWN = new Set<string>(KNOWN_LEVELS);

/**
 * Turns file bytes into log entries, Vector-style: complete lines only, a
 * maximum line length, and multi-line entries (lines without a timestamp
 * belong to the entry above).
 *
 * Contract:
 * - `scan(buf)` is given the bytes starting at `position`; it consumes every
 *   complete line and returns how many bytes it consumed. The unconsumed rest
 *   is a partial line of at most `maxLineBytes` bytes, to be given again with
 *   more bytes after it.
 * - A line longer than `maxLineBytes` is cut (at a UTF-8 boundary), marked,
 *   and the rest of it up to its newline is discarded (`skipping`), even across
 *   calls, so one long line never stalls a file.
 * - The last entry stays pending (it may still get continuation lines) until
 *   the next entry starts or `flush()` is called. `checkpoint()` is therefore
 *   the start of the pending entry, or `position` when none is pending:
 *   resuming from it never loses or repeats an entry.
 * - Counts cover finished entries only (`committedCounts`); the pending
 *   entry's lines are counted when it finishes, so re-reading a held entry in
 *   a later run never counts its lines twice.
 */
export class EntryScanner {
  public position: number;
  public skipping: boolean;
  public readonly counts: ScanCounts = emptyCounts();
  private readonly openCounts: ScanCounts = emptyCounts();
  private pending: PendingEntry | null = null;
  private readonly header = newLineHeader();
  private readonly wanted: ReadonlySet<string>;

  public constructor(
    private readonly options: ScannerOptions,
    startOffset: number,
    skipping = false,
  ) {
    this.position = startOffset;
    this.skipping = skipping;
    this.wanted = new Set(options.levels);
  }

  /** Offset to resume from, and whether that offset is inside an over-long line. */
  public checkpoint(): { offset: number; skipping: boolean } {
    if (this.pending) return { offset: this.pending.offset, skipping: false };
    return { offset: this.position, skipping: this.skipping };
  }

  public hasPending(): boolean {
    return this.pending !== null;
  }

  /** Finish the pending entry now (the file has been quiet long enough). */
  public flush(): void {
    this.finishPending();
  }

  /** Consume the complete lines of `buf` (bytes from `position`); returns bytes consumed. */
  public scan(buf: Buffer): number {
    const max = this.options.maxLineBytes;
    const len = buf.length;
    let i = 0;
    if (this.skipping) {
      const nl = buf.indexOf(NEWLINE, 0);
      const skipped = nl === -1 ? len : nl + 1;
      this.openCounts.truncatedBytes += nl === -1 ? len : nl;
      if (nl !== -1) this.skipping = false;
      i = skipped;
      if (!this.pending) this.commitOpenCounts();
    }
    while (i < len) {
      const nl = buf.indexOf(NEWLINE, i);
      if (nl === -1) {
        if (len - i > max) {
          // An over-long line still being written: keep its head, skip the rest.
          this.line(buf, i, i + max, true);
          this.openCounts.truncatedBytes += len - i - this.cutPoint(buf, i, i + max);
          this.skipping = true;
          if (!this.pending) this.commitOpenCounts();
          i = len;
        }
        break;
      }
      if (nl - i > max) {
        const cut = this.cutPoint(buf, i, i + max);
        this.line(buf, i, i + max, true);
        this.openCounts.truncatedBytes += nl - cut;
      } else {
        this.line(buf, i, nl, false);
      }
      i = nl + 1;
    }
    this.position += i;
    return i;
  }

  /** Largest index <= end that does not split a UTF-8 sequence. */
  private cutPoint(buf: Buffer, start: number, end: number): number {
    let cut = end;
    while (cut > start && (buf[cut]! & 0xc0) === 0x80) cut -= 1;
    return cut;
  }

  private line(buf: Buffer, start: number, end: number, truncated: boolean): void {
    if (truncated) end = this.cutPoint(buf, start, end);
    else if (end > start && buf[end - 1] === 0x0d) end -= 1;
    const blank = isBlankLine(buf, start, end);
    const status = blank ? HEADER_NONE : parseLineHeader(buf, start, end, KNOWN, this.header);
    // A new entry starts: the previous one is complete, and its counts are
    // committed before this line's counts open with the new entry.
    if (status !== HEADER_NONE) this.finishPending();
    const counts = this.openCounts;
    counts.lines += 1;
    if (truncated) counts.truncatedLines += 1;
    if (blank) {
      counts.blankLines += 1;
      if (!this.pending) this.commitOpenCounts();
      return;
    }
    if (status === HEADER_NONE) {
      const pending = this.pending;
      if (pending) {
        counts.continuationLines += 1;
        if (pending.keep) pending.message += `\n${this.decode(buf, start, end, truncated)}`;
      } else {
        counts.unparseableLines += 1;
        this.commitOpenCounts();
      }
      return;
    }
    const offset = this.position + start;
    if (status === HEADER_OK) {
      const h = this.header;
      const keep = this.wanted.has(h.level);
      this.pending = {
        offset,
        keep,
        timestamp: h.timestamp,
        level: h.level,
        message: keep ? this.decode(buf, h.messageStart, end, truncated) : '',
      };
    } else {
      // Bad timestamp or level: unparseable, and its continuation lines go with it.
      counts.unparseableLines += 1;
      this.pending = { offset, keep: false, timestamp: '', level: '', message: '' };
    }
  }

  private decode(buf: Buffer, start: number, end: number, truncated: boolean): string {
    let text = buf.toString('utf8', start, end);
    if (text.includes('\uFFFD') && !isUtf8(buf.subarray(start, end))) this.openCounts.invalidUtf8Lines += 1;
    if (text.includes('\0')) {
      // NUL cannot be stored in a PostgreSQL text value: mark where it was.
      const parts = text.split('\0');
      this.openCounts.nulBytes += parts.length - 1;
      text = parts.join('\uFFFD');
    }
    if (truncated) text += ` …[line truncated at ${this.options.maxLineBytes} bytes]`;
    return text;
  }

  private finishPending(): void {
    const pending = this.pending;
    if (pending) {
      this.pending = null;
      if (pending.keep) {
        this.openCounts.entriesMatched += 1;
        this.options.emit({
          offset: pending.offset,
          timestamp: pending.timestamp,
          level: pending.level,
          message: pending.message,
        });
      } else if (pending.level !== '') {
        this.openCounts.entriesSkipped += 1;
      }
    }
    this.commitOpenCounts();
  }

  private commitOpenCounts(): void {
    addCounts(this.counts, this.openCounts);
    resetCounts(this.openCounts);
  }
}

function isBlankLine(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i += 1) {
    const b = buf[i];
    if (b !== 0x20 && b !== 0x09) return false;
  }
  return true;
}
