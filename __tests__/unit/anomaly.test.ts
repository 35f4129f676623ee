import { ANOMALY_KINDS, LOSS_KINDS, isLoss, scanAnomalies, unreadAnomaly } from '../../lib/ingest/anomaly';
import type { AnomalyKind } from '../../lib/ingest/anomaly';
import { emptyCounts } from '../../lib/ingest/entry-scanner';
import type { ScanCounts } from '../../lib/ingest/entry-scanner';

describe('Constant: LOSS_KINDS', () => {
  it('lists the kinds whose bytes were never read', () => {
    expect([...LOSS_KINDS].sort()).toEqual(
      ['content_replaced', 'file_gone_unread', 'identity_mismatch', 'rotated_gone_unread', 'shrank', 'shrank_while_reading', 'truncated'].sort(),
    );
  });

  it.each<[AnomalyKind, boolean]>([
    ['truncated', true],
    ['file_unreadable', false],
    ['entry_rejected', false],
    ['invalid_utf8', false],
  ])('isLoss(%s) → %s', (kind, expected) => {
    expect(isLoss(kind)).toBe(expected);
  });

  it('is a subset of ANOMALY_KINDS, which has no duplicates', () => {
    expect(new Set(ANOMALY_KINDS).size).toBe(ANOMALY_KINDS.length);
    for (const kind of LOSS_KINDS) expect(ANOMALY_KINDS).toContain(kind);
  });
});

describe('Function: scanAnomalies', () => {
  it.each<[string, Partial<ScanCounts>, [AnomalyKind, number, number][]]>([
    ['nothing odd: none', { lines: 10, matchedBytes: 300 }, []],
    ['unparseable lines', { unparseableLines: 2, unparseableBytes: 40 }, [['unparseable_lines', 2, 40]]],
    ['over-long lines, bytes dropped', { truncatedLines: 1, truncatedBytes: 900 }, [['truncated_lines', 1, 900]]],
    ['invalid UTF-8', { invalidUtf8Lines: 2, invalidUtf8Bytes: 7 }, [['invalid_utf8', 2, 7]]],
    ['NUL bytes: one occurrence, every byte counted', { nulBytes: 5 }, [['nul_bytes', 1, 5]]],
    [
      'several at once, in a fixed order',
      { nulBytes: 1, unparseableLines: 1, unparseableBytes: 3 },
      [
        ['unparseable_lines', 1, 3],
        ['nul_bytes', 1, 1],
      ],
    ],
  ])('%s', (_name, counts, expected) => {
    const anomalies = scanAnomalies({ ...emptyCounts(), ...counts }, 120);

    expect(anomalies.map((a) => [a.kind, a.occurrences, a.bytes])).toEqual(expected);
    for (const a of anomalies) expect(a.firstOffset).toBe(120);
  });
});

describe('Function: unreadAnomaly', () => {
  it.each([
    ['bytes seen past the checkpoint', 50, 40, 10],
    ['nothing past the checkpoint', 40, 40, null],
    ['a size seen below the checkpoint', 30, 40, null],
  ])('%s', (_name, sizeSeen, readOffset, bytes) => {
    const anomaly = unreadAnomaly('file_gone_unread', sizeSeen, readOffset, (n) => `${n} unread`);

    expect(anomaly).toEqual(bytes === null ? null : { kind: 'file_gone_unread', occurrences: 1, bytes, firstOffset: readOffset, detail: `${bytes} unread` });
  });
});
