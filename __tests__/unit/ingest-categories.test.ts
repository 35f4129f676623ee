// Every `as const` list of a persisted ingest category equals the CHECK
// constraint that guards its column, as the migrations leave it. The test
// reads the migrations' SQL text (no database): a kind added to the code
// without a migration, or to a migration without the code, fails here.
import path from 'node:path';
import { ANOMALY_KINDS } from '../../lib/ingest/anomaly';
import { OBJECT_ENCODINGS, SOURCE_KINDS, SOURCE_STATUSES } from '../../lib/ingest/checkpoint';
import { TIME_SOURCES, UNPARSED_REASONS } from '../../lib/ingest/entry-scanner';
import { INGEST_RUN_OUTCOMES } from '../../lib/ingest/ingest-run';
import { loadMigrations } from '../../lib/platform/migrations';

const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'sql', 'migrations');
const INGEST_TABLES = ['log_sources', 'log_entries', 'ingest_anomalies', 'ingest_unparsed', 'ingest_runs'];

/**
 * `table.column` → the values of its latest `CHECK (column IN (…))`, over
 * the migrations in order. Handles the two shapes the migrations use: a
 * CHECK in CREATE TABLE (inline with its column) and in ALTER TABLE.
 */
function checkLists(sqlTexts: readonly string[]): Map<string, string[]> {
  const lists = new Map<string, string[]>();
  for (const sql of sqlTexts) {
    const statements = sql.replace(/--[^\n]*/g, '').split(';');
    for (const statement of statements) {
      const table = /\b(?:CREATE|ALTER)\s+TABLE\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?(\w+)/i.exec(statement)?.[1];
      if (!table) continue;
      for (const m of statement.matchAll(/CHECK\s*\(\s*(\w+)\s+IN\s*\(([^)]*)\)\s*\)/gi)) {
        const values = [...m[2]!.matchAll(/'([^']*)'/g)].map((v) => v[1]!);
        lists.set(`${table}.${m[1]!}`, values);
      }
    }
  }
  return lists;
}

const lists = checkLists(loadMigrations(MIGRATIONS_DIR).map((m) => m.sql));

describe('Persisted ingest categories', () => {
  it.each<[string, readonly string[]]>([
    ['ingest_anomalies.kind', ANOMALY_KINDS],
    ['log_sources.status', SOURCE_STATUSES],
    ['log_sources.kind', SOURCE_KINDS],
    ['log_sources.content_encoding', OBJECT_ENCODINGS],
    ['ingest_unparsed.reason', UNPARSED_REASONS],
    ['log_entries.time_source', TIME_SOURCES],
    ['ingest_runs.outcome', INGEST_RUN_OUTCOMES],
  ])('%s has a CHECK listing exactly the code’s values', (column, values) => {
    expect(lists.get(column)?.slice().sort()).toEqual([...values].sort());
  });

  it('covers every CHECK … IN list of the ingest tables', () => {
    const ingestChecks = [...lists.keys()].filter((key) => INGEST_TABLES.includes(key.split('.')[0]!)).sort();

    expect(ingestChecks).toEqual([
      'ingest_anomalies.kind',
      'ingest_runs.outcome',
      'ingest_unparsed.reason',
      'log_entries.time_source',
      'log_sources.content_encoding',
      'log_sources.kind',
      'log_sources.status',
    ]);
  });
});

describe('Function: checkLists (the parser of this test)', () => {
  it('reads inline and ALTER TABLE checks, the later one winning, and ignores comments', () => {
    const parsed = checkLists([
      "CREATE TABLE t (\n  a text CHECK (a IN ('x', 'y')), -- CHECK (b IN ('no'))\n  b int\n);",
      "ALTER TABLE t ADD CONSTRAINT t_a CHECK (a IN ('x', 'y', 'z'));\nALTER TABLE u ADD COLUMN c text CHECK (c IN ('1'));",
    ]);

    expect(Object.fromEntries(parsed)).toEqual({ 't.a': ['x', 'y', 'z'], 'u.c': ['1'] });
  });
});
