import { isServiceWideError, isThrottlingError } from '../../lib/alert/sns-client';

/** An error shaped as the SDK throws it: the SNS code as its name, the HTTP status in $metadata. */
function sdkError(name: string, httpStatusCode?: number): Error {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: httpStatusCode === undefined ? {} : { httpStatusCode } });
}

describe('Module: sns-client', () => {
  describe('Function: isServiceWideError', () => {
    it.each<[string, Error, boolean]>([
      ['a rejected message (400 InvalidParameter)', sdkError('InvalidParameterException', 400), false],
      ['a message SNS finds invalid (400 InvalidParameterValue)', sdkError('InvalidParameterValueException', 400), false],
      ['throttling over the query protocol (400 Throttling)', sdkError('Throttling', 400), true],
      ["throttling of the topic's key (400 KMSThrottling)", sdkError('KMSThrottlingException', 400), true],
      ['a disabled key (400 KMSDisabled)', sdkError('KMSDisabledException', 400), true],
      ['429 Throttled', sdkError('ThrottledException', 429), true],
      ['500 InternalError', sdkError('InternalErrorException', 500), true],
      ['403 AuthorizationError', sdkError('AuthorizationErrorException', 403), true],
      ['404 NotFound (no such topic)', sdkError('NotFoundException', 404), true],
      ['a timeout (no HTTP status)', sdkError('TimeoutError'), true],
      ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), true],
    ])('%s: %s', (_label, err, expected) => {
      expect(isServiceWideError(err)).toBe(expected);
    });
  });

  describe('Function: isThrottlingError', () => {
    it.each<[Error, boolean]>([
      [sdkError('Throttling', 400), true],
      [sdkError('ThrottledException', 429), true],
      [sdkError('SomethingNew', 429), true],
      [sdkError('InvalidParameterException', 400), false],
      [sdkError('InternalErrorException', 500), false],
    ])('%s: %s', (err, expected) => {
      expect(isThrottlingError(err)).toBe(expected);
    });
  });
});
