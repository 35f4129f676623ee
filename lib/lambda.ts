import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { describeError } from './errors';
import { logger } from './logger';

/** What a job gets from the Lambda runtime, in a shape tests can fake. */
export interface RunContext {
  /** Aborted by middy shortly before the Lambda time limit. */
  signal: AbortSignal;
  /** Milliseconds left before the time limit (Infinity outside Lambda). */
  remainingMs: () => number;
}

/** Ms before the time limit at which middy aborts the signal. */
const TIMEOUT_EARLY_MS = 2000;

/**
 * The one place that composes the middy stack: Powertools logger context,
 * an abort signal before the time limit, and a logged, rethrown failure.
 *
 * @example
 *   export const handler = wrapJob('ingest', async (event, run) => runIngest({ ... }));
 */
export function wrapJob<TEvent, TResult>(name: string, job: (event: TEvent, run: RunContext) => Promise<TResult>) {
  const lambdaHandler = async (event: TEvent, context: Context, opts?: { signal: AbortSignal }): Promise<TResult> => {
    const remainingMs = typeof context?.getRemainingTimeInMillis === 'function' ? () => context.getRemainingTimeInMillis() : () => Infinity;
    try {
      return await job(event, { signal: opts?.signal ?? new AbortController().signal, remainingMs });
    } catch (err) {
      logger.error(`${name} failed`, { error: describeError(err) });
      throw err;
    }
  };
  return middy<TEvent, TResult>(lambdaHandler as never, { timeoutEarlyInMillis: TIMEOUT_EARLY_MS }).use(injectLambdaContext(logger));
}
