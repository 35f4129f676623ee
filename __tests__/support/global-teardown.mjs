import fs from 'node:fs';

export default async function globalTeardown() {
  const db = globalThis.__LOGMON_EMBEDDED_PG__;
  if (db) await db.stop();
  // the base folder keeps the generated password (0600): leave nothing behind
  const baseDir = globalThis.__LOGMON_EMBEDDED_PG_BASE__;
  if (baseDir) fs.rmSync(baseDir, { recursive: true, force: true });
}
