import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { INGEST_SQL as SQL } from '../../sql/ingest-statements';
import type { Anomaly } from './anomaly';
import { encodeCopyRow } from './copy-encoder';
import type { EntryRecord } from './entry-scanner';
import type { EntrySink } from './entry-sink';
import { templateOf } from './template';

const COPY_FLUSH_BYTES = 256 * 1024;
/** UTF-8 bytes per UTF-16 code unit, at most. */
const MAX_UTF8_PER_UNIT = 3;

/**
 * Writes entries as COPY data, with back-pressure. Rows are encoded straight
 * into COPY_FLUSH_BYTES buffers (no joined string, no second copy); a full
 * buffer is handed to the stream, which keeps it until the socket sent it.
 * A row PostgreSQL rejects fails the whole COPY (the caller retries the batch
 * with an InsertSink). Each row carries its message's template id (only
 * stored entries reach the sink: lines below the level threshold are never
 * templated).
 */
export class CopySink implements EntrySink {
  private buf = Buffer.allocUnsafe(COPY_FLUSH_BYTES);
  private used = 0;
  private full: Buffer[] = [];
  public rows = 0;
  public readonly rejected: readonly Anomaly[] = [];
  private failure: unknown = null;
  private readonly stream: NodeJS.WritableStream & { on: NodeJS.EventEmitter['on'] };

  public constructor(
    client: pg.PoolClient,
    private readonly sourceId: number,
  ) {
    this.stream = client.query(copyFrom(SQL.copyEntries));
    this.stream.on('error', (err: unknown) => {
      this.failure ??= err;
    });
  }

  public add = (entry: EntryRecord): void => {
    const row = encodeCopyRow(entry, this.sourceId, templateOf(entry.message).id);
    const worst = row.length * MAX_UTF8_PER_UNIT;
    if (this.used + worst > this.buf.length) this.nextBuffer(worst);
    this.used += this.buf.write(row, this.used, 'utf8');
    this.rows += 1;
  };

  private nextBuffer(atLeast: number): void {
    if (this.used > 0) this.full.push(this.buf.subarray(0, this.used));
    this.buf = Buffer.allocUnsafe(Math.max(COPY_FLUSH_BYTES, atLeast));
    this.used = 0;
  }

  public async drain(force = false): Promise<void> {
    if (this.failure) throw this.failure;
    if (force && this.used > 0) this.nextBuffer(0);
    const ready = this.full;
    this.full = [];
    for (const data of ready) {
      if (!this.stream.write(data)) await Promise.race([once(this.stream, 'drain'), once(this.stream, 'error')]);
      if (this.failure) throw this.failure;
    }
  }

  public async end(): Promise<void> {
    await this.drain(true);
    const done = Promise.race([once(this.stream, 'finish'), once(this.stream, 'error').then(([e]) => Promise.reject(e))]);
    this.stream.end();
    await done;
    if (this.failure) throw this.failure;
  }
}
