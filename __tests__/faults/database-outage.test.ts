// Database outages seen by `npm run invoke -- ingest`: PostgreSQL unreachable
// at start, the connection dropped mid-run (a TCP proxy the test cuts), and the
// server itself stopped mid-run and restarted (a second embedded PostgreSQL),
// so the server the other tests share is never disturbed.
// Each must give a clear error and a non-zero exit, leave the checkpoints
// consistent with the rows, never print the password, and recover fully.
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { createPool } from '../../lib/platform/db';
import { checkpointSnapshot, storedEntries } from '../support/stored-entries';
import type { CheckpointSnapshot } from '../support/stored-entries';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { ingestEnv, sleep, spawnInvokeIngest } from '../support/children';
import type { ChildResult, RunningChild } from '../support/children';
import { makeTempDir } from '../support/files';
import { startPgServerProcess } from '../support/pg-server';
import type { PgServerProcess } from '../support/pg-server';
import { LogModel, entryKeys } from '../support/log-model';
import { startTcpProxy } from '../support/tcp-proxy';
import type { TcpProxy } from '../support/tcp-proxy';

const BATCH_BYTES = '65536';
const BIG_FILE_BYTES = 12 * 1024 * 1024;

function passwordOf(url: string): string {
  return decodeURIComponent(new URL(url).password);
}

async function snapshotOf(pool: pg.Pool, file: string): Promise<CheckpointSnapshot | undefined> {
  return (await checkpointSnapshot(pool)).find((cp) => cp.path === file);
}

/** Poll until `file` has a committed checkpoint past 0 (the run is mid-way). */
async function waitForFirstCommit(pool: pg.Pool, file: string, run: RunningChild): Promise<void> {
  let exited = false;
  void run.exited.then(() => (exited = true));
  for (;;) {
    const r = await pool.query<{ o: string }>('SELECT read_offset AS o FROM log_sources WHERE path = $1', [file]);
    if (r.rows[0] && Number(r.rows[0].o) > 0) return;
    if (exited) throw new Error('the run ended before its first commit was seen');
    await sleep(5);
  }
}

function expectCleanFailure(result: ChildResult, password: string, reason: RegExp): void {
  expect(result.code).not.toBe(0);
  expect(result.signal).toBeNull();
  expect(result.stderr).toMatch(/^ingest failed: /m);
  expect(result.stderr).toMatch(reason);
  // no stack trace, no unhandled-error dump, no password anywhere
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(`${result.stdout}${result.stderr}`).not.toContain(password);
}

async function expectAllStored(pool: pg.Pool, file: string, model: LogModel): Promise<void> {
  const id = (await pool.query<{ id: string }>('SELECT id FROM log_sources WHERE path = $1', [file])).rows[0]!.id;
  const stored = (await storedEntries(pool)).filter((e) => e.sourceId === Number(id));
  expect(entryKeys(stored)).toEqual(entryKeys(model.expectedEntries()));
}

describe('Fault: database outage during `npm run invoke -- ingest`', () => {
  let db: TestDatabase;
  let dir: string;
  let proxy: TcpProxy;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = makeTempDir('logmon-outage-');
    proxy = await startTcpProxy(Number(new URL(db.url).port));
  });

  afterAll(async () => {
    await proxy.close();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('exits non-zero with a clear error when PostgreSQL is down at start, leaves the checkpoint unchanged, and recovers on the next run', async () => {
    // Prepare
    const file = path.join(dir, 'down-at-start.log');
    const model = new LogModel({ seed: 11 });
    fs.writeFileSync(file, model.nextChunk(256 * 1024));
    const env = ingestEnv({ DATABASE_URL: proxy.urlFor(db.url), LOG_FILES: file });
    expect((await spawnInvokeIngest(env).exited).code).toBe(0);
    const before = await snapshotOf(db.pool, file);
    fs.appendFileSync(file, model.nextChunk(256 * 1024));

    // Act
    await proxy.cut();
    const down = await spawnInvokeIngest(env).exited;
    await proxy.restore();
    const after = await snapshotOf(db.pool, file);
    const recovery = await spawnInvokeIngest(env).exited;

    // Assess
    expectCleanFailure(down, passwordOf(db.url), /cannot connect to PostgreSQL: connect ECONNREFUSED 127\.0\.0\.1:\d+/);
    expect(after).toEqual(before);
    expect(recovery.code).toBe(0);
    await expectAllStored(db.pool, file, model);
  });

  it('exits non-zero when the connection drops mid-run, keeps the committed checkpoint consistent with the rows, and recovers', async () => {
    // Prepare
    const file = path.join(dir, 'dropped-mid-run.log');
    const model = new LogModel({ seed: 12 });
    fs.writeFileSync(file, model.nextChunk(BIG_FILE_BYTES));
    const env = ingestEnv({ DATABASE_URL: proxy.urlFor(db.url), LOG_FILES: file, INGEST_BATCH_BYTES: BATCH_BYTES });

    // Act
    const run = spawnInvokeIngest(env);
    await waitForFirstCommit(db.pool, file, run);
    await proxy.cut();
    const dropped = await run.exited;
    await proxy.restore();
    const after = (await snapshotOf(db.pool, file))!;
    await sleep(200);
    const later = await snapshotOf(db.pool, file);
    const recovery = await spawnInvokeIngest(env).exited;

    // Assess
    expectCleanFailure(dropped, passwordOf(db.url), /Connection terminated|ECONNRESET|connection/i);
    expect(after.readOffset).toBeGreaterThan(0);
    expect(after.readOffset).toBeLessThan(fs.statSync(file).size);
    const covered = model.expectedEntries().filter((e) => e.offset < after.readOffset).length;
    expect(after).toMatchObject({ rowsBeyond: 0, duplicates: 0, rows: covered });
    expect(later).toEqual(after);
    expect(recovery.code).toBe(0);
    await expectAllStored(db.pool, file, model);
  });

  describe('with a PostgreSQL server of its own', () => {
    let baseDir: string;
    let server: PgServerProcess;
    let pool: pg.Pool;

    beforeAll(async () => {
      baseDir = makeTempDir('logmon-outage-pg-');
      fs.chmodSync(baseDir, 0o755);
      server = await startPgServerProcess({ baseDir, persistent: true, postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off'] });
    });

    afterAll(async () => {
      await pool?.end();
      await server.close();
      fs.rmSync(baseDir, { recursive: true, force: true });
    });

    it('exits non-zero when the server stops mid-run and while it is down, and recovers after it restarts', async () => {
      // Prepare
      const file = path.join(dir, 'server-stopped.log');
      const model = new LogModel({ seed: 13 });
      fs.writeFileSync(file, model.nextChunk(BIG_FILE_BYTES));
      const env = ingestEnv({ DATABASE_URL: server.url, LOG_FILES: file, INGEST_BATCH_BYTES: BATCH_BYTES });
      const watcher = createPool(server.url, 1);

      // Act
      const run = spawnInvokeIngest(env);
      const migrated = async (): Promise<boolean> => (await watcher.query("SELECT to_regclass('log_sources') AS t")).rows[0].t !== null;
      while (!(await migrated())) await sleep(5);
      await waitForFirstCommit(watcher, file, run);
      await watcher.end();
      await server.stop();
      const stopped = await run.exited;
      const whileDown = await spawnInvokeIngest(env).exited;
      await server.start();
      pool = createPool(server.url, 2);
      const after = (await snapshotOf(pool, file))!;
      const recovery = await spawnInvokeIngest(env).exited;

      // Assess
      expectCleanFailure(stopped, passwordOf(server.url), /terminat|shut|Connection/i);
      expectCleanFailure(whileDown, passwordOf(server.url), /cannot connect to PostgreSQL: connect ECONNREFUSED/);
      const covered = model.expectedEntries().filter((e) => e.offset < after.readOffset).length;
      expect(after).toMatchObject({ rowsBeyond: 0, duplicates: 0, rows: covered });
      expect(after.readOffset).toBeLessThan(fs.statSync(file).size);
      expect(recovery.code).toBe(0);
      await expectAllStored(pool, file, model);
    });
  });
});
