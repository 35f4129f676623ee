// kill -9 during ingest: a child process runs ingest over two growing files and
// is killed with SIGKILL at random moments. After every kill the committed
// checkpoints must cover exactly the committed rows; after a final clean run
// the database must hold exactly the entries the writer wrote, compared as a
// multiset of (timestamp, level, message).
//
// LOGMON_KILL_TRIALS raises the number of kills (npm run soak); LOGMON_KILL_SEED
// replays a file layout (kill moments depend on the machine and are not replayable).
import fs from 'node:fs';
import path from 'node:path';
import { checkpointSnapshot, storedEntries } from '../support/stored-entries';
import type { CheckpointSnapshot } from '../support/stored-entries';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { ingestEnv, runIngestChild, sleep, spawnIngest } from '../support/children';
import { makeTempDir } from '../support/files';
import { LogModel, entryKeys, seededRandom } from '../support/log-model';

const TRIALS = Number(process.env.LOGMON_KILL_TRIALS ?? 50);
const SEED = Number(process.env.LOGMON_KILL_SEED ?? Date.now() % 1_000_000);
const BATCH_BYTES = 65536;
const INITIAL_BYTES = 2 * 1024 * 1024;
const MEAN_APPEND_BYTES = 256 * 1024;
const FINAL_RUNS_MAX = 10;

interface Source {
  file: string;
  model: LogModel;
}

type Landing = 'before-first-commit' | 'mid-run' | 'after-end' | 'completed';

describe('Fault: kill -9 during ingest', () => {
  let db: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    // Not migrated: the first kills may land in the migration itself.
    db = await createTestDatabase({ migrate: false });
    dir = makeTempDir('logmon-kill-');
  });

  afterAll(async () => {
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(
    `stores exactly the written ERROR/FATAL entries after ${TRIALS} SIGKILLs at random moments and a clean run`,
    async () => {
      // Prepare
      const random = seededRandom(SEED);
      const sources: Source[] = ['app.log', 'worker.log'].map((name, i) => ({ file: path.join(dir, name), model: new LogModel({ seed: SEED + i }) }));
      for (const s of sources) fs.writeFileSync(s.file, s.model.nextChunk(INITIAL_BYTES));
      const env = ingestEnv({ DATABASE_URL: db.url, LOG_FILES: sources.map((s) => s.file).join(','), INGEST_BATCH_BYTES: String(BATCH_BYTES) });
      const landings: Record<Landing, number> = { 'before-first-commit': 0, 'mid-run': 0, 'after-end': 0, completed: 0 };
      // Kill window: shrinks when runs finish before the kill, grows when kills
      // land before the first commit, so most kills land mid-run on any machine.
      let windowMs = 300;
      let committed = 0;
      const started = Date.now();

      const readCommitted = async (): Promise<CheckpointSnapshot[]> => {
        const tables = await db.pool.query("SELECT to_regclass('log_sources') AS t");
        return tables.rows[0].t ? checkpointSnapshot(db.pool) : [];
      };

      // Act + Assess after every kill
      for (let trial = 0; trial < TRIALS; trial += 1) {
        for (const s of sources) fs.appendFileSync(s.file, s.model.nextChunk(Math.floor(random() * 2 * MEAN_APPEND_BYTES), random() < 0.5));
        const total = sources.reduce((n, s) => n + s.model.size, 0);
        const delayMs = random() * windowMs;

        const run = spawnIngest(env);
        await run.waitForLine('ready');
        await sleep(delayMs);
        run.child.kill('SIGKILL');
        const result = await run.exited;
        if (result.signal !== 'SIGKILL') expect({ trial, code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 });

        const snapshot = await readCommitted();
        for (const cp of snapshot) {
          const source = sources.find((s) => s.file === cp.path)!;
          const covered = source.model.expectedEntries().filter((e) => e.offset < cp.readOffset).length;
          expect({ trial, ...cp }).toEqual({ trial, ...cp, rowsBeyond: 0, duplicates: 0, rows: covered });
        }
        const now = snapshot.reduce((n, cp) => n + cp.readOffset, 0);
        const progress = now - committed;
        committed = now;
        if (result.signal !== 'SIGKILL') {
          landings.completed += 1;
          windowMs *= 0.8;
        } else if (now >= total) {
          landings['after-end'] += 1;
          windowMs *= 0.9;
        } else if (progress === 0) {
          landings['before-first-commit'] += 1;
          windowMs *= 1.25;
        } else {
          landings['mid-run'] += 1;
        }
      }

      for (const s of sources) fs.appendFileSync(s.file, s.model.finish());
      // Right after a kill the dead run's row locks may still be held for a
      // moment (the file is then "busy"): run until every checkpoint is at its end.
      let finalRuns = 0;
      for (;;) {
        await runIngestChild(env);
        finalRuns += 1;
        const snapshot = await checkpointSnapshot(db.pool);
        if (snapshot.every((cp) => cp.readOffset === fs.statSync(cp.path).size) || finalRuns >= FINAL_RUNS_MAX) break;
        await sleep(100);
      }

      // Assess
      const stored = await storedEntries(db.pool);
      const idByPath = new Map((await db.pool.query<{ id: string; path: string }>('SELECT id, path FROM log_sources')).rows.map((r) => [r.path, Number(r.id)]));
      let expectedCount = 0;
      for (const s of sources) {
        const expected = s.model.expectedEntries();
        expectedCount += expected.length;
        expect(entryKeys(stored.filter((e) => e.sourceId === idByPath.get(s.file)))).toEqual(entryKeys(expected));
      }
      expect(stored).toHaveLength(expectedCount);
      process.stdout.write(
        `[kill -9] seed ${SEED}: ${TRIALS} kills (${Object.entries(landings)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}), ` +
          `${(sources.reduce((n, s) => n + s.model.size, 0) / 1048576).toFixed(1)} MiB, ${expectedCount} entries, ` +
          `kill window ${Math.round(windowMs)} ms, ${finalRuns} final run(s), ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
      );
    },
    60_000 + TRIALS * 5_000,
  );
});
