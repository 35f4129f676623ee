// A second embedded PostgreSQL in a process of its own, driven over stdin, for
// tests that stop and restart a server (jest cannot load the ESM wrapper).
// argv[2]: JSON options for startEmbeddedPostgres (baseDir, persistent, postgresFlags).
// stdin lines: `stop`, `start`; stdout: one JSON line per event
// ({ event: 'started', url, port, dataDir } | { event: 'stopped' } | { event: 'error', message }).
// The server is stopped when stdin closes.
import readline from 'node:readline';
import { startEmbeddedPostgres } from '../../scripts/embedded-db.mjs';

const options = JSON.parse(process.argv[2] ?? '{}');
const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
let handle = null;

async function start() {
  handle = await startEmbeddedPostgres({ ...options, port: handle?.port ?? options.port });
  say({ event: 'started', url: handle.url, port: handle.port, dataDir: handle.dataDir });
}

async function stop() {
  if (handle) await handle.stop();
  say({ event: 'stopped' });
}

const commands = { start, stop };
let queue = Promise.resolve();
const run = (name) => {
  queue = queue.then(() => commands[name]()).catch((err) => say({ event: 'error', message: String(err?.message ?? err) }));
  return queue;
};

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() in commands) void run(line.trim());
});
process.stdin.on('end', () => {
  void queue.then(() => handle?.stop()).finally(() => process.exit(0));
});
void run('start');
