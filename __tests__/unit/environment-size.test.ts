import { describeEnvironmentSize, environmentSizes, LAMBDA_ENVIRONMENT_LIMIT_BYTES } from '../../lib/status/environment-size';

const ALERT = { name: 'alert', variables: { ALERT_RULES: '${param:alertRules}', LOG_LEVEL: 'INFO', ALERT_TOPIC_ARN: '${param:alertTopicArn}' } };

describe("A function's environment against Lambda's 4 KB", () => {
  it("counts the shell's value of each variable, serverless.yml's literal where the shell sets none, and an unresolved reference as empty", () => {
    // Act
    const [size] = environmentSizes({ ALERT_RULES: 'x'.repeat(100) }, [ALERT]);

    // Assess
    expect(size).toEqual({
      function: 'alert',
      bytes: Buffer.byteLength(JSON.stringify({ ALERT_RULES: 'x'.repeat(100), LOG_LEVEL: 'INFO', ALERT_TOPIC_ARN: '' })),
      largest: [
        { name: 'ALERT_RULES', bytes: 100 },
        { name: 'LOG_LEVEL', bytes: 4 },
        { name: 'ALERT_TOPIC_ARN', bytes: 0 },
      ],
    });
  });

  it('is within the limit at exactly 4,096 bytes and over it one byte later, naming the largest variables', () => {
    // Prepare: the JSON around ALERT_RULES' value
    const overhead = environmentSizes({ ALERT_RULES: '' }, [ALERT])[0]!.bytes;
    const at = (n: number) => describeEnvironmentSize(environmentSizes({ ALERT_RULES: 'r'.repeat(n) }, [ALERT])[0]!);

    // Act
    const atLimit = at(LAMBDA_ENVIRONMENT_LIMIT_BYTES - overhead);
    const over = at(LAMBDA_ENVIRONMENT_LIMIT_BYTES - overhead + 1);

    // Assess
    expect(atLimit).toEqual({ ok: true, line: "environment: alert 4,096 of Lambda's 4,096 bytes" });
    expect(over.ok).toBe(false);
    expect(over.line).toContain(
      `environment: alert would take 4,097 bytes, over Lambda's 4,096: Lambda refuses to deploy it (largest: ALERT_RULES ${(LAMBDA_ENVIRONMENT_LIMIT_BYTES - overhead + 1).toLocaleString('en-US')} bytes`,
    );
  });

  it('counts bytes, not characters, of values outside ASCII', () => {
    // Act
    const [size] = environmentSizes({ ALERT_RULES: 'é' }, [{ name: 'alert', variables: { ALERT_RULES: '' } }]);

    // Assess
    expect(size?.largest[0]).toEqual({ name: 'ALERT_RULES', bytes: 2 });
  });
});
