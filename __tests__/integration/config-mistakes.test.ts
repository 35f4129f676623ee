// Configuration mistakes that used to be accepted silently (issue 15, item 7):
// LOG_LEVELS="," moved checkpoints past ERROR entries that were never stored;
// LOG_FILES empty, naming a directory, or matching no file exited 0. Each is
// now refused at start-up (the function's cold start and npm run check-config
// say the same words) or, when no configured file exists at all, fails the
// run after recording it. Real PostgreSQL, real files, the real handler.
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import type { IngestInvocationSummary } from '../../lib/ingest/ingest-passes';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { makeTempDir } from '../support/files';
import { fakeContext } from '../support/lambda';
import { npmRun } from '../support/npm-run';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-alerts';
type IngestHandler = (event: unknown, context: Context) => Promise<IngestInvocationSummary>;

describe('Configuration mistakes', () => {
  let db: TestDatabase;
  let dir: string;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  beforeEach(() => {
    dir = makeTempDir('logmon-mistakes-');
  });

  afterEach(() => {
    process.env = { ...savedEnv };
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The ingest handler loaded with `vars` (its configuration is read when the module loads, as at a cold start). */
  function loadIngestHandler(vars: Record<string, string>): IngestHandler {
    Object.assign(process.env, { DATABASE_URL: db.url, LOG_TIMEZONE: 'UTC', MULTILINE_FLUSH_MS: '0', POWERTOOLS_LOG_LEVEL: 'SILENT', ...vars });
    let handler: IngestHandler | undefined;
    jest.isolateModules(() => {
      handler = require('../../handlers/ingest').handler;
    });
    return handler!;
  }

  it.each([
    ['LOG_LEVELS naming no level', { LOG_LEVELS: ',' }, /LOG_LEVELS "," names no level/],
    ['LOG_FILES naming no file', { LOG_FILES: ' , ' }, /LOG_FILES " , " names no file/],
  ])('refuses %s at start-up, and check-config says the same', async (_, vars, words) => {
    // Prepare
    fs.writeFileSync(path.join(dir, 'app.log'), '2026-11-23 10:00:00 [ERROR] boom\n');
    const env = { LOG_FILES: path.join(dir, 'app.log'), ...vars };

    // Act
    const load = () => loadIngestHandler(env);
    const check = await npmRun(['check-config'], { DATABASE_URL: db.url, ALERT_TOPIC_ARN: TOPIC, ...env });

    // Assess
    expect(load).toThrow(words);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(words);
  });

  it('refuses a configured path that is a directory at start-up, naming the glob meant', async () => {
    // Prepare
    const logs = path.join(dir, 'logs');
    fs.mkdirSync(logs);
    fs.writeFileSync(path.join(logs, 'app.log'), '2026-11-23 10:00:00 [ERROR] boom\n');

    // Act
    const load = () => loadIngestHandler({ LOG_FILES: logs });
    const check = await npmRun(['check-config'], { DATABASE_URL: db.url, ALERT_TOPIC_ARN: TOPIC, LOG_FILES: logs });

    // Assess
    expect(load).toThrow(`"${logs}" is a directory, not a log file: name its files, e.g. "${path.join(logs, '*.log')}"`);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('is a directory, not a log file');
  });

  it.each([
    ['a path that does not exist', 'missing.log'],
    ['a glob that matches no file', 'logs/*.log'],
  ])('fails the run (non-zero exit) when the only configured file is %s, after recording the run', async (_, relative) => {
    // Prepare
    const handler = loadIngestHandler({ LOG_FILES: path.join(dir, relative) });

    // Act
    const outcome = await handler({}, fakeContext()).then(
      () => null,
      (err: Error) => err,
    );

    // Assess: the error names the pattern; the run is recorded, unmatched (the source-missing health rule reads it)
    expect(outcome?.name).toBe('NoSourcesError');
    expect(outcome?.message).toContain(`no configured file exists, nothing was read: ${path.join(dir, relative)}`);
    const run = await db.pool.query<{ unmatched_patterns: string[] }>('SELECT unmatched_patterns FROM ingest_runs ORDER BY started_at DESC LIMIT 1');
    expect(run.rows[0]!.unmatched_patterns).toEqual([path.join(dir, relative)]);
  });

  it('does not fail a run that read a file when another configured one is missing (the health rule names that one)', async () => {
    // Prepare
    fs.writeFileSync(path.join(dir, 'app.log'), '2026-11-23 10:00:00 [ERROR] boom\n');
    const handler = loadIngestHandler({ LOG_FILES: `${path.join(dir, 'app.log')},${path.join(dir, 'gone.log')}` });

    // Act
    const { passes } = await handler({}, fakeContext('ingest'));

    // Assess
    const summary = passes[0]!;
    expect(summary.noFileFor).toBeNull();
    expect(summary.totals.entriesStored).toBe(1);
    expect(summary.files.find((f) => f.path.endsWith('gone.log'))).toMatchObject({ outcome: 'missing' });
  });
});
