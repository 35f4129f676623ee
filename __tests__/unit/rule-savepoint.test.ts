import type pg from 'pg';
import { savepointOnFirstStatement } from '../../lib/alert/rule-savepoint';

// A rule's savepoint is taken with its first statement (lib/alert/rule-savepoint.ts):
// a rule that runs none costs no round trip, and the client is itself again after.

/** A stand-in for a pg client that records the statements sent to it. */
function recordingClient(): { client: pg.PoolClient; sent: string[] } {
  const sent: string[] = [];
  class Client {
    async query(sql: string): Promise<{ rows: [] }> {
      sent.push(sql);
      return { rows: [] };
    }
  }
  return { client: new Client() as unknown as pg.PoolClient, sent };
}

describe('A rule savepoint taken with the first statement', () => {
  it('is sent just before the rule’s first statement, and only once', async () => {
    // Prepare
    const { client, sent } = recordingClient();
    const savepoint = savepointOnFirstStatement(client, 'SAVEPOINT rule');

    // Act
    await client.query('SELECT 1');
    await client.query('SELECT 2');
    savepoint.end();

    // Assess
    expect(sent).toEqual(['SAVEPOINT rule', 'SELECT 1', 'SELECT 2']);
    expect(savepoint.taken).toBe(true);
  });

  it('is never sent for a rule that runs no statement, and the client sends its own statements after end()', async () => {
    // Prepare
    const { client, sent } = recordingClient();
    const savepoint = savepointOnFirstStatement(client, 'SAVEPOINT rule');

    // Act
    savepoint.end();
    savepoint.end();
    await client.query('SELECT 1');

    // Assess
    expect(sent).toEqual(['SELECT 1']);
    expect(savepoint.taken).toBe(false);
    expect(Object.hasOwn(client, 'query')).toBe(false);
  });

  it('is not taken when the savepoint itself fails, and the failure reaches the statement’s caller', async () => {
    // Prepare
    const { client } = recordingClient();
    const failing = Object.assign(client, { query: async () => Promise.reject(new Error('current transaction is aborted')) });
    const savepoint = savepointOnFirstStatement(failing, 'SAVEPOINT rule');

    // Act + Assess
    await expect(failing.query('SELECT 1')).rejects.toThrow('current transaction is aborted');
    expect(savepoint.taken).toBe(false);
    expect(Object.hasOwn(failing, 'query')).toBe(true);
  });
});
