import fs from 'node:fs';
import path from 'node:path';
import { readIngestConfig } from '../../lib/ingest/config';
import { runIngest } from '../../lib/ingest/ingest';
import { storedEntries } from '../support/stored-entries';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { makeTempDir } from '../support/files';
import { LogModel, entryKeys } from '../support/log-model';

describe('Function: runIngest (INGEST_BATCH_BYTES)', () => {
  let db: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = makeTempDir();
  });

  afterAll(async () => {
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('commits at most INGEST_BATCH_BYTES plus one line per transaction, even below the 1 MiB read size', async () => {
    // Prepare
    const file = path.join(dir, 'app.log');
    const model = new LogModel({ seed: 7 });
    fs.writeFileSync(file, model.nextChunk(3 * 1024 * 1024));
    const config = { ...readIngestConfig({ LOG_FILES: file, INGEST_BATCH_BYTES: '65536' }), multilineFlushMs: 0 };
    const steps: number[] = [];
    let last = 0;

    // Act
    const summary = await runIngest({
      pool: db.pool,
      config,
      hooks: {
        beforeCommit: ({ toOffset }) => {
          steps.push(toOffset - last);
          last = toOffset;
        },
      },
    });

    // Assess
    expect(summary.files[0]).toMatchObject({ outcome: 'read', lagBytes: 0, toOffset: fs.statSync(file).size });
    expect(Math.max(...steps)).toBeLessThanOrEqual(65536 + 8192);
    expect(steps.length).toBeGreaterThanOrEqual(Math.floor(fs.statSync(file).size / (65536 + 8192)));
    expect(entryKeys(await storedEntries(db.pool))).toEqual(entryKeys(model.expectedEntries()));
  });
});
