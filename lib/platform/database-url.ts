import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors';

type Env = Record<string, string | undefined>;

const POSTGRES_URL = /^postgres(ql)?:\/\//;

/**
 * Name of the SSM parameter (a SecureString) that holds the connection string,
 * or undefined when DATABASE_URL is set: a plain DATABASE_URL (local stage,
 * tests, scripts) always wins, so a stray DATABASE_URL_PARAMETER in a shell
 * never sends a local run to AWS.
 *
 * @example
 *   databaseUrlParameter({ DATABASE_URL_PARAMETER: '/logmon/prod/database-url' }); // '/logmon/prod/database-url'
 */
export function databaseUrlParameter(env: Env): string | undefined {
  if (env.DATABASE_URL?.trim()) return undefined;
  return env.DATABASE_URL_PARAMETER?.trim() || undefined;
}

/**
 * The PostgreSQL connection string: DATABASE_URL when set, else the value
 * read from the SSM parameter named by DATABASE_URL_PARAMETER (`fromSecret`,
 * fetched by the middy stack in lib/platform/lambda.ts). Errors name the parameter,
 * never the value.
 *
 * @example
 *   resolveDatabaseUrl({ DATABASE_URL: 'postgres://localhost/logmon' }); // 'postgres://localhost/logmon'
 */
export function resolveDatabaseUrl(env: Env, fromSecret?: unknown): string {
  return withDatabaseCa(readDatabaseUrl(env, fromSecret), env);
}

function readDatabaseUrl(env: Env, fromSecret?: unknown): string {
  const url = env.DATABASE_URL?.trim();
  if (url) return url;
  const parameter = databaseUrlParameter(env);
  if (!parameter) throw new ConfigError('no database configured: set DATABASE_URL (or DATABASE_URL_PARAMETER in AWS)');
  if (typeof fromSecret !== 'string' || fromSecret.trim() === '') {
    throw new ConfigError(`SSM parameter ${parameter} gave no database URL`, { parameter });
  }
  const secret = fromSecret.trim();
  if (!POSTGRES_URL.test(secret)) {
    throw new ConfigError(`SSM parameter ${parameter} does not hold a postgres:// URL`, { parameter });
  }
  return secret;
}

/**
 * The file DATABASE_CA_FILE names, as an absolute path: as given when
 * absolute, else the first folder of `dirs` that has it (the working folder,
 * then the function's package, LAMBDA_TASK_ROOT, where a deploy's
 * `databaseCaFile` is packaged). Undefined when the variable is unset.
 */
export function databaseCaFile(
  env: Env,
  dirs: readonly string[] = [process.cwd(), ...(env.LAMBDA_TASK_ROOT ? [env.LAMBDA_TASK_ROOT] : [])],
): string | undefined {
  const name = env.DATABASE_CA_FILE?.trim();
  if (!name) return undefined;
  const candidates = path.isAbsolute(name) ? [name] : dirs.map((dir) => path.join(dir, name));
  const found = candidates.find((file) => fs.existsSync(file));
  if (!found) throw new ConfigError(`DATABASE_CA_FILE names ${name}, which does not exist (looked in ${candidates.join(', ')})`, { name: 'DATABASE_CA_FILE' });
  return found;
}

/**
 * The connection string made to trust the CA of DATABASE_CA_FILE (a private
 * CA's certificate, PEM) and only it: `sslrootcert` is added, and
 * `sslmode=verify-full` unless the URL says otherwise, so the server's
 * certificate is checked against the CA and its host name. A URL that
 * names its own `sslrootcert` is left as it is.
 *
 * @example
 *   withDatabaseCa('postgres://db.internal/logmon', { DATABASE_CA_FILE: '/etc/ssl/db-ca.pem' });
 *   // 'postgres://db.internal/logmon?sslrootcert=%2Fetc%2Fssl%2Fdb-ca.pem&sslmode=verify-full'
 */
export function withDatabaseCa(url: string, env: Env, dirs?: readonly string[]): string {
  const file = databaseCaFile(env, dirs);
  if (file === undefined || /[?&]sslrootcert=/.test(url)) return url;
  const extra = [`sslrootcert=${encodeURIComponent(file)}`, ...(/[?&]sslmode=/.test(url) ? [] : ['sslmode=verify-full'])];
  return `${url}${url.includes('?') ? '&' : '?'}${extra.join('&')}`;
}
