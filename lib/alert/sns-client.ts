import { SNSClient } from '@aws-sdk/client-sns';
import type { SNSClientConfig } from '@aws-sdk/client-sns';
import { intVar } from '../platform/env';
import { ALERT_DEFAULTS } from './defaults';

export interface SnsClientOptions {
  /** The topic published to: its region is the client's region. */
  topicArn: string;
  /** Time limit of one request attempt. */
  timeoutMs: number;
  /** Overrides AWS_ENDPOINT_URL_SNS, which the SDK reads by itself (tests pass it here). */
  endpoint?: string;
  /** Attempts per publish; default AWS_MAX_ATTEMPTS, else 3 (as the SDK). */
  maxAttempts?: number;
}

type RetryStrategyV2 = Extract<NonNullable<SNSClientConfig['retryStrategy']>, { acquireInitialRetryToken: unknown }>;
type RetryToken = Awaited<ReturnType<RetryStrategyV2['acquireInitialRetryToken']>>;

// The SDK's standard backoff: full jitter over base * 2^retry, capped.
const RETRY_BASE_DELAY_MS = 100;
const THROTTLING_BASE_DELAY_MS = 500;
const MAX_RETRY_DELAY_MS = 20_000;

type SdkErrorShape = { name?: unknown; $metadata?: { httpStatusCode?: number } } | null | undefined;

/**
 * Error names (SNS's codes) saying SNS is too busy, not that the message is
 * wrong. Over the query protocol `Throttling` comes as an HTTP 400, the
 * status of a rejected message.
 */
const THROTTLING_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'Throttled',
  'ThrottledException',
  'RequestThrottled',
  'TooManyRequestsException',
  'KMSThrottlingException',
]);

/** SNS refused a request for its rate (HTTP 429, or a throttling code). */
export function isThrottlingError(err: unknown): boolean {
  const e = err as SdkErrorShape;
  return e?.$metadata?.httpStatusCode === 429 || THROTTLING_NAMES.has(String(e?.name));
}

/**
 * The failure is SNS's or the topic's, not this message's: every other
 * message would fail the same way. Only an HTTP 400 that is neither
 * throttling nor about the topic's KMS key (an invalid parameter, say) is
 * this message's own.
 */
export function isServiceWideError(err: unknown): boolean {
  const e = err as SdkErrorShape;
  if (e?.$metadata?.httpStatusCode !== 400) return true;
  return isThrottlingError(err) || String(e.name).startsWith('KMS');
}

/** Socket errors raised before a connection existed: no byte of the request left this machine. */
const NOT_CONNECTED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/**
 * SNS surely did not take the message: the connection was never made
 * (refused, no route, no such host, or the connection time limit ran out,
 * which the HTTP handler raises as a `TimeoutError` without a code), or SNS
 * answered that it is too busy. Anything else may come after SNS accepted
 * it: an HTTP 5xx, a reset or closed connection, the request's own time
 * limit (`TimeoutError`, `ETIMEDOUT`).
 */
export function surelyNotTaken(err: unknown): boolean {
  if (isThrottlingError(err)) return true;
  const e = err as { name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: number } } | null | undefined;
  if (e?.$metadata?.httpStatusCode !== undefined) return false;
  if (e?.name === 'TimeoutError') return e.code === undefined;
  return NOT_CONNECTED_CODES.has(String(e?.code));
}

function retryToken(retryCount: number, delayMs: number): RetryToken {
  return { getRetryCount: () => retryCount, getRetryDelay: () => delayMs };
}

/**
 * The SDK's exponential backoff with full jitter, for the failures after
 * which SNS surely did not take the message (surelyNotTaken: throttling, no
 * connection) only. After any other (a 5xx, a reset, a timed-out request)
 * SNS may have accepted it, and each retry would publish it once more: that
 * message is left to the outbox, which the next run retries, so a failed run
 * adds at most one copy (the in-flight case of docs/alerting.md). The
 * middleware waits the token's delay, honouring the abort signal.
 */
function publishRetryStrategy(maxAttempts: number): RetryStrategyV2 {
  return {
    acquireInitialRetryToken: async () => retryToken(0, 0),
    refreshRetryTokenForRetry: async (token, info) => {
      const retries = token.getRetryCount();
      const retryable = surelyNotTaken(info.error);
      if (!retryable || retries + 1 >= maxAttempts) throw new Error('publish not retried by the SDK');
      const base = info.errorType === 'THROTTLING' ? THROTTLING_BASE_DELAY_MS : RETRY_BASE_DELAY_MS;
      return retryToken(retries + 1, Math.floor(Math.random() * Math.min(MAX_RETRY_DELAY_MS, base * 2 ** retries)));
    },
    recordSuccess: () => undefined,
  };
}

/** The region of an SNS topic ARN (arn:aws:sns:REGION:account:name). */
export function regionOfTopic(topicArn: string): string | undefined {
  return topicArn.split(':')[3] || undefined;
}

/**
 * The SNS client of the alert job: the topic's region, a request time limit
 * (a hung endpoint must not hold an outbox row lock until the Lambda dies)
 * and retries only where SNS surely did not take the message (see
 * publishRetryStrategy). Credentials come from the SDK's default chain
 * (the Lambda role; AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY locally).
 *
 * @example
 *   const sns = createSnsClient({ topicArn: config.topicArn, timeoutMs: config.snsTimeoutMs });
 */
export function createSnsClient(options: SnsClientOptions, env: Record<string, string | undefined> = process.env): SNSClient {
  const maxAttempts = options.maxAttempts ?? intVar(env, 'AWS_MAX_ATTEMPTS', ALERT_DEFAULTS.snsMaxAttempts, 1);
  return new SNSClient({
    region: regionOfTopic(options.topicArn),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    maxAttempts,
    retryStrategy: publishRetryStrategy(maxAttempts),
    requestHandler: { connectionTimeout: Math.min(options.timeoutMs, 3000), requestTimeout: options.timeoutMs, throwOnRequestTimeout: true },
  });
}
