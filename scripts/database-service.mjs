// node scripts/database-service.mjs [--wait [seconds]]
// The embedded PostgreSQL as a service of its own, for logmon on one server
// without a PostgreSQL of its own (deploy/server/systemd/logmon-postgres.service,
// docs/server.md). It starts the same embedded PostgreSQL as `npm start`
// (127.0.0.1 only, SCRAM, a generated password kept 0600), writes its URL to
// DATABASE_URL_FILE (0600) for the jobs, and runs until SIGTERM or SIGINT,
// when it removes the URL file and stops PostgreSQL cleanly (exit 0). If the
// server dies under it, it says so and exits 1 (systemd restarts it).
// `--wait [seconds]` (the unit's ExecStartPost) waits until the URL file is
// there and the server accepts connections, so jobs ordered after the service
// find it ready; exit 1 after the time limit (default 60 s).
// Plain ESM JavaScript run by node itself, not npm or tsx: a stop signal
// reaches this process, not a wrapper that may not pass it on.
//
// Environment:
//   LOGMON_DATA_DIR    folder of the cluster (pg/) and its password; default
//                      $STATE_DIRECTORY (systemd's StateDirectory=), else .data/server
//   LOGMON_PG_PORT     TCP port on 127.0.0.1 (default 5433, beside a system PostgreSQL's 5432)
//   DATABASE_URL_FILE  where the URL is written (default <LOGMON_DATA_DIR>/database-url)
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres } from './embedded-db.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_PORT = 5433;
const DEFAULT_WAIT_SECONDS = 60;
const HEALTH_CHECK_MS = 5000;

function say(line) {
  process.stdout.write(`${line}\n`);
}

function fail(message) {
  process.stderr.write(`logmon database: ${message}\n`);
  process.exit(1);
}

/** The service's settings from the environment; a bad value is refused with its name. */
export function serviceSettings(env = process.env) {
  const dataDir = path.resolve(env.LOGMON_DATA_DIR || env.STATE_DIRECTORY?.split(':')[0] || path.join(ROOT, '.data', 'server'));
  const portText = env.LOGMON_PG_PORT || String(DEFAULT_PORT);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw new Error(`LOGMON_PG_PORT must be a TCP port (1–65535), not "${portText}"`);
  const urlFile = path.resolve(env.DATABASE_URL_FILE || path.join(dataDir, 'database-url'));
  return { dataDir, port, urlFile };
}

/** Write the URL to a new 0600 file renamed over the old one (never a looser file reused). */
function writeUrlFile(file, url) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.rmSync(tmp, { force: true });
  fs.writeFileSync(tmp, `${url}\n`, { mode: 0o600, flag: 'wx' });
  fs.renameSync(tmp, file);
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

function postmasterAlive(dataDir) {
  try {
    const pid = Number.parseInt(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilReady(settings, seconds) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (fs.existsSync(settings.urlFile)) {
      const port = Number(new URL(fs.readFileSync(settings.urlFile, 'utf8').trim()).port);
      if (await accepts(port)) {
        say(`logmon database: ready (${settings.urlFile})`);
        return;
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  fail(`not ready after ${seconds} s: ${settings.urlFile} missing or 127.0.0.1 refusing connections (see the service's log)`);
}

async function serve(settings) {
  // A URL file left by a run that was killed names a server that is gone: jobs must not use it.
  fs.rmSync(settings.urlFile, { force: true });
  let db;
  try {
    db = await startEmbeddedPostgres({ baseDir: settings.dataDir, port: settings.port, log: (line) => say(`logmon database: ${line}`) });
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  writeUrlFile(settings.urlFile, db.url);
  say(`logmon database: URL written to ${settings.urlFile} (DATABASE_URL_FILE of the jobs)`);

  let stopping = false;
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    say(`logmon database: ${signal}: stopping PostgreSQL`);
    fs.rmSync(settings.urlFile, { force: true });
    try {
      await db.stop();
    } catch (err) {
      fail(`PostgreSQL did not stop cleanly: ${err instanceof Error ? err.message : String(err)}`);
    }
    say('logmon database: stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  setInterval(() => {
    if (stopping || postmasterAlive(db.dataDir)) return;
    fs.rmSync(settings.urlFile, { force: true });
    fail(`PostgreSQL in ${db.dataDir} is no longer running (its server log is in the service's log above)`);
  }, HEALTH_CHECK_MS);
}

async function main() {
  let settings;
  try {
    settings = serviceSettings();
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  const args = process.argv.slice(2);
  if (args[0] === '--wait') {
    const seconds = args[1] === undefined ? DEFAULT_WAIT_SECONDS : Number(args[1]);
    if (!(seconds > 0)) fail(`--wait takes a number of seconds, not "${args[1]}"`);
    await waitUntilReady(settings, seconds);
    return;
  }
  if (args.length > 0) fail('usage: node scripts/database-service.mjs [--wait [seconds]]');
  await serve(settings);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) void main();
