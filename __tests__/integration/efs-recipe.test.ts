/**
 * The EFS recipe of docs/deploy.md, as written: one folder per host on the
 * mount, the application writing its own file, the shipped logrotate
 * configuration (deploy/efs/logrotate-myapp.conf) run by the real logrotate
 * between ingest runs while the writers go on. Every line is stored once,
 * with its host label, and nothing is recorded as lost.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readIngestConfig } from '../../lib/ingest/config';
import { logLine } from '../support/files';
import { IngestFixture } from '../support/ingest-fixture';

const RECIPE = path.resolve(__dirname, '../../deploy/efs/logrotate-myapp.conf');
const SOURCES = path.resolve(__dirname, '../../deploy/efs/logmon.yml');
const LOGROTATE = ['/usr/sbin/logrotate', '/sbin/logrotate', '/usr/bin/logrotate'].find((p) => fs.existsSync(p)) ?? null;
const HOSTS = ['web-1', 'web-2'];
const fx = new IngestFixture();

if (!LOGROTATE) {
  describe('EFS recipe', () => {
    it.skip('SKIPPED: logrotate is not installed (apt-get install logrotate)', () => undefined);
  });
} else {
  beforeAll(() => fx.setUp());
  afterAll(() => fx.tearDown());
  beforeEach(() => fx.reset());

  describe('EFS recipe: per-host folders, the shipped logrotate configuration', () => {
    it('stores every line once, with its host and service, across rotations with delaycompress and compress', async () => {
      // Prepare: the mount is a folder here; the recipe's path and pid file point into it
      const mount = fx.file('efs-logs');
      const writers = new Map<string, number>();
      const reopen = (host: string): void => {
        if (writers.has(host)) fs.closeSync(writers.get(host)!);
        writers.set(host, fs.openSync(path.join(mount, host, 'app.log'), 'a'));
      };
      for (const host of HOSTS) {
        fs.mkdirSync(path.join(mount, host), { recursive: true });
        reopen(host);
      }
      const conf = fx.file('logrotate.conf');
      const recipe = fs
        .readFileSync(RECIPE, 'utf8')
        .replace('/mnt/efs-logs/HOST/app.log', `${mount}/*/app.log`)
        .replace(/\/run\/myapp\.pid/g, fx.file('none.pid'));
      fs.writeFileSync(conf, recipe, { mode: 0o644 });
      const sources = fx.file('logmon.yml');
      fs.writeFileSync(sources, fs.readFileSync(SOURCES, 'utf8').replace('/mnt/logs/', `${mount}/`));
      fx.config = { ...readIngestConfig({ LOGMON_CONFIG: sources }), multilineFlushMs: 0 };
      const written: string[] = [];
      let n = 0;
      const write = (host: string): void => {
        const message = `${host} request ${n} failed`;
        fs.writeSync(writers.get(host)!, logLine('ERROR', message, n % 60, Math.floor(n / 60)));
        written.push(message);
        n += 1;
      };

      // Act: three rotations; between them both hosts write, ingest runs, and each application reopens after its rotation
      for (let cycle = 0; cycle < 3; cycle++) {
        for (let i = 0; i < 5; i++) for (const host of HOSTS) write(host);
        await fx.ingest();
        for (let i = 0; i < 3; i++) for (const host of HOSTS) write(host);
        execFileSync(LOGROTATE!, ['-f', '-s', fx.file('logrotate.state'), conf], { stdio: 'pipe' });
        // the application still writes to the renamed file until it reopens (SIGHUP)
        for (const host of HOSTS) write(host);
        for (const host of HOSTS) reopen(host);
        for (const host of HOSTS) write(host);
        await fx.ingest();
      }
      await fx.ingest();
      for (const fd of writers.values()) fs.closeSync(fd);

      // Assess
      expect((await fx.messages()).sort()).toEqual([...written].sort());
      expect(await fx.anomalies()).toEqual([]);
      const hosts = await fx.db.pool.query<{ host: string; n: number }>(
        'SELECT s.host, s.service, count(*)::int AS n FROM log_entries e JOIN log_sources s ON s.id = e.source_id GROUP BY s.host, s.service ORDER BY s.host',
      );
      expect(hosts.rows).toEqual(HOSTS.map((host) => ({ host, service: 'myapp', n: written.length / HOSTS.length })));
      expect(fs.readdirSync(path.join(mount, 'web-1')).sort()).toEqual(['app.log', 'app.log.1', 'app.log.2.gz', 'app.log.3.gz']);
    });
  });
}
