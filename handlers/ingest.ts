import type { ScheduledEvent } from 'aws-lambda';
import { readIngestConfig } from '../lib/ingest/config';
import { createPoolCache } from '../lib/platform/db';
import { failIfBlind, runIngest } from '../lib/ingest/ingest';
import type { IngestSummary } from '../lib/ingest/ingest';
import { wrapJob } from '../lib/platform/lambda';
import { logger } from '../lib/platform/logger';
import { ingestMetrics } from '../lib/ingest/ingest-metrics';
import { createMetricEmitter } from '../lib/platform/metrics';

// Built once per container: a bad configuration fails the cold start, loudly.
const config = readIngestConfig(process.env);
const pools = createPoolCache();
const metrics = createMetricEmitter('ingest');

export const handler = wrapJob<ScheduledEvent | undefined, IngestSummary>('ingest', async (_event, run) => {
  const summary = await runIngest({
    pool: pools.poolFor(run.databaseUrl()),
    config,
    logger,
    shouldStop: () => run.signal.aborted || run.remainingMs() < config.stopMarginMs,
  });
  logger.info('ingest run finished', { runId: summary.runId, durationMs: summary.durationMs, totals: summary.totals, stoppedEarly: summary.stoppedEarly });
  metrics.emit(ingestMetrics(summary));
  failIfBlind(summary);
  return summary;
});
