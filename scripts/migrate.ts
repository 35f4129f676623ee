// npm run migrate: apply the numbered migrations in sql/migrations to DATABASE_URL.
import { createPool } from '../lib/platform/db';
import { describeError } from '../lib/platform/errors';
import { migrate } from '../lib/platform/migrations';
import { localDatabaseUrl } from './local-database';

async function main(): Promise<void> {
  const pool = createPool(localDatabaseUrl(), 1);
  try {
    const applied = await migrate(pool);
    process.stdout.write(applied.length > 0 ? `applied migrations ${applied.join(', ')}\n` : 'schema is up to date\n');
  } finally {
    await pool.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`migrate failed: ${describeError(err)}\n`);
  process.exit(1);
});
