// SSM that never answers (a subnet with no route to it looks like this): the
// run ends well inside the function's time limit with one clear error that
// names the parameter and the likely cause, instead of a runtime timeout.
import net from 'node:net';
import type { Context } from 'aws-lambda';
import { wrapJob } from '../../lib/platform/lambda';

describe('Fault: SSM never answers', () => {
  let server: net.Server;
  let port = 0;
  const sockets: net.Socket[] = [];

  beforeAll(async () => {
    // Accepts connections and never writes a byte.
    server = net.createServer((socket) => {
      sockets.push(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('fails within its SSM time limit, naming the parameter and the missing route', async () => {
    // Prepare
    const env = {
      DATABASE_URL_PARAMETER: '/logmon/test/database-url',
      SSM_TIMEOUT_MS: '300',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    };
    const saved = { ...process.env };
    Object.assign(process.env, env, { AWS_ENDPOINT_URL_SSM: `http://127.0.0.1:${port}` });
    const handler = wrapJob('test', async () => 'ran', { env });
    const context = { getRemainingTimeInMillis: () => 60_000, functionName: 'test', awsRequestId: 'r1' } as unknown as Context;
    const started = Date.now();

    // Act
    let error: unknown;
    try {
      await handler({}, context);
    } catch (err) {
      error = err;
    } finally {
      process.env = saved;
    }

    // Assess
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(String((error as Error)?.message)).toMatch(/SSM parameter \/logmon\/test\/database-url: SSM did not answer within 300 ms .*no route to SSM/);
    expect(sockets.length).toBeGreaterThan(0);
  });
});
