// A database whose certificate comes from a private CA (issue 14): the jobs
// connect with sslmode=verify-full trusting the CA that DATABASE_CA_FILE
// names, and refuse the server without it. A real PostgreSQL with ssl=on and
// certificates made by openssl; the jobs run as on a server (`npm run job`).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { resolveDatabaseUrl } from '../../lib/platform/database-url';
import { createPool } from '../../lib/platform/db';
import { makeTempDir } from '../support/files';
import { npmRun } from '../support/npm-run';
import { startPgServerProcess } from '../support/pg-server';
import type { PgServerProcess } from '../support/pg-server';

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });

/** A CA (ca.pem, ca.key) in `dir`, named `name`. */
function makeCa(dir: string, name: string): string {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`], dir);
  return path.join(dir, `${name}.pem`);
}

/** server.crt/server.key for 127.0.0.1, signed by the CA `ca`, readable by the PostgreSQL server only. */
function makeServerCertificate(dir: string, ca: string): { cert: string; key: string } {
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
  fs.writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      `${ca}.pem`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-out',
      'server.crt',
      '-days',
      '2',
      '-extfile',
      'san.ext',
    ],
    dir,
  );
  const cert = path.join(dir, 'server.crt');
  const key = path.join(dir, 'server.key');
  fs.chmodSync(key, 0o600);
  // As root the server runs as the postgres user (scripts/embedded-db.mjs), which must own its key.
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    for (const file of [cert, key]) fs.chownSync(file, uid, gid);
  }
  return { cert, key };
}

describe('A database with a certificate from a private CA', () => {
  let baseDir: string;
  let certDir: string;
  let logDir: string;
  let server: PgServerProcess;
  let privateCa: string;
  let strangerCa: string;

  beforeAll(async () => {
    baseDir = makeTempDir('logmon-tls-');
    fs.chmodSync(baseDir, 0o755);
    certDir = path.join(baseDir, 'certs');
    fs.mkdirSync(certDir, { mode: 0o755 });
    privateCa = makeCa(certDir, 'db-ca');
    strangerCa = makeCa(certDir, 'other-ca');
    const { cert, key } = makeServerCertificate(certDir, 'db-ca');
    server = await startPgServerProcess({
      baseDir: path.join(baseDir, 'pg'),
      postgresFlags: ['-c', 'ssl=on', '-c', `ssl_cert_file=${cert}`, '-c', `ssl_key_file=${key}`, '-c', 'fsync=off'],
    });
    logDir = path.join(baseDir, 'logs');
    fs.mkdirSync(logDir);
    fs.writeFileSync(path.join(logDir, 'app.log'), '2026-12-02 10:00:00 ERROR payment declined for order 7\n2026-12-02 10:00:01 INFO ok\n');
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    fs.rmSync(baseDir, { recursive: true, force: true });
  });

  const job = (vars: Record<string, string>) =>
    npmRun(['job', '--', 'ingest'], {
      LOG_FILES: path.join(logDir, '*.log'),
      LOG_TIMEZONE: 'UTC',
      MULTILINE_FLUSH_MS: '0',
      ALERT_FUNCTION_NAME: 'none',
      LOGMON_METRICS: '0',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      ...vars,
    });

  it('connects with verify-full through DATABASE_CA_FILE: the session is encrypted and ingest stores the entry', async () => {
    // Act
    const run = await job({ DATABASE_URL: server.url, DATABASE_CA_FILE: privateCa });
    const env = { DATABASE_URL: server.url, DATABASE_CA_FILE: privateCa };
    const pool = createPool(resolveDatabaseUrl(env), 1);
    let ssl: boolean | undefined;
    let messages: string[] = [];
    try {
      ssl = (await pool.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0]?.ssl;
      messages = (await pool.query<{ message: string }>('SELECT message FROM log_entries')).rows.map((r) => r.message);
    } finally {
      await pool.end();
    }

    // Assess
    expect({ code: run.code, stderr: run.stderr.slice(0, 500) }).toEqual({ code: 0, stderr: '' });
    expect(resolveDatabaseUrl(env)).toContain('sslmode=verify-full');
    expect(ssl).toBe(true);
    expect(messages).toEqual(['payment declined for order 7']);
  }, 60_000);

  it.each([
    ["without DATABASE_CA_FILE (Node's public CAs only)", {}],
    ['with another CA', { DATABASE_CA_FILE: 'STRANGER' }],
  ])(
    'refuses the server %s: the job exits 1 and says what is wrong with the certificate',
    async (_, extra) => {
      // Prepare: verify-full asked in the URL itself
      const vars: Record<string, string> = { DATABASE_URL: `${server.url}?sslmode=verify-full` };
      if ('DATABASE_CA_FILE' in extra) vars.DATABASE_CA_FILE = strangerCa;

      // Act
      const run = await job(vars);

      // Assess
      expect(run.code).toBe(1);
      expect(`${run.stdout}${run.stderr}`).toMatch(/self[- ]signed certificate|unable to (get|verify)[\w ]*certificate/i);
    },
    60_000,
  );

  it('exits 1 naming DATABASE_CA_FILE when the file it names is not there', async () => {
    // Act
    const run = await job({ DATABASE_URL: server.url, DATABASE_CA_FILE: path.join(certDir, 'missing.pem') });

    // Assess
    expect(run.code).toBe(1);
    expect(`${run.stdout}${run.stderr}`).toContain(`DATABASE_CA_FILE names ${path.join(certDir, 'missing.pem')}, which does not exist`);
  }, 60_000);
});
