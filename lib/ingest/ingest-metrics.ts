import type { Metric } from '../platform/metrics';
import type { IngestSummary } from './ingest';

/**
 * The metrics of one ingest run, from its totals. `LinesRead` (non-blank
 * lines) is the denominator of the "mostly not understood" alarm, as in
 * mostlyUnparsed.
 *
 * @example
 *   metrics.emit(ingestMetrics(summary));
 */
export function ingestMetrics(summary: IngestSummary): Metric[] {
  const t = summary.totals;
  return [
    { name: 'EntriesStored', unit: 'Count', value: t.entriesStored },
    { name: 'BytesLost', unit: 'Bytes', value: t.bytesLost },
    { name: 'UnparsedLines', unit: 'Count', value: t.unparseableLines },
    { name: 'LinesRead', unit: 'Count', value: t.lines - t.blankLines },
    { name: 'IngestLagBytes', unit: 'Bytes', value: t.lagBytes },
    { name: 'FilesWithErrors', unit: 'Count', value: t.filesWithErrors },
  ];
}
