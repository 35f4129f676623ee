import fs from 'node:fs';
import path from 'node:path';
import type { Context, SNSEvent } from 'aws-lambda';
import type { AlertSummary } from '../../lib/alert/alert';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { burst, insertEntries, insertSource } from '../support/entries';
import { makeTempDir } from '../support/files';
import { startSnsServer } from '../support/sns-server';
import type { ReceivedMessage, SnsTestServer } from '../support/sns-server';
import { fakeContext } from '../support/lambda';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-alerts';

type Handler<E, R> = (event: E, context: Context) => Promise<R>;

const savedEnv = { ...process.env };

/**
 * Load a handler module afresh with `env` set: its module scope reads the
 * environment, and DATABASE_URL and the SDK's AWS_ENDPOINT_URL_SNS are read
 * again when it runs, so `env` stays set until the test ends.
 */
function loadHandler<E, R>(module: string, env: Record<string, string>): Handler<E, R> {
  Object.assign(process.env, env);
  let handler: Handler<E, R> | undefined;
  jest.isolateModules(() => {
    handler = require(module).handler;
  });
  return handler!;
}

afterEach(() => {
  process.env = { ...savedEnv };
});

function snsEventOf(message: ReceivedMessage): SNSEvent {
  const attributes = Object.fromEntries(Object.entries(message.attributes).map(([k, v]) => [k, { Type: v.dataType, Value: v.value }]));
  return {
    Records: [
      {
        EventVersion: '1.0',
        EventSubscriptionArn: `${TOPIC}:sub`,
        EventSource: 'aws:sns',
        Sns: {
          SignatureVersion: '1',
          Timestamp: '2026-11-23T10:05:01.000Z',
          Signature: 'EXAMPLE',
          SigningCertUrl: 'EXAMPLE',
          MessageId: message.messageId,
          Message: message.message,
          MessageAttributes: attributes,
          Type: 'Notification',
          UnsubscribeUrl: 'EXAMPLE',
          TopicArn: message.topicArn,
          Subject: message.subject,
        },
      },
    ],
  };
}

describe('Handler: alert', () => {
  let db: TestDatabase;
  let sns: SnsTestServer;
  let env: Record<string, string>;

  beforeEach(async () => {
    db = await createTestDatabase();
    sns = await startSnsServer();
    env = {
      DATABASE_URL: db.url,
      ALERT_TOPIC_ARN: TOPIC,
      AWS_ENDPOINT_URL_SNS: sns.endpoint,
      AWS_MAX_ATTEMPTS: '1',
      ALERT_RULES: JSON.stringify([{ name: 'checkout errors', levels: ['ERROR'], threshold: 3, window: '5m' }]),
    };
  });

  afterEach(async () => {
    await sns.close();
    await db.drop();
  });

  it('publishes through the endpoint named by AWS_ENDPOINT_URL_SNS and returns the run summary', async () => {
    // Prepare
    const sourceId = await insertSource(db.pool, '/var/log/app.log');
    await insertEntries(db.pool, burst(3, Date.now(), sourceId));
    const handler = loadHandler<unknown, AlertSummary>('../../handlers/alert', env);

    // Act
    const summary = await handler({}, fakeContext('alert'));

    // Assess
    expect(summary).toMatchObject({ evaluation: 'done', rulesEvaluated: 1, transitions: 1, notifications: { queued: 1, sent: 1, failed: 0, pending: 0 } });
    expect(sns.messages.map((m) => m.subject)).toEqual(['[logmon] FIRING checkout errors: 3 ERROR in 5m (threshold 3)']);
  });

  it('returns normally, reporting the failure, when SNS is down', async () => {
    const sourceId = await insertSource(db.pool, '/var/log/app.log');
    await insertEntries(db.pool, burst(3, Date.now(), sourceId));
    await sns.setMode('down');
    const handler = loadHandler<unknown, AlertSummary>('../../handlers/alert', env);

    const summary = await handler({}, fakeContext('alert'));

    expect(summary.notifications).toMatchObject({ queued: 1, sent: 0, failed: 1, pending: 1 });
  });

  it('fails at start-up on an invalid rule, naming the rule and the field', () => {
    const bad = { ...env, ALERT_RULES: JSON.stringify([{ name: 'checkout errors', levels: ['ERROR'], threshold: 3, window: '5 minutes' }]) };

    expect(() => loadHandler('../../handlers/alert', bad)).toThrow(
      'ALERT_RULES: rule "checkout errors": window must be a duration such as "30s", "5m", "1h30m", got "5 minutes"',
    );
  });
});

describe('Handler: subscriber', () => {
  let dir: string;
  let written: string;

  beforeEach(() => {
    dir = makeTempDir();
    written = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written += String(chunk);
      return true;
    });
  });

  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints the sample notification readably and appends it to NOTIFICATIONS_FILE', async () => {
    // Prepare
    const file = path.join(dir, 'nested', 'notifications.log');
    const event = JSON.parse(fs.readFileSync(path.join(__dirname, '../../events/sns-notification.json'), 'utf8')) as SNSEvent;
    const handler = loadHandler<SNSEvent, { received: number; file: string }>('../../handlers/subscriber', { NOTIFICATIONS_FILE: file });

    // Act
    const first = await handler(event, fakeContext('subscriber'));
    await handler(event, fakeContext('subscriber'));

    // Assess
    expect(first).toEqual({ received: 1, file, mailed: 0 });
    const logged = fs.readFileSync(file, 'utf8');
    expect(logged.match(/^┌/gm)).toHaveLength(2);
    expect(logged).toContain(
      '│ [logmon] FIRING error-burst checkout@web-1 app.log: 12 ERROR+ in 5m (threshold 5)\n│ attributes: host=web-1  kind=firing  rule=error-burst  service=checkout  severity=warning  state=firing\n',
    );
    expect(logged).toContain('│   9 x db timeout after <num> ms (pool checkout)\n');
    expect(written).toBe(logged);
  });

  it('shows what the alert job published, end to end', async () => {
    // Prepare: a notification that went through the SNS endpoint
    const db = await createTestDatabase();
    const sns = await startSnsServer();
    try {
      const sourceId = await insertSource(db.pool, '/var/log/app.log');
      await insertEntries(db.pool, burst(5, Date.now(), sourceId, { message: 'boom' }));
      const alert = loadHandler<unknown, AlertSummary>('../../handlers/alert', {
        DATABASE_URL: db.url,
        ALERT_TOPIC_ARN: TOPIC,
        AWS_ENDPOINT_URL_SNS: sns.endpoint,
      });
      await alert({}, fakeContext('alert'));
      const file = path.join(dir, 'notifications.log');
      const subscriber = loadHandler<SNSEvent, unknown>('../../handlers/subscriber', { NOTIFICATIONS_FILE: file });

      // Act
      await subscriber(snsEventOf(sns.messages[0]!), fakeContext('subscriber'));

      // Assess
      const logged = fs.readFileSync(file, 'utf8');
      expect(logged).toContain('│ [logmon] FIRING error-burst app.log: 5 ERROR+ in 5m (threshold 5)\n');
      expect(logged).toContain('│   5 x boom\n');
      expect(logged).toContain('ERROR  /var/log/app.log\n');
    } finally {
      await sns.close();
      await db.drop();
    }
  });
});
