// Real e-mail (issue 18): the local subscriber mails each notification
// through SMTP — tested against a real SMTP server (npm smtp-server) — and
// `npm start`'s mail catcher (MailDev) receives it and shows it in its inbox.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { SNSEvent } from 'aws-lambda';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { startMailCatcher } from '../../scripts/mail-catcher';
import { makeTempDir } from '../support/files';
import { fakeContext } from '../support/lambda';
import { freePort } from '../support/ports';

const EVENT = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../events/sns-notification.json'), 'utf8')) as SNSEvent;

interface Received {
  from: string;
  to: string[];
  data: string;
}

/** A real SMTP server on 127.0.0.1 that keeps what it receives. */
async function startSmtpServer(): Promise<{ port: number; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      stream.on('end', () => {
        received.push({
          from: String(session.envelope.mailFrom ? session.envelope.mailFrom.address : ''),
          to: session.envelope.rcptTo.map((r) => r.address),
          data,
        });
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

type SubscriberHandler = (event: SNSEvent, context: ReturnType<typeof fakeContext>) => Promise<{ received: number; mailed: number }>;

function loadSubscriber(env: Record<string, string>): SubscriberHandler {
  const saved = { ...process.env };
  Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', ...env });
  try {
    let handler: SubscriberHandler | undefined;
    jest.isolateModules(() => {
      handler = (require('../../handlers/subscriber') as { handler: SubscriberHandler }).handler;
    });
    return handler!;
  } finally {
    process.env = saved;
  }
}

describe('Real e-mail from the local subscriber', () => {
  let dir: string;

  beforeEach(() => {
    dir = makeTempDir('logmon-mail-');
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('mails each notification through SMTP_URL as the plain text an SNS e-mail subscriber reads, with its attributes as headers', async () => {
    // Prepare
    const smtp = await startSmtpServer();
    const handler = loadSubscriber({ NOTIFICATIONS_FILE: path.join(dir, 'n.log'), SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, MAIL_TO: 'ops@example.com' });

    // Act
    const summary = await handler(EVENT, fakeContext('subscriber'));
    await smtp.close();

    // Assess
    expect(summary).toMatchObject({ received: 1, mailed: 1 });
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    const headers = mail.data.split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ');
    expect(mail).toMatchObject({ from: 'logmon@localhost', to: ['ops@example.com'] });
    expect(headers).toContain(`Subject: ${EVENT.Records[0]!.Sns.Subject}`);
    expect(headers).toMatch(/X-Logmon-Severity: warning/);
    expect(headers).toMatch(/Content-Type: text\/plain/);
    expect(mail.data.replace(/=\r\n/g, '')).toContain('Rule "error-burst" is FIRING for checkout@web-1');
  });

  it('records the notification first, then fails loudly when the SMTP server is down', async () => {
    // Prepare
    const port = await freePort();
    const file = path.join(dir, 'n.log');
    const handler = loadSubscriber({ NOTIFICATIONS_FILE: file, SMTP_URL: `smtp://127.0.0.1:${port}` });

    // Act
    const run = handler(EVENT, fakeContext('subscriber'));

    // Assess
    await expect(run).rejects.toThrow(`could not mail "${EVENT.Records[0]!.Sns.Subject}" to oncall@localhost through smtp://127.0.0.1:${port}`);
    expect(fs.readFileSync(file, 'utf8')).toContain('Rule "error-burst" is FIRING');
  });

  it('gives up on an SMTP server that accepts the connection and never answers, within its time limit', async () => {
    // Prepare: a server that says nothing
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    const handler = loadSubscriber({ NOTIFICATIONS_FILE: path.join(dir, 'n.log'), SMTP_URL: `smtp://127.0.0.1:${port}` });

    // Act
    const started = Date.now();
    const run = handler(EVENT, fakeContext('subscriber'));

    // Assess
    await expect(run).rejects.toThrow('could not mail');
    expect(Date.now() - started).toBeLessThan(12_000);
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }, 20_000);

  it("npm start's mail catcher (MailDev) receives the mail and lists it in its web inbox", async () => {
    // Prepare
    const catcher = await startMailCatcher(await freePort(), await freePort());
    try {
      // Act
      await nodemailer
        .createTransport(catcher.smtpUrl)
        .sendMail({ from: 'logmon@localhost', to: 'oncall@localhost', subject: '[logmon] FIRING any-fatal', text: 'a FATAL' });
      const inbox = (await (await fetch(`${catcher.inboxUrl}/email`)).json()) as { subject: string; text: string }[];

      // Assess
      expect(inbox.map((m) => m.subject)).toEqual(['[logmon] FIRING any-fatal']);
      expect(inbox[0]!.text).toContain('a FATAL');
    } finally {
      if (catcher.child.pid) process.kill(-catcher.child.pid, 'SIGTERM');
    }
  }, 30_000);
});
