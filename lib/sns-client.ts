import { SNSClient } from '@aws-sdk/client-sns';

export interface SnsClientOptions {
  /** The topic published to: its region is the client's region. */
  topicArn: string;
  /** Time limit of one request attempt. */
  timeoutMs: number;
  /** Overrides AWS_ENDPOINT_URL_SNS, which the SDK reads by itself (tests pass it here). */
  endpoint?: string;
  maxAttempts?: number;
}

type SdkErrorShape = { name?: unknown; $metadata?: { httpStatusCode?: number } } | null | undefined;

/**
 * Error names (SNS's codes) saying SNS is too busy, not that the message is
 * wrong. Over the query protocol `Throttling` comes as an HTTP 400, the
 * status of a rejected message.
 */
const THROTTLING_NAMES = new Set(['Throttling', 'ThrottlingException', 'Throttled', 'ThrottledException', 'RequestThrottled', 'TooManyRequestsException', 'KMSThrottlingException']);

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

/** The region of an SNS topic ARN (arn:aws:sns:REGION:account:name). */
export function regionOfTopic(topicArn: string): string | undefined {
  return topicArn.split(':')[3] || undefined;
}

/**
 * The SNS client of the alert job: the topic's region, a request time limit
 * (a hung endpoint must not hold an outbox row lock until the Lambda dies)
 * and the SDK's retries. Credentials come from the SDK's default chain
 * (the Lambda role; AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY locally).
 *
 * @example
 *   const sns = createSnsClient({ topicArn: config.topicArn, timeoutMs: config.snsTimeoutMs });
 */
export function createSnsClient(options: SnsClientOptions): SNSClient {
  return new SNSClient({
    region: regionOfTopic(options.topicArn),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    // unset: the SDK's default (AWS_MAX_ATTEMPTS, else 3 attempts with backoff)
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    requestHandler: { connectionTimeout: Math.min(options.timeoutMs, 3000), requestTimeout: options.timeoutMs, throwOnRequestTimeout: true },
  });
}
