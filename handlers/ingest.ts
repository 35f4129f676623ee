import type { ScheduledEvent } from 'aws-lambda';
import { readIngestConfig } from '../lib/config';
import { resolveDatabaseUrl } from '../lib/database-url';
import { createPool } from '../lib/db';
import type { Pool } from '../lib/db';
import { runIngest } from '../lib/ingest';
import type { IngestSummary } from '../lib/ingest';
import { wrapJob } from '../lib/lambda';
import { logger } from '../lib/logger';

// Built once per container: a bad configuration fails the cold start, loudly.
const config = readIngestConfig(process.env);
let pool: Pool | undefined;

export const handler = wrapJob<ScheduledEvent | undefined, IngestSummary>('ingest', async (_event, run) => {
  pool ??= createPool(resolveDatabaseUrl(process.env));
  const summary = await runIngest({
    pool,
    config,
    logger,
    shouldStop: () => run.signal.aborted || run.remainingMs() < config.stopMarginMs,
  });
  logger.info('ingest run finished', { runId: summary.runId, durationMs: summary.durationMs, totals: summary.totals, stoppedEarly: summary.stoppedEarly });
  return summary;
});
