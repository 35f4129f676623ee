import type { ScheduledEvent } from 'aws-lambda';
import { INGEST_SCHEDULE_PERIOD_MS, readIngestConfig } from '../lib/ingest/config';
import { createPoolCache } from '../lib/platform/db';
import { failIfBlind, runIngest } from '../lib/ingest/ingest';
import { runIngestPasses } from '../lib/ingest/ingest-passes';
import type { IngestInvocationSummary } from '../lib/ingest/ingest-passes';
import { createLambdaClient, evaluationRequester } from '../lib/ingest/evaluation-request';
import { wrapJob } from '../lib/platform/lambda';
import { logger } from '../lib/platform/logger';
import { ingestMetrics } from '../lib/ingest/ingest-metrics';
import { createMetricEmitter } from '../lib/platform/metrics';

// Built once per container: a bad configuration fails the cold start, loudly.
const config = readIngestConfig(process.env);
const pools = createPoolCache();
const metrics = createMetricEmitter('ingest');
const requestEvaluation =
  config.alertFunctionName === null ? undefined : evaluationRequester({ lambda: createLambdaClient(), functionName: config.alertFunctionName, logger });

export const handler = wrapJob<ScheduledEvent | undefined, IngestInvocationSummary>('ingest', async (_event, run) => {
  const shouldStop = () => run.signal.aborted || run.remainingMs() < config.stopMarginMs;
  const invocation = await runIngestPasses({
    plan: { pollIntervalMs: config.pollIntervalMs, periodMs: INGEST_SCHEDULE_PERIOD_MS, stopMarginMs: config.stopMarginMs },
    runPass: () => runIngest({ pool: pools.poolFor(run.databaseUrl()), config, logger, shouldStop }),
    afterPass: (pass, index) => {
      const { runId, durationMs, totals, stoppedEarly } = pass;
      // a polling invocation's quiet passes are not each worth a line
      const log = index === 0 || totals.entriesStored > 0 || totals.bytesLost > 0 ? logger.info.bind(logger) : logger.debug.bind(logger);
      log('ingest run finished', { runId, pass: index + 1, durationMs, totals, stoppedEarly });
      metrics.emit(ingestMetrics(pass));
      failIfBlind(pass);
    },
    requestEvaluation,
    remainingMs: run.remainingMs,
    aborted: () => run.signal.aborted,
  });
  return invocation;
});
