// logmon on one server under Debian's own cron daemon (issue 19): the shipped
// crontab, installed the way docs/server.md says (`crontab -u …`, its three
// path variables edited), is run by a real `cron -f` across a minute boundary:
// ingest stores the FATAL written before it, alert publishes its FIRING ten
// seconds later. Root's crontab is used, so the test only runs where it can
// do so without touching anything: as root, with cron installed, no cron
// daemon running and no crontab for root (CI's container; .ci/run installs cron).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { formatLocalTimestamp } from '../../lib/platform/local-time';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { makeTempDir } from '../support/files';
import { serverJobEnvironment, writeEnvFile } from '../support/server-env';
import { startSnsServer } from '../support/sns-server';
import type { SnsTestServer } from '../support/sns-server';

const ROOT = path.resolve(__dirname, '../..');
const CRONTAB = path.join(ROOT, 'deploy', 'server', 'logmon.crontab');
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-cron';

/** Why the daemon cannot be run here without touching the machine's own set-up; null: it can. */
function whyNot(): string | null {
  if (process.getuid?.() !== 0) return 'not root (cron runs a crontab as its user only when it is root)';
  if (!fs.existsSync('/usr/sbin/cron')) return 'Debian cron is not installed (apt-get install cron)';
  if (spawnSync('pgrep', ['-x', 'cron']).status === 0) return 'a cron daemon is already running on this machine';
  const listed = spawnSync('crontab', ['-l', '-u', 'root'], { encoding: 'utf8' });
  if (listed.status === 0) return 'root has a crontab of its own, which this test would replace';
  return null;
}

const WHY_NOT = whyNot();

async function until(what: string, ready: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

if (WHY_NOT) {
  describe('the crontab under a real cron daemon', () => {
    it.skip(`SKIPPED: ${WHY_NOT} — the crontab is run by /bin/sh in server-jobs.test.ts only`, () => undefined);
  });
} else {
  describe('the crontab under a real cron daemon', () => {
    let db: TestDatabase;
    let sns: SnsTestServer;
    let dir: string;
    let cron: ChildProcess | undefined;

    beforeAll(async () => {
      db = await createTestDatabase();
      sns = await startSnsServer();
      dir = makeTempDir('logmon-cron-');
    });

    afterAll(async () => {
      if (cron && cron.exitCode === null) cron.kill('SIGTERM');
      spawnSync('crontab', ['-r', '-u', 'root']);
      await sns.close();
      await db.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('cron runs ingest at the minute boundary and alert ten seconds later: the FATAL is stored and its FIRING published', async () => {
      // Prepare
      const logDir = path.join(dir, 'logs');
      fs.mkdirSync(logDir);
      const envFile = path.join(dir, 'logmon.env');
      writeEnvFile(envFile, serverJobEnvironment({ databaseUrl: db.url, logDir: dir, topicArn: TOPIC, snsEndpoint: sns.endpoint }));
      // The installation step of docs/server.md: the path variables at the top edited, nothing else.
      const nodeDir = path.dirname(process.execPath);
      const edited = fs
        .readFileSync(CRONTAB, 'utf8')
        .replace(/^LOGMON_DIR=.*$/m, `LOGMON_DIR=${ROOT}`)
        .replace(/^LOGMON_ENV=.*$/m, `LOGMON_ENV=${envFile}`)
        .replace(/^LOGMON_LOG_DIR=.*$/m, `LOGMON_LOG_DIR=${logDir}`)
        .replace(/^PATH=(.*)$/m, (line, value: string) => (value.split(':').includes(nodeDir) ? line : `PATH=${nodeDir}:${value}`));
      const installed = path.join(dir, 'crontab');
      fs.writeFileSync(installed, edited);
      execFileSync('crontab', ['-u', 'root', installed]);
      // the file exists from the start (a run before the FATAL finds it, with nothing new)
      const logFile = path.join(dir, 'app.log');
      fs.writeFileSync(logFile, '');

      // Act
      cron = spawn('/usr/sbin/cron', ['-f', '-L', '15'], { stdio: 'ignore' });
      // The FATAL a few seconds before a boundary: the rule's 1-minute window still holds it when alert runs ten seconds after.
      const untilBoundary = 60_000 - (Date.now() % 60_000);
      await new Promise((r) => setTimeout(r, untilBoundary > 8_000 ? untilBoundary - 5_000 : untilBoundary + 55_000));
      fs.appendFileSync(logFile, `${formatLocalTimestamp(new Date(), 'UTC')} [FATAL] disk full on /var/lib/app\n`);
      const stored = async () => (await db.pool.query('SELECT count(*)::int AS n FROM log_entries')).rows[0].n === 1;
      await until('cron to run ingest at the next minute boundary', stored, 90_000);
      await until('cron to run alert and its FIRING to reach SNS', () => sns.messages.length > 0, 60_000);
      await until('the alert job to finish', () => /"job":"alert"/.test(readLog(logDir, 'alert.log')), 30_000);

      // Assess
      const ingestLog = readLog(logDir, 'ingest.log');
      expect(JSON.parse(ingestLog.trim().split('\n').at(-1)!)).toMatchObject({ job: 'ingest', summary: { totals: { entriesStored: 1 } } });
      expect(sns.messages.map((m) => m.subject)).toEqual([expect.stringContaining('FIRING any-fatal')]);
      expect(JSON.parse(readLog(logDir, 'alert.log').trim().split('\n').at(-1)!)).toMatchObject({ job: 'alert' });
      const firstRun = (await db.pool.query<{ at: Date }>('SELECT min(ingested_at) AS at FROM log_entries')).rows[0]!.at;
      // started by the minute's line, not by the alert's (ten seconds in) or by a retry: well before the next boundary
      expect(firstRun.getUTCSeconds()).toBeLessThan(40);
    }, 200_000);
  });
}

function readLog(dir: string, name: string): string {
  const file = path.join(dir, name);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}
