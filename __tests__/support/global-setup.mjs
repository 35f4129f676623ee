// Starts one embedded PostgreSQL for the whole run (temp folder, free port),
// unless DATABASE_URL points at a server already. Each test file creates its
// own database on it (see database.ts).
import { startEmbeddedPostgres, makeTempBaseDir } from '../../scripts/embedded-db.mjs';

export default async function globalSetup() {
  if (process.env.DATABASE_URL) {
    process.env.LOGMON_TEST_ADMIN_URL = process.env.DATABASE_URL;
    return;
  }
  const baseDir = makeTempBaseDir('logmon-test-');
  const db = await startEmbeddedPostgres({
    baseDir,
    persistent: false,
    // Durability is not under test here; speed is welcome.
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
  });
  process.env.LOGMON_TEST_ADMIN_URL = db.url;
  globalThis.__LOGMON_EMBEDDED_PG__ = db;
  globalThis.__LOGMON_EMBEDDED_PG_BASE__ = baseDir;
}
