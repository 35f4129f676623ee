import type { Context } from 'aws-lambda';
import { wrapJob } from '../../lib/platform/lambda';
import type { RunContext } from '../../lib/platform/lambda';

interface SentInput {
  Names: string[];
  WithDecryption: boolean;
}

/** A stand-in for SSMClient: answers GetParameters from `values`, records what it was asked. */
function fakeSsm(values: Record<string, string>) {
  const sent: SentInput[] = [];
  class FakeSsmClient {
    public async send(command: { input: SentInput }): Promise<unknown> {
      sent.push(command.input);
      const known = command.input.Names.filter((n) => n in values);
      return {
        Parameters: known.map((Name) => ({ Name, Type: 'SecureString', Value: values[Name] })),
        InvalidParameters: command.input.Names.filter((n) => !(n in values)),
      };
    }
  }
  return { sent, FakeSsmClient };
}

const context = { functionName: 'logmon-test', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60000 } as unknown as Context;

let parameterCount = 0;
/** A parameter name of its own per test: middy caches secrets per parameter for the life of the process. */
const newParameter = (): string => `/logmon/test/database-url-${(parameterCount += 1)}`;

describe('Function: wrapJob', () => {
  describe('database URL', () => {
    it('gives the job DATABASE_URL and never asks SSM when DATABASE_URL is set', async () => {
      // Prepare
      const ssm = fakeSsm({});
      const env = { DATABASE_URL: 'postgres://local/logmon', DATABASE_URL_PARAMETER: newParameter() };
      const handler = wrapJob('test', async (_e: unknown, run: RunContext) => run.databaseUrl(), { env, ssmClient: ssm.FakeSsmClient });

      // Act
      const url = await handler({}, context);

      // Assess
      expect(url).toBe('postgres://local/logmon');
      expect(ssm.sent).toHaveLength(0);
    });

    it('reads the SSM parameter with decryption once and reuses it on the next invocations', async () => {
      const parameter = newParameter();
      const ssm = fakeSsm({ [parameter]: 'postgres://logmon:s3cret@db.internal:5432/logmon' });
      const handler = wrapJob('test', async (_e: unknown, run: RunContext) => run.databaseUrl(), {
        env: { DATABASE_URL_PARAMETER: parameter },
        ssmClient: ssm.FakeSsmClient,
      });

      const first = await handler({}, context);
      const second = await handler({}, context);

      expect([first, second]).toEqual(['postgres://logmon:s3cret@db.internal:5432/logmon', 'postgres://logmon:s3cret@db.internal:5432/logmon']);
      expect(ssm.sent).toEqual([{ Names: [parameter], WithDecryption: true }]);
    });

    it('fails naming the parameter when SSM does not have it', async () => {
      const parameter = newParameter();
      const ssm = fakeSsm({});
      const handler = wrapJob('test', async (_e: unknown, run: RunContext) => run.databaseUrl(), {
        env: { DATABASE_URL_PARAMETER: parameter },
        ssmClient: ssm.FakeSsmClient,
      });

      await expect(handler({}, context)).rejects.toMatchObject({
        name: 'ConfigError',
        message: `cannot read the database URL from SSM parameter ${parameter}`,
        cause: expect.objectContaining({ message: `InvalidParameter ${parameter}` }),
      });
    });

    it('rejects a parameter value that is not a postgres:// URL without repeating the value', async () => {
      const parameter = newParameter();
      const ssm = fakeSsm({ [parameter]: 'hunter2' });
      const handler = wrapJob('test', async (_e: unknown, run: RunContext) => run.databaseUrl(), {
        env: { DATABASE_URL_PARAMETER: parameter },
        ssmClient: ssm.FakeSsmClient,
      });

      const error = (await handler({}, context).catch((err: unknown) => err)) as Error;

      expect(error).toMatchObject({ name: 'ConfigError', message: `SSM parameter ${parameter} does not hold a postgres:// URL` });
      expect(JSON.stringify({ message: error.message, context: (error as { context?: unknown }).context })).not.toContain('hunter2');
    });

    it('reads the parameter again after PostgreSQL refuses the password (rotated secret)', async () => {
      const parameter = newParameter();
      const ssm = fakeSsm({ [parameter]: 'postgres://logmon:old@db/logmon' });
      let calls = 0;
      const handler = wrapJob(
        'test',
        async (_e: unknown, run: RunContext) => {
          calls += 1;
          const url = run.databaseUrl();
          if (calls === 1) throw Object.assign(new Error('password authentication failed for user "logmon"'), { code: '28P01' });
          return url;
        },
        { env: { DATABASE_URL_PARAMETER: parameter }, ssmClient: ssm.FakeSsmClient },
      );

      await expect(handler({}, context)).rejects.toThrow('password authentication failed');
      const url = await handler({}, context);

      expect(url).toBe('postgres://logmon:old@db/logmon');
      expect(ssm.sent).toHaveLength(2);
    });

    it('fails with a ConfigError when neither DATABASE_URL nor DATABASE_URL_PARAMETER is set', async () => {
      const handler = wrapJob('test', async (_e: unknown, run: RunContext) => run.databaseUrl(), { env: {} });

      await expect(handler({}, context)).rejects.toMatchObject({ name: 'ConfigError', message: expect.stringContaining('no database configured') });
    });
  });

  it('lets a job that needs no database run without one', async () => {
    const handler = wrapJob('test', async () => ({ ok: true }), { env: {} });

    await expect(handler({}, context)).resolves.toEqual({ ok: true });
  });
});
