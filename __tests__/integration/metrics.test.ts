// The CloudWatch metric lines (EMF) the handlers print after a run: what the
// alarms of serverless.yml watch. Real PostgreSQL, real files, the local SNS endpoint.
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import type { EmfDocument } from '../../lib/platform/metrics';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { burst, insertEntries, insertSource } from '../support/entries';
import { logLine, makeTempDir } from '../support/files';
import { startSnsServer } from '../support/sns-server';
import type { SnsTestServer } from '../support/sns-server';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-alerts';
/** AlertNotificationDelayedAlarm's threshold (serverless.yml): a notification older than this is alarmed on. */
const DELAYED_ALARM_SECONDS = 120;

type Handler = (event: unknown, context: Context) => Promise<Record<string, unknown>>;

const contextOf = (fn: string): Context =>
  ({ functionName: `logmon-test-${fn}`, awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 }) as unknown as Context;

const savedEnv = { ...process.env };

/** The handler module as Lambda loads it, in a registry of its own, with `env` set until the test ends (and metrics on). */
function loadHandler(name: string, env: Record<string, string>): Handler {
  Object.assign(process.env, { LOGMON_METRICS: '1', AWS_LAMBDA_FUNCTION_NAME: `logmon-test-${name}` }, env);
  let handler: Handler | undefined;
  jest.isolateModules(() => {
    handler = (require(`../../handlers/${name}`) as { handler: Handler }).handler;
  });
  return handler!;
}

/** Run the handler once; the EMF documents it printed on stdout. */
async function emittedBy(handler: Handler, fn: string): Promise<EmfDocument[]> {
  const written: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(chunk.toString());
    return true;
  });
  try {
    await handler({}, contextOf(fn));
  } finally {
    write.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l) as EmfDocument);
}

/** The metric's value in `doc`, after checking the directive declares it in the logmon namespace with its unit. */
function metric(doc: EmfDocument, name: string, unit: string): unknown {
  const directive = doc._aws.CloudWatchMetrics[0]!;
  expect(directive).toMatchObject({ Namespace: 'logmon', Dimensions: [['Service', 'Function']] });
  expect(directive.Metrics).toContainEqual({ Name: name, Unit: unit });
  return doc[name];
}

afterEach(() => {
  process.env = { ...savedEnv };
});

describe('Metrics: EMF lines of the handlers', () => {
  let db: TestDatabase;

  beforeEach(async () => {
    db = await createTestDatabase();
  });

  afterEach(async () => {
    await db.drop();
  });

  describe('alert, with SNS refusing every publish', () => {
    let sns: SnsTestServer;

    beforeEach(async () => {
      sns = await startSnsServer();
    });

    afterEach(async () => {
      await sns.close();
    });

    it('emits UnsentNotifications and an OldestUnsentAgeSeconds past the alarm threshold, and both 0 once SNS accepts', async () => {
      // Prepare: a rule that fires, SNS refusing every message
      const sourceId = await insertSource(db.pool, '/var/log/app.log');
      await insertEntries(db.pool, burst(3, Date.now(), sourceId));
      await sns.setMode('rejecting');
      const handler = loadHandler('alert', {
        DATABASE_URL: db.url,
        ALERT_TOPIC_ARN: TOPIC,
        AWS_ENDPOINT_URL_SNS: sns.endpoint,
        AWS_MAX_ATTEMPTS: '1',
        ALERT_RULES: JSON.stringify([{ name: 'checkout errors', levels: ['ERROR'], threshold: 3, window: '5m' }]),
      });

      // Act: a first run queues the notification and fails to publish it; it then waits
      // past the alarm's threshold (its created_at moved back), refused again by the next run.
      const [first] = await emittedBy(handler, 'alert');
      await db.pool.query(`UPDATE alert_outbox SET created_at = created_at - make_interval(secs => $1) WHERE sent_at IS NULL`, [DELAYED_ALARM_SECONDS + 60]);
      const [second] = await emittedBy(handler, 'alert');
      await sns.setMode('up');
      const [recovered] = await emittedBy(handler, 'alert');

      // Assess
      expect(first).toMatchObject({ Service: 'logmon', Function: 'logmon-test-alert' });
      expect(metric(first!, 'PublishFailures', 'Count')).toBe(1);
      expect(metric(first!, 'NotificationsPublished', 'Count')).toBe(0);
      expect(metric(first!, 'UnsentNotifications', 'Count')).toBe(1);
      expect(metric(second!, 'UnsentNotifications', 'Count')).toBe(1);
      expect(metric(second!, 'OldestUnsentAgeSeconds', 'Seconds')).toBeGreaterThan(DELAYED_ALARM_SECONDS);
      expect(metric(recovered!, 'NotificationsPublished', 'Count')).toBe(1);
      expect(metric(recovered!, 'UnsentNotifications', 'Count')).toBe(0);
      expect(metric(recovered!, 'OldestUnsentAgeSeconds', 'Seconds')).toBe(0);
      expect(sns.messages).toHaveLength(1);
    });
  });

  it('ingest emits what it stored, lost, did not understand, read and left behind', async () => {
    // Prepare: two lines no format understands (before any entry, so no continuation lines), one blank line, one entry stored
    const dir = makeTempDir();
    const file = path.join(dir, 'app.log');
    fs.writeFileSync(file, `%%% not a log line\n@@@ nor this\n\n${logLine('ERROR', 'stored', 1)}`);
    const handler = loadHandler('ingest', { DATABASE_URL: db.url, LOG_FILES: file, LOG_FORMAT: '', MULTILINE_FLUSH_MS: '0' });

    try {
      // Act
      const docs = await emittedBy(handler, 'ingest');

      // Assess
      expect(docs).toHaveLength(1);
      const [doc] = docs;
      expect(doc).toMatchObject({ Service: 'logmon', Function: 'logmon-test-ingest' });
      expect(metric(doc!, 'EntriesStored', 'Count')).toBe(1);
      expect(metric(doc!, 'UnparsedLines', 'Count')).toBe(2);
      expect(metric(doc!, 'LinesRead', 'Count')).toBe(3);
      expect(metric(doc!, 'BytesLost', 'Bytes')).toBe(0);
      expect(metric(doc!, 'IngestLagBytes', 'Bytes')).toBe(0);
      expect(metric(doc!, 'FilesWithErrors', 'Count')).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('retention emits the rows it deleted', async () => {
    await db.pool.query(
      `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset) VALUES (now() - interval '40 days', 'ERROR', 'ancient', 1, 0)`,
    );
    const handler = loadHandler('retention', { DATABASE_URL: db.url });

    const [doc] = await emittedBy(handler, 'retention');

    expect(metric(doc!, 'RowsDeleted', 'Count')).toBe(1);
  });

  it('prints nothing with LOGMON_METRICS=0', async () => {
    const handler = loadHandler('retention', { DATABASE_URL: db.url, LOGMON_METRICS: '0' });

    expect(await emittedBy(handler, 'retention')).toEqual([]);
  });
});
