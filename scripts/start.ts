// npm start: the whole system on this machine.
// PostgreSQL (embedded unless DATABASE_URL is set) → migrations → demo log
// generator → `serverless offline` running ingest and alert every minute, with
// a local SNS and a subscriber that prints every notification.
import { machineTimeZone } from '../lib/ingest/sources';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createPool, redactUrl } from '../lib/platform/db';
import { intVar } from '../lib/platform/env';
import type { Env } from '../lib/platform/env';
import { describeError } from '../lib/platform/errors';
import { migrate } from '../lib/platform/migrations';
import { DATA_DIR, DATABASE_URL_FILE, saveDatabaseUrl } from './local-database';
import { OFFLINE_ARGS, SERVERLESS_BIN, offlineEnvironment } from './local-defaults';
import { readDemoOptions, startLogGenerator } from './log-generator';
import { startMailCatcher } from './mail-catcher';
import type { MailCatcher } from './mail-catcher';
import type { DemoOptions } from './log-generator';
import { readOptions } from './options';

const ROOT = path.resolve(__dirname, '..');
const CHILDREN_FILE = path.join(DATA_DIR, 'children.json');

function say(message: string): void {
  process.stdout.write(`[logmon] ${message}\n`);
}

/** Children left running by a start that was killed with SIGKILL. */
function stopLeftoverChildren(): void {
  if (!fs.existsSync(CHILDREN_FILE)) return;
  const pids = JSON.parse(fs.readFileSync(CHILDREN_FILE, 'utf8')) as number[];
  for (const pid of pids) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes('serverless') || cmdline.includes('maildev')) {
        say(`stopping ${cmdline.includes('maildev') ? 'the mail catcher' : 'serverless offline'} left running by an earlier start (pid ${pid})`);
        process.kill(-pid, 'SIGKILL');
      }
    } catch {
      // already gone
    }
  }
  fs.rmSync(CHILDREN_FILE, { force: true });
}

interface StartOptions {
  /** Null: no demo generator (LOGMON_DEMO=0 or --no-demo). */
  demo: DemoOptions | null;
  /** Port of the embedded PostgreSQL; undefined: a free one. */
  pgPort: number | undefined;
  /** The mail catcher's SMTP and inbox ports; null: SMTP_URL names the mail server (no catcher). */
  mail: { smtpPort: number; webPort: number } | null;
}

/** The options of `npm start`; a bad number throws a ConfigError naming the variable. */
function readStartOptions(env: Env, argv: readonly string[]): StartOptions {
  // Read by serverless.yml (serverless-offline, serverless-offline-sns): checked here, where a mistake can still be named.
  for (const name of ['LOGMON_SNS_PORT', 'LOGMON_LAMBDA_PORT', 'LOGMON_HTTP_PORT']) intVar(env, name, 0, 1, 65535);
  const pgPort = intVar(env, 'LOGMON_PG_PORT', 0, 1, 65535);
  const demo = !argv.includes('--no-demo') && env.LOGMON_DEMO !== '0';
  const mail = env.SMTP_URL?.trim()
    ? null
    : { smtpPort: intVar(env, 'LOGMON_SMTP_PORT', 1025, 1, 65535), webPort: intVar(env, 'LOGMON_MAIL_PORT', 1080, 1, 65535) };
  return { demo: demo ? readDemoOptions(env) : null, pgPort: pgPort === 0 ? undefined : pgPort, mail };
}

async function main(): Promise<void> {
  const options = readOptions('npm start', () => readStartOptions(process.env, process.argv));
  fs.mkdirSync(DATA_DIR, { recursive: true });
  stopLeftoverChildren();

  let stopDatabase: () => Promise<void> = async () => {};
  let databaseUrl = process.env.DATABASE_URL ?? '';
  if (databaseUrl) {
    say(`using DATABASE_URL ${redactUrl(databaseUrl)}`);
    fs.rmSync(DATABASE_URL_FILE, { force: true });
  } else {
    const { startEmbeddedPostgres } = await import('./embedded-db.mjs');
    const db = await startEmbeddedPostgres({ baseDir: DATA_DIR, port: options.pgPort, log: (line: string) => say(line) });
    databaseUrl = db.url;
    stopDatabase = db.stop;
    saveDatabaseUrl(databaseUrl);
  }

  const pool = createPool(databaseUrl, 1);
  try {
    const applied = await migrate(pool);
    say(applied.length > 0 ? `applied migrations ${applied.join(', ')}` : 'schema is up to date');
  } finally {
    await pool.end();
  }

  const logFiles = process.env.LOG_FILES || path.join(ROOT, 'logs', 'app.log');
  let stopGenerator = (): void => {};
  if (options.demo) {
    const file = path.resolve(ROOT, options.demo.file);
    const seconds = options.demo.intervalSeconds;
    stopGenerator = startLogGenerator({ file, intervalMs: seconds * 1000, timeZone: process.env.LOG_TIMEZONE || machineTimeZone() });
    say(`demo: appending a random-level line to ${path.relative(ROOT, file)} every ${seconds}s (LOGMON_DEMO=0 turns it off)`);
  }

  let mail: MailCatcher | null = null;
  if (options.mail) {
    mail = await startMailCatcher(options.mail.smtpPort, options.mail.webPort);
    // recorded at once: a start killed before offline is up still has its catcher stopped by the next one
    fs.writeFileSync(CHILDREN_FILE, JSON.stringify([mail.child.pid]));
    say(`mail: every notification is also mailed to the local inbox ${mail.inboxUrl} (SMTP_URL sends to a real server instead)`);
  } else say(`mail: every notification is also mailed through SMTP_URL`);

  const notificationsFile = process.env.NOTIFICATIONS_FILE || path.join(DATA_DIR, 'notifications.log');
  const env = offlineEnvironment(mail ? { ...process.env, SMTP_URL: mail.smtpUrl } : process.env, { databaseUrl, logFiles, notificationsFile });
  const child: ChildProcess = spawn(SERVERLESS_BIN, [...OFFLINE_ARGS], { cwd: ROOT, env, stdio: 'inherit', detached: true });
  fs.writeFileSync(CHILDREN_FILE, JSON.stringify([child.pid, ...(mail?.child.pid ? [mail.child.pid] : [])]));
  say(
    `monitoring ${logFiles}; ingest and alert run at every minute boundary; notifications are printed here and appended to ${path.relative(ROOT, notificationsFile)}`,
  );
  say(
    `dashboard: http://127.0.0.1:${process.env.LOGMON_HTTP_PORT?.trim() || '3000'}/ (${process.env.DASHBOARD_WRITE?.trim() ? `DASHBOARD_WRITE=${process.env.DASHBOARD_WRITE.trim()}` : 'read-only; DASHBOARD_WRITE=on adds its silence forms'})`,
  );
  say('Ctrl-C stops everything');

  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    say('stopping');
    stopGenerator();
    // the mail catcher first: it holds nothing, and it must not outlive a stop cut short
    if (mail?.child.pid && mail.child.exitCode === null) {
      try {
        process.kill(-mail.child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    if (child.exitCode === null && child.pid) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        process.kill(-child.pid, 'SIGINT');
      } catch {
        // already gone
      }
      const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 10000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(CHILDREN_FILE, { force: true });
    await stopDatabase().catch((err: unknown) => say(`stopping PostgreSQL failed: ${describeError(err)}`));
    process.exit(code);
  };
  child.on('exit', (code) => {
    if (!stopping) {
      say(`serverless offline exited (code ${code})`);
      void stop(code ?? 1);
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0));
}

main().catch((err: unknown) => {
  process.stderr.write(`[logmon] npm start failed: ${describeError(err)}\n`);
  process.exit(1);
});
