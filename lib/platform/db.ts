import pg from 'pg';
import { DatabaseError } from './errors';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/** Longest a transaction may sit idle (the alert publisher waits on SNS inside one: far less). */
const SESSION_DEAD_AFTER_MS = 5 * 60 * 1000;

/**
 * The application name of logmon's sessions: the alert job's commit cursor
 * waits only for transactions of these (an ingest in progress), never for a
 * pg_dump or an operator's open transaction (sql/alert-statements.ts,
 * advanceCommitCursor). Entries are written by logmon only.
 */
export const LOGMON_APPLICATION = 'logmon';

/**
 * The connection string without an `application_name` of its own: node-postgres
 * lets the URL's win over the pool's, and a session not named `logmon` would be
 * invisible to the commit cursor (its entries could be passed before they commit).
 */
export function withLogmonApplicationName(connectionString: string): string {
  if (!/[?&]application_name=/.test(connectionString)) return connectionString;
  try {
    const url = new URL(connectionString);
    url.searchParams.delete('application_name');
    return url.toString();
  } catch {
    return connectionString;
  }
}

/**
 * A small pool: a Lambda handles one event at a time, the extra connection
 * lets the alert publisher hold a row lock while evaluating.
 */
export function createPool(connectionString: string, max = 3): pg.Pool {
  if (!connectionString) throw new DatabaseError('DATABASE_URL is not set');
  const pool = new pg.Pool({
    connectionString: withLogmonApplicationName(connectionString),
    max,
    connectionTimeoutMillis: 10000,
    idleTimeoutMillis: 30000,
    // Idle connections do not keep a process alive: `serverless invoke local` (which waits
    // for the event loop to empty) ends when the handler returns, not 30 s later. The
    // Lambda runtime and the long-running scripts stay up for reasons of their own.
    allowExitOnIdle: true,
    application_name: LOGMON_APPLICATION,
    keepAlive: true,
    // A Lambda frozen or killed mid-transaction must not keep a file's checkpoint
    // (or an outbox row) locked until the server's TCP keepalive gives up, which
    // is hours by default: the server ends such sessions after a few minutes.
    idle_in_transaction_session_timeout: SESSION_DEAD_AFTER_MS,
    options: '-c tcp_keepalives_idle=60 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=6',
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  return pool;
}

/** One pool per connection string, kept across invocations of a Lambda container. */
export interface PoolCache {
  /** The pool for `url`; a different URL (a rotated secret) ends the old pool and opens a new one. */
  poolFor: (url: string) => pg.Pool;
}

/**
 * Keep the pool of a handler across invocations, following its URL.
 *
 * @example
 *   const pools = createPoolCache();
 *   const pool = pools.poolFor(run.databaseUrl());
 */
export function createPoolCache(max = 3): PoolCache {
  let current: { url: string; pool: pg.Pool } | undefined;
  return {
    poolFor: (url) => {
      if (current?.url === url) return current.pool;
      // Nothing is checked out between invocations: ending the old pool only closes idle connections.
      if (current) void current.pool.end().catch(() => undefined);
      current = { url, pool: createPool(url, max) };
      return current.pool;
    },
  };
}

/** PostgreSQL refused the credentials (SQLSTATE 28P01 or 28000), anywhere in the cause chain. */
export function isAuthenticationFailure(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (code === '28P01' || code === '28000') return true;
    current = current.cause;
  }
  return false;
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
