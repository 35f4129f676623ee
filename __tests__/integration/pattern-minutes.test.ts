import type pg from 'pg';
import { ALERT_SQL as SQL } from '../../sql/alert-statements';
import type { CountRow, KeyCountRow } from '../../sql/alert-statements';
import { maintainPatternMinutes } from '../../lib/alert/pattern-minutes';
import { countCap } from '../../lib/alert/rule-window';
import { ruleStatement } from '../../lib/alert/rule-sql';
import { parseAlertRules } from '../../lib/alert/rules';
import type { AlertRule } from '../../lib/alert/rules';
import { countedOnce, readEvaluationCounts } from '../../lib/alert/window-counts';
import type { AppLogger } from '../../lib/platform/logger';
import { createTestDatabase, emptyTables } from '../support/database';
import type { TestDatabase } from '../support/database';
import { seededRandom } from '../support/random';
import type { Random } from '../support/random';

// The per-minute counts of the entries matching each rule pattern
// (021_pattern_minutes.sql, lib/alert/pattern-minutes.ts) against a real
// PostgreSQL, driven as the alert job drives them: evaluations one after the
// other, each after the commit cursor moved, entries ingested in between,
// some deleted or moved. At every evaluation each rule's window count (and
// each key's) read from them is the count its own statement reads from the
// entries, whatever the clock, the mark, a rewound cursor, a rule with a
// longer window added later or a pattern dropped and taken up again.

const BASE = Date.parse('2026-11-23T10:00:00Z');
const MINUTE = 60_000;
const GRACE = 3 * MINUTE;
const MESSAGES = ['upstream timeout after 30s', 'connection refused', 'disk full', 'Timeout waiting for lock', 'refused: quota'];

describe('Per-minute counts of rule patterns', () => {
  let db: TestDatabase;
  let client: pg.PoolClient;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
  beforeEach(async () => {
    await emptyTables(db.pool);
    await db.pool.query(
      `INSERT INTO log_sources (id, path, dev, ino, service, host) VALUES (1, '/var/log/api/app.log', 1, 1, 'api', 'h1'), (2, '/var/log/web/app.log', 1, 2, 'web', 'h2')`,
    );
    client = await db.pool.connect();
  });
  afterEach(() => client.release());

  /** `n` entries logged in the hour before `ingestedMs` (a few after it), ingested at `ingestedMs` plus up to a second. */
  const ingest = async (r: Random, n: number, ingestedMs: number): Promise<void> => {
    const rows = Array.from({ length: n }, () => ({
      at: new Date(ingestedMs - r.int(-2 * MINUTE, 60 * MINUTE)).toISOString(),
      level: r.pick(['WARN', 'ERROR', 'FATAL']),
      message: `${r.pick(MESSAGES)} #${r.int(1, 9)}`,
      source: r.int(1, 3), // 3: a file whose row is gone
      template: r.chance(0.3) ? null : r.int(1, 3),
      ingested: new Date(ingestedMs + r.int(0, 999)).toISOString(),
    }));
    await db.pool.query(
      `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset, template_id, ingested_at)
       SELECT l, v, m, s, 0, t, i FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::timestamptz[]) AS x(l, v, m, s, t, i)`,
      [
        rows.map((x) => x.at),
        rows.map((x) => x.level),
        rows.map((x) => x.message),
        rows.map((x) => x.source),
        rows.map((x) => x.template),
        rows.map((x) => x.ingested),
      ],
    );
  };

  const rules = (specs: Record<string, unknown>[]): AlertRule[] => parseAlertRules(specs.map((s) => ({ threshold: 5000, ...s })));
  const base = rules([
    { name: 'timeouts', minLevel: 'ERROR', pattern: '[Tt]imeout', window: '17m' },
    { name: 'refused-api', minLevel: 'WARN', pattern: 'refused', source: '/var/log/api/*', window: '45m' },
    { name: 'refused-keys', minLevel: 'WARN', pattern: 'refused', window: '10m', threshold: 1, groupBy: ['service', 'template', 'level'] },
    { name: 'no-pattern', minLevel: 'WARN', window: '30m' },
  ]);
  const longer = rules([{ name: 'timeouts-day', minLevel: 'WARN', pattern: '[Tt]imeout', window: '3h' }]);

  /** One evaluation: the cursor stands at `positionMs`, the mark `markMs` (at or after it), the clock `now`. */
  const evaluate = async (rs: AlertRule[], positionMs: number, markMs: number, now: number, logger?: AppLogger, at?: { at: string; id: string }) => {
    await client.query('BEGIN');
    try {
      const position = at ?? { at: new Date(positionMs).toISOString(), id: '0' };
      const patterns = await maintainPatternMinutes(client, rs, { position }, now, GRACE, logger);
      const mark = new Date(markMs).toISOString();
      const counts = await readEvaluationCounts(client, rs, now, mark, null, GRACE, patterns);
      const seen: { rule: string; once: boolean; count: unknown; own: unknown }[] = [];
      for (const r of rs) {
        const once = countedOnce(r, patterns);
        if (!once) {
          seen.push({ rule: r.name, once, count: null, own: null });
          continue;
        }
        const params = [new Date(now - r.windowMs), new Date(now), r.levels, r.sourceLike, r.pattern];
        const own =
          r.groupBy.length === 0
            ? Number((await q<CountRow>(ruleStatement(SQL.countWindow, r, [...params, countCap(r)], null, mark)))[0]?.n)
            : new Map((await q<KeyCountRow>(ruleStatement(SQL.countByKey, r, params, null, mark))).map((k) => [k.key, Number(k.n)]));
        seen.push({ rule: r.name, once, count: r.groupBy.length === 0 ? counts.count(r) : counts.keys(r), own });
      }
      await client.query('COMMIT');
      return { patterns, seen };
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    }
  };
  const q = async <T extends pg.QueryResultRow>(s: { text: string; values: unknown[] }): Promise<T[]> => (await client.query<T>(s.text, s.values)).rows;
  const agree = (seen: { rule: string; count: unknown; own: unknown }[]) => seen.map((s) => ({ rule: s.rule, n: s.count }));
  const expected = (seen: { rule: string; count: unknown; own: unknown }[]) => seen.map((s) => ({ rule: s.rule, n: s.own }));

  it('count every rule’s window as its own statement does, evaluation after evaluation, through entries stored behind the cursor, deletes, moves, a rewound cursor and a longer window added', async () => {
    // Prepare
    const r = seededRandom(11);
    let position = BASE;
    // the database's clock (ingested_at) never goes back, even when the cursor is moved back by hand
    let databaseClock = BASE;
    let compared = 0;

    // Act + Assess: 24 evaluations a few minutes apart, the job's clock sometimes behind or ahead of the cursor
    for (let step = 0; step < 24; step++) {
      databaseClock = Math.max(databaseClock, position) + r.int(0, 2) * MINUTE;
      await ingest(r, 300, databaseClock);
      // a writer the cursor's watermark does not wait for: stored behind where the cursor stands
      if (step % 6 === 2) await ingest(r, 50, position - 30 * MINUTE);
      if (step % 5 === 3) await db.pool.query(`DELETE FROM log_entries WHERE id % 11 = ${step % 11}`);
      if (step % 7 === 4)
        await db.pool.query(`UPDATE log_entries SET logged_at = logged_at - interval '70 seconds', message = message || ' timeout' WHERE id % 9 = 0`);
      const rewound = step === 15;
      position = rewound ? position - 20 * MINUTE : position + r.int(2, 6) * MINUTE;
      const rs = step >= 10 ? [...base, ...longer] : base;
      const mark = position + (r.chance(0.5) ? 0 : r.int(1, 5) * MINUTE);
      const now = position + r.int(-10, 10) * MINUTE + r.int(0, MINUTE - 1);
      // every third evaluation the cursor stands exactly at a stored entry (its ingest time and id): the bounds of a slice
      const exact =
        step % 3 === 1
          ? (
              await db.pool.query<{ at: string; id: string }>(
                `SELECT ingested_at::text AS at, id::text AS id FROM log_entries WHERE ingested_at <= $1 ORDER BY ingested_at DESC, id DESC OFFSET $2 LIMIT 1`,
                [new Date(position).toISOString(), r.int(0, 40)],
              )
            ).rows[0]
          : undefined;
      const { seen } = await evaluate(rs, exact ? Date.parse(exact.at) : position, mark, now, undefined, exact);
      compared += seen.filter((s) => s.once).length;
      expect({ step, counts: agree(seen) }).toEqual({ step, counts: expected(seen) });
    }
    expect(compared).toBeGreaterThan(60);
  });

  it('counts each entry once when the cursor stops inside one ingest time, at its first evaluation and at the ones after', async () => {
    // Prepare: 12 entries matching every pattern, in one minute, stored by one statement (one ingest time)
    const at = new Date(BASE + 5 * MINUTE).toISOString();
    const ids = (
      await db.pool.query<{ id: string; ingested: string }>(
        `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset, ingested_at)
         SELECT $1::timestamptz - g * interval '1 second', 'ERROR', 'Timeout: refused #' || g, 1, g, $1::timestamptz + interval '10 minutes'
         FROM generate_series(1, 12) g RETURNING id::text AS id, ingested_at::text AS ingested`,
        [at],
      )
    ).rows.sort((a, b) => Number(a.id) - Number(b.id));
    const ingested = ids[0]!.ingested;
    const now = BASE + 6 * MINUTE;
    const mark = BASE + 20 * MINUTE;

    // Act: the cursor at the 4th entry (first evaluation: the pattern starts), the 8th, the 8th again, then past all of them
    const positions = [ids[3]!.id, ids[7]!.id, ids[7]!.id].map((id) => ({ at: ingested, id }));
    const runs = [];
    for (const position of positions) runs.push(await evaluate(base, Date.parse(position.at), mark, now, undefined, position));
    runs.push(await evaluate(base, mark, mark, now));

    // Assess
    for (const { seen } of runs) expect(agree(seen)).toEqual(expected(seen));
    expect(runs.map(({ seen }) => seen.find((x) => x.rule === 'timeouts')?.count)).toEqual([12, 12, 12, 12]);
  });

  it('drops a pattern no rule has any more, and counts it again when a rule takes it up', async () => {
    // Prepare
    const r = seededRandom(12);
    await ingest(r, 500, BASE);
    await evaluate(base, BASE + MINUTE, BASE + MINUTE, BASE + MINUTE);
    const kept = async () => (await db.pool.query<{ pattern: string }>('SELECT pattern FROM pattern_coverage ORDER BY 1')).rows.map((x) => x.pattern);
    expect(await kept()).toEqual(['[Tt]imeout', 'refused']);

    // Act
    await evaluate(
      base.filter((x) => x.pattern !== 'refused'),
      BASE + 2 * MINUTE,
      BASE + 2 * MINUTE,
      BASE + 2 * MINUTE,
    );
    const afterDrop = await kept();
    await ingest(r, 500, BASE + 3 * MINUTE);
    const { seen } = await evaluate(base, BASE + 5 * MINUTE, BASE + 5 * MINUTE, BASE + 5 * MINUTE);

    // Assess
    expect(afterDrop).toEqual(['[Tt]imeout']);
    expect((await db.pool.query(`SELECT 1 FROM pattern_minutes WHERE pattern = 'refused' LIMIT 1`)).rowCount).toBe(1);
    expect(seen.filter((s) => s.once).map((s) => s.rule)).toEqual(['timeouts', 'refused-api', 'refused-keys', 'no-pattern']);
    expect(agree(seen)).toEqual(expected(seen));
  });

  it('keeps no pattern PostgreSQL rejects, says so, and still counts the others', async () => {
    // Prepare: a named group passes JavaScript's check at start-up; PostgreSQL has none
    const r = seededRandom(13);
    await ingest(r, 200, BASE);
    const warnings: unknown[] = [];
    const logger = { warn: (message: string, context: unknown) => warnings.push({ message, context }) } as unknown as AppLogger;
    const rs = [...base, ...rules([{ name: 'bad', minLevel: 'WARN', pattern: '(?<svc>api) refused', window: '10m' }])];

    // Act
    const { patterns, seen } = await evaluate(rs, BASE + MINUTE, BASE + MINUTE, BASE + MINUTE, logger);

    // Assess
    expect([...patterns.keys()].sort()).toEqual(['[Tt]imeout', 'refused']);
    expect(seen.find((s) => s.rule === 'bad')?.once).toBe(false);
    expect(warnings).toEqual([
      {
        message: 'rule pattern not counted per minute this run: its rules count their windows from the entries',
        context: { pattern: '(?<svc>api) refused', error: expect.stringMatching(/regular expression/) },
      },
    ]);
  });

  it('go with the entries of a log_entries TRUNCATE', async () => {
    // Prepare
    await ingest(seededRandom(14), 200, BASE);
    await evaluate(base, BASE + MINUTE, BASE + MINUTE, BASE + MINUTE);

    // Act
    await db.pool.query('TRUNCATE log_entries');

    // Assess
    expect((await db.pool.query('SELECT 1 FROM pattern_coverage')).rowCount).toBe(0);
    expect((await db.pool.query('SELECT 1 FROM pattern_minutes')).rowCount).toBe(0);
  });
});
