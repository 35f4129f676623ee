export default async function globalTeardown() {
  const db = globalThis.__LOGMON_EMBEDDED_PG__;
  if (db) await db.stop();
}
