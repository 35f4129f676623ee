import fs from 'node:fs';
import path from 'node:path';
import { readIngestConfig } from '../../lib/ingest/config';
import type { IngestConfig } from '../../lib/ingest/config';
import { accountedBytes } from '../../lib/ingest/entry-scanner';
import { runIngest } from '../../lib/ingest/ingest';
import type { IngestDeps, IngestSummary } from '../../lib/ingest/ingest';
import { createTestDatabase } from './database';
import type { TestDatabase } from './database';
import { makeTempDir } from './files';

export interface StoredEntry {
  source_id: string;
  logged_at: Date;
  level: string;
  message: string;
  byte_offset: string;
}

export interface AnomalyRow {
  source_id: string | null;
  path: string;
  kind: string;
  occurrences: string;
  bytes: string;
  first_offset: string | null;
  detail: string;
}

export interface SourceState {
  id: string;
  path: string;
  status: string;
  read_offset: string;
  skipping_line: boolean;
  pending_since: Date | null;
  generation: number;
  last_error: string | null;
}

/**
 * One database for a test file (created in beforeAll, emptied before each
 * test) and a scratch folder per test: much faster than a database per test.
 */
export class IngestFixture {
  public db!: TestDatabase;
  public dir = '';
  public config!: IngestConfig;

  public async setUp(): Promise<void> {
    this.db = await createTestDatabase();
  }

  public async tearDown(): Promise<void> {
    await this.db.drop();
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Empty tables, a fresh folder, and a config reading `app.log` in it with no multi-line wait. */
  public async reset(): Promise<void> {
    await this.db.pool.query('TRUNCATE log_sources, log_entries, ingest_anomalies, ingest_unparsed RESTART IDENTITY');
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
    this.dir = makeTempDir();
    this.config = { ...readIngestConfig({ LOG_FILES: this.file('app.log') }), multilineFlushMs: 0 };
  }

  public file(name: string): string {
    return path.join(this.dir, name);
  }

  /** One run; its summary must account for every byte it consumed. */
  public async ingest(extra: Partial<IngestDeps> = {}): Promise<IngestSummary> {
    const summary = await runIngest({ pool: this.db.pool, config: this.config, ...extra });
    expectSummaryAccounts(summary);
    return summary;
  }

  public async entries(): Promise<StoredEntry[]> {
    return (await this.db.pool.query<StoredEntry>('SELECT source_id, logged_at, level, message, byte_offset FROM log_entries ORDER BY id')).rows;
  }

  public async messages(): Promise<string[]> {
    return (await this.entries()).map((e) => e.message);
  }

  public async anomalies(): Promise<AnomalyRow[]> {
    return (await this.db.pool.query<AnomalyRow>('SELECT source_id, path, kind, occurrences, bytes, first_offset, detail FROM ingest_anomalies ORDER BY id'))
      .rows;
  }

  public async sources(): Promise<SourceState[]> {
    return (
      await this.db.pool.query<SourceState>(
        'SELECT id, path, status, read_offset, skipping_line, pending_since, generation, last_error FROM log_sources ORDER BY id',
      )
    ).rows;
  }
}

/** Every byte a run consumed is in exactly one bucket, and every line in one line count. */
export function expectSummaryAccounts(summary: IngestSummary): void {
  for (const f of summary.files) {
    expect({ path: f.path, accounted: accountedBytes(f) }).toEqual({ path: f.path, accounted: f.bytesConsumed });
    expect(f.entriesMatched + f.entriesSkipped + f.continuationLines + f.blankLines + f.unparseableLines).toBe(f.lines);
    expect(f.entriesStored).toBeLessThanOrEqual(f.entriesMatched);
  }
  expect(accountedBytes(summary.totals)).toBe(summary.totals.bytesConsumed);
}
