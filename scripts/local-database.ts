import fs from 'node:fs';
import path from 'node:path';
import { withDatabaseCa } from '../lib/platform/database-url';

/** Where `npm start` keeps its embedded PostgreSQL and the URL other commands reuse. */
export const DATA_DIR = path.resolve(__dirname, '..', '.data');
export const DATABASE_URL_FILE = path.join(DATA_DIR, 'database-url');

/** DATABASE_URL, or the URL of the embedded PostgreSQL that `npm start` is running. */
export function localDatabaseUrl(): string {
  // DATABASE_CA_FILE (a private CA) applies here as it does to the functions
  if (process.env.DATABASE_URL) return withDatabaseCa(process.env.DATABASE_URL, process.env);
  if (fs.existsSync(DATABASE_URL_FILE)) return fs.readFileSync(DATABASE_URL_FILE, 'utf8').trim();
  throw new Error('no database: set DATABASE_URL, or run `npm start` (it starts an embedded PostgreSQL) in another terminal');
}

/**
 * Save the URL (it holds the password) for the other local commands: written
 * to a new 0600 file and renamed over the old one, so a file left with a
 * looser mode by an earlier version is replaced, never reused.
 */
export function saveDatabaseUrl(url: string, file: string = DATABASE_URL_FILE): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.rmSync(tmp, { force: true });
  fs.writeFileSync(tmp, `${url}\n`, { mode: 0o600, flag: 'wx' });
  fs.renameSync(tmp, file);
}
