import fs from 'node:fs';
import path from 'node:path';
import { readIngestConfig } from '../../lib/ingest/config';
import type { IngestConfig } from '../../lib/ingest/config';
import { runIngest } from '../../lib/ingest/ingest';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { logLine, makeTempDir } from '../support/files';

// COPY data is sent in buffers of a few hundred kB: these files need many of
// them, with multi-byte text and escapes falling anywhere, also on the edges.
describe('Function: runIngest (COPY volume)', () => {
  let db: TestDatabase;
  let dir: string;
  let file: string;
  let config: IngestConfig;

  beforeEach(async () => {
    db = await createTestDatabase();
    dir = makeTempDir();
    file = path.join(dir, 'app.log');
    config = { ...readIngestConfig({ LOG_FILES: file }), multilineFlushMs: 0 };
  });

  afterEach(async () => {
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['one batch', 16 * 1024 * 1024],
    ['many small batches', 64 * 1024],
  ])('stores every entry of a multi-megabyte file byte for byte (%s)', async (_name, batchBytes) => {
    // Prepare
    const shapes = ['plain ascii text', 'Zürich — 東京 — emoji 🚨', 'back\\slash\ttab', `it's "quoted" \\n`, 'ü'.repeat(300)];
    const expected: string[] = [];
    const lines: string[] = [];
    for (let i = 0; i < 20000; i += 1) {
      const message = `${i} ${shapes[i % shapes.length]}`;
      const level = i % 3 === 0 ? 'INFO' : 'ERROR';
      if (level === 'ERROR') expected.push(message);
      lines.push(logLine(level, message, i % 60, Math.floor(i / 60) % 60));
    }
    fs.writeFileSync(file, lines.join(''));

    const warnings: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (m: string) => void warnings.push(m) };

    // Act
    const summary = await runIngest({ pool: db.pool, config: { ...config, batchBytes }, logger });

    // Assess
    const stored = await db.pool.query<{ message: string }>('SELECT message FROM log_entries ORDER BY byte_offset');
    expect(stored.rows.map((r) => r.message)).toEqual(expected);
    expect(summary.totals).toMatchObject({ entriesStored: expected.length, lagBytes: 0 });
    // COPY took every row (no row-by-row retry after a rejected batch)
    expect(warnings).toEqual([]);
  });
});
