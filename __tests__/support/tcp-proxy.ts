import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** A URL like `url` with its host and port pointing at the proxy. */
  urlFor: (url: string) => string;
  /** Stop listening and reset every open connection: clients see ECONNREFUSED / a dropped connection. */
  cut: () => Promise<void>;
  /** Listen again on the same port. */
  restore: () => Promise<void>;
  /** Connections forwarded so far. */
  connections: () => number;
  close: () => Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 in front of `targetPort` that a test can cut and
 * restore, so a database outage can be staged without disturbing the server
 * other tests share.
 */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let count = 0;
  const onConnection = (client: net.Socket): void => {
    count += 1;
    const upstream = net.connect({ port: targetPort, host: '127.0.0.1', noDelay: true });
    // without it Nagle + delayed ACKs add ~40 ms to every round trip
    client.setNoDelay(true);
    open.add(client);
    open.add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  };
  let server = net.createServer(onConnection);
  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
    });
  const port = await listen(0);
  const stop = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of open) socket.resetAndDestroy();
    open.clear();
    await closed;
  };
  return {
    port,
    urlFor: (url) => {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    cut: stop,
    restore: async () => {
      server = net.createServer(onConnection);
      await listen(port);
    },
    connections: () => count,
    close: async () => {
      if (server.listening) await stop();
    },
  };
}
