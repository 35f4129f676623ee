import { completesLastLine, decidePending, isQuiet, settlesAt } from '../../lib/ingest/pending-decision';
import type { PendingDecision, PendingInput } from '../../lib/ingest/pending-decision';

const NOW = Date.parse('2026-11-23T10:00:10Z');
const FLUSH_MS = 5000;
const EARLIER = new Date(NOW - 1000);
const LONG_AGO = new Date(NOW - FLUSH_MS);

/** An entry held at the batch start (offset 100), at the end of a file still being written. */
function input(over: Partial<PendingInput> = {}): PendingInput {
  return {
    heldOffset: 100,
    batchStart: 100,
    pendingSince: null,
    reachedEnd: true,
    batchFull: false,
    quiet: false,
    nowMs: NOW,
    multilineFlushMs: FLUSH_MS,
    ...over,
  };
}

const hold = (pendingSince: Date | null): PendingDecision => ({ flush: false, pendingSince });
const FLUSH: PendingDecision = { flush: true, pendingSince: null };

describe('Function: decidePending', () => {
  it.each<[string, Partial<PendingInput>, PendingDecision]>([
    ['nothing held: nothing to decide', { heldOffset: null, pendingSince: EARLIER }, hold(null)],
    ['at the end of a file still written: held from now', {}, hold(new Date(NOW))],
    ['at the end, held before at the same offset but not long enough: keeps its first hold time', { pendingSince: EARLIER }, hold(EARLIER)],
    ['at the end, held for MULTILINE_FLUSH_MS: flushed', { pendingSince: LONG_AGO }, FLUSH],
    ['at the end of a quiet file: flushed', { quiet: true }, FLUSH],
    ['at the end, a hold time from another entry (other offset) does not count', { heldOffset: 180, pendingSince: LONG_AGO }, hold(new Date(NOW))],
    ['an entry filling the whole batch: flushed', { reachedEnd: false, batchFull: true }, FLUSH],
    ['a batch limit after a later entry: held for the next batch, without a hold time', { reachedEnd: false, batchFull: true, heldOffset: 180 }, hold(null)],
    ['stopped by the deadline: held, keeping its hold time', { reachedEnd: false, pendingSince: EARLIER }, hold(EARLIER)],
    ['stopped by the deadline, quiet or not: never flushed before the end', { reachedEnd: false, quiet: true, pendingSince: LONG_AGO }, hold(LONG_AGO)],
  ])('%s', (_name, over, expected) => {
    expect(decidePending(input(over))).toEqual(expected);
  });
});

describe('Function: isQuiet', () => {
  it.each([
    ['written just now', NOW, FLUSH_MS, false],
    ['not written for MULTILINE_FLUSH_MS', NOW - FLUSH_MS, FLUSH_MS, true],
    ['MULTILINE_FLUSH_MS=0: always', NOW, 0, true],
  ])('%s → %s', (_name, mtimeMs, flushMs, expected) => {
    expect(isQuiet(NOW, mtimeMs, flushMs)).toBe(expected);
  });
});

describe('Function: completesLastLine', () => {
  it.each([
    ['a quiet rotated file ending without a newline', true, 12, true, true, true],
    ['an active file: its writer may finish the line', true, 12, false, true, false],
    ['a rotated file still written to', true, 12, true, false, false],
    ['a file ending with a newline', true, 0, true, true, false],
    ['a scan that did not reach the end', false, 12, true, true, false],
  ])('%s → %s', (_name, reachedEnd, unterminatedBytes, rotated, quiet, expected) => {
    expect(completesLastLine({ reachedEnd, unterminatedBytes, rotated, quiet })).toBe(expected);
  });
});

describe('Function: settlesAt', () => {
  it.each<[string, PendingDecision, number, number | null]>([
    ['nothing held', hold(null), NOW - 1000, null],
    ['flushed now', FLUSH, NOW - 1000, null],
    ['held in a file written a second ago: once the file is quiet', hold(new Date(NOW)), NOW - 1000, NOW - 1000 + FLUSH_MS],
    ['held since earlier than the last write: once held long enough', hold(EARLIER), NOW, EARLIER.getTime() + FLUSH_MS],
  ])('%s → %s', (_name, decision, mtimeMs, expected) => {
    expect(settlesAt(decision, mtimeMs, FLUSH_MS)).toBe(expected);
  });
});
