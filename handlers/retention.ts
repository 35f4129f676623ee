import type { ScheduledEvent } from 'aws-lambda';
import { readRetentionConfig } from '../lib/retention/config';
import { createPoolCache } from '../lib/platform/db';
import { wrapJob } from '../lib/platform/lambda';
import { logger } from '../lib/platform/logger';
import { runRetention } from '../lib/retention/retention';
import type { RetentionSummary } from '../lib/retention/retention';
import { retentionMetrics } from '../lib/retention/retention-metrics';
import { createMetricEmitter } from '../lib/platform/metrics';

// Built once per container: a bad RETENTION_DAYS fails the cold start, loudly.
const config = readRetentionConfig(process.env);
const pools = createPoolCache();
const metrics = createMetricEmitter('retention');

export const handler = wrapJob<ScheduledEvent | undefined, RetentionSummary>('retention', async (_event, run) => {
  const summary = await runRetention({
    pool: pools.poolFor(run.databaseUrl()),
    config,
    logger,
    shouldStop: () => run.signal.aborted || run.remainingMs() < config.stopMarginMs,
  });
  logger.info('retention run finished', {
    runId: summary.runId,
    cutoff: summary.cutoff,
    durationMs: summary.durationMs,
    stoppedEarly: summary.stoppedEarly,
    deleted: { entries: summary.entries.deleted, anomalies: summary.anomalies.deleted, sentNotifications: summary.sentNotifications.deleted },
  });
  metrics.emit(retentionMetrics(summary));
  return summary;
});
