import { ConfigError } from './errors';

/** Environment variables as the handlers and scripts receive them. */
export type Env = Record<string, string | undefined>;

export function list(value: string | undefined, fallback: string[]): string[] {
  if (value === undefined || value.trim() === '') return fallback;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Parse a non-negative integer variable, naming it when it is wrong. */
export function intVar(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`${name} must be an integer >= ${min}, got "${raw}"`, { name, raw });
  }
  return value;
}

/** Throws ConfigError unless `zone` is an IANA zone this runtime knows. */
export function checkTimeZone(zone: string, name = 'LOG_TIMEZONE'): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch (err) {
    throw new ConfigError(`${name} "${zone}" is not a known IANA time zone`, { name, zone }, { cause: err });
  }
  return zone;
}
