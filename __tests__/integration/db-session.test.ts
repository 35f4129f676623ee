import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';

describe('Function: createPool', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(() => db.drop());

  it('asks the server to end sessions left idle in a transaction and to probe dead clients, so a killed run cannot hold a lock for hours', async () => {
    // Act
    const settings = await db.pool.query<{ name: string; setting: string }>(
      "SELECT name, setting FROM pg_settings WHERE name IN ('idle_in_transaction_session_timeout', 'tcp_keepalives_idle', 'tcp_keepalives_interval', 'tcp_keepalives_count') ORDER BY name",
    );

    // Assess
    expect(Object.fromEntries(settings.rows.map((r) => [r.name, r.setting]))).toEqual({
      idle_in_transaction_session_timeout: '300000',
      tcp_keepalives_count: '6',
      tcp_keepalives_idle: '60',
      tcp_keepalives_interval: '10',
    });
  });
});
