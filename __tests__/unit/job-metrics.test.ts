import type { AlertSummary } from '../../lib/alert/alert';
import { alertMetrics } from '../../lib/alert/outbox-metrics';
import { emptyCounts } from '../../lib/ingest/entry-scanner';
import type { IngestSummary } from '../../lib/ingest/ingest';
import { ingestMetrics } from '../../lib/ingest/ingest-metrics';
import type { RetentionSummary } from '../../lib/retention/retention';
import { retentionMetrics } from '../../lib/retention/retention-metrics';

describe('Function: ingestMetrics', () => {
  it('reports the totals the alarms and dashboards use, LinesRead without blank lines', () => {
    const summary = {
      totals: {
        ...emptyCounts(),
        lines: 12,
        blankLines: 2,
        unparseableLines: 6,
        entriesStored: 3,
        bytesConsumed: 900,
        bytesLost: 120,
        lagBytes: 40,
        files: 2,
        filesWithErrors: 1,
      },
    } as IngestSummary;

    expect(ingestMetrics(summary)).toEqual([
      { name: 'EntriesStored', unit: 'Count', value: 3 },
      { name: 'BytesLost', unit: 'Bytes', value: 120 },
      { name: 'UnparsedLines', unit: 'Count', value: 6 },
      { name: 'LinesRead', unit: 'Count', value: 10 },
      { name: 'IngestLagBytes', unit: 'Bytes', value: 40 },
      { name: 'FilesWithErrors', unit: 'Count', value: 1 },
    ]);
  });
});

describe('Function: alertMetrics', () => {
  it("reports the run's publishes and failures, and the outbox's backlog", () => {
    const summary = { notifications: { queued: 2, sent: 1, failed: 1, pending: 1, failures: [] } } as unknown as AlertSummary;

    expect(alertMetrics(summary, { unsent: 4, oldestUnsentAgeSeconds: 185.5 })).toEqual([
      { name: 'NotificationsPublished', unit: 'Count', value: 1 },
      { name: 'PublishFailures', unit: 'Count', value: 1 },
      { name: 'UnsentNotifications', unit: 'Count', value: 4 },
      { name: 'OldestUnsentAgeSeconds', unit: 'Seconds', value: 185.5 },
    ]);
  });
});

describe('Function: retentionMetrics', () => {
  it('reports the rows deleted from every table together', () => {
    const pruned = (deleted: number) => ({ deleted, batches: 1, complete: true });
    const summary = {
      entries: pruned(5),
      anomalies: pruned(2),
      unparsedLines: pruned(1),
      ingestRuns: pruned(4),
      sentNotifications: pruned(3),
    } as RetentionSummary;

    expect(retentionMetrics(summary)).toEqual([{ name: 'RowsDeleted', unit: 'Count', value: 15 }]);
  });
});
