// npm start: the whole system on this machine.
// PostgreSQL (embedded unless DATABASE_URL is set) → migrations → demo log
// generator → `serverless offline` running ingest and alert every minute, with
// a local SNS and a subscriber that prints every notification.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createPool, redactUrl } from '../lib/platform/db';
import { describeError } from '../lib/platform/errors';
import { migrate } from '../lib/platform/migrations';
import { DATA_DIR, DATABASE_URL_FILE, saveDatabaseUrl } from './local-database';
import { localEnvironment } from './local-defaults';
import { startLogGenerator } from './log-generator';

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
      if (cmdline.includes('serverless')) {
        say(`stopping serverless offline left running by an earlier start (pid ${pid})`);
        process.kill(-pid, 'SIGKILL');
      }
    } catch {
      // already gone
    }
  }
  fs.rmSync(CHILDREN_FILE, { force: true });
}

async function main(): Promise<void> {
  const demo = !process.argv.includes('--no-demo') && process.env.LOGMON_DEMO !== '0';
  fs.mkdirSync(DATA_DIR, { recursive: true });
  stopLeftoverChildren();

  let stopDatabase: () => Promise<void> = async () => {};
  let databaseUrl = process.env.DATABASE_URL ?? '';
  if (databaseUrl) {
    say(`using DATABASE_URL ${redactUrl(databaseUrl)}`);
    fs.rmSync(DATABASE_URL_FILE, { force: true });
  } else {
    const { startEmbeddedPostgres } = await import('./embedded-db.mjs');
    const port = process.env.LOGMON_PG_PORT ? Number(process.env.LOGMON_PG_PORT) : undefined;
    const db = await startEmbeddedPostgres({ baseDir: DATA_DIR, port, log: (line: string) => say(line) });
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

  const logFiles = process.env.LOG_FILES ?? path.join(ROOT, 'logs', 'app.log');
  let stopGenerator = (): void => {};
  if (demo) {
    const file = process.env.DEMO_LOG_FILE ?? path.join(ROOT, 'logs', 'app.log');
    const seconds = Number(process.env.DEMO_INTERVAL_SECONDS ?? 5);
    stopGenerator = startLogGenerator({ file, intervalMs: seconds * 1000, timeZone: process.env.LOG_TIMEZONE || 'UTC' });
    say(`demo: appending a random-level line to ${path.relative(ROOT, file)} every ${seconds}s (LOGMON_DEMO=0 turns it off)`);
  }

  const env = {
    ...process.env,
    ...localEnvironment(process.env),
    DATABASE_URL: databaseUrl,
    LOG_FILES: logFiles,
    NOTIFICATIONS_FILE: process.env.NOTIFICATIONS_FILE ?? path.join(DATA_DIR, 'notifications.log'),
  };
  const serverless = path.join(ROOT, 'node_modules', '.bin', 'serverless');
  const child: ChildProcess = spawn(serverless, ['offline', 'start', '--stage', 'local'], { cwd: ROOT, env, stdio: 'inherit', detached: true });
  fs.writeFileSync(CHILDREN_FILE, JSON.stringify([child.pid]));
  say(
    `monitoring ${logFiles}; ingest and alert run at every minute boundary; notifications are printed here and appended to ${path.relative(ROOT, env.NOTIFICATIONS_FILE)}`,
  );
  say('Ctrl-C stops everything');

  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    say('stopping');
    stopGenerator();
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
