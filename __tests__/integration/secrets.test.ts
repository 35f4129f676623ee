// The DATABASE_URL password never reaches output: not in `npm run invoke`'s
// summary and logs (even at DEBUG), not in the errors of a refused, unreachable
// or malformed connection; and the saved URL file is 0600. The alert job's
// summaries, logs, SNS errors and notifications carry neither it nor the AWS
// credentials.
import fs from 'node:fs';
import path from 'node:path';
import { saveDatabaseUrl } from '../../scripts/local-database';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { ingestEnv, spawnInvokeAlert, spawnInvokeIngest } from '../support/children';
import { insertEntries, insertSource } from '../support/entries';
import { logLine, makeTempDir } from '../support/files';
import { startSnsServer } from '../support/sns-server';
import type { SnsServerMode, SnsTestServer } from '../support/sns-server';

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

// The alert job: no database password, AWS secret key, session token or
// request signature in its summary, its logs (at DEBUG), the errors it reports
// for SNS (summary, logs, alert_outbox.last_error) or the notifications
// themselves.
describe('Secrets: the alert job keeps credentials out of summaries, logs, SNS errors and notifications', () => {
  const AWS_SECRET = 'Aws-Secret-Key-Marker-7f3a';
  const AWS_TOKEN = 'Aws-Session-Token-Marker-91c2';
  const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-alerts';
  const RULES = JSON.stringify([{ name: 'secrets-check', levels: ['ERROR'], threshold: 1, window: '5m', repeatInterval: '0s' }]);
  let db: TestDatabase;
  let sns: SnsTestServer;
  let password: string;
  let sourceId: number;

  /** Everything a reader could see, checked for each secret and for a request signature. */
  const expectNoSecret = (text: string, extra: string[] = []): void => {
    for (const secret of [password, AWS_SECRET, AWS_TOKEN, ...extra]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/Signature=|AWS4-HMAC-SHA256|X-Amz-Security-Token/i);
  };
  const invokeEnv = (vars: Record<string, string> = {}): NodeJS.ProcessEnv =>
    ingestEnv({
      DATABASE_URL: db.url,
      ALERT_TOPIC_ARN: TOPIC,
      ALERT_RULES: RULES,
      AWS_ENDPOINT_URL_SNS: sns.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIDSECRETSTEST',
      AWS_SECRET_ACCESS_KEY: AWS_SECRET,
      AWS_SESSION_TOKEN: AWS_TOKEN,
      AWS_MAX_ATTEMPTS: '1',
      ALERT_SNS_TIMEOUT_MS: '300',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      ...vars,
    });
  /** A fresh state and an entry that makes the rule fire. */
  const owe = async (): Promise<void> => {
    await db.pool.query('TRUNCATE alert_outbox, alert_state');
    await insertEntries(db.pool, [{ at: Date.now() - 30_000, sourceId, message: 'payment failed' }]);
  };
  const lastErrors = async (): Promise<string> =>
    (await db.pool.query<{ e: string | null }>('SELECT last_error AS e FROM alert_outbox')).rows.map((r) => r.e ?? '').join('\n');

  beforeAll(async () => {
    db = await createTestDatabase();
    sns = await startSnsServer();
    password = decodeURIComponent(new URL(db.url).password);
    sourceId = await insertSource(db.pool, '/var/log/payments.log');
  });

  afterAll(async () => {
    await sns.close();
    await db.drop();
  });

  it('prints no secret in the summary and DEBUG logs of `npm run invoke -- alert`, and puts none in the notification', async () => {
    await owe();
    await sns.setMode('up');

    const result = await spawnInvokeAlert(invokeEnv()).exited;

    expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 });
    expect(JSON.parse(result.stdout.slice(result.stdout.indexOf('{\n')))).toMatchObject({ notifications: { sent: 1, failed: 0 } });
    expectNoSecret(`${result.stdout}${result.stderr}`);
    expect(sns.messages.length).toBeGreaterThan(0);
    expectNoSecret(JSON.stringify(sns.messages));
  });

  it.each<SnsServerMode>(['down', 'reset', 'failing', 'throttling', 'rejecting', 'forbidden', 'slow'])(
    'reports SNS %s without a secret in the summary, the DEBUG logs or alert_outbox.last_error',
    async (mode) => {
      await owe();
      await sns.setMode(mode, { delayMs: 1000 });

      const result = await spawnInvokeAlert(invokeEnv()).exited;

      expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 });
      expect(result.stdout).toContain('SNS did not accept outbox row');
      expectNoSecret(`${result.stdout}${result.stderr}`);
      expect(await lastErrors()).not.toBe('');
      expectNoSecret(await lastErrors());
    },
  );

  it('exits 1 with one line and no password when PostgreSQL refuses the password', async () => {
    const result = await spawnInvokeAlert(invokeEnv({ DATABASE_URL: withPassword(db.url, WRONG_PASSWORD) })).exited;

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^alert failed: cannot connect to PostgreSQL: password authentication failed for user "postgres"$/m);
    expectNoSecret(`${result.stdout}${result.stderr}`, [WRONG_PASSWORD]);
  });
});
