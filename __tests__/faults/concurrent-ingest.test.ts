// Four ingest runs at once, in separate processes, over the same files and the
// same database, round after round while the files grow: no entry stored twice
// or lost, no deadlock, no checkpoint moving backwards, and the runs' own
// summaries add up to what was stored.
//
// LOGMON_CONCURRENCY_ROUNDS raises the number of rounds (npm run soak).
import fs from 'node:fs';
import path from 'node:path';
import { checkpointSnapshot, storedEntries } from '../support/stored-entries';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { ingestEnv, spawnIngest } from '../support/children';
import type { ChildResult } from '../support/children';
import { makeTempDir } from '../support/files';
import { LogModel, entryKeys, seededRandom } from '../support/log-model';

const RUNS = 4;
const ROUNDS = Number(process.env.LOGMON_CONCURRENCY_ROUNDS ?? 6);
const SEED = Number(process.env.LOGMON_CONCURRENCY_SEED ?? Date.now() % 1_000_000);
const RUN_DEADLINE_MS = 60_000;

interface Summary {
  totals: { entriesStored: number };
  files: { path: string; outcome: string }[];
}

/** Wait for a run, failing loudly (a deadlock or a hang) when it outlives the deadline. */
async function finished(exited: Promise<ChildResult>): Promise<ChildResult> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`an ingest run was still running after ${RUN_DEADLINE_MS} ms`)), RUN_DEADLINE_MS);
  });
  try {
    return await Promise.race([exited, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

describe('Fault: concurrent ingest runs', () => {
  let db: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    // Not migrated: the first four runs race to migrate it.
    db = await createTestDatabase({ migrate: false });
    dir = makeTempDir('logmon-concurrent-');
  });

  afterAll(async () => {
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(
    `stores each entry exactly once when ${RUNS} runs start at once, ${ROUNDS} rounds, while the files grow`,
    async () => {
      // Prepare
      const random = seededRandom(SEED);
      const sources = ['api.log', 'worker.log', 'cron.log'].map((name, i) => ({ file: path.join(dir, name), model: new LogModel({ seed: SEED + i }) }));
      for (const s of sources) fs.writeFileSync(s.file, s.model.nextChunk(512 * 1024));
      const env = ingestEnv({ DATABASE_URL: db.url, LOG_FILES: path.join(dir, '*.log'), INGEST_BATCH_BYTES: '65536' });
      const deadlocks = async (): Promise<number> =>
        Number((await db.pool.query('SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()')).rows[0].deadlocks);
      const deadlocksBefore = await deadlocks();
      const lastOffset = new Map<string, number>();
      let storedByRuns = 0;

      for (let round = 0; round < ROUNDS; round += 1) {
        // Act: four runs at once, and the files grow while they run
        const runs = Array.from({ length: RUNS }, () => spawnIngest(env));
        for (const s of sources) fs.appendFileSync(s.file, s.model.nextChunk(Math.floor(random() * 512 * 1024), random() < 0.5));
        const results = await Promise.all(runs.map((r) => finished(r.exited)));

        // Assess after every round
        for (const r of results) expect({ round, code: r.code, stderr: r.stderr }).toEqual({ round, code: 0, stderr: '' });
        const summaries = results.map((r) => JSON.parse(r.stdout.trim().split('\n').pop()!) as Summary);
        storedByRuns += summaries.reduce((n, s) => n + s.totals.entriesStored, 0);
        for (const cp of await checkpointSnapshot(db.pool)) {
          const model = sources.find((s) => s.file === cp.path)!.model;
          const covered = model.expectedEntries().filter((e) => e.offset < cp.readOffset).length;
          expect({ round, ...cp }).toEqual({ round, ...cp, rowsBeyond: 0, duplicates: 0, rows: covered });
          expect(cp.readOffset).toBeGreaterThanOrEqual(lastOffset.get(cp.path) ?? 0);
          lastOffset.set(cp.path, cp.readOffset);
        }
      }
      for (const s of sources) fs.appendFileSync(s.file, s.model.finish());
      const last = await Promise.all(Array.from({ length: RUNS }, () => finished(spawnIngest(env).exited)));
      for (const r of last) storedByRuns += (JSON.parse(r.stdout.trim().split('\n').pop()!) as Summary).totals.entriesStored;

      // Assess
      const stored = await storedEntries(db.pool);
      const ids = new Map((await db.pool.query<{ id: string; path: string }>('SELECT id, path FROM log_sources')).rows.map((r) => [r.path, Number(r.id)]));
      const expectedTotal = sources.reduce((n, s) => n + s.model.expectedEntries().length, 0);
      for (const s of sources) {
        expect(entryKeys(stored.filter((e) => e.sourceId === ids.get(s.file)))).toEqual(entryKeys(s.model.expectedEntries()));
      }
      expect(stored).toHaveLength(expectedTotal);
      expect(storedByRuns).toBe(expectedTotal);
      expect(await deadlocks()).toBe(deadlocksBefore);
      expect((await db.pool.query('SELECT count(*)::int AS n FROM log_sources')).rows[0].n).toBe(sources.length);
    },
    30_000 + ROUNDS * 5_000,
  );
});
