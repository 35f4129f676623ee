import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';

const QUERIES_DIR = path.resolve(__dirname, '../../sql/queries');
const FILES = fs
  .readdirSync(QUERIES_DIR)
  .filter((f) => f.endsWith('.sql'))
  .sort();
const AT = '2026-11-23 10:00:00+00';
/** A value for every psql variable the files use (their defaults are set by \if blocks psql runs). */
const VARIABLES: Record<string, string> = { minutes: '60', hours: '24', limit: '20', days: '7', at: AT };

/**
 * The SQL statements of a psql file, as psql would send them: meta-command
 * lines dropped, `:'name'` / `:name` replaced like psql does for the variables
 * in `vars` (others are left as they are, as psql leaves unknown ones).
 */
function toStatements(text: string, vars: Record<string, string>): string[] {
  const sql = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('\\'))
    .join('\n')
    .replace(/(?<![:\w]):(')?([A-Za-z_]\w*)\1/g, (whole, quote: string | undefined, name: string) => {
      const value = vars[name];
      if (value === undefined) return whole;
      return quote ? `'${value.replace(/'/g, "''")}'` : value;
    });
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.split('\n').some((line) => line.trim() !== '' && !line.trim().startsWith('--')));
}

function psqlAvailable(): boolean {
  return spawnSync('psql', ['--version'], { stdio: 'ignore' }).status === 0;
}

describe('sql/queries (psql -f files for support engineers)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.pool.query(`INSERT INTO log_sources (id, path, dev, ino, read_offset, size_seen) VALUES (1, '/var/log/app.log', 1, 2, 100, 180)`);
    await db.pool.query(
      `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset) VALUES
        (now() - interval '2 minutes', 'ERROR', 'timeout after 31 ms', 1, 0),
        (now() - interval '2 minutes', 'ERROR', 'timeout after 32 ms', 1, 40),
        (now() - interval '1 minute', 'FATAL', E'out of memory\n  at main', 1, 80),
        ($1::timestamptz + interval '1 minute', 'ERROR', 'near the moment', 1, 120)`,
      [AT],
    );
    await db.pool.query(`INSERT INTO alert_state (rule_name, state, last_count) VALUES ('db-errors', 'firing', 3)`);
    await db.pool.query(`INSERT INTO alert_outbox (rule_name, kind, subject, body, sent_at) VALUES ('db-errors', 'firing', 'db-errors firing', 'b', now())`);
    await db.pool.query(`INSERT INTO ingest_anomalies (run_id, path, kind, bytes) VALUES ('r1', '/var/log/app.log', 'truncated', 80)`);
  });

  afterAll(async () => {
    await db.drop();
  });

  it('has the queries a support engineer needs', () => {
    expect(FILES).toEqual(['alert-history.sql', 'entries-around.sql', 'errors-per-minute.sql', 'ingest-anomalies.sql', 'ingest-lag.sql', 'top-messages.sql']);
  });

  it.each(FILES)('%s runs against a migrated database', async (file) => {
    const statements = toStatements(fs.readFileSync(path.join(QUERIES_DIR, file), 'utf8'), VARIABLES);

    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      await expect(db.pool.query(statement)).resolves.toBeDefined();
    }
  });

  it('errors-per-minute.sql shows every minute of the window, the empty ones too', async () => {
    const [statement] = toStatements(fs.readFileSync(path.join(QUERIES_DIR, 'errors-per-minute.sql'), 'utf8'), VARIABLES);

    const { rows } = await db.pool.query<{ errors: string; fatals: string }>(statement!);

    expect(rows).toHaveLength(60);
    expect(rows.reduce((sum, r) => sum + Number(r.errors) + Number(r.fatals), 0)).toBe(3);
  });

  it('top-messages.sql counts entries stored before templates by their first line, numbers folded', async () => {
    const [statement] = toStatements(fs.readFileSync(path.join(QUERIES_DIR, 'top-messages.sql'), 'utf8'), VARIABLES);

    const { rows } = await db.pool.query<{ template: string; entries: string }>(statement!);

    expect(rows[0]).toMatchObject({ template: 'timeout after N ms', entries: '2' });
    expect(rows.map((r) => r.template)).toContain('out of memory');
  });

  it('entries-around.sql finds the entries near the moment given in -v at=', async () => {
    const [statement] = toStatements(fs.readFileSync(path.join(QUERIES_DIR, 'entries-around.sql'), 'utf8'), VARIABLES);

    const { rows } = await db.pool.query<{ message: string; path: string }>(statement!);

    expect(rows).toEqual([expect.objectContaining({ message: 'near the moment', path: '/var/log/app.log' })]);
  });

  (psqlAvailable() ? it : it.skip).each(FILES)('%s runs through psql -f with its own defaults', (file) => {
    const vars = file === 'entries-around.sql' ? ['-v', `at=${AT}`] : [];

    const result = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', ...vars, '-f', path.join(QUERIES_DIR, file), db.url], { encoding: 'utf8' });

    expect(result.stderr.split('\n').filter((l) => l.startsWith('psql:') || l.includes('ERROR'))).toEqual([]);
    expect(result.status).toBe(0);
  });
});
