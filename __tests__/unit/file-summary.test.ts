import { emptyCounts } from '../../lib/ingest/entry-scanner';
import { mergeBatch, newFileSummary, noteAnomalies, totalsOf } from '../../lib/ingest/file-summary';
import type { Anomaly } from '../../lib/ingest/anomaly';
import type { BatchResult } from '../../lib/ingest/source-reader';

function anomaly(kind: Anomaly['kind'], bytes: number): Anomaly {
  return { kind, occurrences: 1, bytes, firstOffset: 0, detail: '' };
}

function batch(over: Partial<BatchResult> = {}): BatchResult {
  return {
    outcome: 'read',
    fromOffset: 0,
    toOffset: 100,
    size: 150,
    reachedEnd: false,
    counts: { ...emptyCounts(), lines: 4, matchedBytes: 100 },
    anomalies: [],
    rowsWritten: 3,
    formats: new Map([['brief', 3]]),
    unparsed: [],
    settlesAt: null,
    ...over,
  };
}

describe('Function: noteAnomalies', () => {
  it('adds only the lost kinds’ bytes to bytesLost and lists each kind once', () => {
    const summary = newFileSummary('/a.log', 1, 'read');

    noteAnomalies(summary, [anomaly('truncated', 10), anomaly('invalid_utf8', 3), anomaly('truncated', 5), anomaly('entry_rejected', 7)]);

    expect(summary).toMatchObject({ bytesLost: 15, anomalies: ['truncated', 'invalid_utf8', 'entry_rejected'] });
  });
});

describe('Function: mergeBatch', () => {
  it('adds batches: offsets from the first to the last, consumed bytes, entries, counts, formats, lag after the last', () => {
    const summary = newFileSummary('/a.log', 1, 'read');

    mergeBatch(summary, batch());
    mergeBatch(summary, batch({ fromOffset: 100, toOffset: 140, size: 160, rowsWritten: 1, formats: new Map([['json', 4]]) }));

    expect(summary).toMatchObject({
      fromOffset: 0,
      toOffset: 140,
      batches: 2,
      bytesConsumed: 140,
      lagBytes: 20,
      entriesStored: 4,
      lines: 8,
      formats: { brief: 3, json: 4 },
      format: 'json',
    });
  });

  it('keeps the first line no format understood, cut to 200 characters', () => {
    const summary = newFileSummary('/a.log', 1, 'read');
    const line = Buffer.from('x'.repeat(300));

    mergeBatch(summary, batch({ unparsed: [{ offset: 0, line, reason: 'no_format' }] }));
    mergeBatch(summary, batch({ unparsed: [{ offset: 9, line: Buffer.from('later'), reason: 'no_format' }] }));

    expect(summary.unparsedExample).toBe('x'.repeat(200));
  });
});

describe('Function: totalsOf', () => {
  it('sums the files and counts those with an error', () => {
    const a = { ...newFileSummary('/a.log', 1, 'read'), entriesStored: 2, bytesConsumed: 50, lagBytes: 5, lines: 3 };
    const b = { ...newFileSummary('/b.log', 2, 'unreadable'), bytesLost: 7, error: 'cannot open /b.log: EACCES' };

    expect(totalsOf([a, b])).toEqual({
      ...emptyCounts(),
      lines: 3,
      entriesStored: 2,
      bytesConsumed: 50,
      bytesLost: 7,
      lagBytes: 5,
      files: 2,
      filesWithErrors: 1,
    });
  });
});
