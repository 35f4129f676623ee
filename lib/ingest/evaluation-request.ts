import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { describeError } from '../platform/errors';
import { EVALUATION_REQUEST_SOURCE } from '../platform/job-events';
import type { EvaluationRequestEvent } from '../platform/job-events';
import type { AppLogger } from '../platform/logger';
import type { IngestSummary } from './ingest';

// After a pass stores entries, ingest asks the alert function to evaluate
// now (an asynchronous invoke: Lambda queues it and answers 202 at once;
// locally serverless offline's Lambda endpoint does the same), so a FATAL
// is evaluated seconds after it is stored rather than at the alert's next
// scheduled run. A request that fails costs only that latency: the
// schedule still evaluates every minute. Nothing is lost or doubled by an
// extra evaluation (each entry is examined by one evaluation, under its lock).

/** Time limit of the invoke request: an endpoint that does not answer must not hold the ingest run. */
const INVOKE_TIMEOUT_MS = 2000;

/** The Lambda client for evaluation requests (AWS_ENDPOINT_URL_LAMBDA, read by the SDK, points it at serverless offline locally). */
export function createLambdaClient(timeoutMs = INVOKE_TIMEOUT_MS): LambdaClient {
  return new LambdaClient({
    maxAttempts: 2,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs, throwOnRequestTimeout: true },
  });
}

export interface EvaluationRequestDeps {
  lambda: Pick<LambdaClient, 'send'>;
  /** The alert function's name or ARN (ALERT_FUNCTION_NAME). */
  functionName: string;
  logger?: AppLogger;
}

/**
 * The requester runIngestPasses calls after a pass that stored entries. It
 * never throws: a failure is logged at WARN, once per invocation of the
 * requester's failures in a row (the next success is logged at INFO).
 *
 * @example
 *   const request = evaluationRequester({ lambda: createLambdaClient(), functionName: 'logmon-prod-alert', logger });
 *   await request(pass);
 */
export function evaluationRequester(deps: EvaluationRequestDeps): (pass: IngestSummary) => Promise<void> {
  let failing = false;
  return async (pass) => {
    const event: EvaluationRequestEvent = { source: EVALUATION_REQUEST_SOURCE, runId: pass.runId, entriesStored: pass.totals.entriesStored };
    try {
      const answer = await deps.lambda.send(
        new InvokeCommand({ FunctionName: deps.functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(event)) }),
      );
      if (answer.StatusCode !== 202 || answer.FunctionError)
        throw new Error(`the invoke was answered ${answer.StatusCode} ${answer.FunctionError ?? ''}`.trim());
      if (failing) deps.logger?.info('alert evaluation requests work again', { functionName: deps.functionName });
      failing = false;
      deps.logger?.debug('alert evaluation requested', { functionName: deps.functionName, runId: pass.runId });
    } catch (err) {
      if (!failing)
        deps.logger?.warn('could not ask the alert function to evaluate now; its schedule evaluates within a minute', {
          functionName: deps.functionName,
          error: describeError(err),
          hint: 'the ingest role needs lambda:InvokeFunction on it, and a subnet without a NAT needs a Lambda VPC endpoint (docs/deploy.md)',
        });
      failing = true;
    }
  };
}
