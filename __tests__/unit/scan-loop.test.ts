import { STRADDLE_READ_BYTES, endOfScan, readLength, scanBatch, shrankWhileReading } from '../../lib/ingest/scan-loop';
import type { ReadAt, ScanLoopInput } from '../../lib/ingest/scan-loop';

/** Stands in for EntryScanner: consumes complete lines, leaves a partial one. */
class LineScanner {
  public readonly lines: string[] = [];
  public constructor(public position: number) {}
  public scan(buf: Buffer): number {
    const consumed = buf.lastIndexOf(0x0a) + 1;
    if (consumed > 0) this.lines.push(...buf.toString('utf8', 0, consumed - 1).split('\n'));
    this.position += consumed;
    return consumed;
  }
}

/** A file in memory; `endsAt` makes it end early, as a file cut while being read. */
function memoryFile(content: string, endsAt: number = content.length): { readAt: ReadAt; reads: number[] } {
  const bytes = Buffer.from(content);
  const reads: number[] = [];
  const readAt: ReadAt = async (buf, offset, length, position) => {
    reads.push(position);
    const n = Math.max(0, Math.min(length, endsAt - position));
    bytes.copy(buf, offset, position, position + n);
    return n;
  };
  return { readAt, reads };
}

const LINES = 'one\ntwo\nthree\nfour\n';

function input(content: string, over: Partial<ScanLoopInput> = {}): ScanLoopInput & { scanner: LineScanner } {
  const from = over.from ?? 0;
  return {
    readAt: memoryFile(content).readAt,
    drain: async () => undefined,
    shouldStop: () => false,
    from,
    size: Buffer.byteLength(content),
    batchBytes: 1024 * 1024,
    maxLineBytes: 64,
    chunkBytes: 5,
    ...over,
    scanner: new LineScanner(from),
  };
}

describe('Function: scanBatch', () => {
  it('reads the file to its size in chunks, carrying a line split between two reads', async () => {
    const run = input(LINES);

    const end = await scanBatch(run);

    expect(run.scanner.lines).toEqual(['one', 'two', 'three', 'four']);
    expect(end).toEqual({ readPos: LINES.length, unterminated: Buffer.alloc(0), stopped: false, shrankAt: null, reachedEnd: true, batchFull: false });
  });

  it('starts at the checkpoint', async () => {
    const run = input(LINES, { from: 8 });

    await scanBatch(run);

    expect(run.scanner.lines).toEqual(['three', 'four']);
  });

  it('returns an unterminated last line unconsumed', async () => {
    const run = input('one\ntwo\npartial');

    const end = await scanBatch(run);

    expect(run.scanner.lines).toEqual(['one', 'two']);
    expect(end).toMatchObject({ unterminated: Buffer.from('partial'), reachedEnd: true });
  });

  it('stops once the scanner has consumed the batch', async () => {
    const run = input(LINES, { batchBytes: 4 });

    const end = await scanBatch(run);

    expect(run.scanner.position).toBeGreaterThanOrEqual(4);
    expect(end).toMatchObject({ stopped: false, reachedEnd: false, batchFull: true });
    expect(end.readPos).toBeLessThan(LINES.length);
  });

  it('reads nothing when the run must stop', async () => {
    const file = memoryFile(LINES);

    const end = await scanBatch(input(LINES, { readAt: file.readAt, shouldStop: () => true }));

    expect(file.reads).toEqual([]);
    expect(end).toMatchObject({ readPos: 0, stopped: true, reachedEnd: false, batchFull: false });
  });

  it('notes where a file cut while being read ended', async () => {
    const run = input(LINES, { readAt: memoryFile(LINES, 9).readAt });

    const end = await scanBatch(run);

    expect(run.scanner.lines).toEqual(['one', 'two']);
    expect(end).toMatchObject({ readPos: 9, shrankAt: 9, reachedEnd: false, batchFull: false, unterminated: Buffer.from('t') });
  });

  it('hands the entries to the database after each chunk', async () => {
    let drains = 0;

    await scanBatch(input(LINES, { drain: async () => void (drains += 1) }));

    expect(drains).toBe(Math.ceil(LINES.length / 5));
  });
});

describe('Function: readLength', () => {
  it.each([
    ['a whole chunk far from the limit', 0, 10_000_000, 8_000_000, 1024 * 1024],
    ['no further than the size', 100, 150, 8_000_000, 50],
    ['near the batch limit, enough to finish a straddling line', 7_999_000, 10_000_000, 8_000_000, STRADDLE_READ_BYTES],
    ['past the batch limit (a long line), still a straddle read', 8_000_100, 10_000_000, 8_000_000, STRADDLE_READ_BYTES],
    ['a smaller chunk when far from the limit but closer than a chunk', 7_000_000, 10_000_000, 7_500_000, 500_000],
  ])('%s', (_name, readPos, size, batchLimit, expected) => {
    expect(readLength(readPos, size, batchLimit)).toBe(expected);
  });
});

describe('Function: endOfScan', () => {
  it.each<[string, boolean, number | null, number, { reachedEnd: boolean; batchFull: boolean }]>([
    ['read to the size: the end', false, null, 100, { reachedEnd: true, batchFull: false }],
    ['stopped before the size at the batch limit: full', false, null, 60, { reachedEnd: false, batchFull: true }],
    ['stopped by the deadline: neither', true, null, 60, { reachedEnd: false, batchFull: false }],
    ['the file ended early: neither', false, 60, 60, { reachedEnd: false, batchFull: false }],
  ])('%s', (_name, stopped, shrankAt, readPos, expected) => {
    expect(endOfScan(stopped, shrankAt, readPos, 100)).toEqual(expected);
  });
});

describe('Function: shrankWhileReading', () => {
  it('counts the bytes fstat promised but the file no longer had', () => {
    expect(shrankWhileReading(100, 60)).toEqual({
      kind: 'shrank_while_reading',
      occurrences: 1,
      bytes: 40,
      firstOffset: 60,
      detail: 'the file ended at 60 while being read, 40 bytes before the size it had when the batch started',
    });
  });
});
