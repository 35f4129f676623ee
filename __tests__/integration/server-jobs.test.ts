// logmon on one server (issue 19): the crontab and the systemd units shipped
// in deploy/server/ run the jobs as written, against a real PostgreSQL, real
// files and a local SNS stand-in.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { formatLocalTimestamp } from '../../lib/platform/local-time';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { makeTempDir } from '../support/files';
import { serverJobEnvironment, writeEnvFile } from '../support/server-env';
import { startSnsServer } from '../support/sns-server';
import type { SnsTestServer } from '../support/sns-server';
import { freePort, accepts } from '../support/ports';

const ROOT = path.resolve(__dirname, '../..');
const SERVER_DIR = path.join(ROOT, 'deploy', 'server');
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-server';

/** The crontab's variable assignments and job lines (schedule, command). */
function readCrontab(file: string): { vars: Record<string, string>; jobs: { schedule: string; command: string }[] } {
  const vars: Record<string, string> = {};
  const jobs: { schedule: string; command: string }[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const assignment = /^([A-Z_]+)=(.*)$/.exec(line);
    if (assignment) vars[assignment[1]!] = assignment[2]!;
    else {
      const fields = line.split(/\s+/);
      jobs.push({ schedule: fields.slice(0, 5).join(' '), command: fields.slice(5).join(' ') });
    }
  }
  return { vars, jobs };
}

/** Run a command without blocking this process (the SNS stand-in answers from it). */
function run(
  program: string,
  args: string[],
  options: { env: Record<string, string>; cwd?: string },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A systemd unit's keys (the last value of each), and its Environment= assignments. */
function readUnit(file: string): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (kv) keys[kv[1]!] = kv[2]!;
  }
  return keys;
}

function unitEnvironment(file: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const kv = /^Environment=([A-Z_]+)=(.*)$/.exec(line);
    if (kv) vars[kv[1]!] = kv[2]!;
  }
  return vars;
}

function exited(child: ReturnType<typeof spawn>, timeoutMs: number): Promise<number | string | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('still running'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal);
    });
  });
}

describe('logmon on one server (deploy/server)', () => {
  let db: TestDatabase;
  let sns: SnsTestServer;
  let dir: string;
  let envFile: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    sns = await startSnsServer();
    dir = makeTempDir('logmon-server-');
    env = { ...serverJobEnvironment({ databaseUrl: db.url, logDir: dir, topicArn: TOPIC, snsEndpoint: sns.endpoint }), POWERTOOLS_LOG_LEVEL: 'INFO' };
    envFile = path.join(dir, 'logmon.env');
    writeEnvFile(envFile, env);
  });

  afterAll(async () => {
    await sns.close();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await db.pool.query('TRUNCATE log_entries, log_sources, alert_state, alert_outbox, alert_cursor CASCADE');
    sns.messages.length = 0;
    fs.writeFileSync(path.join(dir, 'app.log'), `${formatLocalTimestamp(new Date(), 'UTC')} [FATAL] disk full on /var/lib/app\n`);
  });

  it('the crontab runs ingest, alert and retention as written: the FATAL is stored and its FIRING published', async () => {
    // Prepare
    const { vars, jobs } = readCrontab(path.join(SERVER_DIR, 'logmon.crontab'));
    const logDir = path.join(dir, 'logs');
    fs.mkdirSync(logDir);
    const shellEnv = {
      PATH: `${path.dirname(process.execPath)}:${vars.PATH}`,
      HOME: process.env.HOME ?? '/tmp',
      LOGMON_DIR: ROOT,
      LOGMON_ENV: envFile,
      LOGMON_LOG_DIR: logDir,
    };

    // Act
    const results: { command: string; run: Awaited<ReturnType<typeof run>> }[] = [];
    for (const job of jobs) results.push({ command: job.command, run: await run(vars.SHELL ?? '/bin/sh', ['-c', job.command], { env: shellEnv }) });

    // Assess
    expect(jobs.map((j) => j.schedule)).toEqual(['* * * * *', '* * * * *', '7 * * * *']);
    for (const r of results) expect({ command: r.command, status: r.run.status, stderr: r.run.stderr }).toMatchObject({ status: 0, stderr: '' });
    const ingestLog = fs.readFileSync(path.join(logDir, 'ingest.log'), 'utf8');
    expect(ingestLog).toMatch(/"message":"ingest run finished"/);
    expect(JSON.parse(ingestLog.trim().split('\n').at(-1)!)).toMatchObject({ job: 'ingest', summary: { totals: { entriesStored: 1 } } });
    expect(sns.messages.map((m) => m.subject)).toEqual([expect.stringContaining('FIRING any-fatal')]);
    expect(fs.readFileSync(path.join(logDir, 'retention.log'), 'utf8')).toMatch(/"job":"retention"/);
  }, 120_000);

  it('the systemd units pass systemd-analyze verify, and their ExecStart runs the job', () => {
    // Prepare
    const units = fs.readdirSync(path.join(SERVER_DIR, 'systemd')).map((f) => path.join(SERVER_DIR, 'systemd', f));
    const ingest = readUnit(path.join(SERVER_DIR, 'systemd', 'logmon-ingest.service'));

    // Act
    const verify = spawnSync('systemd-analyze', ['verify', ...units], { encoding: 'utf8' });
    const [program, ...args] = ingest.ExecStart!.split(' ');
    const run = spawnSync(program!, args, {
      cwd: ROOT,
      env: { ...env, PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: process.env.HOME ?? '/tmp' },
      encoding: 'utf8',
      timeout: 90_000,
    });

    // Assess
    if (verify.error === undefined) expect({ status: verify.status, stderr: verify.stderr }).toEqual({ status: 0, stderr: '' });
    expect(units.map((u) => path.basename(u)).sort()).toEqual(
      ['alert', 'ingest', 'retention']
        .flatMap((j) => [`logmon-${j}.service`, `logmon-${j}.timer`])
        .concat('logmon-postgres.service')
        .sort(),
    );
    expect(ingest).toMatchObject({ Type: 'oneshot', WorkingDirectory: '/opt/logmon', EnvironmentFile: '/etc/logmon/logmon.env' });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).toMatch(/"job":"ingest"/);
  }, 120_000);

  it('a job that cannot do its job exits 1 and says why', () => {
    // Act
    const run = spawnSync('npm', ['run', '--silent', 'job', '--', 'ingest'], {
      cwd: ROOT,
      env: { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: process.env.HOME ?? '/tmp', LOG_FILES: path.join(dir, 'nothing-*.log') },
      encoding: 'utf8',
    });

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('ingest failed: set DATABASE_URL');
  });

  it('the database unit runs the embedded PostgreSQL as a service: ready after ExecStartPost, the jobs find it through DATABASE_URL_FILE, SIGTERM stops it cleanly', async () => {
    // Prepare
    const unitFile = path.join(SERVER_DIR, 'systemd', 'logmon-postgres.service');
    const unit = readUnit(unitFile);
    // traversable, as /var/lib is: as root the embedded PostgreSQL runs as the postgres user
    const stateDir = makeTempDir('logmon-state-');
    fs.chmodSync(stateDir, 0o755);
    const port = await freePort();
    // What systemd passes: the unit's Environment= (its port replaced by a free one) and $STATE_DIRECTORY.
    const serviceEnv = {
      ...unitEnvironment(unitFile),
      LOGMON_PG_PORT: String(port),
      STATE_DIRECTORY: stateDir,
      PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`,
      HOME: process.env.HOME ?? '/tmp',
    };
    const [program, ...args] = unit.ExecStart!.split(' ');
    const [postProgram, ...postArgs] = unit.ExecStartPost!.split(' ');
    const { DATABASE_URL: _url, ...jobEnv } = env;
    const jobRunEnv = { ...jobEnv, DATABASE_URL_FILE: path.join(stateDir, 'database-url'), PATH: serviceEnv.PATH, HOME: serviceEnv.HOME };
    const service = spawn(program!, args, { cwd: ROOT, env: serviceEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let serviceLog = '';
    service.stdout!.on('data', (d: Buffer) => (serviceLog += d.toString()));
    service.stderr!.on('data', (d: Buffer) => (serviceLog += d.toString()));

    try {
      // Act
      const ready = await run(postProgram!, postArgs, { cwd: ROOT, env: serviceEnv });
      const job = await run('npm', ['run', '--silent', 'job', '--', 'ingest'], { cwd: ROOT, env: jobRunEnv });
      const url = fs.readFileSync(path.join(stateDir, 'database-url'), 'utf8').trim();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const stored = await client.query<{ message: string }>('SELECT message FROM log_entries');
      await client.end();
      service.kill('SIGTERM');
      const exit = await exited(service, 30_000);
      const afterStop = await run('npm', ['run', '--silent', 'job', '--', 'ingest'], { cwd: ROOT, env: jobRunEnv });

      // Assess
      expect(unit).toMatchObject({ Type: 'exec', User: 'logmon', StateDirectory: 'logmon', Restart: 'on-failure' });
      expect({ status: ready.status, stderr: ready.stderr, serviceLog }).toMatchObject({ status: 0, stderr: '' });
      expect({ status: job.status, stderr: job.stderr }).toEqual({ status: 0, stderr: '' });
      expect(stored.rows.map((r) => r.message)).toEqual(['disk full on /var/lib/app']);
      expect(url).toMatch(new RegExp(`^postgres://postgres:[^@]+@127\\.0\\.0\\.1:${port}/postgres$`));
      expect((fs.statSync(path.join(stateDir, 'pg-password')).mode & 0o077).toString(8)).toBe('0');
      expect({ exit, serviceLog }).toMatchObject({ exit: 0, serviceLog: expect.stringContaining('logmon database: stopped') });
      expect(fs.existsSync(path.join(stateDir, 'database-url'))).toBe(false);
      expect(fs.existsSync(path.join(stateDir, 'pg', 'postmaster.pid'))).toBe(false);
      expect(await accepts(port)).toBe(false);
      expect(afterStop.status).toBe(1);
      expect(afterStop.stderr).toContain('does not exist: is the database service running?');
    } finally {
      if (service.exitCode === null) {
        service.kill('SIGKILL');
        const pidFile = path.join(stateDir, 'pg', 'postmaster.pid');
        if (fs.existsSync(pidFile)) process.kill(Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]), 'SIGKILL');
      }
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  }, 180_000);
});
