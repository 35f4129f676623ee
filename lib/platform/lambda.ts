import { SSMClient } from '@aws-sdk/client-ssm';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { MiddlewareObj, Request } from '@middy/core';
import ssm from '@middy/ssm';
import { clearCache } from '@middy/util';
import type { Context } from 'aws-lambda';
import { databaseUrlParameter, resolveDatabaseUrl } from './database-url';
import { isAuthenticationFailure } from './db';
import { intVar } from './env';
import { ConfigError, describeError } from './errors';
import { logger } from './logger';

/** What a job gets from the Lambda runtime, in a shape tests can fake. */
export interface RunContext {
  /** Aborted by middy shortly before the Lambda time limit. */
  signal: AbortSignal;
  /** Milliseconds left before middy aborts the run, TIMEOUT_EARLY_MS before the time limit (Infinity outside Lambda). */
  remainingMs: () => number;
  /** The PostgreSQL connection string: DATABASE_URL, or the SSM SecureString named by DATABASE_URL_PARAMETER. */
  databaseUrl: () => string;
}

type Env = Record<string, string | undefined>;

export interface WrapJobOptions {
  /** Where DATABASE_URL / DATABASE_URL_PARAMETER are read (default process.env, read once here). */
  env?: Env;
  /** The SSM client class; tests pass a fake with a `send` method. */
  ssmClient?: new (
    config: object,
  ) => Pick<SSMClient, 'send'>;
}

/** Time limit of one SSM request (SSM_TIMEOUT_MS), far inside the function's: a subnet with no route to SSM fails fast and says so. */
const DEFAULT_SSM_TIMEOUT_MS = 4000;
/** Attempts of the SSM read within one invocation. */
const SSM_ATTEMPTS = 2;

/** Ms before the time limit at which middy aborts the signal. */
const TIMEOUT_EARLY_MS = 2000;
/** Where @middy/ssm puts the fetched connection string in the Lambda context. */
const DATABASE_URL_CONTEXT_KEY = 'databaseUrl';

function isMiddyError(err: unknown): boolean {
  const cause = (err as { cause?: { package?: unknown } } | undefined)?.cause;
  return typeof cause?.package === 'string' && cause.package.startsWith('@middy/');
}

/** The first real reason inside middy's "Failed to resolve internal values" wrapper. */
function middyReason(err: unknown): unknown {
  const data = (err as { cause?: { data?: unknown } }).cause?.data;
  return Array.isArray(data) && data.length > 0 ? data[0] : err;
}

/**
 * Logs every failure once, with the job name. A failed SSM read becomes a
 * ConfigError naming the parameter; a password PostgreSQL refuses drops the
 * cached secret so the next invocation reads the (rotated) value again.
 */
function jobFailureMiddleware(name: string, parameter: string | undefined, cacheKey: string, ssmTimeoutMs: number): MiddlewareObj {
  const jobFailureOnError = (request: Request): void => {
    if (parameter && isMiddyError(request.error)) {
      const reason = middyReason(request.error);
      const timedOut = /timeout|timed out|ETIMEDOUT|ECONNREFUSED|EHOSTUNREACH|ENETUNREACH/i.test(`${(reason as Error)?.name} ${(reason as Error)?.message}`);
      const hint = timedOut
        ? `: SSM did not answer within ${ssmTimeoutMs} ms (${SSM_ATTEMPTS} attempts) — the function's subnets probably have no route to SSM (add a NAT gateway or an SSM interface VPC endpoint, docs/deploy.md)`
        : '';
      request.error = new ConfigError(`cannot read the database URL from SSM parameter ${parameter}${hint}`, { parameter, timedOut }, { cause: reason });
    }
    if (parameter && isAuthenticationFailure(request.error)) clearCache([cacheKey]);
    logger.error(`${name} failed`, { error: describeError(request.error) });
  };
  return { onError: jobFailureOnError };
}

/**
 * The one place that composes the middy stack: Powertools logger context, the
 * database URL from SSM when DATABASE_URL_PARAMETER is set (read with
 * decryption, cached for the life of the container), an abort signal before
 * the time limit, and a logged, rethrown failure.
 *
 * @example
 *   export const handler = wrapJob('ingest', async (event, run) => runIngest({ pool: pools.poolFor(run.databaseUrl()), ... }));
 */
export function wrapJob<TEvent, TResult>(name: string, job: (event: TEvent, run: RunContext) => Promise<TResult>, options: WrapJobOptions = {}) {
  const env = options.env ?? process.env;
  const parameter = databaseUrlParameter(env);
  const cacheKey = `ssm:${parameter ?? ''}`;
  const ssmTimeoutMs = intVar(env, 'SSM_TIMEOUT_MS', DEFAULT_SSM_TIMEOUT_MS, 100);

  const lambdaHandler = async (event: TEvent, context: Context, opts?: { signal: AbortSignal }): Promise<TResult> => {
    const remainingMs =
      typeof context?.getRemainingTimeInMillis === 'function' ? () => context.getRemainingTimeInMillis() - TIMEOUT_EARLY_MS : () => Number.POSITIVE_INFINITY;
    const fromSecret = (context as unknown as Record<string, unknown> | undefined)?.[DATABASE_URL_CONTEXT_KEY];
    return job(event, { signal: opts?.signal ?? new AbortController().signal, remainingMs, databaseUrl: () => resolveDatabaseUrl(env, fromSecret) });
  };

  const stack = middy<TEvent, TResult>(lambdaHandler as never, { timeoutEarlyInMillis: TIMEOUT_EARLY_MS }).use(injectLambdaContext(logger));
  if (parameter) {
    stack.use(
      ssm({
        AwsClient: (options.ssmClient ?? SSMClient) as typeof SSMClient,
        fetchData: { [DATABASE_URL_CONTEXT_KEY]: parameter },
        awsClientOptions: {
          maxAttempts: SSM_ATTEMPTS,
          requestHandler: { requestTimeout: ssmTimeoutMs, connectionTimeout: ssmTimeoutMs, throwOnRequestTimeout: true },
        },
        setToContext: true,
        cacheKey,
        // Kept until PostgreSQL refuses it (see jobFailureMiddleware): no refresh timer, no background fetch.
        cacheExpiry: -1,
        // Fetched inside the invocation, so a failure is an error of that invocation, never an unhandled rejection at init.
        disablePrefetch: true,
      }) as MiddlewareObj,
    );
  }
  return stack.use(jobFailureMiddleware(name, parameter, cacheKey, ssmTimeoutMs));
}
