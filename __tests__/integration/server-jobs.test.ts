// logmon on one server (issue 19): the crontab and the systemd units shipped
// in deploy/server/ run the jobs as written, against a real PostgreSQL, real
// files and a local SNS stand-in.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { formatLocalTimestamp } from '../../lib/platform/local-time';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { makeTempDir } from '../support/files';
import { startSnsServer } from '../support/sns-server';
import type { SnsTestServer } from '../support/sns-server';

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

/** A systemd unit's [Service] keys. */
function readUnit(file: string): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (kv) keys[kv[1]!] = kv[2]!;
  }
  return keys;
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
    env = {
      DATABASE_URL: db.url,
      LOG_FILES: path.join(dir, '*.log'),
      LOG_TIMEZONE: 'UTC',
      MULTILINE_FLUSH_MS: '0',
      ALERT_TOPIC_ARN: TOPIC,
      ALERT_FUNCTION_NAME: 'none',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_SNS: sns.endpoint,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };
    envFile = path.join(dir, 'logmon.env');
    fs.writeFileSync(
      envFile,
      `${Object.entries(env)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n')}\n`,
      { mode: 0o600 },
    );
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
      ['alert', 'ingest', 'retention'].flatMap((j) => [`logmon-${j}.service`, `logmon-${j}.timer`]).sort(),
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
});
