// Every variable the README's Configuration table documents for a function
// reaches that function through every entry point: the table is the list,
// so a variable documented without its plumbing in serverless.yml fails here.
// - `serverless print`, local stage: each variable set in the shell shows in
//   the function's environment; deployed stage: each is listed, and its
//   documented `--param` sets it.
// - `npm start`'s serverless offline (started the way scripts/start.ts starts
//   it): the effect of a few is observed in what the functions do.
// - `npm run invoke` and `serverless invoke local` give the alert handler the
//   same environment: the same outbox row, failing the same way.
// The Lambda-reserved AWS_* names cannot be listed (a deploy would fail);
// they reach local functions from the environment, as the SDK reads them.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { formatLocalTimestamp } from '../../lib/platform/local-time';
import { PARAMETERS } from '../../scripts/deploy-params.cjs';
import { OFFLINE_ARGS, SERVERLESS_BIN, offlineEnvironment } from '../../scripts/local-defaults';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { makeTempDir } from '../support/files';
import { codeSpans, markdownTable, readDoc } from '../support/markdown';
import { COMMIT_SAFETY_MARGIN_MS } from '../../lib/alert/commit-cursor';
import { freePort } from '../support/ports';

const ROOT = path.resolve(__dirname, '../..');
const FUNCTIONS = ['ingest', 'alert', 'retention', 'subscriber', 'dashboard'] as const;
// The dashboard is deployed only with --param dashboard=on (DEPLOY_PARAMS).
const DEPLOYED_FUNCTIONS = ['ingest', 'alert', 'retention', 'dashboard'];
/** Lambda sets these itself and refuses them in a function's environment. */
const LAMBDA_RESERVED = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'];
const DEPLOY_PARAMS = {
  alertEmails: 'ops@example.com',
  databaseUrlParameter: '/logmon/prod/database-url',
  subnetIds: 'subnet-0123456789abcdef0',
  securityGroupIds: 'sg-0123456789abcdef0',
  logsAccessPointArn: 'arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0',
  dashboard: 'on',
};

interface DocumentedVariable {
  name: string;
  functions: string[];
  /** The `--param` that sets it on a deployed stage; null: fixed by the stack, or local only. */
  deployParameter: string | null;
}

/** The variables the README's Configuration table says a function reads. */
function documentedVariables(): DocumentedVariable[] {
  return markdownTable(readDoc('README.md'), '## Configuration', 'variable')
    .flatMap((row) => {
      const functions = codeSpans(row['read by'] ?? '').filter((f) => (FUNCTIONS as readonly string[]).includes(f));
      const cell = row['deploy parameter'] ?? '';
      const deployParameter = cell.startsWith('never') ? null : (codeSpans(cell)[0] ?? null);
      return codeSpans(row.variable ?? '').map((name) => ({ name, functions, deployParameter }));
    })
    .filter((v) => v.functions.length > 0);
}

const DOCUMENTED = documentedVariables();
const LISTABLE = DOCUMENTED.filter((v) => !LAMBDA_RESERVED.includes(v.name));
const probe = (name: string): string => `probe-${name.toLowerCase().replace(/_/g, '-')}`;

/** A machine with nothing set: no AWS credentials or profile, no variable of logmon's, quiet serverless. */
function bareEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    FORCE_COLOR: '0',
    NODE_NO_WARNINGS: '1',
    ...extra,
  };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output, stdout }));
  });
}

interface PrintedConfig {
  provider: { environment?: Record<string, unknown> };
  functions: Record<string, { environment?: Record<string, unknown> }>;
}

async function print(args: string[], env: NodeJS.ProcessEnv): Promise<PrintedConfig> {
  const result = await run(SERVERLESS_BIN, ['print', '--format', 'json', ...args], env);
  if (result.code !== 0) throw new Error(`serverless print ${args.join(' ')} failed:\n${result.output}`);
  return JSON.parse(result.stdout) as PrintedConfig;
}

/** What serverless offline, invoke local and a deploy give a function: the provider's environment, then its own. */
function environmentOf(config: PrintedConfig, fn: string): Record<string, unknown> {
  return { ...config.provider.environment, ...config.functions[fn]?.environment };
}

async function eventually<T>(what: string, probeOnce: () => Promise<T | null | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probeOnce();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('Configuration: every documented variable reaches its function', () => {
  it('finds the variables the functions read in the README', () => {
    const names = DOCUMENTED.map((v) => v.name);

    expect(names).toEqual(expect.arrayContaining(['DATABASE_URL', 'LOG_MAX_LINE_BYTES', 'ALERT_SUBJECT_PREFIX', 'POWERTOOLS_LOG_LEVEL', 'NOTIFICATIONS_FILE']));
    expect(names.length).toBeGreaterThanOrEqual(20);
  });

  it("lists each in its function's environment on the local stage, with the shell's value", async () => {
    // Prepare: every variable set, to a value of its own
    const env = bareEnv(Object.fromEntries(LISTABLE.map((v) => [v.name, probe(v.name)])));

    // Act
    const config = await print(['--stage', 'local'], env);

    // Assess
    const missing = LISTABLE.flatMap((v) =>
      v.functions
        .filter((fn) => !String(environmentOf(config, fn)[v.name] ?? '').includes(probe(v.name)))
        .map((fn) => `${fn}: ${v.name} = ${JSON.stringify(environmentOf(config, fn)[v.name])}`),
    );
    expect(missing).toEqual([]);
  }, 60_000);

  it('lists each on a deployed stage, set by its documented --param, and never a name Lambda reserves', async () => {
    // Prepare: every documented parameter given a valid value of its own
    const values: Record<string, string> = {};
    for (const [i, v] of LISTABLE.entries()) {
      if (v.deployParameter === null || v.deployParameter in values) continue;
      const example = (PARAMETERS as Record<string, { example: string } | undefined>)[v.deployParameter]?.example;
      if (example === undefined) throw new Error(`${v.name}: --param ${v.deployParameter} is not one scripts/deploy-params.cjs checks`);
      values[v.deployParameter] = /^\d+$/.test(example) ? String(Number(example) + i + 1) : example;
    }
    const params: Record<string, string> = { ...DEPLOY_PARAMS, ...values };
    // a packaged file must exist next to serverless.yml: the CA file's example is made for the run
    const caFile = path.join(ROOT, values.databaseCaFile ?? 'certs/db-ca.pem');
    const madeCa = !fs.existsSync(caFile);
    const madeDir = !fs.existsSync(path.dirname(caFile));
    if (madeCa) {
      fs.mkdirSync(path.dirname(caFile), { recursive: true });
      fs.writeFileSync(caFile, 'PEM');
    }

    // Act
    let config: Awaited<ReturnType<typeof print>>;
    try {
      config = await print(['--stage', 'prod', ...Object.entries(params).flatMap(([k, p]) => ['--param', `${k}=${p}`])], bareEnv());
    } finally {
      if (madeCa) fs.rmSync(madeDir ? path.dirname(caFile) : caFile, { recursive: true, force: true });
    }

    // Assess
    const wrong: string[] = [];
    for (const v of DOCUMENTED) {
      for (const fn of v.functions.filter((f) => DEPLOYED_FUNCTIONS.includes(f))) {
        const environment = environmentOf(config, fn);
        if (LAMBDA_RESERVED.includes(v.name)) {
          if (v.name in environment) wrong.push(`${fn}: ${v.name} is listed, and Lambda refuses it`);
        } else if (!(v.name in environment)) wrong.push(`${fn}: ${v.name} is not listed`);
        else if (v.deployParameter !== null && environment[v.name] !== params[v.deployParameter]) {
          wrong.push(`${fn}: ${v.name} = ${JSON.stringify(environment[v.name])}, not --param ${v.deployParameter}=${params[v.deployParameter]}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(new Set(Object.values(values)).size).toBe(Object.keys(values).length);
  }, 60_000);

  describe('under npm start (serverless offline)', () => {
    const PREFIX = '[probe offline]';
    let db: TestDatabase;
    let dir: string;
    let offline: ChildProcess;
    let output = '';
    let lambdaPort: number;
    let written: number;

    const invoke = async (fn: string): Promise<Record<string, unknown>> => {
      const response = await fetch(`http://127.0.0.1:${lambdaPort}/2015-03-31/functions/logmon-local-${fn}/invocations`, { method: 'POST', body: '{}' });
      const text = await response.text();
      if (!response.ok) throw new Error(`${fn} invocation answered ${response.status}: ${text}`);
      return JSON.parse(text) as Record<string, unknown>;
    };

    beforeAll(async () => {
      db = await createTestDatabase();
      dir = makeTempDir('logmon-offline-');
      const [snsPort, httpPort] = [await freePort(), await freePort()];
      lambdaPort = await freePort();
      const logFile = path.join(dir, 'app.log');
      written = Date.now();
      const at = formatLocalTimestamp(new Date(written), 'Europe/Berlin');
      fs.writeFileSync(logFile, `${at} [ERROR] ${'x'.repeat(2000)}\n${at} [FATAL] probe fatal\n`);
      const shell = bareEnv({
        LOGMON_SNS_PORT: String(snsPort),
        LOGMON_LAMBDA_PORT: String(lambdaPort),
        LOGMON_HTTP_PORT: String(httpPort),
        LOG_TIMEZONE: 'Europe/Berlin',
        LOG_MAX_LINE_BYTES: '300',
        MULTILINE_FLUSH_MS: '0',
        ALERT_RULES: JSON.stringify([{ name: 'probe-rule', levels: ['FATAL'], threshold: 1, window: '5m' }]),
        ALERT_SUBJECT_PREFIX: PREFIX,
        POWERTOOLS_LOG_LEVEL: 'DEBUG',
        RETENTION_DAYS: '9',
      });
      const env = offlineEnvironment(shell, { databaseUrl: db.url, logFiles: logFile, notificationsFile: path.join(dir, 'notifications.log') });
      offline = spawn(SERVERLESS_BIN, [...OFFLINE_ARGS], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      offline.stdout?.on('data', (d: Buffer) => (output += d.toString()));
      offline.stderr?.on('data', (d: Buffer) => (output += d.toString()));
      await eventually('serverless offline listening', async () => output.includes(`listening on http://127.0.0.1:${lambdaPort}`) || null, 45_000).catch(
        (err: Error) => {
          throw new Error(`${err.message}\n${output}`);
        },
      );
    }, 60_000);

    afterAll(async () => {
      if (offline?.pid && offline.exitCode === null) {
        const exited = new Promise((resolve) => offline.once('exit', resolve));
        process.kill(-offline.pid, 'SIGINT');
        const timer = setTimeout(() => offline.pid && process.kill(-offline.pid, 'SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await db?.drop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }, 20_000);

    it('ingests LOG_FILES into DATABASE_URL with LOG_TIMEZONE, LOG_MAX_LINE_BYTES and MULTILINE_FLUSH_MS', async () => {
      // Act
      await invoke('ingest');

      // Assess: a scheduled run may have taken the file first; either way it is stored at once (no 5 s flush wait)
      const rows = await eventually(
        'both entries stored',
        async () => {
          const r = await db.pool.query<{ level: string; bytes: number; logged_at: Date }>(
            'SELECT level, octet_length(message) AS bytes, logged_at FROM log_entries ORDER BY id',
          );
          return r.rows.length === 2 ? r.rows : null;
        },
        3000,
      );
      expect(rows.map((r) => r.level)).toEqual(['ERROR', 'FATAL']);
      expect(rows[0]!.bytes).toBeLessThan(400);
      expect(Math.abs(rows[1]!.logged_at.getTime() - written)).toBeLessThan(60_000);
    });

    it('asks the alert function to evaluate after storing entries (ALERT_FUNCTION_NAME, AWS_ENDPOINT_URL_LAMBDA): the FIRING comes without an alert invocation', async () => {
      // Assess: the ingest invocation of the test above stored the FATAL; its request ran the alert function under offline
      const notifications = await eventually(
        'the FIRING in NOTIFICATIONS_FILE',
        async () => {
          const file = path.join(dir, 'notifications.log');
          return fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('FIRING probe-rule') ? fs.readFileSync(file, 'utf8') : null;
        },
        15_000,
      );
      // the alert function logs its summary after SNS took the message: the subscriber may print first
      await eventually(
        'the requested alert run to finish',
        async () => (/"message":"alert run finished"[^\n]*"requested":true/.test(output) ? true : null),
        10_000,
      ).catch(() => undefined);
      expect(notifications).toContain(`${PREFIX} FIRING probe-rule`);
      expect(output).toMatch(/"message":"alert run finished"[^\n]*"requested":true/);
    });

    it('publishes with ALERT_RULES and ALERT_SUBJECT_PREFIX through the local SNS to NOTIFICATIONS_FILE, logging at POWERTOOLS_LOG_LEVEL', async () => {
      // Prepare: the rules count entries committed more than the commit cursor's safety margin (1 s) before the run
      await new Promise((r) => setTimeout(r, COMMIT_SAFETY_MARGIN_MS + 200));

      // Act
      await invoke('alert');

      // Assess
      const notifications = await eventually(
        'the notification in NOTIFICATIONS_FILE',
        async () => {
          const file = path.join(dir, 'notifications.log');
          return fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('probe-rule') ? fs.readFileSync(file, 'utf8') : null;
        },
        20_000,
      );
      expect(notifications).toContain(`${PREFIX} FIRING probe-rule: 1 FATAL in 5m (threshold 1)`);
      await eventually('a DEBUG line of the subscriber', async () => /"level":"DEBUG","message":"notifications recorded"/.test(output) || null, 5000);
    });

    it('removes history older than RETENTION_DAYS', async () => {
      const summary = await invoke('retention');

      expect(Math.abs(Date.parse(String(summary.cutoff)) - (Date.now() - 9 * 86_400_000))).toBeLessThan(120_000);
    });
  });

  describe('npm run invoke and serverless invoke local', () => {
    it('give the alert handler the same environment: the same notification, failing the same way when no local SNS runs', async () => {
      // Prepare: one database each, a FATAL to notify, and a closed SNS port
      const closedPort = await freePort();
      const outcomes: { subject: string; error: string; exit: number | null }[] = [];
      const commands: [string, string[]][] = [
        ['npm', ['run', '--silent', 'invoke', '--', 'alert']],
        [SERVERLESS_BIN, ['invoke', 'local', '-f', 'alert', '--stage', 'local']],
      ];
      for (const [command, args] of commands) {
        const db = await createTestDatabase();
        try {
          const source = await db.pool.query<{ id: string }>("INSERT INTO log_sources (path, dev, ino) VALUES ('/var/log/app.log', 1, 1) RETURNING id");
          await db.pool.query("INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset) VALUES (now(), 'FATAL', 'boom', $1, 0)", [
            source.rows[0]!.id,
          ]);
          const env = bareEnv({
            DATABASE_URL: db.url,
            LOGMON_SNS_PORT: String(closedPort),
            ALERT_RULES: JSON.stringify([{ name: 'probe-rule', levels: ['FATAL'], threshold: 1, window: '5m' }]),
            ALERT_SUBJECT_PREFIX: '[probe invoke]',
          });

          // the rules count entries committed more than the commit cursor's safety margin before the run
          await new Promise((r) => setTimeout(r, COMMIT_SAFETY_MARGIN_MS + 200));

          // Act
          const result = await run(command, args, env);

          const row = (await db.pool.query<{ subject: string; last_error: string | null }>('SELECT subject, last_error FROM alert_outbox')).rows[0];
          outcomes.push({ subject: row?.subject ?? `(no row) ${result.output}`, error: row?.last_error ?? '', exit: result.code });
        } finally {
          await db.drop();
        }
      }

      // Assess
      expect(outcomes[0]).toEqual(outcomes[1]);
      expect(outcomes[0]).toMatchObject({ subject: '[probe invoke] FIRING probe-rule: 1 FATAL in 5m (threshold 1)', exit: 0 });
      expect(outcomes[0]!.error).toContain(`127.0.0.1:${closedPort}`);
    }, 60_000);
  });
});
