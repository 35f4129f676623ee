import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { ALERT_SQL as SQL } from '../../sql/alert-statements';
import type { CountRow, KeyCountRow } from '../../sql/alert-statements';
import { wholeMinutes } from '../../lib/alert/minute-counts';
import { countCap, countWindow } from '../../lib/alert/rule-window';
import { ruleStatement } from '../../lib/alert/rule-sql';
import { parseAlertRules } from '../../lib/alert/rules';
import type { AlertRule } from '../../lib/alert/rules';
import { readRetentionConfig } from '../../lib/retention/config';
import { maintainEntryPartitions } from '../../lib/retention/entry-partitions';
import { runRetention } from '../../lib/retention/retention';
import { createTestDatabase, emptyTables } from '../support/database';
import type { TestDatabase } from '../support/database';

// The per-minute counts of log_entries (020_entry_minutes.sql) against a real
// PostgreSQL: they stay equal to the entries' own counts through every way
// entries are written and removed, and a window count read from them (its
// whole minutes) and from the entries (its two ends and the minutes touched
// after the visibility mark) is the count read from the entries alone.

const BASE = Date.parse('2026-11-23T10:00:00Z');
const MINUTE = 60_000;
const LEVELS = ['WARN', 'ERROR', 'FATAL'] as const;

/** A small deterministic generator (mulberry32): the same entries every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Entry {
  loggedAt: string;
  level: string;
  source: number;
  template: number | null;
  ingestedAt: string;
}

/** `n` entries over three hours from BASE, some on minute boundaries, ingested over the same hours. */
function entries(n: number, seed: number): Entry[] {
  const next = random(seed);
  return Array.from({ length: n }, () => {
    const onBoundary = next() < 0.1;
    const ms = onBoundary ? Math.floor(next() * 180) * MINUTE : Math.floor(next() * 180 * MINUTE);
    const micros = onBoundary ? 0 : Math.floor(next() * 1000);
    const at = new Date(BASE + ms).toISOString().replace('Z', `${String(micros).padStart(3, '0')}Z`);
    return {
      loggedAt: at,
      level: LEVELS[Math.floor(next() * LEVELS.length)] ?? 'ERROR',
      source: 1 + Math.floor(next() * 3),
      template: next() < 0.2 ? null : 1 + Math.floor(next() * 4),
      ingestedAt: new Date(BASE + Math.floor(next() * 180 * MINUTE)).toISOString(),
    };
  });
}

describe('Per-minute counts of log entries', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
  beforeEach(async () => {
    await emptyTables(db.pool);
    await db.pool.query(
      `INSERT INTO log_sources (id, path, dev, ino) VALUES (1, '/var/log/api/app.log', 1, 1), (2, '/var/log/api/worker.log', 1, 2), (3, '/var/log/web/access.log', 1, 3)`,
    );
    await db.pool.query(`UPDATE log_sources SET service = CASE id WHEN 3 THEN 'web' ELSE 'api' END`);
  });

  const insert = async (rows: Entry[]): Promise<void> => {
    await db.pool.query(
      `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset, template_id, ingested_at)
       SELECT l, v, 'boom', s, 0, t, i FROM unnest($1::timestamptz[], $2::text[], $3::bigint[], $4::bigint[], $5::timestamptz[]) AS x(l, v, s, t, i)`,
      [rows.map((r) => r.loggedAt), rows.map((r) => r.level), rows.map((r) => r.source), rows.map((r) => r.template), rows.map((r) => r.ingestedAt)],
    );
  };
  const copy = async (rows: Entry[]): Promise<void> => {
    const client = await db.pool.connect();
    try {
      const lines = rows.map((r) => `${r.loggedAt}\t${r.level}\tcopied\t${r.source}\t0\t${r.template ?? '\\N'}\t${r.ingestedAt}\n`);
      await pipeline(
        Readable.from(lines),
        client.query(copyFrom('COPY log_entries (logged_at, level, message, source_id, byte_offset, template_id, ingested_at) FROM STDIN')),
      );
    } finally {
      client.release();
    }
  };
  /** Groups where the minutes and the entries disagree (none when they agree). */
  const disagreements = async (): Promise<unknown[]> =>
    (
      await db.pool.query(
        `WITH minutes AS (
           SELECT minute, source_id, template_id, level, sum(n) AS n FROM log_entry_minutes GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0),
         counted AS (
           SELECT date_bin('1 minute', logged_at, '2000-01-01 00:00+00') AS minute, source_id, template_id, level, count(*) AS n FROM log_entries GROUP BY 1, 2, 3, 4)
         SELECT * FROM minutes m FULL JOIN counted c
           ON c.minute = m.minute AND c.source_id = m.source_id AND c.template_id IS NOT DISTINCT FROM m.template_id AND c.level = m.level
         WHERE m.n IS DISTINCT FROM c.n`,
      )
    ).rows;
  const minuteTotal = async (): Promise<number> =>
    Number((await db.pool.query<{ n: string }>('SELECT coalesce(sum(n), 0) AS n FROM log_entry_minutes')).rows[0]?.n);

  it('stay equal to the entries counted per minute, file, template and level through inserts, COPY, deletes, updates and truncation', async () => {
    // Prepare
    await insert(entries(1500, 1));
    await copy(entries(1500, 2));
    expect(await minuteTotal()).toBe(3000);
    expect(await disagreements()).toEqual([]);

    // Act
    await db.pool.query(`DELETE FROM log_entries WHERE level = 'WARN' AND source_id = 2`);
    await db.pool.query(`UPDATE log_entries SET template_id = 9, logged_at = logged_at + interval '30 seconds' WHERE id % 7 = 0`);
    await db.pool.query(`UPDATE log_entries SET level = 'ERROR' WHERE id % 11 = 0`);

    // Assess
    expect(await disagreements()).toEqual([]);
    await db.pool.query('TRUNCATE log_entries');
    expect(await minuteTotal()).toBe(0);
    expect((await db.pool.query('SELECT 1 FROM log_entry_minutes')).rowCount).toBe(0);
  });

  it('stay equal to the entries when a day partition is created over stored entries and when retention drops days and deletes a straddling one', async () => {
    // Prepare: entries of five days in the default partition, then their days created (the rows move)
    const days = ['2026-10-20', '2026-10-21', '2026-10-23', '2026-10-24', '2026-10-26'];
    for (const [i, day] of days.entries()) {
      const rows = entries(200, 10 + i).map((e) => ({
        ...e,
        loggedAt: new Date(Date.parse(`${day}T00:00:00Z`) + (Date.parse(e.loggedAt) - BASE) * 7).toISOString(),
      }));
      await insert(rows);
    }
    const stored = await minuteTotal();
    await maintainEntryPartitions(db.pool, { now: Date.parse('2026-10-20T00:00:00Z'), cutoff: new Date(0) });
    await maintainEntryPartitions(db.pool, { now: Date.parse('2026-10-23T00:00:00Z'), cutoff: new Date(0) });
    expect(await minuteTotal()).toBe(stored);
    expect(await disagreements()).toEqual([]);

    // Act: RETENTION_DAYS 30 on 2026-11-23 12:00: days before 2026-10-24 go whole, 2026-10-24 before 12:00 in batches
    await runRetention({ pool: db.pool, config: readRetentionConfig({ RETENTION_BATCH_SIZE: '50' }), now: () => Date.parse('2026-11-23T12:00:00Z') });

    // Assess
    const left = Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM log_entries')).rows[0]?.n);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(stored);
    expect(await minuteTotal()).toBe(left);
    expect(await disagreements()).toEqual([]);
    // the dropped days' minutes went with their partitions, not as rows cancelling them
    expect((await db.pool.query(`SELECT 1 FROM log_entry_minutes WHERE minute < '2026-10-24T00:00:00Z'`)).rowCount).toBe(0);
  });

  describe('a window count', () => {
    const rules: AlertRule[] = parseAlertRules([
      { name: 'errors', minLevel: 'ERROR', threshold: 5000, window: '17m' },
      { name: 'api-fatal', levels: ['FATAL'], source: '/var/log/api/*', threshold: 5000, window: '45m' },
      { name: 'short', minLevel: 'WARN', threshold: 5000, window: '90s' },
      { name: 'per-file', minLevel: 'ERROR', threshold: 1, window: '1h', groupBy: ['file', 'level'] },
      { name: 'per-template', minLevel: 'WARN', threshold: 1, window: '23m', groupBy: ['service', 'template'] },
    ]);
    const rule = (name: string): AlertRule => rules.find((r) => r.name === name) as AlertRule;

    /** Both counts of `rule` over (from, to] with mark `mark`: from the entries, and with the whole minutes from the counts. */
    const bothCounts = async (r: AlertRule, fromMs: number, toMs: number, mark: string | null) => {
      const from = new Date(fromMs);
      const to = new Date(toMs);
      const raw = ruleStatement(SQL.countWindow, r, [from, to, r.levels, r.sourceLike, r.pattern, countCap(r)], null, mark);
      const rawKeys = ruleStatement(SQL.countByKey, r, [from, to, r.levels, r.sourceLike, r.pattern], null, mark);
      const minutes = wholeMinutes(fromMs, toMs);
      if (minutes === null) return null;
      const params = [from, to, r.levels, r.sourceLike, minutes.lo, minutes.hi, mark];
      const fromMinutes = ruleStatement(SQL.minuteCountWindow, r, [...params, countCap(r)]);
      const keysFromMinutes = ruleStatement(SQL.minuteCountByKey, r, [...params, null]);
      const q = async <T extends { n: string }>(s: { text: string; values: unknown[] }) => (await db.pool.query<T>(s.text, s.values)).rows;
      const byKey = (rows: KeyCountRow[]) => Object.fromEntries(rows.map((k) => [k.key, Number(k.n)]));
      return {
        raw: Number((await q<CountRow>(raw))[0]?.n),
        minutes: Number((await q<CountRow>(fromMinutes))[0]?.n),
        rawKeys: byKey(await q<KeyCountRow>(rawKeys)),
        minuteKeys: byKey(await q<KeyCountRow>(keysFromMinutes)),
      };
    };

    it('from the minutes and the window’s ends is the count from the entries, for any window, filter and visibility mark', async () => {
      // Prepare: entries in three statements, one deleting and one moving some, so a minute has several rows
      await insert(entries(2000, 3));
      await copy(entries(2000, 4));
      await db.pool.query(`DELETE FROM log_entries WHERE id % 13 = 0`);
      await db.pool.query(
        `UPDATE log_entries SET logged_at = logged_at + interval '61 seconds', ingested_at = ingested_at + interval '10 minutes' WHERE id % 17 = 0`,
      );
      const next = random(99);
      let compared = 0;

      // Act + Assess
      for (let i = 0; i < 60; i++) {
        const r = rules[i % rules.length] as AlertRule;
        const toMs = BASE + Math.floor(next() * 200 * MINUTE) + (next() < 0.2 ? 0 : Math.floor(next() * MINUTE));
        const mark = next() < 0.25 ? null : new Date(BASE + Math.floor(next() * 190 * MINUTE)).toISOString();
        const counts = await bothCounts(r, toMs - r.windowMs, toMs, mark);
        if (counts === null) continue;
        compared++;
        expect({ rule: r.name, toMs, mark, n: counts.minutes }).toEqual({ rule: r.name, toMs, mark, n: counts.raw });
        expect({ rule: r.name, toMs, mark, keys: counts.minuteKeys }).toEqual({ rule: r.name, toMs, mark, keys: counts.rawKeys });
      }
      expect(compared).toBeGreaterThan(40);
    });

    it('counts entries ingested after the mark into a minute already counted only once the mark passes them', async () => {
      // Prepare: a minute counted at a mark, then an entry of that minute ingested after it (a late write)
      const r = rule('errors');
      const minute = '2026-11-23T10:05:00';
      await insert([{ loggedAt: `${minute}.5Z`, level: 'ERROR', source: 1, template: 1, ingestedAt: '2026-11-23T10:06:00Z' }]);
      const toMs = Date.parse('2026-11-23T10:15:30Z');
      expect((await bothCounts(r, toMs - r.windowMs, toMs, '2026-11-23T10:07:00Z'))?.minutes).toBe(1);

      // Act
      await insert([{ loggedAt: '2026-11-23T10:05:30Z', level: 'ERROR', source: 1, template: 1, ingestedAt: '2026-11-23T10:08:00Z' }]);

      // Assess
      expect(await bothCounts(r, toMs - r.windowMs, toMs, '2026-11-23T10:07:00Z')).toMatchObject({ minutes: 1, raw: 1 });
      expect(await bothCounts(r, toMs - r.windowMs, toMs, '2026-11-23T10:09:00Z')).toMatchObject({ minutes: 2, raw: 2 });
      expect(await bothCounts(r, toMs - r.windowMs, toMs, null)).toMatchObject({ minutes: 2, raw: 2 });
    });

    it('counts an entry at the window’s end and none at its start when both fall on minute boundaries', async () => {
      // Prepare: (10:00, 10:17] holds 10:17:00 and 10:00:00.000001 but not 10:00:00
      const r = rule('errors');
      const at = (t: string): Entry => ({ loggedAt: `2026-11-23T${t}Z`, level: 'ERROR', source: 1, template: 1, ingestedAt: '2026-11-23T09:00:00Z' });
      await insert([at('10:00:00'), at('10:00:00.000001'), at('10:17:00'), at('10:17:00.000001'), at('10:08:00')]);

      // Act
      const counts = await bothCounts(r, Date.parse('2026-11-23T10:00:00Z'), Date.parse('2026-11-23T10:17:00Z'), null);

      // Assess
      expect(counts).toMatchObject({ raw: 3, minutes: 3, minuteKeys: { '[]': 3 } });
    });

    it('stops at the count cap like the count from the entries', async () => {
      // Prepare
      const r = rule('short');
      const many = Array.from({ length: 1200 }, (_, i) => ({
        loggedAt: new Date(BASE + (i % 180) * 1000).toISOString(),
        level: 'ERROR',
        source: 1,
        template: 1,
        ingestedAt: new Date(BASE).toISOString(),
      }));
      await insert(many);
      const capped = { ...r, threshold: 1 };

      // Act
      const counts = await bothCounts(capped, BASE - 1, BASE + 179_000, null);

      // Assess
      expect(counts).toMatchObject({ raw: countCap(capped), minutes: countCap(capped) });
    });

    it('is read the same by countWindow with and without whole minutes in the window', async () => {
      // Prepare
      await insert(entries(500, 5));

      // Act
      const long = await countWindow(db.pool, rule('errors'), BASE + 60 * MINUTE + 12_345);
      const short = await countWindow(db.pool, { ...rule('short'), windowMs: 50_000 }, BASE + 60 * MINUTE + 12_345);

      // Assess
      const expected = async (fromMs: number, toMs: number, levels: string[]) =>
        Number(
          (
            await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM log_entries WHERE logged_at > $1 AND logged_at <= $2 AND level = ANY($3)', [
              new Date(fromMs),
              new Date(toMs),
              levels,
            ])
          ).rows[0]?.n,
        );
      expect(long).toBe(await expected(BASE + 60 * MINUTE + 12_345 - 17 * MINUTE, BASE + 60 * MINUTE + 12_345, ['ERROR', 'FATAL']));
      expect(long).toBeGreaterThan(0);
      expect(short).toBe(await expected(BASE + 60 * MINUTE + 12_345 - 50_000, BASE + 60 * MINUTE + 12_345, ['WARN', 'ERROR', 'FATAL']));
    });
  });
});
