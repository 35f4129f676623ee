// The DATABASE_URL password never reaches output: not in `npm run invoke`'s
// summary and logs (even at DEBUG), not in the errors of a refused, unreachable
// or malformed connection; and the saved URL file is 0600.
import fs from 'node:fs';
import path from 'node:path';
import { saveDatabaseUrl } from '../../scripts/local-database';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { ingestEnv, spawnInvokeIngest } from '../support/children';
import { logLine, makeTempDir } from '../support/files';

const WRONG_PASSWORD = 'Wr0ng-Pa55word-Marker';

function withPassword(url: string, password: string): string {
  const u = new URL(url);
  u.password = password;
  return u.toString();
}

describe('Secrets: the database password stays out of output and files', () => {
  let db: TestDatabase;
  let dir: string;
  let file: string;
  let password: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = makeTempDir('logmon-secrets-');
    file = path.join(dir, 'app.log');
    fs.writeFileSync(file, logLine('ERROR', 'boom', 1));
    password = decodeURIComponent(new URL(db.url).password);
  });

  afterAll(async () => {
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints no password in the summary and logs of a successful `npm run invoke -- ingest`, even at DEBUG', async () => {
    const result = await spawnInvokeIngest(ingestEnv({ DATABASE_URL: db.url, LOG_FILES: file, POWERTOOLS_LOG_LEVEL: 'DEBUG' })).exited;

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"entriesStored": 1');
    expect(`${result.stdout}${result.stderr}`).not.toContain(password);
  });

  it.each([
    ['a wrong password', (url: string) => withPassword(url, WRONG_PASSWORD), /password authentication failed for user "postgres"/],
    ['an unreachable port', (url: string) => withPassword(url.replace(/:(\d+)\//, ':1/'), WRONG_PASSWORD), /ECONNREFUSED 127\.0\.0\.1:1\b/],
    ['a malformed URL', (url: string) => withPassword(url, WRONG_PASSWORD).replace(/:(\d+)\//, ':not-a-port/'), /Invalid URL/],
  ])('exits 1 with a one-line error and no password for %s', async (_label, makeUrl, reason) => {
    const result = await spawnInvokeIngest(ingestEnv({ DATABASE_URL: makeUrl(db.url), LOG_FILES: file, POWERTOOLS_LOG_LEVEL: 'DEBUG' })).exited;

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^ingest failed: cannot connect to PostgreSQL: /m);
    expect(result.stderr).toMatch(reason);
    expect(`${result.stdout}${result.stderr}`).not.toContain(WRONG_PASSWORD);
    expect(`${result.stdout}${result.stderr}`).not.toContain(password);
  });

  it('saves the URL for local commands in a 0600 file, replacing a looser one', () => {
    const target = path.join(dir, 'database-url');
    fs.writeFileSync(target, 'old\n', { mode: 0o644 });

    saveDatabaseUrl(db.url, target);

    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(target, 'utf8')).toBe(`${db.url}\n`);
  });
});
