import type { Metric } from '../platform/metrics';
import type { RetentionSummary } from './retention';

/**
 * The metrics of one retention run: rows deleted, all tables together.
 *
 * @example
 *   metrics.emit(retentionMetrics(summary));
 */
export function retentionMetrics(summary: RetentionSummary): Metric[] {
  const deleted =
    summary.entries.deleted + summary.anomalies.deleted + summary.unparsedLines.deleted + summary.ingestRuns.deleted + summary.sentNotifications.deleted;
  return [{ name: 'RowsDeleted', unit: 'Count', value: deleted }];
}
