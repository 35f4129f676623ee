import { ALERT_SQL as SQL } from '../../sql/alert-statements';
import type { CountRow, KeyCountRow } from '../../sql/alert-statements';
import { countCap } from '../../lib/alert/rule-window';
import { ruleStatement } from '../../lib/alert/rule-sql';
import { parseAlertRules } from '../../lib/alert/rules';
import type { AlertRule } from '../../lib/alert/rules';
import { countedOnce, readEvaluationCounts } from '../../lib/alert/window-counts';
import type { CommitRange } from '../../lib/alert/commit-cursor';
import { createTestDatabase, emptyTables } from '../support/database';
import type { TestDatabase } from '../support/database';
import { seededRandom } from '../support/random';

// The window counts an evaluation reads once for all its rules
// (lib/alert/window-counts.ts) against a real PostgreSQL: every rule's count,
// and every key's of a grouped rule, is the count its own statement reads from
// the entries, for any evaluation time and visibility mark; and the slice's
// files and levels say which rules can have a fresh entry.

const BASE = Date.parse('2026-11-23T10:00:00Z');
const MINUTE = 60_000;
const LEVELS = ['WARN', 'ERROR', 'FATAL'] as const;

describe('The window counts of an evaluation, read once', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
  beforeEach(async () => {
    await emptyTables(db.pool);
    // labels a key must print exactly as PostgreSQL does: quotes, backslashes, control characters, non-ASCII, empty; a file whose row is gone gives nulls
    await db.pool.query(
      `INSERT INTO log_sources (id, path, dev, ino, service, host) VALUES
         (1, '/var/log/api/app.log', 1, 1, 'api "v2"', E'h\\\\1\\t'),
         (2, '/var/log/api/worker.log', 1, 2, 'api "v2"', 'h1'),
         (3, '/var/log/web/accès.log', 1, 3, 'wéb ✓', ''),
         (4, '/var/log/web/other.log', 1, 4, '', 'h2')`,
    );
  });

  /** `n` entries over three hours from BASE (some on minute boundaries), ingested over the same hours. */
  const insertEntries = async (n: number, seed: number): Promise<void> => {
    const r = seededRandom(seed);
    const rows = Array.from({ length: n }, () => {
      // a tenth on minute boundaries (where the whole minutes meet a window's ends), ingested on the minute a mark falls on
      const onBoundary = r.chance(0.1);
      const ms = onBoundary ? r.int(0, 179) * MINUTE : r.int(0, 180 * MINUTE - 1);
      const micros = onBoundary ? '000' : String(r.int(0, 999)).padStart(3, '0');
      return {
        at: new Date(BASE + ms).toISOString().replace('Z', `${micros}Z`),
        level: r.pick(LEVELS),
        source: r.int(1, 5), // 5: a file whose row is gone
        template: r.chance(0.2) ? null : r.int(1, 4),
        ingested: new Date(BASE + (r.chance(0.1) ? r.int(0, 180) * MINUTE : r.int(0, 180 * MINUTE))).toISOString(),
      };
    });
    await db.pool.query(
      `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset, template_id, ingested_at)
       SELECT l, v, 'boom', s, 0, t, i FROM unnest($1::timestamptz[], $2::text[], $3::bigint[], $4::bigint[], $5::timestamptz[]) AS x(l, v, s, t, i)`,
      [rows.map((x) => x.at), rows.map((x) => x.level), rows.map((x) => x.source), rows.map((x) => x.template), rows.map((x) => x.ingested)],
    );
  };

  const rules: AlertRule[] = parseAlertRules([
    { name: 'errors', minLevel: 'ERROR', threshold: 5000, window: '17m' },
    { name: 'api-fatal', levels: ['FATAL'], source: '/var/log/api/*', threshold: 5000, window: '45m' },
    { name: 'web', minLevel: 'WARN', source: '/var/log/web/acc*', threshold: 5000, window: '17m' },
    { name: 'short', minLevel: 'WARN', threshold: 5000, window: '90s' },
    { name: 'capped', minLevel: 'WARN', threshold: 1, window: '2h' },
    { name: 'per-file', minLevel: 'ERROR', threshold: 1, window: '1h', groupBy: ['file', 'level'] },
    { name: 'per-service', minLevel: 'WARN', threshold: 1, window: '23m', groupBy: ['service', 'host', 'template'] },
    { name: 'per-service-api', minLevel: 'WARN', source: '/var/log/api/*', threshold: 1, window: '23m', groupBy: ['service', 'host', 'template'] },
    { name: 'with-pattern', minLevel: 'WARN', pattern: 'bo+m', threshold: 1, window: '10m' },
  ]);
  const rule = (name: string): AlertRule => rules.find((r) => r.name === name) as AlertRule;

  /** The count of `r`'s window ending at `now` from the entries alone, and each key's. */
  const ownCounts = async (r: AlertRule, now: number, mark: string | null) => {
    const params = [new Date(now - r.windowMs), new Date(now), r.levels, r.sourceLike, r.pattern];
    const count = ruleStatement(SQL.countWindow, r, [...params, countCap(r)], null, mark);
    const keys = ruleStatement(SQL.countByKey, r, params, null, mark);
    return {
      count: Number((await db.pool.query<CountRow>(count.text, count.values)).rows[0]?.n),
      keys: new Map((await db.pool.query<KeyCountRow>(keys.text, keys.values)).rows.map((k) => [k.key, Number(k.n)])),
    };
  };

  it('counts every rule and every key of a grouped rule as its own statement does, for any evaluation time and visibility mark', async () => {
    // Prepare: entries in two statements, some deleted and some moved, so minutes have several rows (negative ones too)
    await insertEntries(3000, 1);
    await insertEntries(1000, 2);
    await db.pool.query('DELETE FROM log_entries WHERE id % 13 = 0');
    await db.pool.query(
      `UPDATE log_entries SET logged_at = logged_at + interval '61 seconds', ingested_at = ingested_at + interval '10 minutes' WHERE id % 17 = 0`,
    );
    const r = seededRandom(7);
    let compared = 0;

    // Act + Assess
    for (let i = 0; i < 25; i++) {
      const now = BASE + r.int(0, 200) * MINUTE + (r.chance(0.2) ? 0 : r.int(0, MINUTE - 1));
      const mark = r.chance(0.25) ? null : new Date(BASE + r.int(0, 190) * MINUTE).toISOString();
      const counts = await readEvaluationCounts(db.pool, rules, now, mark, null, 0);
      for (const rl of rules) {
        const own = await ownCounts(rl, now, mark);
        if (!countedOnce(rl)) {
          expect({ rule: rl.name, count: counts.count(rl), keys: counts.keys(rl) }).toEqual({ rule: rl.name, count: undefined, keys: undefined });
          continue;
        }
        compared++;
        if (rl.groupBy.length === 0) expect({ rule: rl.name, now, mark, n: counts.count(rl) }).toEqual({ rule: rl.name, now, mark, n: own.count });
        else expect({ rule: rl.name, now, mark, keys: counts.keys(rl) }).toEqual({ rule: rl.name, now, mark, keys: own.keys });
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('counts an entry of a whole minute only when it was ingested before the mark, even at the mark’s instant', async () => {
    // Prepare: two entries of 10:05, ingested at 10:05:00 and at 10:06:00
    await db.pool.query(
      `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset, template_id, ingested_at) VALUES
         ('2026-11-23T10:05:10Z', 'ERROR', 'x', 1, 0, 1, '2026-11-23T10:05:00Z'), ('2026-11-23T10:05:20Z', 'ERROR', 'x', 1, 0, 1, '2026-11-23T10:06:00Z')`,
    );
    const now = Date.parse('2026-11-23T10:15:30Z');
    const count = async (mark: string | null) => (await readEvaluationCounts(db.pool, rules, now, mark, null, 0)).count(rule('errors'));

    // Act + Assess
    expect(await count('2026-11-23T10:05:00Z')).toBe(0);
    expect(await count('2026-11-23T10:06:00Z')).toBe(1);
    expect(await count('2026-11-23T10:06:00.000001Z')).toBe(2);
    expect(await count(null)).toBe(2);
  });

  it('stops a count at the rule’s cap and keeps a grouped rule’s keys whole', async () => {
    // Prepare
    await insertEntries(10_000, 3);
    const now = BASE + 150 * MINUTE + 30_000;

    // Act
    const counts = await readEvaluationCounts(db.pool, rules, now, null, null, 0);

    // Assess
    expect(counts.count(rule('capped'))).toBe(countCap(rule('capped')));
    expect((await ownCounts(rule('capped'), now, null)).count).toBe(countCap(rule('capped')));
    const keys = counts.keys(rule('per-service')) ?? new Map();
    expect([...keys.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(countCap(rule('per-service')));
    expect(keys).toEqual((await ownCounts(rule('per-service'), now, null)).keys);
    expect([...keys.keys()]).toContain('["api \\"v2\\"", "h\\\\1\\t", "1"]');
  });

  it('says a rule can have a fresh entry only when the slice holds one of its files and levels logged within its grace window', async () => {
    // Prepare: one WARN of the web file ingested at 12:00:00.5, logged at 11:50
    await db.pool.query(
      `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset, ingested_at) VALUES ('2026-11-23T11:50:00Z', 'WARN', 'x', 3, 0, '2026-11-23T12:00:00.5Z')`,
    );
    const now = Date.parse('2026-11-23T12:01:00Z');
    const slice = (from: string, until: string): CommitRange => ({ from, fromId: '0', until, untilId: '0', more: false });
    const holding = slice('2026-11-23T12:00:00Z', '2026-11-23T12:00:01Z');
    const empty = slice('2026-11-23T12:00:01Z', '2026-11-23T12:00:02Z');

    // Act
    const withEntry = await readEvaluationCounts(db.pool, rules, now, null, holding, 3 * MINUTE);
    const without = await readEvaluationCounts(db.pool, rules, now, null, empty, 3 * MINUTE);
    const first = await readEvaluationCounts(db.pool, rules, now, null, null, 3 * MINUTE);

    // Assess: 11:50 is within (now - grace - window, now] of the 17-minute rules, not of the 90-second one
    const fresh = rules.filter((r) => withEntry.mayHaveFresh(r)).map((r) => r.name);
    expect(fresh).toEqual(['web', 'capped', 'per-service', 'with-pattern']);
    expect(rules.filter((r) => without.mayHaveFresh(r))).toEqual([]);
    expect(rules.filter((r) => first.mayHaveFresh(r))).toEqual([]);
  });
});
