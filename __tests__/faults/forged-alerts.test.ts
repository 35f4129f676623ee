// Someone who can write to a monitored log file forges ERROR/FATAL lines:
// thousands of them, in bursts separated by silences, some back-dated, over
// three hours of the job's clock (ingest, then alert, every minute, the clock
// injected). Their text is hostile: CR/LF tricks, terminal escape sequences,
// C1 controls, bidirectional overrides, fake "Subject:" lines and fake copies
// of the local subscriber's block borders. Asserted:
// - no rule's notifications exceed its maxNotificationsPerHour in any hour
//   (sliding, by queue time and by send time), and SNS received each once;
// - every subject is one line of printable ASCII made by logmon;
// - bodies and the local subscriber's printed blocks carry no control
//   character, escape or bidi override, and forged text never starts a line:
//   it is always quoted (indented) under logmon's own headings.
import fs from 'node:fs';
import path from 'node:path';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SNSEventRecord } from 'aws-lambda';
import { runAlert } from '../../lib/alert/alert';
import { parseAlertRules } from '../../lib/alert/rules';
import type { AlertRule } from '../../lib/alert/rules';
import { readIngestConfig } from '../../lib/ingest/config';
import type { IngestConfig } from '../../lib/ingest/config';
import { runIngest } from '../../lib/ingest/ingest';
import { recordNotifications } from '../../lib/alert/notification-log';
import { createSnsClient } from '../../lib/alert/sns-client';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { makeTempDir } from '../support/files';
import { baseSeed, withSeed } from '../support/random';
import { startSnsServer } from '../support/sns-server';
import type { ReceivedMessage, SnsTestServer } from '../support/sns-server';

const SEED = baseSeed();
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-alerts';
const MIN = 60_000;
const HOUR = 60 * MIN;
const MINUTES = 180;
const T0 = Date.UTC(2025, 6, 7, 0, 0, 0);

/** Text an attacker puts in its lines; each also ends up alone on a continuation line. */
const FORGED: string[] = [
  'Subject: [logmon] RESOLVED error-burst: 0 ERROR/FATAL in 5m (threshold 5), fired 1m',
  '[logmon] RESOLVED any-fatal: all clear',
  'From: security@example.com',
  '\x1b[2J\x1b[H\x1b[32mall systems normal\x1b[0m',
  '\x1b]0;pwned title\x07 \x1b]8;;https://evil.example/\x1b\\click here\x1b]8;;\x1b\\',
  '\u009b31mC1 CSI red \u0085NEL \u008dRI',
  'RESOLVED\b\b\b\b\b\b\b\bFIRING overwritten',
  'fake\rSubject: carriage return',
  'tab\tand\vvertical\ftab',
  '\u202egnp.exe \u2066isolate\u2069 \u200eLRM',
  'line\u2028Subject: Unicode line separator\u2029From: paragraph separator',
  '└────────────────────────────────────────────────────────────────────────',
  '┌────────────────────────────────────────────────────────────────────────',
  '│ [logmon] RESOLVED error-burst: 0 ERROR/FATAL in 5m (threshold 5), fired 2m',
];
/** What each forged string must not be able to start a line with, once cleaned. */
const FORGED_LINE_STARTS = ['Subject:', '[logmon]', 'From:', 'all systems normal', '└', '┌', '│ [logmon]'];

const RULE_SPECS = [
  { name: 'error-burst', levels: ['ERROR', 'FATAL'], threshold: 5, window: '5m' },
  { name: 'any-fatal', levels: ['FATAL'], threshold: 1, window: '1m', repeatInterval: '30m' },
  { name: 'tight', levels: ['ERROR', 'FATAL'], threshold: 1, window: '1m', repeatInterval: '1m', maxNotificationsPerHour: 2 },
];

function stamp(at: number): string {
  return new Date(at).toISOString().replace('T', ' ').replace('Z', '');
}

function snsRecord(m: ReceivedMessage): SNSEventRecord {
  return {
    EventVersion: '1.0',
    EventSubscriptionArn: `${TOPIC}:sub`,
    EventSource: 'aws:sns',
    Sns: {
      SignatureVersion: '1',
      Timestamp: '2025-07-07T03:00:00.000Z',
      Signature: 'EXAMPLE',
      SigningCertUrl: 'EXAMPLE',
      MessageId: m.messageId,
      Message: m.message,
      MessageAttributes: Object.fromEntries(Object.entries(m.attributes).map(([k, v]) => [k, { Type: v.dataType, Value: v.value }])),
      Type: 'Notification',
      UnsubscribeUrl: 'EXAMPLE',
      TopicArn: m.topicArn,
      Subject: m.subject,
    },
  };
}

/** Most notifications of `times` (sorted) within any (t - 1h, t]. */
function busiestHour(times: number[]): number {
  let most = 0;
  for (const t of times) most = Math.max(most, times.filter((u) => u > t - HOUR && u <= t).length);
  return most;
}

// C0 controls but LF, DEL, C1 controls, Unicode line and paragraph separators, bidi marks, overrides and isolates.
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('Fault: forged ERROR/FATAL lines in a monitored file', () => {
  let db: TestDatabase;
  let sns: SnsTestServer;
  let client: SNSClient;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    sns = await startSnsServer();
    client = createSnsClient({ topicArn: TOPIC, timeoutMs: 2000, endpoint: sns.endpoint, maxAttempts: 1 });
    dir = makeTempDir('logmon-forged-');
  });

  afterAll(async () => {
    client.destroy();
    await sns.close();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every rule within its hourly cap and lets no forged text out of its quotes, over three hours of bursts and silences', async () => {
    await withSeed(SEED, 'hourly cap', async (random) => {
      // Prepare
      const file = path.join(dir, 'app.log');
      fs.writeFileSync(file, '');
      const config: IngestConfig = { ...readIngestConfig({ LOG_FILES: file, LOG_TIMEZONE: 'UTC' }), multilineFlushMs: 0 };
      const rules: AlertRule[] = parseAlertRules(RULE_SPECS);
      let burstLeft = 0;
      let silenceLeft = 0;
      let linesWritten = 0;

      // Act: every minute the attacker writes a burst or nothing; ingest, then alert, run at the minute's end
      for (let minute = 0; minute < MINUTES; minute += 1) {
        const start = T0 + minute * MIN;
        if (burstLeft === 0 && silenceLeft === 0) {
          if (random.chance(0.5)) burstLeft = random.int(1, 8);
          else silenceLeft = random.int(1, 12);
        }
        let text = '';
        if (burstLeft > 0) {
          burstLeft -= 1;
          const lines = random.int(50, 300);
          // now and then a burst is back-dated by up to an hour
          const shift = random.chance(0.1) ? random.int(5, 60) * MIN : 0;
          for (let i = 0; i < lines; i += 1) {
            const at = start - shift + Math.floor(((i + 1) * MIN) / (lines + 2));
            const forged = random.pick(FORGED);
            text += `${stamp(at)} [${random.chance(0.3) ? 'FATAL' : 'ERROR'}] ${forged}${random.chance(0.5) ? '\r\n' : '\n'}`;
            if (random.chance(0.2)) text += `${random.pick(FORGED)}\n`;
          }
          linesWritten += lines;
        } else {
          silenceLeft -= 1;
        }
        fs.appendFileSync(file, text);
        await runIngest({ pool: db.pool, config });
        await runAlert({ pool: db.pool, rules, sns: client, topicArn: TOPIC, now: () => start + MIN });
      }

      // Assess: the hourly cap, by queue time and by send time, and one delivery per row
      const rows = (
        await db.pool.query<{ rule_name: string; created_at: Date; sent_at: Date | null }>(
          'SELECT rule_name, created_at, sent_at FROM alert_outbox ORDER BY id',
        )
      ).rows;
      expect(rows.every((r) => r.sent_at !== null)).toBe(true);
      expect(sns.messages).toHaveLength(rows.length);
      const perRule: Record<string, { notifications: number; busiestHourQueued: number; busiestHourSent: number }> = {};
      for (const rule of rules) {
        const own = rows.filter((r) => r.rule_name === rule.name);
        perRule[rule.name] = {
          notifications: own.length,
          busiestHourQueued: busiestHour(own.map((r) => r.created_at.getTime())),
          busiestHourSent: busiestHour(own.map((r) => r.sent_at!.getTime())),
        };
        expect({ rule: rule.name, cap: rule.maxNotificationsPerHour, ...perRule[rule.name] }).toEqual({
          rule: rule.name,
          cap: rule.maxNotificationsPerHour,
          notifications: own.length,
          busiestHourQueued: Math.min(perRule[rule.name]!.busiestHourQueued, rule.maxNotificationsPerHour),
          busiestHourSent: Math.min(perRule[rule.name]!.busiestHourSent, rule.maxNotificationsPerHour),
        });
      }
      expect(rows.length).toBeGreaterThan(0);

      // Assess: subjects are logmon's own, one line of printable ASCII
      for (const m of sns.messages) {
        expect(m.subject).toMatch(/^\[logmon\] (FIRING|STILL FIRING|RESOLVED|LATE DATA) (error-burst|any-fatal|tight): [\x20-\x7e]+$/);
        expect(m.subject.length).toBeLessThanOrEqual(99);
        expect(Object.values(m.attributes).every((a) => !UNSAFE.test(a.value))).toBe(true);
      }

      // Assess: bodies carry no controls, escapes or bidi marks, and forged text only ever appears quoted
      const quotedForgeries: string[] = [];
      for (const m of sns.messages) {
        expect({ subject: m.subject, unsafe: m.message.match(UNSAFE)?.[0] ?? null }).toEqual({ subject: m.subject, unsafe: null });
        for (const line of m.message.split('\n')) {
          for (const start of FORGED_LINE_STARTS) {
            if (line.includes(start)) {
              quotedForgeries.push(line);
              expect({ line, startsWith: start }).toEqual({ line: expect.stringMatching(/^ {2,}\S/), startsWith: start });
            }
          }
        }
      }
      // the forgeries did reach the notifications (quoted), so the check above checked something
      expect(quotedForgeries.length).toBeGreaterThan(0);

      // Assess: what the local subscriber prints is one block per notification, every other line inside a block
      let printed = '';
      await recordNotifications(sns.messages.map(snsRecord), { file: path.join(dir, 'notifications.log'), write: (t) => (printed += t) });
      expect(printed.match(UNSAFE)?.[0] ?? null).toBeNull();
      const lines = printed.split('\n').filter((l) => l !== '');
      expect(lines.filter((l) => l.startsWith('┌'))).toHaveLength(sns.messages.length);
      expect(lines.filter((l) => l.startsWith('├'))).toHaveLength(sns.messages.length);
      expect(lines.filter((l) => l.startsWith('└'))).toHaveLength(sns.messages.length);
      expect(lines.filter((l) => !/^[┌├└]/.test(l) && !/^│( |$)/.test(l))).toEqual([]);
      // within a block, logmon's subject line is the only one with "[logmon]" right after the border
      expect(lines.filter((l) => l.startsWith('│ [logmon]'))).toHaveLength(sns.messages.length);
      expect(fs.readFileSync(path.join(dir, 'notifications.log'), 'utf8').match(UNSAFE)?.[0] ?? null).toBeNull();

      process.stdout.write(
        `[forged lines] seed ${SEED}: ${linesWritten} forged lines over ${MINUTES / 60} h, ${rows.length} notifications ` +
          `(${Object.entries(perRule)
            .map(([name, r]) => `${name} ${r.notifications}, busiest hour ${r.busiestHourQueued}`)
            .join('; ')}), ` +
          `${quotedForgeries.length} quoted forged lines\n`,
      );
    });
  }, 60_000);
});
