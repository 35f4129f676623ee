import fs from 'node:fs';
import path from 'node:path';
import { formatLocalTimestamp } from '../lib/platform/local-time';

/** The levels and message shape of the original brief's generate_logs.sh. */
export const DEMO_LEVELS = ['INFO', 'WARNING', 'ERROR', 'FATAL'] as const;

/** `YYYY-MM-DD HH:MM:SS` of `date` in `timeZone` (the seed's format has no offset). */
export const formatTimestamp = formatLocalTimestamp;

/** One line in the seed format: `2026-11-23 10:00:00 [ERROR] This is a ERROR message`. */
export function demoLine(date: Date, level: string, timeZone = 'UTC'): string {
  return `${formatTimestamp(date, timeZone)} [${level}] This is a ${level} message\n`;
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
