// npm run status: per file checkpoint and lag, per rule state and last
// notification, recent ingest anomalies, and stored entries per minute over
// the last hour. Database: DATABASE_URL, or the one `npm start` is running.
import { createPool } from '../lib/platform/db';
import { describeError } from '../lib/platform/errors';
import { readStatus } from '../lib/status/status';
import { formatStatusReport } from '../lib/status/status-report';
import { localDatabaseUrl } from './local-database';

async function main(): Promise<void> {
  const pool = createPool(localDatabaseUrl());
  try {
    const snapshot = await readStatus({ pool });
    process.stdout.write(formatStatusReport(snapshot, { timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone }));
  } finally {
    await pool.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`status failed: ${describeError(err)}\n`);
  process.exit(1);
});
