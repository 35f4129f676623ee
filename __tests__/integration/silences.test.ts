// Silences (issue 13): `npm run silence` adds, lists and expires them; while
// one matches, a notification is recorded, not sent; when it ends and the
// alert still fires, one message says so. Real files, real PostgreSQL, the
// local SNS endpoint, the command run as a user runs it.
import fs from 'node:fs';
import path from 'node:path';
import type { SNSClient } from '@aws-sdk/client-sns';
import { runAlert } from '../../lib/alert/alert';
import type { AlertSummary } from '../../lib/alert/alert';
import { rulesOfDocument } from '../../lib/alert/rules';
import { addSilence, expireSilence, silenceSpec } from '../../lib/alert/silences';
import { createSnsClient } from '../../lib/alert/sns-client';
import { readIngestConfig } from '../../lib/ingest/config';
import type { IngestConfig } from '../../lib/ingest/config';
import { runIngest } from '../../lib/ingest/ingest';
import { createTestDatabase, emptyTables } from '../support/database';
import type { TestDatabase } from '../support/database';
import { makeTempDir } from '../support/files';
import { npmRun } from '../support/npm-run';
import { startSnsServer } from '../support/sns-server';
import type { SnsTestServer } from '../support/sns-server';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-alerts';
const MIN = 60_000;
const T0 = Math.floor(Date.now() / MIN) * MIN;

const silenceCommand = (args: string[], databaseUrl: string) => npmRun(['silence', '--', ...args], { DATABASE_URL: databaseUrl });

function line(level: string, message: string, at: number): string {
  return `${new Date(at).toISOString()} [${level}] ${message}\n`;
}

describe('Silences', () => {
  let db: TestDatabase;
  let sns: SnsTestServer;
  let client: SNSClient;
  let dir: string;
  let config: IngestConfig;

  const file = (name: string): string => path.join(dir, name);
  const cycle = async (at: number): Promise<AlertSummary> => {
    await runIngest({ pool: db.pool, config, now: () => at, cwd: dir });
    return runAlert({ pool: db.pool, rules: rulesOfDocument(null), health: [], sns: client, topicArn: TOPIC, now: () => at, commitSafetyMarginMs: 0 });
  };
  const burst = (name: string, from: number, n: number, text: string): void =>
    fs.appendFileSync(file(name), Array.from({ length: n }, (_, i) => line('ERROR', `${text} ${i}`, from + i * 1000)).join(''));

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  beforeEach(async () => {
    await emptyTables(db.pool);
    sns = await startSnsServer();
    client = createSnsClient({ topicArn: TOPIC, timeoutMs: 2000, endpoint: sns.endpoint, maxAttempts: 1 });
    dir = makeTempDir('logmon-silence-');
    fs.writeFileSync(file('logmon.yml'), `sources:\n  - name: apps\n    path: ${file('*.log')}\n    host: web-1\n`);
    config = { ...readIngestConfig({ LOGMON_CONFIG: file('logmon.yml') }), multilineFlushMs: 0 };
  });

  afterEach(async () => {
    client.destroy();
    await sns.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('records, and does not send, what a silence matches; the rest goes out; the end of the silence is said once', async () => {
    // Prepare: payments is being deployed
    await cycle(T0 - MIN);
    const id = await addSilence(db.pool, silenceSpec({ rule: 'error-burst', labels: { service: 'payments' }, for: '10m', comment: 'deploy 4.2' }, T0));

    // Act: both files fail; payments keeps failing past the silence
    burst('payments.log', T0, 6, 'deploy restarts');
    burst('cache.log', T0, 6, 'redis reset');
    await cycle(T0 + MIN);
    for (let m = 2; m <= 4; m += 1) {
      burst('payments.log', T0 + (m - 1) * MIN, 6, 'deploy restarts');
      await cycle(T0 + m * MIN);
    }
    await expireSilence(db.pool, id, T0 + 4 * MIN + 1000);
    burst('payments.log', T0 + 4 * MIN, 6, 'deploy restarts');
    await cycle(T0 + 5 * MIN);
    burst('payments.log', T0 + 5 * MIN, 6, 'deploy restarts');
    await cycle(T0 + 6 * MIN);

    // Assess
    expect(sns.messages.map((m) => m.subject)).toEqual([
      '[logmon] FIRING error-burst cache@web-1: 6 ERROR+ in 5m (threshold 5)',
      '[logmon] STILL FIRING error-burst payments@web-1: 29 ERROR+ in 5m (threshold 5), for 4m',
    ]);
    expect(sns.messages[1]!.message).toContain('The silence #1 ("deploy 4.2") ended at ');
    const recorded = await db.pool.query<{ subject: string; message_id: string }>('SELECT subject, message_id FROM alert_outbox WHERE silenced_by IS NOT NULL');
    expect(recorded.rows).toEqual([{ subject: '[logmon] FIRING error-burst payments@web-1: 6 ERROR+ in 5m (threshold 5)', message_id: 'silenced:1' }]);
  });

  it('adds, lists and expires silences with npm run silence, and refuses bad options with exit 2', async () => {
    // Act
    const added = await silenceCommand(['add', '--rule', 'health:*', '--for', '2h', '--comment', 'maintenance'], db.url);
    const listed = await silenceCommand(['list'], db.url);
    const expired = await silenceCommand(['expire', '1'], db.url);
    const again = await silenceCommand(['expire', '1'], db.url);
    const noComment = await silenceCommand(['add', '--rule', 'x', '--for', '2h'], db.url);
    const badLabel = await silenceCommand(['add', '--rule', 'x', '--for', '2h', '--comment', 'c', '--team', 'a'], db.url);

    // Assess
    expect({ code: added.code, out: added.stdout }).toMatchObject({ code: 0, out: expect.stringMatching(/^silence #1 added: health:\* \{\} from /) });
    expect(listed.stdout).toMatch(/^#1 {2}active {2}rule health:\* {2}\{\} {2}.* by \S+: maintenance\n$/);
    expect({ code: expired.code, out: expired.stdout }).toEqual({ code: 0, out: 'silence #1 ended\n' });
    expect({ code: again.code, out: again.stdout }).toEqual({ code: 1, out: 'no silence #1 is running\n' });
    expect({ code: noComment.code, err: noComment.stderr }).toEqual({
      code: 2,
      err: 'silence: silence: --comment is required (why, for whoever is on call next)\n',
    });
    expect(badLabel.code).toBe(2);
  });
});
