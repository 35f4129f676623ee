// Notification channels (issue 19): one alert goes to SNS, an SMTP server,
// a webhook, Slack and PagerDuty, each with its own delivery state. Real
// servers only: the local SNS endpoint, an SMTP server with STARTTLS and a
// certificate made for the test (npm smtp-server, openssl), and HTTP
// receivers (node:http) that check the webhook's signature. A channel down,
// failing or timing out loses nothing, delays or repeats nothing on the
// others, and gets each notification in order once it recovers.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { SNSClient } from '@aws-sdk/client-sns';
import { SMTPServer } from 'smtp-server';
import { runAlert } from '../../lib/alert/alert';
import type { AlertSummary } from '../../lib/alert/alert';
import { channelsOf } from '../../lib/alert/channel-config';
import { createChannels } from '../../lib/alert/channels';
import { parseHealthRules } from '../../lib/alert/health-rules';
import { parseAlertRules } from '../../lib/alert/rules';
import { createSnsClient } from '../../lib/alert/sns-client';
import { createPool } from '../../lib/platform/db';
import type { WebhookPayload } from '../../lib/alert/webhook-payload';
import { createTestDatabase, emptyTables } from '../support/database';
import type { TestDatabase } from '../support/database';
import { insertEntries, insertSource } from '../support/entries';
import { makeTempDir } from '../support/files';
import { startSnsServer } from '../support/sns-server';
import type { SnsTestServer } from '../support/sns-server';
import { freePort } from '../support/ports';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-alerts';
const MIN = 60_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0);
const SECRET = 'test-webhook-secret';

interface ReceivedRequest {
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Answered 2xx: the channel got its confirmation. */
  answered: boolean;
  /** The X-Logmon-Signature checked out (webhook receivers only). */
  signed: boolean | null;
}

type ReceiverMode = 'up' | 'failing' | 'slow';

/** An HTTP receiver on 127.0.0.1 that can fail (500), hang (never answer) or be down (closed, same port when it comes back). */
interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  mode: ReceiverMode;
  answered: () => ReceivedRequest[];
  down: () => Promise<void>;
  up: () => Promise<void>;
}

function verify(headers: http.IncomingHttpHeaders, body: string): boolean {
  // what a receiver does (docs/alerting.md#webhook): recompute, compare in constant time, refuse old timestamps
  const timestamp = String(headers['x-logmon-timestamp'] ?? '');
  const given = Buffer.from(String(headers['x-logmon-signature'] ?? ''));
  const expected = Buffer.from(`sha256=${crypto.createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex')}`);
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
  return fresh && given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

async function startReceiver(options: { webhook?: boolean } = {}): Promise<Receiver> {
  const port = await freePort();
  let server: http.Server | null = null;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/hook`,
    requests: [],
    mode: 'up',
    answered: () => receiver.requests.filter((r) => r.answered),
    down: async () => {
      const s = server;
      server = null;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    up: async () => {
      const s = http.createServer((req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        req.on('end', () => {
          const request: ReceivedRequest = { headers: req.headers, body, answered: false, signed: options.webhook ? verify(req.headers, body) : null };
          receiver.requests.push(request);
          if (receiver.mode === 'failing') {
            res.writeHead(500).end('down for maintenance');
            return;
          }
          if (receiver.mode === 'slow') return; // taken, never answered
          request.answered = true;
          const dedup = (JSON.parse(body) as { dedup_key?: string }).dedup_key;
          res.writeHead(202, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'success', dedup_key: dedup ?? null }));
        });
      });
      await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
      server = s;
    },
  };
  await receiver.up();
  return receiver;
}

interface Mail {
  to: string[];
  data: string;
}

/** A real SMTP server on 127.0.0.1 offering STARTTLS with the test's certificate. */
async function startSmtpServer(
  key: string,
  cert: string,
  atPort?: number,
): Promise<{ port: number; mails: Mail[]; secured: boolean[]; close: () => Promise<void> }> {
  const mails: Mail[] = [];
  const secured: boolean[] = [];
  const server = new SMTPServer({
    key,
    cert,
    authOptional: true,
    onAuth(auth, _session, callback) {
      if (auth.username === 'alerts' && auth.password === 'secret') callback(null, { user: auth.username });
      else callback(new Error('invalid credentials'));
    },
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
        secured.push(session.secure);
        callback();
      });
    },
  });
  server.on('error', () => undefined);
  const port = atPort ?? (await freePort());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, mails, secured, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A mail's header value (folded lines joined). */
function header(mail: Mail, name: string): string {
  const unfolded = mail.data.split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ');
  return new RegExp(`^${name}: (.*)$`, 'im').exec(unfolded)?.[1] ?? '';
}

describe('Notification channels', () => {
  let db: TestDatabase;
  let dir: string;
  let sns: SnsTestServer;
  let client: SNSClient;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let hook: Receiver;
  let slack: Receiver;
  let pager: Receiver;
  let tls: { key: string; cert: string; certFile: string };
  let sourceId: number;

  const rules = parseAlertRules([
    { name: 'any-fatal', levels: ['FATAL'], threshold: 1, window: '1m', severity: 'critical' },
    { name: 'error-burst', levels: ['ERROR'], threshold: 3, window: '5m', severity: 'warning' },
  ]);
  const env = (): Record<string, string> => ({
    T_SMTP_URL: `smtp://alerts:secret@127.0.0.1:${smtp.port}`,
    T_HOOK_URL: hook.url,
    T_HOOK_SECRET: SECRET,
    T_SLACK_URL: slack.url,
    T_PD_KEY: 'R0UT1NGKEY',
  });
  const document = (hookTimeout = '2s'): unknown => ({
    channels: [
      { name: 'sns', type: 'sns' },
      { name: 'mail', type: 'smtp', urlFrom: 'T_SMTP_URL', from: 'logmon <logmon@example.com>', to: ['oncall@example.com'], caFile: tls.certFile },
      { name: 'hook', type: 'webhook', urlFrom: 'T_HOOK_URL', secretFrom: 'T_HOOK_SECRET', timeout: hookTimeout },
      { name: 'chat', type: 'slack', urlFrom: 'T_SLACK_URL' },
      { name: 'pager', type: 'pagerduty', routingKeyFrom: 'T_PD_KEY', url: pager.url, match: { severity: ['critical'] } },
    ],
  });
  const alert = (at: number, options: { hookTimeout?: string; health?: ReturnType<typeof parseHealthRules> } = {}): Promise<AlertSummary> =>
    runAlert({
      pool: db.pool,
      rules,
      health: options.health ?? [],
      channels: createChannels(channelsOf(document(options.hookTimeout), env(), 2000), { sns: client, topicArn: TOPIC }),
      now: () => at,
      commitSafetyMarginMs: 0,
    });
  const subjects = (): string[] => sns.messages.map((m) => m.subject ?? '');
  const hookPayloads = (requests: ReceivedRequest[]): string[] =>
    requests.map((r) => {
      const p = JSON.parse(r.body) as WebhookPayload;
      return `${p.id} ${p.rule} ${p.kind}`;
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = makeTempDir('logmon-channels-');
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    tls = { key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8'), certFile };
  });

  afterAll(async () => {
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await emptyTables(db.pool);
    sourceId = await insertSource(db.pool, '/var/log/app.log');
    sns = await startSnsServer();
    client = createSnsClient({ topicArn: TOPIC, timeoutMs: 2000, endpoint: sns.endpoint, maxAttempts: 1 });
    smtp = await startSmtpServer(tls.key, tls.cert);
    hook = await startReceiver({ webhook: true });
    slack = await startReceiver();
    pager = await startReceiver();
  });

  afterEach(async () => {
    client.destroy();
    await sns.close();
    await smtp.close();
    for (const r of [hook, slack, pager]) await r.down();
  });

  it('delivers each notification once to every channel that takes it, each in its own shape, and PagerDuty resolves what it triggered', async () => {
    // Prepare: a FATAL (critical) and an error burst (warning)
    await insertEntries(db.pool, [
      { at: T0 - 10_000, level: 'FATAL', message: 'kernel <panic> & "halt"', sourceId },
      ...[1, 2, 3].map((i) => ({ at: T0 - i * 1000, level: 'ERROR', message: `db timeout ${i}`, sourceId })),
    ]);

    // Act: both fire, then both resolve
    const fired = await alert(T0);
    await alert(T0 + 1 * MIN);
    await alert(T0 + 2 * MIN);
    await alert(T0 + 6 * MIN);
    const resolved = await alert(T0 + 11 * MIN);

    // Assess: SNS as before
    expect(subjects().map((s) => s.split(':')[0])).toEqual([
      '[logmon] FIRING any-fatal',
      '[logmon] FIRING error-burst',
      '[logmon] RESOLVED any-fatal',
      '[logmon] RESOLVED error-burst',
    ]);
    expect(fired.notifications.failures).toEqual([]);
    expect(fired.notifications).toMatchObject({ queued: 2, sent: 2 * 4 + 1, failed: 0, pending: 0 });
    expect(fired.notifications.channels).toEqual({
      sns: { sent: 2, failed: 0, stopped: false },
      mail: { sent: 2, failed: 0, stopped: false },
      hook: { sent: 2, failed: 0, stopped: false },
      chat: { sent: 2, failed: 0, stopped: false },
      pager: { sent: 1, failed: 0, stopped: false },
    });
    // the warning's RESOLVED: not to the pager
    expect(resolved.notifications).toMatchObject({ sent: 4, failed: 0, pending: 0 });
    // SMTP: over STARTTLS, the same subjects, plain text and HTML, the attributes as headers
    expect(smtp.mails.map((m) => header(m, 'Subject'))).toEqual(subjects());
    expect(smtp.secured).toEqual([true, true, true, true]);
    const firstMail = smtp.mails[0]!;
    expect(firstMail.to).toEqual(['oncall@example.com']);
    expect(firstMail.data).toMatch(/Content-Type: text\/plain/);
    expect(firstMail.data).toMatch(/Content-Type: text\/html/);
    expect(header(firstMail, 'X-Logmon-Severity')).toBe('critical');
    // the webhook: signed, one JSON notification per request, its documented fields
    expect(hook.requests.every((r) => r.signed === true)).toBe(true);
    const payloads = hook.requests.map((r) => JSON.parse(r.body) as WebhookPayload);
    expect(payloads.map((p) => `${p.rule} ${p.kind} ${p.severity}`)).toEqual([
      'any-fatal firing critical',
      'error-burst firing warning',
      'any-fatal resolved critical',
      'error-burst resolved warning',
    ]);
    expect(payloads[0]).toMatchObject({ version: 1, key: '', state: 'firing', health: false, subject: subjects()[0], labels: {} });
    expect(payloads[0]!.text).toContain('kernel <panic> & "halt"');
    expect(hook.requests[0]!.headers['x-logmon-delivery']).toBe(payloads[0]!.id);
    // Slack: the subject as text, the body in a code block, escaped
    const chat = slack.requests.map((r) => JSON.parse(r.body) as { text: string; attachments: { text: string; color: string }[] });
    expect(chat.map((m) => m.text)).toEqual(subjects());
    expect(chat[0]!.attachments[0]!.text).toContain('kernel &lt;panic&gt; &amp; "halt"');
    expect(chat[0]!.attachments[0]!.color).toBe('#d00000');
    // PagerDuty: the critical only (match), trigger then resolve under one dedup_key
    const events = pager.requests.map(
      (r) => JSON.parse(r.body) as { event_action: string; dedup_key: string; routing_key: string; payload?: { severity: string } },
    );
    expect(events.map((e) => `${e.event_action} ${e.dedup_key}`)).toEqual(['trigger logmon:any-fatal', 'resolve logmon:any-fatal']);
    expect(events[0]).toMatchObject({ routing_key: 'R0UT1NGKEY', payload: { severity: 'critical' } });
    // each channel's state: every row delivered to what routes it, once
    const deliveries = await db.pool.query<{ channel: string; n: string }>(
      'SELECT channel, count(*) FILTER (WHERE sent_at IS NOT NULL AND attempts = 1)::text AS n FROM alert_deliveries GROUP BY channel ORDER BY channel',
    );
    expect(deliveries.rows).toEqual([
      { channel: 'chat', n: '4' },
      { channel: 'hook', n: '4' },
      { channel: 'mail', n: '4' },
      { channel: 'pager', n: '2' },
      { channel: 'sns', n: '4' },
    ]);
  });

  it('loses nothing and resends nothing to the other channels while a webhook fails, is down, then times out; after recovery it gets each notification once, in order', async () => {
    // Prepare: a FATAL; the webhook answers 500
    await insertEntries(db.pool, [{ at: T0 - 10_000, level: 'FATAL', message: 'disk gone', sourceId }]);
    hook.mode = 'failing';

    // Act: FIRING while it fails; a run while it is down; RESOLVED while it hangs; then it recovers
    const failing = await alert(T0, { hookTimeout: '500ms' });
    const failingRequests = hook.requests.length;
    await hook.down();
    const down = await alert(T0 + MIN, { hookTimeout: '500ms' });
    await hook.up();
    hook.mode = 'slow';
    const slow = await alert(T0 + 2 * MIN, { hookTimeout: '500ms' });
    const owedWhileSlow = await db.pool.query<{ rule_name: string; kind: string; done: boolean; hook: string }>(
      `SELECT o.rule_name, o.kind, o.sent_at IS NOT NULL AS done, d.attempts || ' ' || (d.sent_at IS NOT NULL) AS hook
       FROM alert_outbox o JOIN alert_deliveries d ON d.outbox_id = o.id AND d.channel = 'hook' ORDER BY o.id`,
    );
    hook.mode = 'up';
    const recovered = await alert(T0 + 3 * MIN, { hookTimeout: '500ms' });
    const after = await alert(T0 + 4 * MIN, { hookTimeout: '500ms' });

    // Assess: the other channels had each message at once, and once
    expect(subjects().map((s) => s.split(':')[0])).toEqual(['[logmon] FIRING any-fatal', '[logmon] RESOLVED any-fatal']);
    expect(smtp.mails).toHaveLength(2);
    expect(slack.requests.map((r) => (JSON.parse(r.body) as { text: string }).text)).toEqual(subjects());
    expect(pager.requests.map((r) => (JSON.parse(r.body) as { event_action: string }).event_action)).toEqual(['trigger', 'resolve']);
    // each failure is the webhook's alone, reported, and not retried within its run
    expect(failingRequests).toBe(1);
    for (const summary of [failing, down, slow]) {
      expect(summary.notifications.failures.map((f) => f.channel)).toEqual(['hook']);
      expect(summary.notifications.channels?.hook).toMatchObject({ failed: 1, stopped: true });
    }
    expect(failing.notifications.failures[0]!.error).toMatch(
      /^channel "hook" \(webhook\) did not accept outbox row 1 \(rule "any-fatal", firing\): .*HTTP 500/,
    );
    expect(down.notifications.failures[0]!.error).toMatch(/ECONNREFUSED|fetch failed/);
    expect(slow.notifications.failures[0]!.error).toMatch(/abort|timeout/i);
    expect(slow.notifications.channels).toMatchObject({ sns: { sent: 1 }, mail: { sent: 1 }, chat: { sent: 1 }, pager: { sent: 1 } });
    // while it hangs, the RESOLVED waits behind the FIRING for the webhook only; both rows stay owed
    expect(owedWhileSlow.rows).toEqual([
      { rule_name: 'any-fatal', kind: 'firing', done: false, hook: '3 false' },
      { rule_name: 'any-fatal', kind: 'resolved', done: false, hook: '0 false' },
    ]);
    // after recovery: each notification answered once, in order, signed; the one copy it took and never
    // answered (the time limit) carries the same X-Logmon-Delivery id, so the receiver can drop it
    expect(hookPayloads(hook.answered())).toEqual(['1 any-fatal firing', '2 any-fatal resolved']);
    expect(hookPayloads(hook.requests)).toEqual(['1 any-fatal firing', '1 any-fatal firing', '1 any-fatal firing', '2 any-fatal resolved']);
    expect(hook.requests.every((r) => r.signed)).toBe(true);
    expect(recovered.notifications).toMatchObject({ sent: 2, failed: 0, pending: 0 });
    expect(after.notifications).toMatchObject({ sent: 0, failed: 0, pending: 0 });
    const done = await db.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM alert_outbox WHERE sent_at IS NULL');
    expect(done.rows[0]!.n).toBe('0');
  });

  it('keeps a mail owed while the SMTP server is down and sends it once when it is back, the other channels unaffected', async () => {
    // Prepare: the SMTP server is down when the FATAL fires
    await insertEntries(db.pool, [{ at: T0 - 10_000, level: 'FATAL', message: 'disk gone', sourceId }]);
    const port = smtp.port;
    await smtp.close();

    // Act
    const down = await alert(T0);
    smtp = await startSmtpServer(tls.key, tls.cert, port);
    const back = await alert(T0 + MIN);
    await alert(T0 + 2 * MIN);

    // Assess
    expect(down.notifications.failures.map((f) => f.channel)).toEqual(['mail']);
    expect(down.notifications.failures[0]!.error).toMatch(/ECONNREFUSED/);
    expect(back.notifications.channels).toMatchObject({
      mail: { sent: 1, failed: 0 },
      sns: { sent: 0 },
      hook: { sent: 0 },
      chat: { sent: 0 },
      pager: { sent: 0 },
    });
    expect(smtp.mails.map((m) => header(m, 'Subject'))).toEqual(subjects());
    expect(subjects().map((s) => s.split(':')[0])).toEqual(['[logmon] FIRING any-fatal', '[logmon] RESOLVED any-fatal']);
    expect([hook, slack, pager].map((r) => r.requests.length)).toEqual([2, 2, 2]);
  });

  it('raises health:channel-failing naming the failing channel, through the channels that work and never through it', async () => {
    // Prepare: the webhook fails from the start
    const health = parseHealthRules({ 'channel-failing': { after: '1m' } }).filter((r) => r.check === 'channel-failing');
    await insertEntries(db.pool, [{ at: T0 - 10_000, level: 'FATAL', message: 'disk gone', sourceId }]);
    hook.mode = 'failing';

    // Act: the FATAL's FIRING fails on the webhook; two minutes later it is still owed
    await alert(T0, { health });
    const firing = await alert(T0 + 2 * MIN, { health });
    hook.mode = 'up';
    await alert(T0 + 3 * MIN, { health });
    const resolvedRun = await alert(T0 + 4 * MIN, { health });

    // Assess: the health notification went to sns, mail and chat (a warning: not the pager), named the webhook, not to it
    expect(firing.health).toEqual([expect.objectContaining({ rule: 'health:channel-failing', state: 'firing', where: ['hook'] })]);
    const health1 = sns.messages.find((m) => (m.subject ?? '').includes('FIRING health:channel-failing'));
    expect(health1?.subject).toMatch(/channel hook failing for 2m: 1 notification unsent$/);
    expect(health1?.message).toContain('HTTP 500');
    expect(health1?.attributes.channel?.value).toBe('hook');
    expect(smtp.mails.map((m) => header(m, 'Subject')).filter((s) => s.includes('health:channel-failing'))).toHaveLength(2);
    expect(slack.requests.filter((r) => r.body.includes('FIRING health:channel-failing'))).toHaveLength(1);
    expect(pager.requests.filter((r) => r.body.includes('channel-failing'))).toHaveLength(0);
    // the webhook: the FATAL once recovered, never the news of its own failure; the RESOLVED goes everywhere
    expect(resolvedRun.health).toEqual([expect.objectContaining({ state: 'ok', notification: 'resolved' })]);
    expect(hookPayloads(hook.answered())).toEqual(['1 any-fatal firing', '3 any-fatal resolved', '4 health:channel-failing resolved']);
  });

  it('still delivers through SNS while three webhooks hang past the wait for a database connection (channels take turns for connections)', async () => {
    // Prepare: a server that accepts connections and never answers; three webhooks to it, each waiting 11 s (longer than a pooled connection is waited for)
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}/hook`;
    await insertEntries(db.pool, [{ at: T0 - 1000, level: 'FATAL', message: 'out of memory', sourceId }]);
    const hanging = [1, 2, 3].map((i) => ({ name: `hook-${i}`, type: 'webhook', url, secretFrom: 'T_HOOK_SECRET', timeout: '11s' }));
    const channels = createChannels(channelsOf({ channels: [...hanging, { name: 'sns', type: 'sns' }] }, env(), 2000), { sns: client, topicArn: TOPIC });

    // Act: the functions' pool size (3, lib/platform/db.ts createPoolCache)
    const pool = createPool(db.url, 3);
    const summary = await runAlert({ pool, rules, health: [], channels, now: () => T0, commitSafetyMarginMs: 0 }).finally(() => pool.end());
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));

    // Assess
    expect(subjects()).toEqual([expect.stringContaining('FIRING any-fatal')]);
    expect(summary.notifications).toMatchObject({ queued: 1, sent: 1, failed: 3 });
  }, 90_000);

  it('records a notification no channel takes as unrouted, sent nowhere', async () => {
    // Prepare: only critical notifications are routed
    await insertEntries(
      db.pool,
      [1, 2, 3].map((i) => ({ at: T0 - i * 1000, level: 'ERROR', message: `db timeout ${i}`, sourceId })),
    );
    const channels = createChannels(channelsOf({ channels: [{ name: 'sns', type: 'sns', match: { severity: ['critical'] } }] }, {}, 2000), {
      sns: client,
      topicArn: TOPIC,
    });

    // Act
    const summary = await runAlert({ pool: db.pool, rules, health: [], channels, now: () => T0, commitSafetyMarginMs: 0 });

    // Assess
    expect(summary.notifications).toMatchObject({ queued: 1, sent: 0, failed: 0, pending: 0 });
    expect(sns.messages).toHaveLength(0);
    const rows = await db.pool.query('SELECT rule_name, suppressed, sent_at IS NOT NULL AS done FROM alert_outbox');
    expect(rows.rows).toEqual([{ rule_name: 'error-burst', suppressed: 'unrouted', done: true }]);
  });
});
