// Hostile file names (issue 15, item 6): a newline in a monitored file's name
// used to put a forged line at column 0 of a mail; escape sequences in a name
// were printed raw by npm run status (title changed, screen cleared). Real
// files with such names, real PostgreSQL, the local SNS endpoint: ingest,
// then alert (per-file rules and the source-missing health rule, which names
// files), then the status report. Asserted: no subject, body or status line
// carries a control character, escape or bidi override, and no forged text
// starts a line.
import fs from 'node:fs';
import path from 'node:path';
import type { SNSClient } from '@aws-sdk/client-sns';
import { runAlert } from '../../lib/alert/alert';
import { parseAlertRules } from '../../lib/alert/rules';
import { readIngestConfig } from '../../lib/ingest/config';
import { runIngest } from '../../lib/ingest/ingest';
import { createSnsClient } from '../../lib/alert/sns-client';
import { readStatus } from '../../lib/status/status';
import { formatStatusReport } from '../../lib/status/status-report';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { makeTempDir } from '../support/files';
import { startSnsServer } from '../support/sns-server';
import type { SnsTestServer } from '../support/sns-server';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-alerts';
const MIN = 60_000;

/** Names an attacker who can create files in a monitored directory gives them. */
const HOSTILE_NAMES = [
  'app\n[logmon] RESOLVED error-burst: all clear.log',
  'esc\x1b]0;pwned title\x07\x1b[2J\x1b[H.log',
  'c1\u009b31m\u0085NEL.log',
  'bidi\u202egol.exe\u2028Subject: forged.log',
];
/** A configured literal path that does not exist: the health rule names it. */
const MISSING = 'gone\n[logmon] RESOLVED health:source-missing: all clear.log';
// C0 controls but LF, DEL, C1 controls, Unicode line and paragraph separators, bidi marks, overrides and isolates.
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const FORGED_STARTS = ['[logmon]', 'Subject:'];
const stamp = (at: number): string => new Date(at).toISOString().replace('T', ' ').replace('Z', '');

describe('Fault: hostile names of monitored files', () => {
  let db: TestDatabase;
  let sns: SnsTestServer;
  let client: SNSClient;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    sns = await startSnsServer();
    client = createSnsClient({ topicArn: TOPIC, timeoutMs: 2000, endpoint: sns.endpoint, maxAttempts: 1 });
    dir = makeTempDir('logmon-names-');
  });

  afterAll(async () => {
    client.destroy();
    await sns.close();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lets no control character out and no forged line start, in mails and npm run status', async () => {
    // Prepare: errors in each hostile file, a per-file rule, a missing literal path
    const t0 = Date.now() - 10 * MIN;
    for (const name of HOSTILE_NAMES) {
      let text = '';
      for (let i = 0; i < 6; i += 1) text += `${stamp(t0 + i * 1000)} [ERROR] payment failed for order=${i}\n`;
      fs.writeFileSync(path.join(dir, name), text);
    }
    const configFile = path.join(dir, 'logmon.json');
    fs.writeFileSync(configFile, JSON.stringify({ sources: [{ name: 'app', paths: [path.join(dir, '*.log'), path.join(dir, MISSING)] }] }));
    const config = { ...readIngestConfig({ LOGMON_CONFIG: configFile, LOG_TIMEZONE: 'UTC' }), multilineFlushMs: 0 };
    const rules = parseAlertRules([{ name: 'error-burst', levels: ['ERROR', 'FATAL'], threshold: 5, window: '30m', groupBy: ['file'] }]);

    // Act
    const ingested = await runIngest({ pool: db.pool, config });
    // margin 0: the entries were committed an instant ago (the default waits a second for them)
    await runAlert({ pool: db.pool, rules, sns: client, topicArn: TOPIC, now: () => t0 + 6 * MIN, commitSafetyMarginMs: 0 });
    const report = formatStatusReport(await readStatus({ pool: db.pool, now: () => t0 + 7 * MIN }));

    // Assess: every hostile file was read and alerted on, the missing one named by the health rule
    expect(ingested.totals.entriesStored).toBe(6 * HOSTILE_NAMES.length);
    const subjects = sns.messages.map((m) => m.subject);
    expect(subjects.filter((s) => s.includes('FIRING error-burst'))).toHaveLength(HOSTILE_NAMES.length);
    expect(sns.messages.some((m) => m.subject.includes('source-missing') && m.message.includes('gone?[logmon] RESOLVED'))).toBe(true);
    for (const m of sns.messages) {
      expect(m.subject).toMatch(/^[\x20-\x7e]{1,99}$/);
      expect(m.message).not.toMatch(UNSAFE);
      for (const line of m.message.split('\n')) for (const start of FORGED_STARTS) expect(line.startsWith(start)).toBe(false);
    }
    expect(report).not.toMatch(UNSAFE);
    for (const line of report.split('\n')) for (const start of FORGED_STARTS) expect(line.trimStart().startsWith(start)).toBe(false);
  });

  it('reads a file whose name is not UTF-8 by its bytes, once, and shows the bytes as \\xNN', async () => {
    // Prepare: app\xff.log (byte 0xFF is never UTF-8) among ordinary files
    const sub = path.join(dir, 'bytes');
    fs.mkdirSync(sub);
    const t0 = Date.now() - 5 * MIN;
    const name = Buffer.concat([Buffer.from(`${sub}/app`), Buffer.from([0xff]), Buffer.from('.log')]);
    fs.writeFileSync(name, `${stamp(t0)} [ERROR] first\n`);
    fs.writeFileSync(path.join(sub, 'plain.log'), `${stamp(t0)} [ERROR] plain\n`);
    const config = { ...readIngestConfig({ LOG_FILES: path.join(sub, '*.log'), LOG_TIMEZONE: 'UTC' }), multilineFlushMs: 0 };

    // Act: two runs, a line appended between them
    const first = await runIngest({ pool: db.pool, config });
    fs.appendFileSync(name, `${stamp(t0 + 1000)} [ERROR] second\n`);
    const second = await runIngest({ pool: db.pool, config });
    const report = formatStatusReport(await readStatus({ pool: db.pool, now: () => Date.now() }));

    // Assess: read, not missing; each line once; shown with its byte escaped
    expect(first.files.filter((f) => f.path.startsWith(sub)).map((f) => f.outcome)).toEqual(['read', 'read']);
    expect(second.totals.entriesStored).toBe(1);
    const rows = await db.pool.query<{ message: string }>(
      "SELECT e.message FROM log_entries e JOIN log_sources s ON s.id = e.source_id WHERE s.path LIKE '%/bytes/app%' ORDER BY e.id",
    );
    expect(rows.rows.map((r) => r.message)).toEqual(['first', 'second']);
    expect(report).toContain(`${sub}/app\\xff.log`);
  });
});
