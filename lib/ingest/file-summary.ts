import { isLoss } from './anomaly';
import type { Anomaly, AnomalyKind } from './anomaly';
import { addCounts, emptyCounts } from './entry-scanner';
import type { ScanCounts } from './entry-scanner';
import type { FileOutcome } from './file-outcome';
import { dominantFormat } from './source-reader';
import type { BatchResult } from './source-reader';

/** A summary's anomaly entry: a kind recorded in `ingest_anomalies`, or why an unconfigured file was retired. */
export type SummaryAnomaly = AnomalyKind | `unconfigured: ${string}`;

/** What one run did with one file (logged, and returned in the run's summary). */
export interface FileSummary extends ScanCounts {
  path: string;
  sourceId: number | null;
  outcome: FileOutcome;
  fromOffset: number;
  toOffset: number;
  /** Bytes moved past by the checkpoint: the sum of the byte buckets of ScanCounts. */
  bytesConsumed: number;
  /** Bytes known to be lost (anomalies of the kinds in LOSS_KINDS). */
  bytesLost: number;
  /** Bytes in the file after the checkpoint when the run ended (pending entry, partial line, not reached). */
  lagBytes: number;
  entriesStored: number;
  batches: number;
  anomalies: SummaryAnomaly[];
  /** The configured source the file belongs to. */
  source: string;
  /** Format of most entry lines read this run ('' when none were read). */
  format: string;
  /** Entry lines per format this run (what `auto` chose, line by line). */
  formats: Record<string, number>;
  /** The first line this run that no format understood (up to 200 characters). */
  unparsedExample?: string;
  error?: string;
}

export interface RunTotals extends ScanCounts {
  entriesStored: number;
  bytesConsumed: number;
  bytesLost: number;
  lagBytes: number;
  files: number;
  filesWithErrors: number;
}

export function newFileSummary(filePath: string, sourceId: number | null, outcome: FileOutcome): FileSummary {
  return {
    path: filePath,
    sourceId,
    outcome,
    fromOffset: 0,
    toOffset: 0,
    bytesConsumed: 0,
    bytesLost: 0,
    lagBytes: 0,
    entriesStored: 0,
    batches: 0,
    anomalies: [],
    source: '',
    format: '',
    formats: {},
    ...emptyCounts(),
  };
}

/** Count lost bytes and list each kind once. */
export function noteAnomalies(summary: FileSummary, anomalies: readonly Anomaly[]): void {
  for (const a of anomalies) {
    if (isLoss(a.kind)) summary.bytesLost += a.bytes;
    if (!summary.anomalies.includes(a.kind)) summary.anomalies.push(a.kind);
  }
}

/** Add a read batch to its file's summary. */
export function mergeBatch(summary: FileSummary, batch: BatchResult): void {
  if (summary.batches === 0) summary.fromOffset = batch.fromOffset;
  summary.batches += 1;
  summary.toOffset = batch.toOffset;
  summary.bytesConsumed += Math.max(0, batch.toOffset - batch.fromOffset);
  summary.lagBytes = Math.max(0, batch.size - batch.toOffset);
  summary.entriesStored += batch.rowsWritten;
  for (const [format, n] of batch.formats) summary.formats[format] = (summary.formats[format] ?? 0) + n;
  summary.format = dominantFormat(new Map(Object.entries(summary.formats)));
  if (summary.unparsedExample === undefined && batch.unparsed[0] !== undefined) summary.unparsedExample = batch.unparsed[0].line.toString('utf8', 0, 200);
  addCounts(summary, batch.counts);
  noteAnomalies(summary, batch.anomalies);
}

/** More than half of at least two lines read this run were not understood. */
export function mostlyUnparsed(f: ScanCounts): boolean {
  return f.lines >= 2 && f.unparseableLines * 2 > f.lines - f.blankLines;
}

/** The run's totals over its files' summaries. */
export function totalsOf(files: readonly FileSummary[]): RunTotals {
  const totals: RunTotals = { ...emptyCounts(), entriesStored: 0, bytesConsumed: 0, bytesLost: 0, lagBytes: 0, files: files.length, filesWithErrors: 0 };
  for (const f of files) {
    addCounts(totals, f);
    totals.entriesStored += f.entriesStored;
    totals.bytesConsumed += f.bytesConsumed;
    totals.bytesLost += f.bytesLost;
    totals.lagBytes += f.lagBytes;
    if (f.error) totals.filesWithErrors += 1;
  }
  return totals;
}
