// Real formats through the whole ingest path: files written by real libraries
// (or fixtures built to their documented formats), read by runIngest into
// PostgreSQL with format auto, checked row by row.
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { IngestFixture } from '../support/ingest-fixture';

const fx = new IngestFixture();
const FIXTURES = path.join(__dirname, '../fixtures/logs');

beforeAll(() => fx.setUp());
afterAll(() => fx.tearDown());
beforeEach(() => fx.reset());

interface Row {
  level: string;
  severity: number;
  level_text: string | null;
  message: string;
  logged_at: Date;
  time_source: string;
  hostname: string | null;
}

async function rows(): Promise<Row[]> {
  return (
    await fx.db.pool.query<Row>(
      "SELECT level, severity, level_text, message, logged_at, time_source, fields->>'hostname' AS hostname FROM log_entries ORDER BY source_id, byte_offset",
    )
  ).rows;
}

describe('Formats through ingest', () => {
  it('stores the error and fatal records a real pino logger wrote, with the stack and the whole object queryable', async () => {
    // Prepare
    const file = fx.file('app.log');
    const dest = pino.destination({ dest: file, sync: true });
    const log = pino({ base: { hostname: 'shop-1' } }, dest);
    log.info('started');
    log.error(new Error('card declined'), 'payment failed');
    log.warn('slow');
    log.fatal('out of memory');
    dest.flushSync();

    // Act
    const summary = await fx.ingest();

    // Assess
    const stored = await rows();
    expect(stored.map((r) => [r.level, r.severity, r.level_text, r.hostname])).toEqual([
      ['ERROR', 17, '50', 'shop-1'],
      ['FATAL', 21, '60', 'shop-1'],
    ]);
    expect(stored[0]?.message).toMatch(/^payment failed\n[\s\S]*Error: card declined\n\s+at /);
    expect(summary.files[0]?.format).toBe('json');
    expect(summary.files[0]?.unparseableLines).toBe(0);
  });

  it.each(['docker-json.log', 'cri-containerd.log', 'cri-o.log'])(
    'unwraps the container records of %s, joining a line split into partial records',
    async (name) => {
      fs.copyFileSync(path.join(FIXTURES, 'container', name), fx.file('app.log'));

      const summary = await fx.ingest();

      const stored = await rows();
      expect(stored.map((r) => r.message.split('\n')[0]?.slice(0, 80))).toEqual([
        expect.stringContaining('card declined'),
        expect.stringContaining('Application run failed'),
        expect.stringContaining('payload rejected'),
      ]);
      expect(stored[1]?.message).toContain('\tat com.shop.App.main(App.java:12)');
      // the ~60 KiB JSON line joined from four partial records, parsed as one JSON line
      expect(stored[2]?.message.length).toBeGreaterThan(40_000);
      expect(summary.files[0]?.unparseableLines).toBe(0);
    },
  );
});
