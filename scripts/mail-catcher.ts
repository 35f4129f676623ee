// npm start's local mail catcher: MailDev (an SMTP server with a web inbox)
// on 127.0.0.1, run as a child process; the local subscriber mails every
// notification to it, so the inbox shows exactly what subscribers read.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const MAILDEV_BIN = path.join(__dirname, '..', 'node_modules', 'maildev', 'bin', 'maildev');

export interface MailCatcher {
  child: ChildProcess;
  smtpUrl: string;
  inboxUrl: string;
}

/** Resolves once something listens on 127.0.0.1:port (or rejects after `ms`). */
async function listening(port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > until) throw new Error(`the mail catcher did not listen on 127.0.0.1:${port} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Start MailDev with its SMTP server on `smtpPort` and its inbox on `webPort`, both on 127.0.0.1.
 *
 * @example
 *   const mail = await startMailCatcher(1025, 1080); // mail.inboxUrl: http://127.0.0.1:1080
 */
export async function startMailCatcher(smtpPort: number, webPort: number): Promise<MailCatcher> {
  const child = spawn(process.execPath, [MAILDEV_BIN, '--smtp', String(smtpPort), '--web', String(webPort), '--ip', '127.0.0.1', '--silent'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  try {
    await Promise.race([
      listening(smtpPort, 15_000),
      new Promise((_, reject) =>
        child.once('exit', (code) => reject(new Error(`the mail catcher exited (code ${code}); is port ${smtpPort} or ${webPort} taken?`))),
      ),
    ]);
    await listening(webPort, 15_000);
  } catch (err) {
    // a catcher that did not come up is not left behind
    if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    throw err;
  }
  return { child, smtpUrl: `smtp://127.0.0.1:${smtpPort}`, inboxUrl: `http://127.0.0.1:${webPort}` };
}
