import fs from 'node:fs';
import path from 'node:path';
import { intOption, intVar } from '../lib/platform/env';
import type { Env } from '../lib/platform/env';
import { formatLocalTimestamp } from '../lib/platform/local-time';

/** The levels and message shape of the original brief's generate_logs.sh. */
export const DEMO_LEVELS = ['INFO', 'WARNING', 'ERROR', 'FATAL'] as const;

/** `YYYY-MM-DD HH:MM:SS` of `date` in `timeZone` (the seed's format has no offset). */
export const formatTimestamp = formatLocalTimestamp;

/** One line in the seed format: `2026-11-23 10:00:00 [ERROR] This is a ERROR message`. */
export function demoLine(date: Date, level: string, timeZone = 'UTC'): string {
  return `${formatTimestamp(date, timeZone)} [${level}] This is a ${level} message\n`;
}

/** Where and how often the demo generator writes when nothing says otherwise (README: DEMO_LOG_FILE, DEMO_INTERVAL_SECONDS). */
export const DEMO_DEFAULTS = { file: 'logs/app.log', intervalSeconds: 5 } as const;

export interface DemoOptions {
  file: string;
  intervalSeconds: number;
}

/**
 * The demo generator's file and interval: the given arguments, else
 * DEMO_LOG_FILE and DEMO_INTERVAL_SECONDS, else DEMO_DEFAULTS. A bad interval
 * throws a ConfigError naming where it came from.
 *
 * @example
 *   readDemoOptions({ DEMO_INTERVAL_SECONDS: 'abc' }) // throws: DEMO_INTERVAL_SECONDS must be an integer >= 1, got "abc"
 */
export function readDemoOptions(env: Env, args: { file?: string; seconds?: string } = {}): DemoOptions {
  const intervalSeconds =
    args.seconds === undefined
      ? intVar(env, 'DEMO_INTERVAL_SECONDS', DEMO_DEFAULTS.intervalSeconds, 1)
      : intOption(args.seconds, 'the interval (seconds, 2nd argument)', DEMO_DEFAULTS.intervalSeconds, 1);
  return { file: args.file?.trim() || env.DEMO_LOG_FILE?.trim() || DEMO_DEFAULTS.file, intervalSeconds };
}

export interface GeneratorOptions {
  file: string;
  intervalMs: number;
  timeZone?: string;
  random?: () => number;
  onLine?: (line: string) => void;
}

/**
 * Append a random-level line to `file` every `intervalMs`, like generate_logs.sh.
 * Returns a function that stops it.
 */
export function startLogGenerator(options: GeneratorOptions): () => void {
  fs.mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
  const random = options.random ?? Math.random;
  const write = (): void => {
    const level = DEMO_LEVELS[Math.floor(random() * DEMO_LEVELS.length)]!;
    const line = demoLine(new Date(), level, options.timeZone);
    fs.appendFileSync(options.file, line);
    options.onLine?.(line);
  };
  write();
  const timer = setInterval(write, options.intervalMs);
  return () => clearInterval(timer);
}
