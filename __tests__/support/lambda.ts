import type { Context } from 'aws-lambda';

/** A Lambda context for calling a handler in-process: 60 s left, the function named `logmon-local-NAME`. */
export function fakeContext(name = 'alert'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `logmon-local-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:logmon-local-${name}`,
    memoryLimitInMB: '256',
    awsRequestId: 'test-request',
    logGroupName: `/aws/lambda/logmon-local-${name}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
