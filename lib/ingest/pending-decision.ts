/**
 * What to do at the end of a batch with the entry the scanner holds back (a
 * multi-line entry whose next line may still come), and with an unterminated
 * last line. Pure: the batch passes in what it saw.
 */

/**
 * True when the file has not been written for MULTILINE_FLUSH_MS (0: always):
 * what it holds at its end is complete.
 */
export function isQuiet(nowMs: number, mtimeMs: number, multilineFlushMs: number): boolean {
  return multilineFlushMs === 0 || nowMs - mtimeMs >= multilineFlushMs;
}

export interface LastLineInput {
  /** The whole file up to its size was scanned. */
  reachedEnd: boolean;
  /** Bytes after the last newline, not consumed by the scanner. */
  unterminatedBytes: number;
  rotated: boolean;
  quiet: boolean;
}

/** A rotated file nobody writes to any more: its unterminated last line is complete and is scanned as one. */
export function completesLastLine(input: LastLineInput): boolean {
  return input.reachedEnd && input.unterminatedBytes > 0 && input.rotated && input.quiet;
}

export interface PendingInput {
  /** Offset of the entry the scanner holds back, or null when it holds none. */
  heldOffset: number | null;
  /** Where the batch started (its checkpoint). */
  batchStart: number;
  /** When the checkpoint's held entry was first held back (null: none was). */
  pendingSince: Date | null;
  /** The whole file up to its size was scanned. */
  reachedEnd: boolean;
  /** The batch stopped at its byte limit (not at the end, not stopped by the deadline or a shrinking file). */
  batchFull: boolean;
  quiet: boolean;
  nowMs: number;
  multilineFlushMs: number;
}

/** `flush`: store the held entry now; otherwise keep holding it, saving `pendingSince` with the checkpoint. */
export interface PendingDecision {
  flush: boolean;
  pendingSince: Date | null;
}

/**
 * Flush or hold the entry held back at the end of a batch:
 * - at the end of the file, it is flushed once the file is quiet or the
 *   entry was held for MULTILINE_FLUSH_MS (since the run that first held
 *   it at the same offset); else it is held, keeping its first hold time;
 * - an entry filling a whole batch is flushed: it cannot wait for the next one;
 * - at a batch boundary, the deadline or a shrinking file it is held, and the
 *   next batch or run finishes it.
 *
 * @example
 *   decidePending({ heldOffset: 0, batchStart: 0, pendingSince: null, reachedEnd: true, batchFull: false, quiet: false, nowMs, multilineFlushMs: 2000 });
 *   // → { flush: false, pendingSince: new Date(nowMs) }
 */
export function decidePending(input: PendingInput): PendingDecision {
  if (input.heldOffset === null) return { flush: false, pendingSince: null };
  const sameEntry = input.heldOffset === input.batchStart;
  const heldBefore = input.pendingSince !== null && sameEntry ? input.pendingSince : null;
  if (input.reachedEnd) {
    const heldLongEnough = heldBefore !== null && input.nowMs - heldBefore.getTime() >= input.multilineFlushMs;
    if (input.quiet || heldLongEnough) return { flush: true, pendingSince: null };
    return { flush: false, pendingSince: heldBefore ?? new Date(input.nowMs) };
  }
  if (input.batchFull && sameEntry) return { flush: true, pendingSince: null };
  return { flush: false, pendingSince: heldBefore };
}

/**
 * When an entry held at the end of a file (flush false, `pendingSince` set)
 * will be stored by a later read: once the file has been quiet for
 * MULTILINE_FLUSH_MS, or the entry held that long, whichever comes first.
 * null when nothing is held at the end. An ingest invocation reads the file
 * again then (ingest-passes.ts) instead of leaving the entry to the next
 * scheduled run (issue 13: the last entry is not held a whole minute).
 *
 * @example
 *   settlesAt({ flush: false, pendingSince: new Date(1_000) }, 2_000, 5_000); // → 6_000
 */
export function settlesAt(decision: PendingDecision, mtimeMs: number, multilineFlushMs: number): number | null {
  if (decision.flush || decision.pendingSince === null) return null;
  return Math.min(mtimeMs, decision.pendingSince.getTime()) + multilineFlushMs;
}
