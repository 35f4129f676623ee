import type { ScheduledEvent } from 'aws-lambda';
import { INGEST_SCHEDULE_PERIOD_MS, effectiveSources, readIngestConfig } from '../lib/ingest/config';
import { createPoolCache } from '../lib/platform/db';
import { failIfBlind, runIngest } from '../lib/ingest/ingest';
import { runIngestPasses } from '../lib/ingest/ingest-passes';
import type { IngestInvocationSummary } from '../lib/ingest/ingest-passes';
import { createLambdaClient, evaluationRequester } from '../lib/ingest/evaluation-request';
import { wrapJob } from '../lib/platform/lambda';
import { logger } from '../lib/platform/logger';
import { ingestMetrics } from '../lib/ingest/ingest-metrics';
import { createMetricEmitter } from '../lib/platform/metrics';
import { isS3Event, s3EventObjects } from '../lib/platform/job-events';
import type { S3NotificationEvent } from '../lib/platform/job-events';
import { createS3Client } from '../lib/ingest/s3-client';
import { isS3Source } from '../lib/ingest/sources';

// Built once per container: a bad configuration fails the cold start, loudly.
const config = readIngestConfig(process.env);
const pools = createPoolCache();
const metrics = createMetricEmitter('ingest');
const s3 = effectiveSources(config).some(isS3Source) ? createS3Client({ forcePathStyle: config.s3ForcePathStyle }) : undefined;
const requestEvaluation =
  config.alertFunctionName === null ? undefined : evaluationRequester({ lambda: createLambdaClient(), functionName: config.alertFunctionName, logger });

export const handler = wrapJob<ScheduledEvent | S3NotificationEvent | undefined, IngestInvocationSummary>('ingest', async (event, run) => {
  const shouldStop = () => run.signal.aborted || run.remainingMs() < config.stopMarginMs;
  // an S3 event notification: read the objects it names now, once (no polling)
  const objects = isS3Event(event) ? s3EventObjects(event) : undefined;
  const invocation = await runIngestPasses({
    plan: { pollIntervalMs: objects ? 0 : config.pollIntervalMs, periodMs: INGEST_SCHEDULE_PERIOD_MS, stopMarginMs: config.stopMarginMs },
    runPass: () => runIngest({ pool: pools.poolFor(run.databaseUrl()), config, logger, shouldStop, s3, objects }),
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
