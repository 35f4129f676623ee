import type pg from 'pg';

// Each rule is evaluated in a subtransaction, so that a rule whose statement
// fails is rolled back alone (alert.ts). A rule whose counts were read for the
// whole evaluation (window-counts.ts) and whose state did not change runs no
// statement at all, and a SAVEPOINT and RELEASE for it would be two round
// trips of nothing: 400 of them for 200 rules, a third of a steady-state
// evaluation once the counts were read at once (issue 16). So the savepoint is
// taken when the rule runs its first statement, and only then released or
// rolled back to.

/** A rule's savepoint, taken with its first statement. */
export interface RuleSavepoint {
  /** Whether the rule ran a statement, so the savepoint exists (release it, or roll back to it). */
  readonly taken: boolean;
  /** Stop watching the client (idempotent): its statements are its own again. */
  end(): void;
}

/**
 * Watch `client` until `end()`: its first statement is preceded by
 * `savepointSql` (awaited before the statement is sent). The client's own
 * `query` is restored at that first statement or at `end()`, whichever
 * comes first; statements are the client's promise form (the only one the
 * alert job uses).
 *
 * @example
 *   const savepoint = savepointOnFirstStatement(client, 'SAVEPOINT rule');
 *   try { await evaluate(client); savepoint.end(); if (savepoint.taken) await client.query('RELEASE SAVEPOINT rule'); }
 *   catch (err) { savepoint.end(); if (savepoint.taken) await client.query('ROLLBACK TO SAVEPOINT rule'); }
 */
export function savepointOnFirstStatement(client: pg.PoolClient, savepointSql: string): RuleSavepoint {
  const target = client as unknown as { query: (...args: unknown[]) => Promise<unknown> };
  const hadOwn = Object.hasOwn(target, 'query');
  const original = target.query;
  let watching = true;
  let taken = false;
  const restore = (): void => {
    if (!watching) return;
    watching = false;
    if (hadOwn) target.query = original;
    else delete (target as { query?: unknown }).query;
  };
  target.query = async (...args: unknown[]): Promise<unknown> => {
    restore();
    await original.call(client, savepointSql);
    taken = true;
    return original.apply(client, args);
  };
  return {
    get taken() {
      return taken;
    },
    end: restore,
  };
}
