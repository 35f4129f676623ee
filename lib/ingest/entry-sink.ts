import type pg from 'pg';
import type { Anomaly } from './anomaly';
import { CopySink } from './copy-sink';
import type { EntryRecord } from './entry-scanner';
import { InsertSink } from './insert-sink';

/** Where a batch's entries go, in the batch's transaction. */
export interface EntrySink {
  /** Takes one entry (the scanner's `emit`). */
  readonly add: (entry: EntryRecord) => void;
  /** Hands what was added so far to PostgreSQL, waiting when it is behind. */
  drain(): Promise<void>;
  /** Hands the rest and waits until PostgreSQL has it all. */
  end(): Promise<void>;
  /** Entries stored. */
  readonly rows: number;
  /** Entries PostgreSQL refused, as anomalies (only row-by-row inserts can tell which). */
  readonly rejected: readonly Anomaly[];
}

/** COPY for speed; row by row under savepoints after COPY rejected a row of this batch (`safeMode`). */
export function openEntrySink(client: pg.PoolClient, sourceId: number, safeMode: boolean): EntrySink {
  return safeMode ? new InsertSink(client, sourceId) : new CopySink(client, sourceId);
}
