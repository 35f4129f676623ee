// Many files (issue 15, item 4): with more files than one run can visit, the
// same files (the end of the discovery order) used to be deferred by every
// run; fully-read rotated files were revisited first; every idle file was
// opened in a transaction of its own and logged at INFO (5,000 idle files:
// ~10 s and 3.8 MB of logs per run). Now a run visits the least recently
// read first, skips files with nothing after their checkpoint without
// opening them, and logs per file only what changed or failed.
// Real PostgreSQL, real files.
import fs from 'node:fs';
import path from 'node:path';
import { readIngestConfig } from '../../lib/ingest/config';
import type { IngestConfig } from '../../lib/ingest/config';
import { runIngest } from '../../lib/ingest/ingest';
import { openForReading } from '../../lib/ingest/source-reader';
import type { OpenFile } from '../../lib/ingest/source-reader';
import type { AppLogger } from '../../lib/platform/logger';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { makeTempDir } from '../support/files';
import { countStatements } from '../support/statement-count';

const stamp = (at: number) => new Date(at).toISOString().replace('T', ' ').replace('Z', '');

describe('Function: runIngest over many files', () => {
  let db: TestDatabase;
  let dir: string;
  let config: IngestConfig;
  let opened: string[];
  const openFile: OpenFile = async (p) => {
    opened.push(path.basename(p));
    return openForReading(p);
  };
  const logged: { level: string; message: string; path?: string }[] = [];
  const logger: AppLogger = {
    debug: (message: string, extra?: unknown) => void logged.push({ level: 'debug', message, path: (extra as { path?: string })?.path }),
    info: (message: string, extra?: unknown) => void logged.push({ level: 'info', message, path: (extra as { path?: string })?.path }),
    warn: (message: string, extra?: unknown) => void logged.push({ level: 'warn', message, path: (extra as { path?: string })?.path }),
    error: (message: string, extra?: unknown) => void logged.push({ level: 'error', message, path: (extra as { path?: string })?.path }),
  } as AppLogger;
  const write = (name: string, line: string) => fs.appendFileSync(path.join(dir, name), `${stamp(Date.now())} [ERROR] ${line}\n`);
  const names = (n: number) => Array.from({ length: n }, (_, i) => `f${String(i).padStart(4, '0')}.log`);

  beforeEach(async () => {
    db = await createTestDatabase();
    dir = makeTempDir('logmon-many-');
    config = { ...readIngestConfig({ LOG_FILES: path.join(dir, '*.log'), LOG_TIMEZONE: 'UTC' }), multilineFlushMs: 0 };
    opened = [];
    logged.length = 0;
  });

  afterEach(async () => {
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads every active file within a few runs when one run can visit only some of them (no file starved by its place)', async () => {
    // Prepare: 30 files, all written to before every run; a run stops after 10 batches
    const files = names(30);
    const readBy = new Map<string, number[]>();

    // Act: six runs
    for (let run = 0; run < 6; run += 1) {
      for (const f of files) write(f, `run ${run} of ${f}`);
      let batches = 0;
      const summary = await runIngest({
        pool: db.pool,
        config,
        shouldStop: () => batches >= 10,
        hooks: {
          beforeCommit: async () => {
            batches += 1;
          },
        },
      });
      for (const f of summary.files) if (f.batches > 0) readBy.set(path.basename(f.path), [...(readBy.get(path.basename(f.path)) ?? []), run]);
    }

    // Assess: every file read, none left out for more than the three runs it takes to go round
    expect([...readBy.keys()].sort()).toEqual(files);
    for (const f of files) {
      const runs = readBy.get(f)!;
      expect(runs.length).toBeGreaterThanOrEqual(2);
      expect(Math.max(...runs.map((r, i) => r - (runs[i - 1] ?? -1)))).toBeLessThanOrEqual(3);
    }
    // and nothing was lost: each line stored once
    const stored = await db.pool.query<{ n: number; distinct: number }>('SELECT count(*)::int AS n, count(DISTINCT message)::int AS distinct FROM log_entries');
    expect(stored.rows[0]!.n).toBe(stored.rows[0]!.distinct);
  });

  it('does not open idle files, and logs per file only the ones that changed', async () => {
    // Prepare: 300 files read to their end once, then 3 of them written to
    const files = names(300);
    for (const f of files) write(f, `first line of ${f}`);
    await runIngest({ pool: db.pool, config });
    const active = [files[7]!, files[150]!, files[299]!];
    for (const f of active) write(f, `second line of ${f}`);
    opened = [];
    logged.length = 0;

    // Act
    const summary = await runIngest({ pool: db.pool, config, openFile, logger });

    // Assess: 3 opened and logged at INFO; the 297 others neither opened nor logged above DEBUG
    expect(summary.totals.entriesStored).toBe(3);
    expect(opened.sort()).toEqual([...active].sort());
    const perFileInfo = logged.filter((l) => l.level !== 'debug' && l.path !== undefined).map((l) => path.basename(l.path!));
    expect(perFileInfo.sort()).toEqual([...active].sort());
    expect(summary.files).toHaveLength(300);
  });

  it('creates the checkpoints of 300 new files in one statement, and reads every one of them in that first run', async () => {
    // Prepare
    const files = names(300);
    for (const f of files) write(f, `first line of ${f}`);
    const counted = countStatements(db.pool);

    // Act
    const summary = await runIngest({ pool: counted.pool, config });

    // Assess
    expect(counted.texts().filter((t) => t.trimStart().startsWith('INSERT INTO log_sources'))).toHaveLength(1);
    expect(summary.totals.entriesStored).toBe(300);
    const rows = await db.pool.query<{ n: number; paths: number }>(
      "SELECT count(*)::int AS n, count(DISTINCT origin_path)::int AS paths FROM log_sources WHERE status = 'active'",
    );
    expect(rows.rows[0]).toEqual({ n: 300, paths: 300 });
    const stored = await db.pool.query<{ n: number }>('SELECT count(DISTINCT source_id)::int AS n FROM log_entries');
    expect(stored.rows[0]!.n).toBe(300);
  });

  it('sends as many statements for a run over 300 idle files as over 30 (discovery labels them in one statement)', async () => {
    // Prepare: 30 files in one folder, 300 in another, each read to its end once
    const idleRunStatements = async (n: number): Promise<number> => {
      const folder = fs.mkdtempSync(path.join(dir, `idle-${n}-`));
      for (const f of names(n)) fs.writeFileSync(path.join(folder, f), `${stamp(Date.now())} [ERROR] first line of ${f}\n`);
      const own = { ...readIngestConfig({ LOG_FILES: path.join(folder, '*.log'), LOG_TIMEZONE: 'UTC' }), multilineFlushMs: 0 };
      await runIngest({ pool: db.pool, config: own });
      const counted = countStatements(db.pool);

      // Act: a run with nothing new
      const summary = await runIngest({ pool: counted.pool, config: own });

      expect(summary.files).toHaveLength(n);
      expect(summary.totals.entriesStored).toBe(0);
      return counted.statements();
    };

    // Assess: the statements do not grow with the files
    const few = await idleRunStatements(30);
    const many = await idleRunStatements(300);
    expect(many).toBe(few);
  });
});
