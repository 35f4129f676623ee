import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A scratch folder on disk for one test file. */
export function makeTempDir(prefix = 'logmon-files-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** `2026-11-23 10:00:SS [LEVEL] message\n` lines. */
export function logLine(level: string, message: string, second = 0, minute = 0): string {
  const ss = String(second).padStart(2, '0');
  const mm = String(minute).padStart(2, '0');
  return `2026-11-23 10:${mm}:${ss} [${level}] ${message}\n`;
}
