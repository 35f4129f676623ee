import fs from 'node:fs';
import { logLine } from '../support/files';
import { IngestFixture } from '../support/ingest-fixture';

// On NFS/EFS, each Lambda environment mounts the file system itself and st_dev
// may differ between them: the same file must keep its checkpoint.
describe('Function: runIngest on a file system mounted again under another device number', () => {
  const fx = new IngestFixture();
  beforeAll(() => fx.setUp());
  afterAll(() => fx.tearDown());
  beforeEach(() => fx.reset());

  const pretendOtherDevice = async (): Promise<void> => {
    await fx.db.pool.query('UPDATE log_sources SET dev = dev + 1000');
  };

  it('keeps the checkpoint of the same file (same path, inode and first bytes) and stores only the new entries', async () => {
    // Prepare
    fs.writeFileSync(fx.file('app.log'), logLine('ERROR', 'before the remount', 1));
    await fx.ingest();
    await pretendOtherDevice();
    fs.appendFileSync(fx.file('app.log'), logLine('FATAL', 'after the remount', 2));

    // Act
    await fx.ingest();

    // Assess
    expect((await fx.entries()).map((e) => e.message)).toEqual(['before the remount', 'after the remount']);
    const sources = await fx.db.pool.query<{ dev: string }>('SELECT dev::text AS dev FROM log_sources');
    expect(sources.rows).toEqual([{ dev: String(fs.statSync(fx.file('app.log'), { bigint: true }).dev) }]);
  });

  it('keeps one checkpoint for a file that was empty when first seen (no fingerprint yet), as after every rotation (issue 15)', async () => {
    // Prepare: the new file after a rotation, empty at one environment's run; the other environment sees another device number
    fs.writeFileSync(fx.file('app.log'), '');
    await fx.ingest();
    await pretendOtherDevice();
    fs.appendFileSync(fx.file('app.log'), logLine('ERROR', 'first entry', 1));

    // Act: a run under the other device number, then another back under the first
    await fx.ingest();
    await pretendOtherDevice();
    fs.appendFileSync(fx.file('app.log'), logLine('FATAL', 'second entry', 2));
    await fx.ingest();

    // Assess: each entry once, one checkpoint
    expect((await fx.entries()).map((e) => e.message)).toEqual(['first entry', 'second entry']);
    const sources = await fx.db.pool.query<{ n: string }>("SELECT count(*) AS n FROM log_sources WHERE status <> 'retired'");
    expect(Number(sources.rows[0]!.n)).toBe(1);
  });

  it('does not take over the checkpoint when the first bytes differ (another file with that inode)', async () => {
    fs.writeFileSync(fx.file('app.log'), logLine('ERROR', 'original content', 1));
    await fx.ingest();
    await pretendOtherDevice();
    await fx.db.pool.query("UPDATE log_sources SET fingerprint = 'ffffffffffffffffffffffffffffffff'");

    await fx.ingest();

    const sources = await fx.db.pool.query<{ n: string }>("SELECT count(*) AS n FROM log_sources WHERE status = 'active'");
    expect(Number(sources.rows[0]!.n)).toBe(1);
    expect((await fx.entries()).map((e) => e.message)).toEqual(['original content', 'original content']);
  });
});
