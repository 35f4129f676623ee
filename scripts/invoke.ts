// npm run invoke -- <ingest|alert|retention> [event.json]
// One in-process run of a handler, without the serverless CLI's start-up time.
// Prints the handler's JSON summary; exits 1 with a readable message on failure.
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import { localDatabaseUrl } from './local-database';
import { localEnvironment } from './local-defaults';

const HANDLERS = ['ingest', 'alert', 'retention'] as const;
const TIME_LIMIT_MS = 15 * 60 * 1000;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || !(HANDLERS as readonly string[]).includes(name)) fail(`usage: npm run invoke -- <${HANDLERS.join('|')}> [event.json]`);
  const eventPath = process.argv[3] ?? path.join(__dirname, '..', 'events', 'scheduled.json');
  const event: unknown = fs.existsSync(eventPath) ? JSON.parse(fs.readFileSync(eventPath, 'utf8')) : {};
  try {
    process.env.DATABASE_URL = localDatabaseUrl();
  } catch (err) {
    fail(`${name} failed: ${(err as Error).message}`);
  }
  // The same environment as `serverless invoke local --stage local` (scripts/local-env.cjs): the shell's, then the local defaults.
  Object.assign(process.env, localEnvironment(process.env));
  const started = Date.now();
  const context = {
    functionName: `logmon-local-${name}`,
    awsRequestId: `local-${started}`,
    getRemainingTimeInMillis: () => TIME_LIMIT_MS - (Date.now() - started),
  } as unknown as Context;
  const { describeError } = await import('../lib/platform/errors');
  try {
    const mod = (await import(`../handlers/${name}`)) as { handler: (e: unknown, c: Context) => Promise<unknown> };
    const result = await mod.handler(event, context);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    process.exit(0);
  } catch (err) {
    fail(`${name} failed: ${describeError(err)}`);
  }
}

void main();
