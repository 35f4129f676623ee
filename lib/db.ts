import pg from 'pg';
import { DatabaseError } from './errors';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/**
 * A small pool: a Lambda handles one event at a time, the extra connection
 * lets the alert publisher hold a row lock while evaluating.
 */
export function createPool(connectionString: string, max = 3): pg.Pool {
  if (!connectionString) throw new DatabaseError('DATABASE_URL is not set');
  const pool = new pg.Pool({
    connectionString,
    max,
    connectionTimeoutMillis: 10000,
    idleTimeoutMillis: 30000,
    application_name: 'logmon',
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  return pool;
}

/** Where in the URL to point a reader, without the password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

/**
 * Run `work` in one transaction on a dedicated client: COMMIT when it
 * resolves, ROLLBACK when it throws (the error is rethrown).
 */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw new DatabaseError('cannot connect to PostgreSQL', {}, { cause: err });
  }
  // A checked-out client whose server goes away emits 'error' besides failing
  // its query; with no listener that event would crash the process.
  let lost: unknown = null;
  const onLost = (err: unknown): void => {
    lost ??= err;
  };
  client.on('error', onLost);
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    if (lost) {
      broken = true;
      throw new DatabaseError('lost the connection to PostgreSQL', {}, { cause: lost });
    }
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true;
    }
    throw err;
  } finally {
    client.removeListener('error', onLost);
    client.release(broken);
  }
}
