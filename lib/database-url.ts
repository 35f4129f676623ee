import { ConfigError } from './errors';

type Env = Record<string, string | undefined>;

/**
 * The PostgreSQL connection string: DATABASE_URL when set (local stage, tests),
 * else the value middy/ssm placed in the context from DATABASE_URL_PARAMETER
 * (deployed stage: an SSM SecureString, never in the template).
 */
export function resolveDatabaseUrl(env: Env, fromSecret?: unknown): string {
  if (typeof fromSecret === 'string' && fromSecret.length > 0) return fromSecret;
  const url = env.DATABASE_URL;
  if (url) return url;
  throw new ConfigError('no database configured: set DATABASE_URL (or DATABASE_URL_PARAMETER in AWS)');
}
