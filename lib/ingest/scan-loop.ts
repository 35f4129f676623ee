import type { Anomaly } from './anomaly';
import type { EntryScanner } from './entry-scanner';

/** Bytes read from the file at a time. */
export const CHUNK_BYTES = 1024 * 1024;
/** Read size past the batch limit, to finish the line that straddles it. */
export const STRADDLE_READ_BYTES = 4096;

/** Reads `length` bytes at file `position` into `buf` at `offset`; resolves to the bytes read (0: end of file). */
export type ReadAt = (buf: Buffer, offset: number, length: number, position: number) => Promise<number>;

export interface ScanLoopInput {
  readAt: ReadAt;
  scanner: Pick<EntryScanner, 'position' | 'scan'>;
  /** Called after each chunk was scanned: hands the entries found to the database (back-pressure). */
  drain: () => Promise<void>;
  /** True when the run must stop (checked before each read). */
  shouldStop: () => boolean;
  /** The checkpoint: where reading starts. */
  from: number;
  /** The file's size when the batch started: reading stops there. */
  size: number;
  batchBytes: number;
  maxLineBytes: number;
  /** Bytes per read (tests use small ones). */
  chunkBytes?: number;
}

export interface ScanEnd {
  /** The file position after the last byte read. */
  readPos: number;
  /** Bytes read but not consumed: an unterminated last line (at most maxLineBytes + 1). */
  unterminated: Buffer;
  /** `shouldStop` ended the scan. */
  stopped: boolean;
  /** Where the file ended, before `size`, while being read; null when it did not. */
  shrankAt: number | null;
  /** The whole file up to `size` was scanned. */
  reachedEnd: boolean;
  /** The scan stopped at the batch limit, not at the end, the deadline or a shrinking file. */
  batchFull: boolean;
}

/**
 * How much to read next: a chunk at most, never past `size`, and near the
 * batch limit only what finishes the line that straddles it.
 */
export function readLength(readPos: number, size: number, batchLimit: number, chunkBytes: number = CHUNK_BYTES): number {
  return Math.min(chunkBytes, size - readPos, Math.max(batchLimit - readPos, STRADDLE_READ_BYTES));
}

/** Why the scan ended: the end of the file, or the batch limit (neither when stopped or cut short). */
export function endOfScan(stopped: boolean, shrankAt: number | null, readPos: number, size: number): { reachedEnd: boolean; batchFull: boolean } {
  const interrupted = stopped || shrankAt !== null;
  const reachedEnd = !interrupted && readPos >= size;
  return { reachedEnd, batchFull: !interrupted && !reachedEnd };
}

/** The file ended at `shrankAt` while a batch read it, before the `size` fstat gave. */
export function shrankWhileReading(size: number, shrankAt: number): Anomaly {
  return {
    kind: 'shrank_while_reading',
    occurrences: 1,
    bytes: size - shrankAt,
    firstOffset: shrankAt,
    detail: `the file ended at ${shrankAt} while being read, ${size - shrankAt} bytes before the size it had when the batch started`,
  };
}

/**
 * Feed the file from `from` to the scanner chunk by chunk, until `size` or
 * until the scanner has consumed `batchBytes`. The bytes the scanner leaves
 * (a partial line) are carried to the front of the next read; the scanner's
 * contract bounds them to maxLineBytes + 1, which the buffer leaves room for.
 */
export async function scanBatch(input: ScanLoopInput): Promise<ScanEnd> {
  const { readAt, scanner, size } = input;
  const chunkBytes = input.chunkBytes ?? CHUNK_BYTES;
  const batchLimit = input.from + input.batchBytes;
  const buf = Buffer.allocUnsafe(chunkBytes + input.maxLineBytes + 1);
  let carry = 0;
  let readPos = input.from;
  let stopped = false;
  let shrankAt: number | null = null;
  while (readPos < size && scanner.position < batchLimit) {
    if (input.shouldStop()) {
      stopped = true;
      break;
    }
    const bytesRead = await readAt(buf, carry, readLength(readPos, size, batchLimit, chunkBytes), readPos);
    if (bytesRead === 0) {
      shrankAt = readPos;
      break;
    }
    readPos += bytesRead;
    const view = buf.subarray(0, carry + bytesRead);
    const consumed = scanner.scan(view);
    carry = view.length - consumed;
    if (carry > 0) buf.copyWithin(0, consumed, view.length);
    await input.drain();
  }
  return { readPos, unterminated: buf.subarray(0, carry), stopped, shrankAt, ...endOfScan(stopped, shrankAt, readPos, size) };
}
