// npm run check-config: the configuration (LOG_*/LOGMON_CONFIG, ALERT_*)
// checked exactly as the functions read it at start-up, with the same words,
// then each rule pattern with PostgreSQL itself when a database is reachable
// (DATABASE_URL, or the one `npm start` runs). Exit 0: the functions will
// start with it; 1: a problem (printed with its place). Each function's
// environment is also counted against Lambda's 4 KB (rules written inline
// in ALERT_RULES are what outgrows it).
import path from 'node:path';
import { createPool } from '../lib/platform/db';
import { describeError } from '../lib/platform/errors';
import { checkConfiguration } from '../lib/status/config-check';
import type { PatternCheck } from '../lib/status/config-check';
import { deployedFunctionVariables } from './function-variables';
import { localDatabaseUrl } from './local-database';
import { localEnvironment } from './local-defaults';

async function main(): Promise<number> {
  let url: string | null = null;
  try {
    url = process.env.DATABASE_URL?.trim() || localDatabaseUrl();
  } catch {
    url = null;
  }
  const pool = url ? createPool(url) : null;
  let check: PatternCheck | null = null;
  if (pool) {
    try {
      await pool.query('SELECT 1');
      check = async (pattern) => {
        try {
          await pool.query(`SELECT '' ~ $1 AS matched`, [pattern]);
          return null;
        } catch (err) {
          return (err as Error).message;
        }
      };
    } catch (err) {
      process.stdout.write(`note: no database reachable (${describeError(err)}): patterns checked by JavaScript only\n`);
    }
  } else process.stdout.write('note: no DATABASE_URL: patterns checked by JavaScript only\n');
  try {
    // the local stage's values (its topic) where the shell sets none, as npm start and invoke do
    // and each deployed function's environment, with this shell's values, against Lambda's 4 KB
    const functions = deployedFunctionVariables(path.join(__dirname, '..'));
    const result = await checkConfiguration({ ...process.env, ...localEnvironment(process.env) }, check, functions);
    for (const part of result.parts) for (const line of part.lines) process.stdout.write(`${part.ok ? 'ok' : 'PROBLEM'}  ${line}\n`);
    if (result.patternsChecked !== null) process.stdout.write(`ok  ${result.patternsChecked} pattern(s) accepted by PostgreSQL\n`);
    return result.ok ? 0 : 1;
  } finally {
    await pool?.end();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`check-config failed: ${describeError(err)}\n`);
    process.exit(1);
  },
);
