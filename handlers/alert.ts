import type { ScheduledEvent } from 'aws-lambda';
import { runAlert } from '../lib/alert/alert';
import type { AlertSummary } from '../lib/alert/alert';
import { readAlertConfig } from '../lib/alert/config';
import { createPoolCache } from '../lib/platform/db';
import { wrapJob } from '../lib/platform/lambda';
import { logger } from '../lib/platform/logger';
import { createSnsClient } from '../lib/alert/sns-client';
import { createChannels } from '../lib/alert/channels';
import { databaseNow } from '../lib/alert/evaluation-clock';
import { alertMetrics, readOutboxBacklog } from '../lib/alert/outbox-metrics';
import { createMetricEmitter } from '../lib/platform/metrics';
import { isEvaluationRequest } from '../lib/platform/job-events';
import type { EvaluationRequestEvent } from '../lib/platform/job-events';

// Built once per container: invalid rules fail the cold start, naming the rule and field.
const config = readAlertConfig(process.env);
const sns = config.topicArn ? createSnsClient({ topicArn: config.topicArn, timeoutMs: config.snsTimeoutMs }) : undefined;
const channels = createChannels(config.channels, { sns, topicArn: config.topicArn });
const pools = createPoolCache();
const metrics = createMetricEmitter('alert');

/** Publishing stops this long before the Lambda time limit; unsent rows wait for the next run. */
const STOP_MARGIN_MS = 5000;

export const handler = wrapJob<ScheduledEvent | EvaluationRequestEvent | undefined, AlertSummary>('alert', async (event, run) => {
  const pool = pools.poolFor(run.databaseUrl());
  const summary = await runAlert({
    pool,
    rules: config.rules,
    health: config.health,
    muteWindows: config.muteWindows,
    channels,
    subjectPrefix: config.subjectPrefix,
    dashboardUrl: config.dashboardUrl,
    graceMs: config.graceMs,
    groupWaitMs: config.groupWaitMs,
    lateHorizonMs: config.lateHorizonMs,
    referenceNow: databaseNow,
    logger,
    signal: run.signal,
    shouldStop: () => run.signal.aborted || run.remainingMs() < STOP_MARGIN_MS,
    // ingest just stored entries: evaluate them now, after any evaluation already running
    requested: isEvaluationRequest(event),
  });
  const { runId, durationMs, evaluation, transitions, notifications } = summary;
  const log = notifications.failed > 0 ? logger.warn.bind(logger) : logger.info.bind(logger);
  log('alert run finished', { runId, durationMs, requested: isEvaluationRequest(event), evaluation, transitions, notifications });
  // Read after the run: the outbox rows of every run (this one's failures included) that SNS has not accepted.
  metrics.emit(alertMetrics(summary, await readOutboxBacklog(pool, Date.now())));
  return summary;
});
