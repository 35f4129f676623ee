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
