import fs from 'node:fs';
import path from 'node:path';

/** Where `npm start` keeps its embedded PostgreSQL and the URL other commands reuse. */
export const DATA_DIR = path.resolve(__dirname, '..', '.data');
export const DATABASE_URL_FILE = path.join(DATA_DIR, 'database-url');

/** DATABASE_URL, or the URL of the embedded PostgreSQL that `npm start` is running. */
export function localDatabaseUrl(): string {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  if (fs.existsSync(DATABASE_URL_FILE)) return fs.readFileSync(DATABASE_URL_FILE, 'utf8').trim();
  throw new Error('no database: set DATABASE_URL, or run `npm start` (it starts an embedded PostgreSQL) in another terminal');
}
