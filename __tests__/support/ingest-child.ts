// One ingest run in a process of its own, so fault tests can kill it with
// SIGKILL at any moment. It calls the same `runIngest` as handlers/ingest.ts,
// configured from the same environment variables, without the middy stack
// (which adds start-up time and nothing under test here).
//
// Protocol on stdout: `ready` once the pool exists (the run starts right
// after), then the JSON summary on one line. Exit 0 on success; on failure the
// error is written to stderr (described, never the URL) and the exit code is 1.
import { readIngestConfig } from '../../lib/ingest/config';
import { createPool } from '../../lib/platform/db';
import { describeError } from '../../lib/platform/errors';
import { runIngest } from '../../lib/ingest/ingest';

async function main(): Promise<void> {
  const config = readIngestConfig(process.env);
  const pool = createPool(process.env.DATABASE_URL ?? '', 2);
  process.stdout.write('ready\n');
  try {
    const summary = await runIngest({ pool, config });
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`ingest failed: ${describeError(err)}\n`);
  process.exitCode = 1;
});
