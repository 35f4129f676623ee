import type pg from 'pg';
import { INGEST_SQL as SQL } from '../../sql/ingest-statements';
import type { Anomaly } from './anomaly';
import type { EntryRecord } from './entry-scanner';
import type { EntrySink } from './entry-sink';
import { describeError } from '../platform/errors';
import { templateOf } from './template';

/**
 * Inserts entries one at a time under savepoints, each with its message's
 * template id; a row PostgreSQL rejects becomes an `entry_rejected` anomaly.
 */
export class InsertSink implements EntrySink {
  private queue: EntryRecord[] = [];
  public rows = 0;
  public readonly rejected: Anomaly[] = [];

  public constructor(
    private readonly client: pg.PoolClient,
    private readonly sourceId: number,
  ) {}

  public add = (entry: EntryRecord): void => {
    this.queue.push(entry);
  };

  public async drain(): Promise<void> {
    const entries = this.queue;
    this.queue = [];
    for (const e of entries) {
      await this.client.query(SQL.savepoint);
      try {
        await this.client.query(SQL.insertEntry, [
          e.timestamp,
          e.level,
          e.message,
          this.sourceId,
          e.offset,
          e.severity,
          e.levelText === '' ? null : e.levelText,
          e.fields,
          e.timeSource,
          templateOf(e.message).id,
        ]);
        await this.client.query(SQL.releaseSavepoint);
        this.rows += 1;
      } catch (err) {
        await this.client.query(SQL.rollbackSavepoint);
        this.rejected.push({
          kind: 'entry_rejected',
          occurrences: 1,
          bytes: Buffer.byteLength(e.message),
          firstOffset: e.offset,
          detail: `PostgreSQL rejected the entry: ${rejectionText(err)}`,
        });
      }
    }
  }

  public async end(): Promise<void> {
    await this.drain();
  }
}

/** The rejection's own message (PostgreSQL's), as the detail has always shown it. */
function rejectionText(err: unknown): string {
  return err instanceof Error ? err.message : describeError(err);
}
