// npm run job -- <ingest|alert|retention>
// One run of a function's handler on a server, unattended (cron, systemd
// timers; deploy/ holds both): the same handler code as in Lambda, with this
// process's environment as it is (no local defaults, unlike `npm run invoke`:
// DATABASE_URL, DATABASE_URL_FILE or DATABASE_URL_PARAMETER, ALERT_TOPIC_ARN
// and the AWS credentials come from the machine), the function's time limit of
// serverless.yml, logs as JSON lines on stdout (the journal, or cron's mail),
// the summary as the last line, and exit 1 when the run could not do its job.
import fs from 'node:fs';
import type { Context } from 'aws-lambda';

/** Each job's time limit (serverless.yml `timeout`). */
export const JOB_TIME_LIMIT_MS = { ingest: 75_000, alert: 60_000, retention: 300_000 } as const;
type Job = keyof typeof JOB_TIME_LIMIT_MS;

function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/**
 * DATABASE_URL_FILE: a file holding the URL — the one the embedded PostgreSQL's
 * service writes (scripts/database-service.mjs), or a secret mounted as a file.
 */
function readUrlFile(job: Job, file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') fail(`${job} failed: DATABASE_URL_FILE ${file} does not exist: is the database service running? (systemctl status logmon-postgres)`);
    fail(`${job} failed: DATABASE_URL_FILE ${file} cannot be read (${code ?? String(err)})`);
  }
  if (!/^postgres(ql)?:\/\//.test(text)) fail(`${job} failed: DATABASE_URL_FILE ${file} does not hold a postgres:// URL`);
  return text;
}

async function main(): Promise<void> {
  const name = process.argv[2] ?? '';
  if (!(name in JOB_TIME_LIMIT_MS)) fail(`usage: npm run job -- <${Object.keys(JOB_TIME_LIMIT_MS).join('|')}>`, 2);
  const job = name as Job;
  if (!process.env.DATABASE_URL && process.env.DATABASE_URL_FILE) process.env.DATABASE_URL = readUrlFile(job, process.env.DATABASE_URL_FILE);
  if (!process.env.DATABASE_URL && !process.env.DATABASE_URL_PARAMETER)
    fail(`${job} failed: set DATABASE_URL (or DATABASE_URL_FILE, DATABASE_URL_PARAMETER) in the job's environment`);
  const started = Date.now();
  const context = {
    functionName: `logmon-server-${job}`,
    awsRequestId: `${job}-${started}`,
    getRemainingTimeInMillis: () => JOB_TIME_LIMIT_MS[job] - (Date.now() - started),
  } as unknown as Context;
  const { describeError } = await import('../lib/platform/errors');
  try {
    const mod = (await import(`../handlers/${job}`)) as { handler: (e: unknown, c: Context) => Promise<unknown> };
    const summary = await mod.handler({ source: 'logmon.server', 'detail-type': 'Scheduled Event' }, context);
    process.stdout.write(`${JSON.stringify({ job, summary })}\n`);
    process.exit(0);
  } catch (err) {
    fail(`${job} failed: ${describeError(err)}`);
  }
}

void main();
