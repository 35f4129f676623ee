import { S3Client } from '@aws-sdk/client-s3';
import type { SourceReadErrorCode } from '../platform/errors';

export interface S3ClientOptions {
  /** Path-style addressing (`endpoint/bucket/key`): what a local S3-compatible server needs (S3_FORCE_PATH_STYLE). */
  forcePathStyle: boolean;
  /** Overrides AWS_ENDPOINT_URL_S3, which the SDK reads by itself (tests pass it here). */
  endpoint?: string;
  /** Time limit of one request attempt without an answer (connection or socket idle), ms. */
  requestTimeoutMs?: number;
}

/** One request attempt waits this long for S3 at most before it is retried (the SDK's attempts: AWS_MAX_ATTEMPTS, default 3). */
export const S3_REQUEST_TIMEOUT_MS = 10_000;

/**
 * The S3 client of the ingest job. The region, credentials and endpoint come
 * from the environment as the SDK reads them (AWS_REGION, the function's
 * role, AWS_ENDPOINT_URL_S3). Checksums are computed only where S3 requires
 * them: logmon only lists and reads.
 *
 * @example
 *   const s3 = createS3Client({ forcePathStyle: config.s3ForcePathStyle });
 */
export function createS3Client(options: S3ClientOptions): S3Client {
  const timeout = options.requestTimeoutMs ?? S3_REQUEST_TIMEOUT_MS;
  return new S3Client({
    forcePathStyle: options.forcePathStyle,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: timeout, requestTimeout: timeout, throwOnRequestTimeout: true },
  });
}

type SdkErrorShape = { name?: unknown; code?: unknown; Code?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number } } | null | undefined;

const DENIED = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AllAccessDisabled', 'AccountProblem', 'InvalidToken', 'ExpiredToken']);
const GONE = new Set(['NoSuchBucket', 'NoSuchKey', 'NotFound']);
const BUSY = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestThrottled', 'TooManyRequestsException', 'ServiceUnavailable']);
const TIMED_OUT = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeTooSkewed', 'ETIMEDOUT']);

/** An S3 failure as one line (its code, HTTP status and message) and the read-error class logmon's outcomes use. */
export interface S3Failure {
  code: SourceReadErrorCode;
  /** The S3 error code (`AccessDenied`, `NoSuchBucket`, `SlowDown`…) or the network error's. */
  s3Code: string;
  text: string;
}

/**
 * Classify an S3 (or network) failure: denied → EACCES (outcome
 * `unreadable`), no such bucket or key → ENOENT (`missing`), throttled →
 * EAGAIN, timed out → ETIMEDOUT, anything else EIO (`error`).
 *
 * @example
 *   describeS3Failure(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
 *   // → { code: 'EACCES', s3Code: 'AccessDenied', text: 'AccessDenied (HTTP 403): Access Denied' }
 */
export function describeS3Failure(err: unknown): S3Failure {
  const e = err as SdkErrorShape;
  const status = e?.$metadata?.httpStatusCode;
  const named = [e?.Code, e?.code, e?.name].find((v) => typeof v === 'string' && v !== '' && v !== 'Error' && v !== 'S3ServiceException');
  const s3Code = typeof named === 'string' ? named : status !== undefined ? `HTTP ${status}` : 'Error';
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : 'no message';
  const text = `${s3Code}${status !== undefined && !s3Code.startsWith('HTTP') ? ` (HTTP ${status})` : ''}: ${message}`;
  let code: SourceReadErrorCode = 'EIO';
  if (DENIED.has(s3Code) || status === 403) code = 'EACCES';
  else if (GONE.has(s3Code) || status === 404) code = 'ENOENT';
  else if (BUSY.has(s3Code) || status === 429 || status === 503) code = 'EAGAIN';
  else if (TIMED_OUT.has(s3Code)) code = 'ETIMEDOUT';
  return { code, s3Code, text };
}
