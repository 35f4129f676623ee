// S3 as a log source, against a real S3-compatible server (s3rver, started
// by the test in a process of its own) and real PostgreSQL: objects found by
// listing, labels from key parts, gzip objects, resuming mid-object, exactly
// once across runs and across an S3 event and a scheduled run, keys sorting
// before the listing checkpoint, new generations, deleted objects, access
// errors with their outcome and health, and listing pagination.
import { S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_HEALTH_RULES } from '../../lib/alert/health-rules';
import { observeHealth } from '../../lib/alert/health-checks';
import { readIngestConfig } from '../../lib/ingest/config';
import { failIfBlind } from '../../lib/ingest/ingest';
import type { IngestDeps, IngestSummary } from '../../lib/ingest/ingest';
import { createS3Client } from '../../lib/ingest/s3-client';
import { parseSourcesConfig } from '../../lib/ingest/sources';
import { S3ListingError } from '../../lib/platform/errors';
import type { S3EventObject } from '../../lib/platform/job-events';
import { logLine } from '../support/files';
import { IngestFixture } from '../support/ingest-fixture';
import { startS3Server, startThrottlingProxy } from '../support/s3-server';
import type { S3TestServer } from '../support/s3-server';

const HOUR_MS = 60 * 60 * 1000;

/** `n` lines alternating ERROR and INFO, each naming `tag` and its number. */
function lines(tag: string, n: number, padding = 0): string {
  let out = '';
  for (let i = 0; i < n; i += 1) out += logLine(i % 2 === 0 ? 'ERROR' : 'INFO', `${tag} ${i}${'.'.repeat(padding)}`, i % 60, Math.floor(i / 60) % 60);
  return out;
}

function errorsOf(tag: string, n: number, padding = 0): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i += 2) out.push(`${tag} ${i}${'.'.repeat(padding)}`);
  return out;
}

describe('S3 sources (real S3-compatible server)', () => {
  const fx = new IngestFixture();
  let s3: S3TestServer;
  let clock = Date.parse('2026-11-23T12:00:00Z');

  beforeAll(async () => {
    await fx.setUp();
    s3 = await startS3Server(['logs', 'other']);
  });

  afterAll(async () => {
    await s3.stop();
    await fx.tearDown();
  });

  let bucketNo = 0;
  let bucket = '';

  beforeEach(async () => {
    await fx.reset();
    await fx.db.pool.query('TRUNCATE s3_listings, ingest_runs');
    // a bucket per test: what one test stored does not show in the next one's listings
    bucketNo += 1;
    bucket = `t${bucketNo}-logs`;
    await s3.createBucket(bucket);
    useSources([{ name: 'app', path: `s3://${bucket}/app/{host}/`, service: 'api' }]);
  });

  function useSources(sources: unknown[]): void {
    fx.config = { ...fx.config, sources: parseSourcesConfig({ sources }, { timeZone: 'UTC', minLevel: 'ERROR' }), batchBytes: 64 * 1024 };
  }

  function ingest(extra: Partial<IngestDeps> = {}): Promise<IngestSummary> {
    return fx.ingest({ s3: s3.client, now: () => clock, ...extra });
  }

  async function objectRows(): Promise<{ path: string; status: string; read_offset: string; host: string; service: string; labels: Record<string, string> }[]> {
    return (await fx.db.pool.query("SELECT path, status, read_offset, host, service, labels FROM log_sources WHERE kind = 's3' ORDER BY path, id")).rows;
  }

  describe('Listing', () => {
    it('reads the objects under the prefix, with labels from the key parts, and on the next run only the new ones', async () => {
      // Prepare
      await s3.put(bucket, 'app/web-1/a.log', lines('a', 10));
      await s3.put(bucket, 'app/web-2/b.log', lines('b', 6));
      await s3.put(bucket, 'elsewhere/c.log', lines('c', 4));

      // Act
      const first = await ingest();

      // Assess
      expect(first.totals.entriesStored).toBe(8);
      expect((await fx.messages()).sort()).toEqual([...errorsOf('a', 10), ...errorsOf('b', 6)].sort());
      expect(await objectRows()).toEqual([
        expect.objectContaining({
          path: `s3://${bucket}/app/web-1/a.log`,
          status: 'retired',
          host: 'web-1',
          service: 'api',
          labels: expect.objectContaining({ host: 'web-1' }),
        }),
        expect.objectContaining({ path: `s3://${bucket}/app/web-2/b.log`, status: 'retired', host: 'web-2', service: 'api' }),
      ]);
      expect(first.files.map((f) => [f.path, f.outcome, f.bytesConsumed])).toEqual([
        [`s3://${bucket}/app/web-1/a.log`, 'read', Buffer.byteLength(lines('a', 10))],
        [`s3://${bucket}/app/web-2/b.log`, 'read', Buffer.byteLength(lines('b', 6))],
      ]);

      // Act: a new object, then a run
      await s3.put(bucket, 'app/web-3/d.log', lines('d', 4));
      const second = await ingest();

      // Assess: only the new one, nothing doubled
      expect(second.totals.entriesStored).toBe(2);
      expect(second.files.map((f) => f.path)).toEqual([`s3://${bucket}/app/web-3/d.log`]);
      expect((await fx.messages()).length).toBe(10);
      const listing = (await fx.db.pool.query('SELECT start_after, objects_seen, last_error FROM s3_listings')).rows;
      expect(listing).toEqual([{ start_after: 'app/web-3/d.log', objects_seen: '3', last_error: null }]);
    });

    it('reads a key that sorts before the listing checkpoint at the next full listing, not before', async () => {
      // Prepare
      useSources([{ name: 'app', path: `s3://${bucket}/app/{host}/`, fullListingEvery: '1h' }]);
      await s3.put(bucket, 'app/web-2/b.log', lines('b', 2));
      await ingest();
      await s3.put(bucket, 'app/web-1/late.log', lines('late', 2));

      // Act: within the hour the listing starts after app/web-2/b.log
      const incremental = await ingest();
      clock += HOUR_MS;
      const full = await ingest();

      // Assess
      expect(incremental.totals.entriesStored).toBe(0);
      expect(full.totals.entriesStored).toBe(1);
      expect(await fx.messages()).toEqual(['b 0', 'late 0']);
    });

    it('lists 2,000 objects over several pages and reads each exactly once', async () => {
      // Prepare
      const keys = Array.from({ length: 2000 }, (_, i) => `app/h${String(i % 7)}/${String(i).padStart(5, '0')}.log`);
      for (let i = 0; i < keys.length; i += 20) await Promise.all(keys.slice(i, i + 20).map((k) => s3.put(bucket, k, logLine('ERROR', `object ${k}`))));

      // Act
      const first = await ingest();
      const second = await ingest();

      // Assess
      expect(first.totals.entriesStored).toBe(2000);
      expect(second.totals.entriesStored).toBe(0);
      const stored = await fx.messages();
      expect(new Set(stored).size).toBe(2000);
      expect(stored.length).toBe(2000);
      const { rows } = await fx.db.pool.query("SELECT count(*)::int AS n FROM log_sources WHERE kind = 's3' AND status = 'retired'");
      expect(rows[0].n).toBe(2000);
    }, 180_000);
  });

  describe('Objects', () => {
    it.each([
      ['a .gz key', 'app/web-1/a.log.gz', { gzip: true }],
      ['Content-Encoding: gzip', 'app/web-1/a.log', { gzip: true, contentEncoding: 'gzip' }],
      ["gzip's magic bytes alone", 'app/web-1/a.json', { gzip: true }],
    ])('reads a gzip object recognised by %s, counting decompressed bytes', async (_why, key, options) => {
      // Prepare
      await s3.put(bucket, key, lines('gz', 8), options);

      // Act
      const summary = await ingest();

      // Assess
      expect(await fx.messages()).toEqual(errorsOf('gz', 8));
      expect(summary.files[0]).toMatchObject({ outcome: 'read', bytesConsumed: Buffer.byteLength(lines('gz', 8)) });
      const { rows } = await fx.db.pool.query("SELECT content_encoding, status FROM log_sources WHERE kind = 's3'");
      expect(rows).toEqual([{ content_encoding: 'gzip', status: 'retired' }]);
    });

    it.each([
      ['plain', false],
      ['gzip', true],
    ])('resumes a %s object at its checkpoint after a run stopped mid-object, storing each entry once', async (_kind, gzip) => {
      // Prepare: ~500 KB, several 64 KB batches
      const body = lines('big', 5000, 40);
      await s3.put(bucket, gzip ? 'app/web-1/big.log.gz' : 'app/web-1/big.log', body, { gzip });
      let commits = 0;

      // Act: the time budget runs out after the first batch
      const stopped = await ingest({ shouldStop: () => commits >= 1, hooks: { beforeCommit: () => void (commits += 1) } });
      const middle = (await objectRows())[0]!;
      const resumed = await ingest();

      // Assess
      expect(stopped.stoppedEarly).toBe(true);
      expect(middle.status).toBe('active');
      expect(Number(middle.read_offset)).toBeGreaterThan(0);
      expect(Number(middle.read_offset)).toBeLessThan(Buffer.byteLength(body));
      expect(resumed.files[0]!.fromOffset).toBe(Number(middle.read_offset));
      expect(await fx.messages()).toEqual(errorsOf('big', 5000, 40));
      expect((await objectRows())[0]).toMatchObject({ status: 'retired', read_offset: String(Buffer.byteLength(body)) });
    });

    it('stores the last entry of an object with its continuation lines and its unterminated last line at once', async () => {
      // Prepare
      await s3.put(bucket, 'app/web-1/trace.log', `${logLine('ERROR', 'boom')}\tat a.b(C.java:1)\n${logLine('FATAL', 'end').trimEnd()}`);

      // Act
      await ingest();

      // Assess
      expect(await fx.messages()).toEqual(['boom\n\tat a.b(C.java:1)', 'end']);
    });

    it('reads an object written again under its key as a new generation, recording the old one’s unread bytes', async () => {
      // Prepare: the first generation half read
      const key = 'app/web-1/again.log';
      await s3.put(bucket, key, lines('one', 4000, 40));
      let commits = 0;
      await ingest({ shouldStop: () => commits >= 1, hooks: { beforeCommit: () => void (commits += 1) } });
      await s3.put(bucket, key, lines('two', 4));

      // Act
      const noticed = await ingest();
      const next = await ingest();

      // Assess
      expect(noticed.files[0]).toMatchObject({ outcome: 'replaced', anomalies: ['content_replaced'] });
      expect(noticed.files[0]!.bytesLost).toBeGreaterThan(0);
      expect(next.totals.entriesStored).toBe(2);
      expect((await fx.messages()).filter((m) => m.startsWith('two'))).toEqual(errorsOf('two', 4));
      expect((await objectRows()).map((r) => r.status)).toEqual(['retired', 'retired']);
      expect((await fx.anomalies()).map((a) => a.kind)).toEqual(['content_replaced']);
    });

    it('retires an object deleted before it was read to its end, recording its unread bytes lost', async () => {
      // Prepare
      const key = 'app/web-1/gone.log';
      await s3.put(bucket, key, lines('gone', 4000, 40));
      let commits = 0;
      await ingest({ shouldStop: () => commits >= 1, hooks: { beforeCommit: () => void (commits += 1) } });
      await s3.remove(bucket, key);

      // Act
      const summary = await ingest();

      // Assess
      expect(summary.files[0]).toMatchObject({ outcome: 'missing', anomalies: ['file_gone_unread'] });
      expect(summary.files[0]!.error).toMatch(/deleted before it was read to its end/);
      expect((await objectRows())[0]!.status).toBe('retired');
      expect((await ingest()).files).toEqual([]);
    });
  });

  describe('S3 events', () => {
    async function eventFor(key: string): Promise<S3EventObject> {
      const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
      const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { bucket, key, etag: (head.ETag ?? '').replace(/"/g, ''), size: head.ContentLength ?? 0, eventTime: new Date(clock) };
    }

    it('reads the objects an event names at once, and the scheduled listing after it reads them not again', async () => {
      // Prepare
      await s3.put(bucket, 'app/web-1/e.log', lines('event', 6));
      await s3.put(bucket, 'app/web-1/f.log', lines('listed', 2));

      // Act
      const byEvent = await ingest({ objects: [await eventFor('app/web-1/e.log')] });
      const scheduled = await ingest();
      const eventAgain = await ingest({ objects: [await eventFor('app/web-1/e.log')] });

      // Assess
      expect(byEvent.files.map((f) => [f.path, f.outcome])).toEqual([[`s3://${bucket}/app/web-1/e.log`, 'read']]);
      expect(byEvent.totals.entriesStored).toBe(3);
      expect(scheduled.totals.entriesStored).toBe(1);
      expect(eventAgain.totals.entriesStored).toBe(0);
      expect((await fx.messages()).sort()).toEqual([...errorsOf('event', 6), ...errorsOf('listed', 2)].sort());
      // an event run records no ingest_runs row: the schedule's runs are what the health rules watch
      const { rows } = await fx.db.pool.query('SELECT count(*)::int AS n FROM ingest_runs');
      expect(rows[0].n).toBe(1);
    });

    it('says so for an object no configured source covers, and reads nothing', async () => {
      // Act
      const summary = await ingest({ objects: [{ bucket: 'other', key: 'x/y.log', etag: 'e', size: 10, eventTime: new Date(clock) }] });

      // Assess
      expect(summary.files).toEqual([
        expect.objectContaining({ path: 's3://other/x/y.log', outcome: 'unconfigured', error: expect.stringMatching(/no configured S3 source/) }),
      ]);
      expect(() => failIfBlind(summary)).not.toThrow();
      expect(await objectRows()).toEqual([]);
    });
  });

  describe('Errors', () => {
    async function sourceMissing(): Promise<{ active: boolean; lines: string[] }> {
      const rule = DEFAULT_HEALTH_RULES.find((r) => r.check === 'source-missing')!;
      const client = await fx.db.pool.connect();
      try {
        return await observeHealth(client, rule, null, clock);
      } finally {
        client.release();
      }
    }

    it.each([
      ['access denied (a key the server does not know)', 'denied', 'unreadable', /InvalidAccessKeyId \(HTTP 403\)/],
      ['a missing bucket', 'missing-bucket', 'missing', /NoSuchBucket \(HTTP 404\)/],
    ])('reports %s as the location’s outcome, fails the run, and the source-missing health check names it', async (_what, kind, outcome, text) => {
      // Prepare
      const client =
        kind === 'denied'
          ? new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'nobody', secretAccessKey: 'x' } })
          : s3.client;
      if (kind === 'missing-bucket') useSources([{ name: 'app', path: 's3://no-such-bucket/app/' }]);
      await s3.put(bucket, 'app/web-1/a.log', lines('a', 2));
      const location = kind === 'denied' ? `s3://${bucket}/app/{host}/` : 's3://no-such-bucket/app/';

      // Act
      const summary = await ingest({ s3: client });

      // Assess
      expect(summary.files).toEqual([expect.objectContaining({ path: location, outcome, error: expect.stringMatching(text) })]);
      expect(() => failIfBlind(summary)).toThrow(S3ListingError);
      const health = await sourceMissing();
      expect(health.active).toBe(true);
      expect(health.lines.join('\n')).toContain(`unreadable  ${location}`);

      // Act: the next listing works again
      if (kind === 'denied') {
        await ingest();
        expect((await sourceMissing()).active).toBe(false);
      }
      client.destroy();
    });

    it('reports throttling past the SDK’s retries as the location’s outcome, keeping the checkpoint, and reads on once S3 answers', async () => {
      // Prepare
      await s3.put(bucket, 'app/web-1/a.log', lines('a', 2));
      const proxy = await startThrottlingProxy(s3.endpoint);
      const client = createS3Client({ forcePathStyle: true, endpoint: proxy.endpoint });
      try {
        // Act
        const throttled = await ingest({ s3: client });
        proxy.throttling = false;
        const after = await ingest({ s3: client });

        // Assess
        expect(throttled.files).toEqual([expect.objectContaining({ outcome: 'error', error: expect.stringMatching(/SlowDown \(HTTP 503\)/) })]);
        expect(proxy.requests).toBeGreaterThanOrEqual(3);
        expect(() => failIfBlind(throttled)).toThrow(S3ListingError);
        expect(after.totals.entriesStored).toBe(1);
      } finally {
        client.destroy();
        await proxy.stop();
      }
    });

    it('names a location that never held an object in the source-missing health check', async () => {
      // Prepare
      useSources([{ name: 'app', path: `s3://${bucket}/typo/` }]);

      // Act
      const summary = await ingest();

      // Assess
      expect(() => failIfBlind(summary)).not.toThrow();
      const health = await sourceMissing();
      expect(health.active).toBe(true);
      expect(health.lines.join('\n')).toContain(`no match    s3://${bucket}/typo/`);
    });
  });

  it('reads an s3:// path given as LOG_FILES (the one-source shorthand)', async () => {
    // Prepare
    fx.config = { ...readIngestConfig({ LOG_FILES: `s3://${bucket}/app/`, LOG_TIMEZONE: 'UTC' }), multilineFlushMs: 0 };
    await s3.put(bucket, 'app/x/a.log', lines('short', 2));

    // Act
    const summary = await ingest();

    // Assess
    expect(summary.totals.entriesStored).toBe(1);
    expect(summary.noFileFor).toBeNull();
  });
});
