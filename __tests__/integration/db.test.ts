import { withTransaction } from '../../lib/platform/db';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';

describe('Function: withTransaction', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });

  afterAll(async () => {
    await db.drop();
  });

  it('rejects with "lost the connection to PostgreSQL" when the server drops the connection mid-transaction, and the pool recovers', async () => {
    // Prepare
    await db.pool.query('CREATE TABLE IF NOT EXISTS t (n int)');

    // Act
    const attempt = withTransaction(db.pool, async (client) => {
      await client.query('INSERT INTO t VALUES (1)');
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await db.pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      // the client learns of it between queries: its 'error' event fires first
      await new Promise((r) => setTimeout(r, 200));
      await client.query('INSERT INTO t VALUES (2)');
    });

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'DatabaseError', message: 'lost the connection to PostgreSQL' });
    expect((await db.pool.query('SELECT count(*)::int AS n FROM t')).rows[0].n).toBe(0);
    await expect(withTransaction(db.pool, async (client) => (await client.query('SELECT 1 AS one')).rows[0].one)).resolves.toBe(1);
  });
});
