import type pg from 'pg';

/** A pool that counts the statements sent through it and through the clients it lends. */
export interface CountingPool {
  pool: pg.Pool;
  statements: () => number;
  /** The text of each statement sent, in order (COPY streams as their class name). */
  texts: () => string[];
}

function counting<T extends object>(target: T, count: (statement: unknown) => void, lend?: (client: pg.PoolClient) => pg.PoolClient): T {
  return new Proxy(target, {
    get(t, property) {
      const value: unknown = Reflect.get(t, property, t);
      if (property === 'query' && typeof value === 'function') {
        return (...args: unknown[]) => {
          count(args[0]);
          return (value as (...a: unknown[]) => unknown).apply(t, args);
        };
      }
      if (property === 'connect' && lend && typeof value === 'function') {
        return async () => lend(await (value as () => Promise<pg.PoolClient>).apply(t));
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}

/**
 * Wrap `pool`: every `query` of the pool or of a client from its `connect`
 * (transactions: BEGIN and COMMIT included) is counted.
 *
 * @example
 *   const counted = countStatements(db.pool);
 *   await runIngest({ pool: counted.pool, config });
 *   counted.statements(); // 12
 */
export function countStatements(pool: pg.Pool): CountingPool {
  const sent: string[] = [];
  const count = (statement: unknown): void => {
    if (typeof statement === 'string') sent.push(statement);
    else if (typeof statement === 'object' && statement !== null && 'text' in statement) sent.push(String(statement.text));
    else sent.push(String((statement as { constructor?: { name?: string } } | null)?.constructor?.name));
  };
  return { pool: counting(pool, count, (client) => counting(client, count)), statements: () => sent.length, texts: () => [...sent] };
}
