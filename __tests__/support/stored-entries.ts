import type pg from 'pg';

export interface StoredEntry {
  sourceId: number;
  offset: number;
  timestamp: string;
  level: string;
  message: string;
}

/** Every stored entry, in file order. */
export async function storedEntries(pool: pg.Pool): Promise<StoredEntry[]> {
  const result = await pool.query<{ source_id: string; byte_offset: string; logged_at: Date; level: string; message: string }>(
    'SELECT source_id, byte_offset, logged_at, level, message FROM log_entries ORDER BY source_id, byte_offset, id',
  );
  return result.rows.map((r) => ({
    sourceId: Number(r.source_id),
    offset: Number(r.byte_offset),
    timestamp: r.logged_at.toISOString(),
    level: r.level,
    message: r.message,
  }));
}

export interface CheckpointSnapshot {
  path: string;
  readOffset: number;
  rows: number;
  /** Rows at or after the checkpoint: must always be 0. */
  rowsBeyond: number;
  /** Rows sharing a (source, offset) with another row: must always be 0. */
  duplicates: number;
}

/**
 * Checkpoints and the rows they cover, read in one statement (one snapshot),
 * so a commit landing meanwhile cannot make them disagree.
 */
export async function checkpointSnapshot(pool: pg.Pool): Promise<CheckpointSnapshot[]> {
  const result = await pool.query<{ path: string; read_offset: string; rows: string; rows_beyond: string; duplicates: string }>(
    `SELECT s.path, s.read_offset,
       (SELECT count(*) FROM log_entries e WHERE e.source_id = s.id) AS rows,
       (SELECT count(*) FROM log_entries e WHERE e.source_id = s.id AND e.byte_offset >= s.read_offset) AS rows_beyond,
       (SELECT count(*) - count(DISTINCT e.byte_offset) FROM log_entries e WHERE e.source_id = s.id) AS duplicates
     FROM log_sources s ORDER BY s.id`,
  );
  return result.rows.map((r) => ({
    path: r.path,
    readOffset: Number(r.read_offset),
    rows: Number(r.rows),
    rowsBeyond: Number(r.rows_beyond),
    duplicates: Number(r.duplicates),
  }));
}
