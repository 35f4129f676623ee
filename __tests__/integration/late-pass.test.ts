import { parseAlertRules } from '../../lib/alert/rules';
import type { AlertRule } from '../../lib/alert/rules';
import { readBusiestAcross, readLateBurst } from '../../lib/alert/late-data';
import type { LateTally } from '../../lib/alert/late-data';
import { readLateOnce } from '../../lib/alert/late-pass';
import { setEvaluationMarks } from '../../lib/alert/commit-cursor';
import type { CommitRange } from '../../lib/alert/commit-cursor';
import { createTestDatabase, emptyTables } from '../support/database';
import type { TestDatabase } from '../support/database';
import { seededRandom } from '../support/random';

// The late entries of all rules in a slice, read once (lib/alert/late-pass.ts),
// against a real PostgreSQL: for every rule, the count, span, busiest window,
// top templates and samples are what its own statements read (readLateBurst),
// and so is its busiest window across the slices of its tally
// (readBusiestAcross), for any slice, clock, visibility mark and tally start.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const BASE = Date.parse('2026-11-23T10:00:00Z');
/** The slices' ingest times: slice k holds the entries ingested in [SLICES[k], SLICES[k + 1]). */
const SLICES = Array.from({ length: 7 }, (_, k) => BASE + 9 * HOUR + k * 10 * MINUTE);
const LEVELS = ['WARN', 'ERROR', 'FATAL'] as const;
const MESSAGES = ['db timeout after 30s\n  at pool.js:10', 'connection refused by upstream', 'disk full on /var', 'conn reset by peer'];
const iso = (ms: number, micros = 0): string => new Date(ms).toISOString().replace('Z', `${String(micros).padStart(3, '0')}Z`);

describe('The late entries of all rules in a slice, read once', () => {
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
  });

  const rules: AlertRule[] = parseAlertRules([
    { name: 'errors', minLevel: 'ERROR', threshold: 10, window: '5m' },
    { name: 'fatal', levels: ['FATAL'], threshold: 3, window: '1m' },
    { name: 'timeouts', minLevel: 'WARN', pattern: 'timeout|refused', threshold: 5, window: '17m' },
    { name: 'api-conn', minLevel: 'ERROR', pattern: '^conn', source: '/var/log/api/*', threshold: 2, window: '1h' },
    { name: 'web', minLevel: 'WARN', source: '/var/log/web/*', threshold: 4, window: '90s' },
    { name: 'per-file', minLevel: 'ERROR', threshold: 5, window: '10m', groupBy: ['file'] },
    { name: 'timeouts-short', levels: ['ERROR'], pattern: 'timeout|refused', threshold: 2, window: '2m' },
  ]);

  /** `n` entries logged over ten hours from BASE, a third of them in bursts, ingested in the slices. */
  const insertEntries = async (n: number, seed: number): Promise<void> => {
    const r = seededRandom(seed);
    const bursts = Array.from({ length: 6 }, () => BASE + r.int(0, 10 * HOUR));
    const rows = Array.from({ length: n }, () => {
      // some at the very instant of a burst (ties in time: the samples are then the highest ids)
      // and some exactly a rule's window after that instant (on the edge of a window starting there)
      const tied = r.chance(0.08);
      const edge = tied && r.chance(0.5) ? r.pick([1, 2, 5, 10, 17]) * MINUTE : 0;
      const at = tied ? r.pick(bursts) + edge : r.chance(0.35) ? r.pick(bursts) + r.int(-2 * MINUTE, 2 * MINUTE) : BASE + r.int(0, 10 * HOUR);
      const slice = r.int(0, SLICES.length - 2);
      return {
        at: iso(at, tied || r.chance(0.1) ? 0 : r.int(0, 999)),
        level: r.pick(LEVELS),
        message: `${r.pick(MESSAGES)}${r.chance(0.3) ? ` #${r.int(1, 3)}` : ''}`,
        source: r.int(1, 4), // 4: a file whose row is gone
        template: r.chance(0.3) ? null : r.int(1, 5),
        // some ingested at the very start of a slice, where a slice or a tally may start at one of their ids
        ingested: r.chance(0.05) ? iso(SLICES[slice]!) : iso(SLICES[slice]! + r.int(0, 10 * MINUTE - 1), r.int(0, 999)),
      };
    });
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

  it('reads for every rule what its own statements read, for any slice, clock, visibility mark and tally start', async () => {
    // Prepare
    await insertEntries(4000, 11);
    const r = seededRandom(5);
    let withLate = 0;
    let withAcross = 0;

    // an id among the entries ingested at the very start of slice j (a position inside that ingest time), or '0' (before them all)
    const idAt = async (j: number): Promise<string> => {
      const ids = (await db.pool.query<{ id: string }>('SELECT id::text AS id FROM log_entries WHERE ingested_at = $1 ORDER BY id', [iso(SLICES[j]!)])).rows;
      return ids.length === 0 || r.chance(0.4) ? '0' : ids[r.int(0, ids.length - 1)]!.id;
    };
    const minId = (a: string, b: string): string => (BigInt(a) < BigInt(b) ? a : b);
    let insideIngestTime = 0;

    for (let i = 0; i < 16; i++) {
      const k = r.int(1, SLICES.length - 2);
      const range: CommitRange = { from: iso(SLICES[k]!), fromId: await idAt(k), until: iso(SLICES[k + 1]!), untilId: await idAt(k + 1), more: true };
      if (range.fromId !== '0' || range.untilId !== '0') insideIngestTime++;
      const now = SLICES[SLICES.length - 1]! + r.int(0, 30 * MINUTE);
      const limits = { now, graceMs: r.pick([0, 3 * MINUTE]), horizonMs: r.pick([6 * HOUR, 24 * HOUR]) };
      const mark = r.chance(0.3) ? iso(SLICES[k]! + r.int(0, 10 * MINUTE)) : iso(now + HOUR);
      const tallies = new Map<string, LateTally>();
      for (const rule of rules) {
        if (r.chance(0.25)) continue;
        // a tally begins at the start of a slice examined before or at this one
        const j = r.int(0, k);
        const exact = j === k || r.chance(0.5);
        const start = r.chance(0.15) ? null : iso(SLICES[j]! + (exact ? 0 : r.int(0, 10 * MINUTE)));
        // a tally starting inside the slice's own ingest time starts at or before the slice
        const startId = start === null ? null : !exact ? '0' : j === k ? minId(range.fromId, await idAt(j)) : await idAt(j);
        tallies.set(rule.name, {
          entries: 1,
          busiest: 1,
          firstAt: new Date(BASE),
          lastAt: new Date(BASE),
          topMessages: [],
          samples: [],
          since: now,
          fromAt: start,
          fromId: startId,
        });
      }
      const client = await db.pool.connect();
      try {
        await client.query('BEGIN');
        await setEvaluationMarks(client, { range, first: false, visibleUntil: mark, position: { at: range.until, id: range.untilId } }, now);
        // entries of earlier slices an earlier evaluation counted: late only as of that evaluation
        for (let m = 0; m <= k; m++)
          if (r.chance(0.5))
            await client.query('INSERT INTO alert_visibility (visible_until, evaluated_at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
              iso(SLICES[m]! + r.int(0, 10 * MINUTE)),
              new Date(now - r.int(1, 40) * MINUTE),
            ]);

        // Act
        const once = await readLateOnce(client, rules, tallies, range, limits);

        // Assess
        for (const rule of rules) {
          const burst = await readLateBurst(client, rule, range, limits);
          const across = await readBusiestAcross(client, rule, tallies.get(rule.name) ?? null, range, burst, limits);
          expect({ rule: rule.name, i, ...once.get(rule.name) }).toEqual({ rule: rule.name, i, burst, across });
          if (burst.total > 0) withLate++;
          if (across > burst.busiest) withAcross++;
        }
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    }
    // the comparisons covered rules with late entries, and windows a slice boundary split
    expect(withLate).toBeGreaterThan(40);
    expect(withAcross).toBeGreaterThan(5);
    expect(insideIngestTime).toBeGreaterThan(4);
  });

  it('counts entries exactly a window apart in two windows, and a microsecond less apart in one, as its own statements do', async () => {
    const now = SLICES[SLICES.length - 1]!;
    const range: CommitRange = { from: iso(SLICES[2]!), fromId: '0', until: iso(SLICES[3]!), untilId: '0', more: false };
    const limits = { now, graceMs: 3 * MINUTE, horizonMs: 24 * HOUR };
    const fatal = rules.filter((r) => r.name === 'fatal');
    const insertFatal = (...at: string[]) =>
      db.pool.query(
        `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset, ingested_at) SELECT l, 'FATAL', 'x', 1, 0, $2 FROM unnest($1::timestamptz[]) AS l`,
        [at, iso(SLICES[2]! + 1000)],
      );
    const read = async () => {
      const client = await db.pool.connect();
      try {
        await client.query('BEGIN');
        await setEvaluationMarks(client, { range, first: false, visibleUntil: iso(now), position: { at: range.until, id: range.untilId } }, now);
        return {
          once: (await readLateOnce(client, fatal, new Map(), range, limits)).get('fatal')?.burst,
          own: await readLateBurst(client, fatal[0]!, range, limits),
        };
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    };

    // Act + Assess: FATALs a minute (the rule's window) apart are never in one window
    await insertFatal('2026-11-23T12:00:00Z', '2026-11-23T12:01:00Z', '2026-11-23T12:02:00Z');
    const apart = await read();
    expect(apart.once).toMatchObject({ total: 3, busiest: 1 });
    expect(apart.once).toEqual(apart.own);

    // Act + Assess: one a microsecond less than a minute after the last is in its window
    await insertFatal('2026-11-23T12:02:59.999999Z');
    const within = await read();
    expect(within.once).toMatchObject({ total: 4, busiest: 2 });
    expect(within.once).toEqual(within.own);
  });

  it('counts a window across slices only below the rule’s count cap: past it the slice’s own busiest window stands, as at least that many', async () => {
    // Prepare: 1,000 FATALs within a second in this slice (the count cap of `fatal`), 5 in the same minute in an earlier one; 2 of `web` alike
    const now = SLICES[SLICES.length - 1]!;
    const insert = (n: number, level: string, source: number, ingested: number) =>
      db.pool.query(
        `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset, ingested_at)
         SELECT '2026-11-23T12:00:00Z'::timestamptz + g * interval '1 millisecond', $2, 'x', $3, 0, $4 FROM generate_series(1, $1) AS g`,
        [n, level, source, iso(ingested)],
      );
    await insert(1000, 'FATAL', 1, SLICES[3]! + 1000);
    await insert(5, 'FATAL', 1, SLICES[1]! + 1000);
    await insert(1, 'WARN', 3, SLICES[3]! + 1000);
    await insert(1, 'WARN', 3, SLICES[1]! + 1000);
    const range: CommitRange = { from: iso(SLICES[3]!), fromId: '0', until: iso(SLICES[4]!), untilId: '0', more: true };
    const limits = { now, graceMs: 3 * MINUTE, horizonMs: 24 * HOUR };
    const picked = rules.filter((r) => r.name === 'fatal' || r.name === 'web');
    const start = iso(SLICES[1]!);
    const tallies = new Map<string, LateTally>(
      picked.map((r) => [
        r.name,
        { entries: 1, busiest: 1, firstAt: new Date(BASE), lastAt: new Date(BASE), topMessages: [], samples: [], since: now, fromAt: start, fromId: '0' },
      ]),
    );
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await setEvaluationMarks(client, { range, first: false, visibleUntil: iso(now), position: { at: range.until, id: range.untilId } }, now);

      // Act
      const once = await readLateOnce(client, picked, tallies, range, limits);

      // Assess: `fatal` reached its cap in the slice (1,000): not counted across; `web` is (its two entries, a slice apart)
      const own = async (name: string) => {
        const rule = picked.find((r) => r.name === name)!;
        const burst = await readLateBurst(client, rule, range, limits);
        return readBusiestAcross(client, rule, tallies.get(name) ?? null, range, burst, limits);
      };
      expect(once.get('fatal')).toMatchObject({ burst: { total: 1000, busiest: 1000 }, across: 0 });
      expect(await own('fatal')).toBe(1005);
      expect(once.get('web')).toMatchObject({ burst: { total: 1, busiest: 1 }, across: 2 });
      expect(await own('web')).toBe(2);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('reads nothing for a slice without late entries', async () => {
    // Prepare: one entry, logged a minute before the run
    const now = SLICES[SLICES.length - 1]!;
    await db.pool.query(`INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset, ingested_at) VALUES ($1, 'ERROR', 'x', 1, 0, $2)`, [
      new Date(now - MINUTE),
      iso(SLICES[2]! + 1000),
    ]);
    const range: CommitRange = { from: iso(SLICES[2]!), fromId: '0', until: iso(SLICES[3]!), untilId: '0', more: false };

    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await setEvaluationMarks(client, { range, first: false, visibleUntil: iso(now), position: { at: range.until, id: range.untilId } }, now);

      // Act
      const once = await readLateOnce(client, rules, new Map(), range, { now, graceMs: 3 * MINUTE, horizonMs: 24 * HOUR });

      // Assess
      expect([...once.values()].map((x) => [x.burst.total, x.across])).toEqual(rules.map(() => [0, 0]));
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
