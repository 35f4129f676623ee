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

/**
 * Parse an integer given as text (a variable's value, a script's argument),
 * naming it when it is wrong; blank or absent is `fallback`.
 *
 * @example
 *   intOption(process.argv[3], 'seconds (2nd argument)', 5, 1) // "abc" throws ConfigError
 */
export function intOption(raw: string | undefined, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new ConfigError(`${name} must be an integer ${range}, got "${raw}"`, { name, raw });
  }
  return value;
}

/** Parse a non-negative integer variable, naming it when it is wrong. */
export function intVar(env: Env, name: string, fallback: number, min = 0, max?: number): number {
  return intOption(env[name], name, fallback, min, max);
}

/** Throws ConfigError unless `zone` is an IANA zone this runtime knows. */
/** True when `zone` is an IANA zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function checkTimeZone(zone: string, name = 'LOG_TIMEZONE'): string {
  if (!isTimeZone(zone)) throw new ConfigError(`${name} "${zone}" is not a known IANA time zone`, { name, zone });
  return zone;
}
