import { loadMigrations, migrate } from '../../lib/platform/migrations';
import { readRetentionConfig } from '../../lib/retention/config';
import { maintainEntryPartitions } from '../../lib/retention/entry-partitions';
import { runRetention } from '../../lib/retention/retention';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';

// log_entries partitioned by UTC day (019_partitioned_entries.sql) against a
// real PostgreSQL: the day partitions retention creates ahead and drops, the
// day straddling the cutoff, the default partition, the migration of a table
// that already holds entries, and ingest going on while retention runs.

const NOW = Date.parse('2026-11-23T12:00:00Z');
const DAY_MS = 24 * 60 * 60 * 1000;
/** RETENTION_DAYS 30 at NOW: 2026-10-24 12:00 UTC. */
const CUTOFF = new Date(NOW - 30 * DAY_MS);
const LONG_AGO = new Date(0);

describe('Log entries partitioned by day', () => {
  let db: TestDatabase;

  const addEntries = async (loggedAt: string, count = 1, message = 'boom'): Promise<void> => {
    await db.pool.query(
      `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset)
       SELECT $1, 'ERROR', $2, 1, g FROM generate_series(1, $3) g`,
      [loggedAt, message, count],
    );
  };
  /** Create the partitions of the day of `at` and the two after it. */
  const createDays = (at: string) => maintainEntryPartitions(db.pool, { now: Date.parse(at), cutoff: LONG_AGO });
  const partitions = async (): Promise<string[]> =>
    (await db.pool.query<{ name: string }>('SELECT name FROM log_entries_partitions() ORDER BY name')).rows.map((r) => r.name);
  const whereStored = async (): Promise<Record<string, string>> =>
    Object.fromEntries(
      (await db.pool.query<{ message: string; part: string }>('SELECT message, tableoid::regclass::text AS part FROM log_entries ORDER BY id')).rows.map(
        (r) => [r.message, r.part],
      ),
    );
  const messages = async (): Promise<string[]> =>
    (await db.pool.query<{ message: string }>('SELECT message FROM log_entries ORDER BY logged_at, id')).rows.map((r) => r.message);
  const retain = (now = NOW, batchSize = '5000') =>
    runRetention({ pool: db.pool, config: readRetentionConfig({ RETENTION_BATCH_SIZE: batchSize }), now: () => now });

  afterEach(async () => {
    await db?.drop();
  });

  describe('retention', () => {
    beforeEach(async () => {
      db = await createTestDatabase();
    });

    it('drops the day partitions that ended before the cutoff and counts their rows as deleted', async () => {
      // Prepare
      await createDays('2026-10-20T00:00:00Z');
      await createDays('2026-10-23T00:00:00Z');
      await addEntries('2026-10-21T08:00:00Z', 3, 'october 21');
      await addEntries('2026-10-23T23:59:59Z', 2, 'october 23');
      await addEntries('2026-10-25T10:00:00Z', 1, 'october 25');

      // Act
      const summary = await retain();

      // Assess
      expect(summary.entryPartitions.dropped).toEqual(['log_entries_20261020', 'log_entries_20261021', 'log_entries_20261022', 'log_entries_20261023']);
      expect(summary.cutoff).toBe(CUTOFF.toISOString());
      expect(summary.entryPartitions.droppedRows).toBe(5);
      expect(summary.entries).toMatchObject({ deleted: 5, complete: true });
      expect(await partitions()).not.toContain('log_entries_20261021');
      expect(await partitions()).toContain('log_entries_20261024');
      expect(await messages()).toEqual(['october 25']);
    });

    it('deletes in batches the expired rows of the day that straddles the cutoff and keeps its partition and later rows', async () => {
      // Prepare
      await createDays('2026-10-24T00:00:00Z');
      await addEntries('2026-10-24T06:00:00Z', 12, 'before the cutoff');
      await addEntries('2026-10-24T18:00:00Z', 2, 'after the cutoff');

      // Act
      const summary = await retain(NOW, '5');

      // Assess
      expect(summary.entryPartitions.dropped).toEqual([]);
      expect(summary.entries).toEqual({ deleted: 12, batches: 3, complete: true });
      expect(await partitions()).toContain('log_entries_20261024');
      expect(await messages()).toEqual(['after the cutoff', 'after the cutoff']);
    });

    it('keeps far-past and far-future entries in the default partition, and deletes the expired ones there in batches', async () => {
      // Prepare: days with no partition
      await addEntries('1970-01-01T00:00:00Z', 1, 'epoch');
      await addEntries('2026-10-01T00:00:00Z', 1, 'unpartitioned october');
      await addEntries('2999-12-31T23:59:59Z', 1, 'far future');
      const stored = await whereStored();

      // Act
      const summary = await retain();

      // Assess
      expect(stored).toEqual({ epoch: 'log_entries_default', 'unpartitioned october': 'log_entries_default', 'far future': 'log_entries_default' });
      expect(summary.entries).toMatchObject({ deleted: 2, complete: true });
      expect(await messages()).toEqual(['far future']);
    });

    it('creates today and the next two days ahead, once, whatever the number of concurrent runs', async () => {
      // Act
      const runs = await Promise.all([retain(), retain(), retain()]);

      // Assess
      const created = runs.flatMap((r) => r.entryPartitions.created).sort();
      expect(created).toEqual(['log_entries_20261123', 'log_entries_20261124', 'log_entries_20261125']);
      expect(await partitions()).toEqual(expect.arrayContaining(created));
    });
  });

  describe('the default partition', () => {
    beforeEach(async () => {
      db = await createTestDatabase();
    });

    it('takes the entries of a day without a partition, which move into it when it is created', async () => {
      // Prepare
      await addEntries('2026-11-24T10:00:00Z', 2, 'stored before its day existed');
      const before = await whereStored();
      const ids = (await db.pool.query<{ id: string }>('SELECT id::text FROM log_entries ORDER BY id')).rows;

      // Act
      const summary = await createDays('2026-11-23T00:00:00Z');

      // Assess
      expect(before).toEqual({ 'stored before its day existed': 'log_entries_default' });
      expect(summary.created).toEqual(['log_entries_20261123', 'log_entries_20261124', 'log_entries_20261125']);
      expect(await whereStored()).toEqual({ 'stored before its day existed': 'log_entries_20261124' });
      expect((await db.pool.query<{ id: string }>('SELECT id::text FROM log_entries ORDER BY id')).rows).toEqual(ids);
      expect(Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM log_entries_default')).rows[0]!.n)).toBe(0);
    });
  });

  describe('migration 019 of a table that holds entries', () => {
    beforeEach(async () => {
      db = await createTestDatabase({ migrate: false });
      await migrate(
        db.pool,
        loadMigrations().filter((m) => m.version < 19),
      );
    });

    it('keeps every row and its id, attaches the old table as the legacy partition, and moves entries logged from tomorrow on', async () => {
      // Prepare
      await addEntries('2026-01-01T00:00:00Z', 3, 'old');
      await db.pool.query(
        `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset) VALUES (now(), 'FATAL', 'today', 1, 0), ('2999-01-01', 'ERROR', 'far future', 1, 0)`,
      );
      const before = (await db.pool.query<{ id: string; message: string }>('SELECT id::text, message FROM log_entries ORDER BY id')).rows;

      // Act
      await migrate(db.pool);
      await addEntries('2026-01-02T00:00:00Z', 1, 'late, after the migration');

      // Assess
      const after = (await db.pool.query<{ id: string; message: string }>('SELECT id::text, message FROM log_entries ORDER BY id')).rows;
      expect(after.slice(0, before.length)).toEqual(before);
      expect(await whereStored()).toEqual({
        old: 'log_entries_legacy',
        today: 'log_entries_legacy',
        'far future': 'log_entries_default',
        'late, after the migration': 'log_entries_legacy',
      });
      expect(Number(after[after.length - 1]!.id)).toBeGreaterThan(Number(before[before.length - 1]!.id));
    });

    it('drops the legacy partition whole once it is past the cutoff, and keeps the id sequence', async () => {
      // Prepare
      await addEntries('2026-01-01T00:00:00Z', 4, 'old');
      await migrate(db.pool);

      // Act: 40 days from now, the legacy partition (everything before tomorrow at the migration) is expired
      const summary = await retain(Date.now() + 40 * DAY_MS);
      await addEntries(new Date().toISOString(), 1, 'new');

      // Assess
      expect(summary.entryPartitions.dropped).toContain('log_entries_legacy');
      expect(summary.entries.deleted).toBe(4);
      expect(await partitions()).not.toContain('log_entries_legacy');
      expect(await messages()).toEqual(['new']);
    });

    it('drops the old table when it is empty', async () => {
      await migrate(db.pool);

      expect(await partitions()).not.toContain('log_entries_legacy');
      expect(await partitions()).toContain('log_entries_default');
    });
  });

  describe('ingest during retention', () => {
    beforeEach(async () => {
      db = await createTestDatabase();
    });

    it('an ingest transaction left open defers the drop (a bounded lock wait) and the batched delete removes the rows; the next run drops the days', async () => {
      // Prepare
      await createDays('2026-10-20T00:00:00Z');
      await addEntries('2026-10-21T08:00:00Z', 3, 'expired');
      const ingest = await db.pool.connect();
      try {
        await ingest.query('BEGIN');
        await ingest.query(`INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset) VALUES (now(), 'ERROR', 'in flight', 1, 0)`);

        // Act
        const started = Date.now();
        const held = await retain();
        const heldMs = Date.now() - started;
        await ingest.query('COMMIT');
        const next = await retain();

        // Assess
        expect(held.entryPartitions).toMatchObject({ dropped: [], deferred: 'lock_timeout' });
        expect(heldMs).toBeLessThan(10_000);
        expect(next.entryPartitions.dropped).toEqual(['log_entries_20261020', 'log_entries_20261021', 'log_entries_20261022']);
        // the deferred run's batched delete removed them meanwhile; the next run drops the emptied days
        expect(held.entries.deleted + next.entries.deleted).toBe(3);
        expect(await messages()).toEqual(['in flight']);
      } finally {
        ingest.release();
      }
    });

    it('loses no entry of an ingest that keeps committing while retention drops and creates partitions', async () => {
      // Prepare
      for (const day of ['2026-10-10', '2026-10-13', '2026-10-16', '2026-10-19']) await createDays(`${day}T00:00:00Z`);
      for (let d = 10; d <= 21; d += 1) await addEntries(`2026-10-${d}T12:00:00Z`, 50, 'expired');
      const ingest = await db.pool.connect();
      let written = 0;
      let writing = true;
      let failure: unknown = null;
      // today's rows (no partition yet: the default, until retention creates the day), in short transactions as ingest's COPY
      const writer = (async () => {
        while (writing) {
          try {
            await ingest.query('BEGIN');
            await ingest.query(
              `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset)
               SELECT $1::timestamptz + g * interval '1 millisecond', 'ERROR', 'live', 1, g FROM generate_series(1, 20) g`,
              [new Date(NOW - 60_000 + written).toISOString()],
            );
            await ingest.query('COMMIT');
            written += 20;
          } catch (err) {
            failure = err;
            await ingest.query('ROLLBACK');
            return;
          }
        }
      })();

      // Act: runs until every expired day is gone
      const runs = [];
      try {
        for (let i = 0; i < 20; i += 1) {
          const run = await retain();
          runs.push(run);
          if ((await partitions()).every((p) => !/^log_entries_202610(1|2[0-3])/.test(p))) break;
        }
      } finally {
        writing = false;
        await writer;
        ingest.release();
      }

      // Assess
      expect(failure).toBeNull();
      expect(runs.reduce((n, r) => n + r.entries.deleted, 0)).toBe(600);
      expect(runs.flatMap((r) => r.entryPartitions.dropped)).toHaveLength(12);
      expect(Number((await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM log_entries WHERE message = 'live'`)).rows[0]!.n)).toBe(written);
      expect(written).toBeGreaterThan(0);
    });
  });
});
