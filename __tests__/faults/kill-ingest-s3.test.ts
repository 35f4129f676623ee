// kill -9 during the ingest of S3 objects: a child process runs ingest over
// plain and gzip objects on a real S3-compatible server (s3rver) and is
// killed with SIGKILL at random moments, mid-listing and mid-object. After
// every kill the committed checkpoints (byte offsets, in the decompressed
// content for gzip) must cover exactly the committed rows; after clean runs
// the database must hold exactly the entries written, each once.
//
// LOGMON_S3_KILL_TRIALS raises the number of kills; LOGMON_KILL_SEED replays the objects' content.
import { checkpointSnapshot, storedEntries } from '../support/stored-entries';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { ingestEnv, runIngestChild, sleep, spawnIngest } from '../support/children';
import { LogModel, entryKeys, seededRandom } from '../support/log-model';
import { startS3Server } from '../support/s3-server';
import type { S3TestServer } from '../support/s3-server';

const TRIALS = Number(process.env.LOGMON_S3_KILL_TRIALS ?? 20);
const SEED = Number(process.env.LOGMON_KILL_SEED ?? Date.now() % 1_000_000);
const BATCH_BYTES = 65536;
const OBJECT_BYTES = 1024 * 1024;
const FINAL_RUNS_MAX = 10;
const BUCKET = 'logs';

interface WrittenObject {
  url: string;
  model: LogModel;
}

describe('Fault: kill -9 during the ingest of S3 objects', () => {
  let db: TestDatabase;
  let s3: S3TestServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    s3 = await startS3Server([BUCKET]);
  });

  afterAll(async () => {
    await s3.stop();
    await db.drop();
  });

  it(
    `stores exactly the written entries of plain and gzip objects after ${TRIALS} SIGKILLs and clean runs`,
    async () => {
      // Prepare
      const random = seededRandom(SEED);
      const objects: WrittenObject[] = [];
      const write = async (key: string, gzip: boolean, bytes: number): Promise<void> => {
        const model = new LogModel({ seed: SEED + objects.length });
        const body = model.nextChunk(bytes) + model.finish();
        await s3.put(BUCKET, key, body, { gzip });
        objects.push({ url: `s3://${BUCKET}/${key}`, model });
      };
      await write('app/web-1/plain.log', false, OBJECT_BYTES);
      await write('app/web-1/packed.log.gz', true, OBJECT_BYTES);
      const env = ingestEnv({
        DATABASE_URL: db.url,
        LOG_FILES: `s3://${BUCKET}/app/`,
        INGEST_BATCH_BYTES: String(BATCH_BYTES),
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        S3_FORCE_PATH_STYLE: 'true',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_REGION: 'us-east-1',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      });
      let windowMs = 300;
      let killedMidObject = 0;

      // Act + Assess after every kill
      for (let trial = 0; trial < TRIALS; trial += 1) {
        // new objects keep arriving, in key order (a key sorting before the checkpoint waits for the hourly full listing)
        if (trial % 4 === 0) await write(`app/web-1/t${String(trial).padStart(4, '0')}.log${trial % 8 === 0 ? '.gz' : ''}`, trial % 8 === 0, 64 * 1024);
        const run = spawnIngest(env);
        await run.waitForLine('ready');
        await sleep(random() * windowMs);
        run.child.kill('SIGKILL');
        const result = await run.exited;
        if (result.signal !== 'SIGKILL') expect({ trial, code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 });

        const snapshot = await checkpointSnapshot(db.pool);
        for (const cp of snapshot) {
          const object = objects.find((o) => o.url === cp.path)!;
          const covered = object.model.expectedEntries().filter((e) => e.offset < cp.readOffset).length;
          expect({ trial, ...cp }).toEqual({ trial, ...cp, rowsBeyond: 0, duplicates: 0, rows: covered });
          if (cp.readOffset > 0 && cp.readOffset < object.model.size) killedMidObject += 1;
        }
        if (result.signal !== 'SIGKILL') windowMs *= 0.8;
        else if (snapshot.every((cp) => cp.readOffset === 0)) windowMs *= 1.25;
      }

      // Right after a kill the dead run's row locks may still be held for a moment: run until every object is read to its end.
      let finalRuns = 0;
      for (;;) {
        await runIngestChild(env);
        finalRuns += 1;
        const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM log_sources WHERE kind = 's3' AND status = 'retired'");
        if (rows[0].n === objects.length || finalRuns >= FINAL_RUNS_MAX) break;
        await sleep(100);
      }

      // Assess
      const stored = await storedEntries(db.pool);
      const idByPath = new Map((await db.pool.query<{ id: string; path: string }>('SELECT id, path FROM log_sources')).rows.map((r) => [r.path, Number(r.id)]));
      let expectedCount = 0;
      for (const o of objects) {
        const expected = o.model.expectedEntries();
        expectedCount += expected.length;
        expect({ url: o.url, keys: entryKeys(stored.filter((e) => e.sourceId === idByPath.get(o.url))) }).toEqual({ url: o.url, keys: entryKeys(expected) });
      }
      expect(stored).toHaveLength(expectedCount);
      expect(idByPath.size).toBe(objects.length);
      process.stdout.write(
        `[kill -9, S3] seed ${SEED}: ${TRIALS} kills, ${objects.length} objects, ${expectedCount} entries, ` +
          `${killedMidObject} checkpoints seen mid-object after a kill, ${finalRuns} final run(s)\n`,
      );
    },
    120_000 + TRIALS * 5_000,
  );
});
