// Statements of the migration runner. Parameters are always $n: no SQL is built from data.
const MIGRATION_LOCK_KEY = 7380001;

export const SCHEMA_SQL = {
  lockMigrations: `SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`,
  createMigrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer     PRIMARY KEY,
    name       text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`,
  listMigrations: 'SELECT version FROM schema_migrations ORDER BY version',
  recordMigration: 'INSERT INTO schema_migrations (version, name) VALUES ($1, $2)',
} as const;
