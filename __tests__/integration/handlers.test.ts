import fs from 'node:fs';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { logLine, makeTempDir } from '../support/files';

const EVENTS_DIR = path.resolve(__dirname, '../../events');
const readEvent = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(EVENTS_DIR, name), 'utf8'));
const context = { functionName: 'logmon-test', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60000 } as unknown as Context;

type Handler = (event: unknown, context: Context) => Promise<Record<string, unknown>>;

/** The run id of an ingest invocation's first pass. */
const runIdOf = (summary: Record<string, unknown>): unknown => (summary as { passes: { runId: string }[] }).passes[0]?.runId;

/** A context whose time limit is `ms` from now. */
function contextWithLimit(ms: number): Context {
  const end = Date.now() + ms;
  return { ...context, getRemainingTimeInMillis: () => end - Date.now() } as unknown as Context;
}

interface Invocation {
  totals: { entriesStored: number };
  passes: { runId: string; totals: { entriesStored: number } }[];
}

/** The handler module as Lambda loads it: env read at import, in a module registry of its own. */
function loadHandler(name: string, env: Record<string, string>): Handler {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    let handler: Handler | undefined;
    jest.isolateModules(() => {
      handler = (require(`../../handlers/${name}`) as { handler: Handler }).handler;
    });
    return handler!;
  } finally {
    process.env = saved;
  }
}

describe('handlers on the sample events of events/', () => {
  let db: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = makeTempDir();
  });

  afterAll(async () => {
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ingest stores the new entries of the files in LOG_FILES on events/scheduled.json', async () => {
    const file = path.join(dir, 'app.log');
    fs.writeFileSync(file, logLine('ERROR', 'from the handler', 1));
    const handler = loadHandler('ingest', { DATABASE_URL: db.url, LOG_FILES: file, MULTILINE_FLUSH_MS: '0' });

    const summary = await handler(readEvent('scheduled.json'), context);

    expect(summary).toMatchObject({ totals: expect.objectContaining({ entriesStored: 1, files: 1 }) });
  });

  it('retention prunes on events/scheduled.json and returns its summary', async () => {
    await db.pool.query(
      `INSERT INTO log_entries (logged_at, level, message, source_id, byte_offset) VALUES (now() - interval '40 days', 'ERROR', 'ancient', 1, 0)`,
    );
    const handler = loadHandler('retention', { DATABASE_URL: db.url });

    const summary = await handler(readEvent('scheduled.json'), context);

    expect(summary).toMatchObject({ stoppedEarly: false, entries: { deleted: 1, batches: 1, complete: true } });
  });

  it('logs structured JSON through the one logger: per file the run id, counts and lag in bytes, per run the duration and totals', async () => {
    const file = path.join(dir, 'logged.log');
    fs.writeFileSync(file, logLine('ERROR', 'one', 1) + logLine('INFO', 'two', 2));
    const handler = loadHandler('ingest', { DATABASE_URL: db.url, LOG_FILES: file, MULTILINE_FLUSH_MS: '0', POWERTOOLS_LOG_LEVEL: 'INFO' });
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(chunk.toString());
      return true;
    });

    let summary: Record<string, unknown>;
    try {
      summary = await handler(readEvent('scheduled.json'), context);
    } finally {
      write.mockRestore();
    }

    const logs = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const perFile = logs.find((l) => l.message === 'file ingested' && l.path === file);
    const perRun = logs.find((l) => l.message === 'ingest run finished');
    expect(perFile).toMatchObject({
      level: 'INFO',
      service: 'logmon',
      runId: runIdOf(summary),
      path: file,
      lines: 2,
      entriesStored: 1,
      entriesSkipped: 1,
      lagBytes: 0,
    });
    expect(perRun).toMatchObject({
      runId: runIdOf(summary),
      durationMs: expect.any(Number),
      totals: expect.objectContaining({ entriesStored: 1, lagBytes: 0 }),
    });
    expect(perRun).toMatchObject({ function_request_id: 'req-1' });
  });

  it("ingest stores a file's last entry in the same invocation once the file has been quiet for MULTILINE_FLUSH_MS, not a minute later", async () => {
    // Prepare: a FATAL just written, last in its file (a stack trace could still follow it)
    const file = path.join(dir, 'last-entry.log');
    fs.writeFileSync(file, logLine('INFO', 'starting', 1) + logLine('FATAL', 'out of memory', 2));
    const handler = loadHandler('ingest', { DATABASE_URL: db.url, LOG_FILES: file, MULTILINE_FLUSH_MS: '1500', POWERTOOLS_LOG_LEVEL: 'SILENT' });

    // Act
    const started = Date.now();
    const invocation = (await handler(readEvent('scheduled.json'), context)) as unknown as Invocation;

    // Assess: the first pass held it, a second pass 1.5 s after the write stored it
    expect(invocation.passes.map((p) => p.totals.entriesStored)).toEqual([0, 1]);
    expect(invocation.totals.entriesStored).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    const stored = await db.pool.query<{ message: string }>("SELECT message FROM log_entries WHERE level = 'FATAL' AND message LIKE '%out of memory%'");
    expect(stored.rows).toHaveLength(1);
  });

  it('ingest in the low-latency mode (INGEST_POLL_INTERVAL) stores an entry written while the invocation runs, at its next pass', async () => {
    // Prepare
    const file = path.join(dir, 'polled.log');
    fs.writeFileSync(file, logLine('INFO', 'starting', 1));
    const handler = loadHandler('ingest', {
      DATABASE_URL: db.url,
      LOG_FILES: file,
      MULTILINE_FLUSH_MS: '0',
      INGEST_POLL_INTERVAL: '1s',
      INGEST_STOP_MARGIN_MS: '1000',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });

    // Act: the function's time limit ends the polling (middy aborts 2 s before it)
    const running = handler(readEvent('scheduled.json'), contextWithLimit(7000));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    fs.appendFileSync(file, logLine('FATAL', 'written while polling', 3));
    const invocation = (await running) as unknown as Invocation;

    // Assess
    const stored = invocation.passes.map((p) => p.totals.entriesStored);
    expect(stored.length).toBeGreaterThanOrEqual(3);
    expect(stored[0]).toBe(0);
    expect(stored.reduce((a, b) => a + b, 0)).toBe(1);
    const rows = await db.pool.query("SELECT 1 FROM log_entries WHERE message LIKE '%written while polling%'");
    expect(rows.rowCount).toBe(1);
  });

  it('events/sns-notification.json carries the message attributes subscription filter policies may use', () => {
    const { parseEmailFilters } = require('../../scripts/deploy-params.cjs') as { parseEmailFilters: (text: string, emails: string[]) => unknown };
    const event = readEvent('sns-notification.json') as { Records: { Sns: { MessageAttributes: Record<string, { Type: string; Value: string }> } }[] };
    const attributes = event.Records[0]!.Sns.MessageAttributes;
    const policy = Object.fromEntries(Object.entries(attributes).map(([name, a]) => [name, [a.Value]]));

    expect(Object.keys(attributes).sort()).toEqual(['host', 'kind', 'rule', 'service', 'severity', 'state']);
    expect(() => parseEmailFilters(JSON.stringify({ 'oncall@example.com': policy }), ['oncall@example.com'])).not.toThrow();
  });
});
