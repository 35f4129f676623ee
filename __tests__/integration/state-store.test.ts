// The alert evaluation reads the outbox once for every firing key (the
// hourly caps and the silences that recorded their latest notification) and
// writes the rules' states in one statement (issue 16). Against real
// PostgreSQL: what the read-ahead answers is what the outbox answers, a key's
// notification queued during the evaluation is seen by its next lookup, and
// the held states are written as saveState writes them, without a rule's
// whose savepoint was rolled back.
import type pg from 'pg';
import type { AlertStateRow } from '../../sql/alert-statements';
import { addSilence } from '../../lib/alert/silences';
import {
  abandonStateWrites,
  beginRuleStates,
  closeOutboxLedger,
  deferStateWrites,
  deleteKeyState,
  discardRuleStates,
  flushStateWrites,
  lastSilenced,
  notificationsLastHour,
  openOutboxLedger,
  queueNotification,
  saveState,
} from '../../lib/alert/state-store';
import type { Notification } from '../../lib/alert/notification';
import type { RuleState } from '../../lib/alert/evaluator';
import { createTestDatabase, emptyTables } from '../support/database';
import type { TestDatabase } from '../support/database';

const NOW = Date.parse('2026-12-02T12:00:00Z');
const MINUTE = 60_000;
const KEY_A = '["payments","web-1","/var/log/app.log"]';
const KEY_B = '["payments","web-2","/var/log/app.log"]';

const note = (rule: string): Notification => ({
  kind: 'firing',
  subject: `[logmon] FIRING ${rule}`,
  body: 'body',
  attributes: { severity: 'warning', rule, state: 'firing', kind: 'firing' },
});

/** What a firing key's lookups answer: its hourly count and the silence that recorded its latest notification. */
async function lookups(client: pg.PoolClient, keys: Array<{ rule: string; key: string }>, now: number) {
  const out: Record<string, { recent: number; silence: string | null }> = {};
  for (const { rule, key } of keys) {
    out[`${rule} ${key}`] = { recent: await notificationsLastHour(client, rule, now, key), silence: (await lastSilenced(client, rule, key))?.id ?? null };
  }
  return out;
}

describe("The evaluation's outbox read-ahead and its held state writes", () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  beforeEach(() => emptyTables(db.pool));

  /** Run `work` in a transaction that is rolled back. */
  async function inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      return await work(client);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  }

  it("answers each firing key exactly as the outbox does: counts of the last hour, silenced ones left out, the latest notification's silence", async () => {
    // Prepare: notifications two hours and ten minutes ago, one silenced by a silence that has ended, one by a silence still on
    await inTransaction(async (client) => {
      const ended = await addSilence(client, { ruleGlob: 'db-*', matchers: {}, startsAt: NOW - 3 * 3600_000, endsAt: NOW - 30 * MINUTE, comment: 'deploy' });
      await queueNotification(client, 'db-errors', note('db-errors'), NOW - 120 * MINUTE, KEY_A);
      await queueNotification(client, 'db-errors', note('db-errors'), NOW - 10 * MINUTE, KEY_A);
      await queueNotification(client, 'db-errors', note('db-errors'), NOW - 40 * MINUTE, KEY_B);
      await client.query('UPDATE alert_silences SET ends_at = $1 WHERE id = $2', [new Date(NOW - 3 * 3600_000 + MINUTE), ended]);
      await addSilence(client, { ruleGlob: 'api-*', matchers: {}, startsAt: NOW - 20 * MINUTE, endsAt: NOW + 60 * MINUTE, comment: 'maintenance' });
      await queueNotification(client, 'api-errors', note('api-errors'), NOW - 5 * MINUTE);
      await queueNotification(client, 'db-errors', note('db-errors'), NOW - 50 * MINUTE);
      const keys = [
        { rule: 'db-errors', key: KEY_A },
        { rule: 'db-errors', key: KEY_B },
        { rule: 'db-errors', key: '' },
        { rule: 'api-errors', key: '' },
        { rule: 'quiet', key: '' },
      ];

      // Act
      const direct = await lookups(client, keys, NOW);
      await openOutboxLedger(client, keys, NOW);
      const readAhead = await lookups(client, keys, NOW);
      closeOutboxLedger(client);

      // Assess
      expect(readAhead).toEqual(direct);
      expect(direct['db-errors ']).toEqual({ recent: 1, silence: null });
      expect(direct[`db-errors ${KEY_A}`]).toEqual({ recent: 1, silence: null });
      expect(direct['api-errors ']?.recent).toBe(0);
      expect(direct['api-errors ']?.silence).not.toBeNull();
      expect(direct[`db-errors ${KEY_B}`]).toEqual({ recent: 0, silence: expect.any(String) });
    });
  });

  it("sees a notification the evaluation queues for a key at that key's next lookup, and reads the outbox for another instant", async () => {
    await inTransaction(async (client) => {
      // Prepare
      await queueNotification(client, 'db-errors', note('db-errors'), NOW - 10 * MINUTE, KEY_A);
      await openOutboxLedger(client, [{ rule: 'db-errors', key: KEY_A }], NOW);

      // Act
      const before = await notificationsLastHour(client, 'db-errors', NOW, KEY_A);
      await queueNotification(client, 'db-errors', note('db-errors'), NOW, KEY_A);
      const after = await notificationsLastHour(client, 'db-errors', NOW + 1, KEY_A);
      const later = await notificationsLastHour(client, 'db-errors', NOW + 2 * 3600_000, KEY_A);
      closeOutboxLedger(client);

      // Assess
      expect({ before, after, later }).toEqual({ before: 1, after: 2, later: 0 });
    });
  });

  it("writes the held states in one statement as saveState writes them at once, leaves out a rolled-back rule's, and drops a deleted key's", async () => {
    // Prepare
    const state = (s: RuleState['state'], since: number): RuleState => ({
      state: s,
      stateSince: since,
      firingSince: s === 'firing' ? since : null,
      lastNotifiedAt: s === 'firing' ? since : null,
      peakCount: 12,
      clearingSince: null,
      heldSince: null,
    });
    const rule = { name: 'db-errors', severity: 'critical' as const };
    const read = async (client: pg.PoolClient) =>
      (await client.query<AlertStateRow>('SELECT * FROM alert_state ORDER BY rule_name, group_key')).rows.map(
        ({ updated_at: _, ...r }: AlertStateRow & { updated_at?: unknown }) => r,
      );

    // Act: the same saves at once, then held
    const atOnce = await inTransaction(async (client) => {
      await saveState(client, rule, state('firing', NOW - MINUTE), 12, NOW, { key: KEY_A, labels: { host: 'web-1' } });
      await saveState(client, rule, state('pending', NOW), 3, NOW, { key: KEY_B, labels: { host: 'web-2' } });
      return read(client);
    });
    const held = await inTransaction(async (client) => {
      deferStateWrites(client);
      beginRuleStates(client);
      await saveState(client, rule, state('firing', NOW - MINUTE), 12, NOW, { key: KEY_A, labels: { host: 'web-1' } });
      await saveState(client, rule, state('pending', NOW), 3, NOW, { key: KEY_B, labels: { host: 'web-2' } });
      await saveState(client, { name: 'gone', severity: 'warning' }, state('pending', NOW), 1, NOW, { key: 'x', labels: {} });
      await deleteKeyState(client, 'gone', 'x');
      beginRuleStates(client);
      await saveState(client, { name: 'failed-rule', severity: 'warning' }, state('pending', NOW), 1, NOW);
      discardRuleStates(client);
      const beforeFlush = (await read(client)).length;
      await flushStateWrites(client);
      const afterFlush = await read(client);
      // saveState writes at once again
      await saveState(client, { name: 'later', severity: 'info' }, state('pending', NOW), 1, NOW);
      abandonStateWrites(client);
      return { beforeFlush, afterFlush, total: (await read(client)).length };
    });

    // Assess
    expect(held.beforeFlush).toBe(0);
    expect(held.afterFlush).toEqual(atOnce);
    expect(held.total).toBe(3);
  });
});
