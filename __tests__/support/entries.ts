import crypto from 'node:crypto';
import type { Pool } from '../../lib/platform/db';

export interface TestEntry {
  at: number | Date;
  level?: string;
  message?: string;
  sourceId: number;
  /** When the entry was ingested; default: at its own time (on time, never late). */
  ingestedAt?: number | Date | 'now';
}

/** A log_sources row for `path` (a random identity: no file is read). */
export async function insertSource(pool: Pool, path: string): Promise<number> {
  const ino = crypto.randomInt(1, 2 ** 40);
  const result = await pool.query<{ id: string }>('INSERT INTO log_sources (path, dev, ino) VALUES ($1, 1, $2) RETURNING id', [path, ino]);
  return Number(result.rows[0]!.id);
}

/** Store entries as ingest would (byte offsets are made up). */
export async function insertEntries(pool: Pool, entries: TestEntry[]): Promise<void> {
  for (const [i, e] of entries.entries()) {
    const ingested = e.ingestedAt === 'now' ? null : new Date(e.ingestedAt ?? e.at);
    await pool.query(
      `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset, ingested_at)
       VALUES ($1, $2, $3, $4, $5, coalesce($6, now()))`,
      [new Date(e.at), e.level ?? 'ERROR', e.message ?? `error ${i}`, e.sourceId, i * 100, ingested],
    );
  }
}

/** `count` entries spread over the `spanMs` before `end` (all inside a window ending at `end`). */
export function burst(count: number, end: number, sourceId: number, extra: Partial<TestEntry> = {}, spanMs = 60_000): TestEntry[] {
  return Array.from({ length: count }, (_, i) => ({ at: end - spanMs + Math.floor(((i + 1) * spanMs) / (count + 1)), sourceId, ...extra }));
}
