/**
 * Rotation by the real `logrotate` program (Debian package `logrotate`).
 * Skipped, with a test name saying so, where it is not installed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { logLine } from '../support/files';
import { IngestFixture } from '../support/ingest-fixture';
import { readIngestConfig } from '../../lib/ingest/config';

function findLogrotate(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/sbin', '/usr/bin'];
  for (const dir of dirs) {
    const candidate = path.join(dir, 'logrotate');
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  return null;
}

const LOGROTATE = findLogrotate();
const fx = new IngestFixture();

if (!LOGROTATE) {
  describe('logrotate', () => {
    it.skip('SKIPPED: logrotate is not installed (apt-get install logrotate) — rotation by the real program is not tested', () => undefined);
  });
} else {
  beforeAll(() => fx.setUp());
  afterAll(() => fx.tearDown());
  beforeEach(() => fx.reset());

  /** Rotate app.log now (-f), with these directives, keeping logrotate's state in the test folder. */
  const logrotate = (directives: string[]): void => {
    const conf = fx.file('logrotate.conf');
    fs.writeFileSync(conf, `${fx.file('app.log')} {\n${directives.map((d) => `  ${d}\n`).join('')}}\n`, { mode: 0o644 });
    execFileSync(LOGROTATE, ['-f', '-s', fx.file('logrotate.state'), conf], { stdio: 'pipe' });
  };

  describe('Function: runIngest › rotation by logrotate', () => {
    it('create: reads the rest of app.log.1, including what the application wrote there after the rotation, and the new app.log', async () => {
      // Prepare: an application holding app.log open for appending.
      const file = fx.file('app.log');
      let writer = fs.openSync(file, 'a');
      fs.writeSync(writer, logLine('ERROR', 'a1', 1) + logLine('INFO', 'a2', 2));
      await fx.ingest();
      fs.writeSync(writer, `${logLine('ERROR', 'a3', 3)}2026-11-23 10:00:04 [ERROR] a4 half`);

      // Act: rotate; the application finishes its line in the old file, then reopens (as on SIGHUP).
      logrotate(['rotate 3', 'create', 'missingok', 'nocompress']);
      fs.writeSync(writer, ` written\n${logLine('FATAL', 'a5', 5)}`);
      fs.closeSync(writer);
      writer = fs.openSync(file, 'a');
      fs.writeSync(writer, logLine('ERROR', 'b1', 6));
      fs.closeSync(writer);
      const summary = await fx.ingest();

      // Assess
      expect(await fx.messages()).toEqual(['a1', 'a3', 'a4 half written', 'a5', 'b1']);
      expect(summary.files.map((f) => path.basename(f.path))).toEqual(['app.log.1', 'app.log']);
      expect(await fx.anomalies()).toEqual([]);
    });

    it('create, twice: follows app.log.1 to app.log.2 by identity and retires it when logrotate deletes it', async () => {
      const file = fx.file('app.log');
      fs.writeFileSync(file, logLine('ERROR', 'gen0', 1));
      await fx.ingest();
      logrotate(['rotate 1', 'create', 'nocompress']);
      fs.appendFileSync(file, logLine('ERROR', 'gen1', 2));
      await fx.ingest();

      logrotate(['rotate 2', 'create', 'nocompress']); // gen0 → app.log.2, gen1 → app.log.1
      fs.appendFileSync(fx.file('app.log.1'), logLine('ERROR', 'gen1 late', 3));
      await fx.ingest();
      logrotate(['rotate 1', 'create', 'nocompress']); // deletes gen0
      const summary = await fx.ingest();

      expect(await fx.messages()).toEqual(['gen0', 'gen1', 'gen1 late']);
      expect(summary.files.find((f) => f.outcome === 'rotated-gone')).toBeDefined();
      expect(await fx.anomalies()).toEqual([]);
    });

    it('copytruncate: restarts at 0 and records the bytes it had seen but not read; lines written between the last run and the copy are lost', async () => {
      const file = fx.file('app.log');
      const half = '2026-11-23 10:00:02 [ERROR] seen but unfinished';
      fs.writeFileSync(file, logLine('ERROR', 'read', 1) + half);
      await fx.ingest();
      fs.appendFileSync(file, `\n${logLine('ERROR', 'written after the last run', 3)}`);

      logrotate(['rotate 3', 'copytruncate', 'nocompress']);
      fs.appendFileSync(file, logLine('ERROR', 'after the rotation', 4));
      const summary = await fx.ingest();

      expect(fs.readFileSync(fx.file('app.log.1'), 'utf8')).toContain('written after the last run');
      expect(await fx.messages()).toEqual(['read', 'after the rotation']);
      expect(summary.totals.bytesLost).toBe(half.length);
      // app.log grew past the old checkpoint again: detected by its first bytes, not by its size
      expect((await fx.anomalies()).map((a) => [a.kind, Number(a.bytes)])).toEqual([['content_replaced', half.length]]);
    });

    it('compress without delaycompress: follows the rotated file into its .gz and reads what was not read yet (issue 15)', async () => {
      // Prepare: the application wrote a line and half of another; ingest read the first
      const file = fx.file('app.log');
      const half = '2026-11-23 10:00:02 [ERROR] unfinished';
      fs.writeFileSync(file, logLine('ERROR', 'read', 1) + half);
      await fx.ingest();

      // Act: logrotate renames and compresses at once; the application goes on in the new file
      logrotate(['rotate 3', 'create', 'compress']);
      fs.appendFileSync(file, logLine('FATAL', 'new file', 3));
      const summary = await fx.ingest();
      const again = await fx.ingest();

      // Assess: the rest read from the .gz, once; nothing lost
      expect(fs.existsSync(fx.file('app.log.1.gz'))).toBe(true);
      expect(await fx.messages()).toEqual(['read', 'unfinished', 'new file']);
      expect(summary.totals.bytesLost).toBe(0);
      expect(await fx.anomalies()).toEqual([]);
      expect(again.totals.entriesStored).toBe(0);
    });

    it('olddir outside the log folder, named by the source (olddir): followed there, nothing lost', async () => {
      // Prepare: the archive folder beside the test folder (logrotate wants olddir on the same device)
      const archive = `${path.dirname(fx.file('app.log'))}-archive`;
      fs.mkdirSync(archive, { recursive: true });
      const sources = fx.file('logmon.json');
      fs.writeFileSync(sources, JSON.stringify({ sources: [{ name: 'app', path: fx.file('app.log'), olddir: archive }] }));
      fx.config = { ...readIngestConfig({ LOGMON_CONFIG: sources, LOG_TIMEZONE: 'UTC' }), multilineFlushMs: 0 };
      const file = fx.file('app.log');
      try {
        fs.writeFileSync(file, logLine('ERROR', 'a1', 1));
        await fx.ingest();
        fs.appendFileSync(file, logLine('ERROR', 'a2', 2));

        // Act
        logrotate(['rotate 3', 'create', `olddir ${archive}`]);
        fs.appendFileSync(file, logLine('ERROR', 'b1', 3));
        await fx.ingest();

        // Assess
        expect(fs.existsSync(path.join(archive, 'app.log.1'))).toBe(true);
        expect(await fx.messages()).toEqual(['a1', 'a2', 'b1']);
        expect(await fx.anomalies()).toEqual([]);
      } finally {
        fs.rmSync(archive, { recursive: true, force: true });
      }
    });

    it.each([
      ['compress, delaycompress', ['compress', 'delaycompress']],
      ['compress', ['compress']],
      ['olddir, compress', ['olddir old', 'compress']],
      ['olddir, dateext, compress, delaycompress', ['olddir old', 'dateext', 'dateformat -%Y%m%d-%s', 'compress', 'delaycompress']],
    ])('%s: three rotation cycles with writes in between lose nothing and record no loss', async (_, directives) => {
      // Prepare
      fs.mkdirSync(fx.file('old'), { recursive: true });
      const file = fx.file('app.log');
      const expected: string[] = [];
      let n = 0;
      const write = (count: number) => {
        let text = '';
        for (let i = 0; i < count; i += 1) {
          n += 1;
          text += logLine('ERROR', `e${n}`, n);
          expected.push(`e${n}`);
        }
        fs.appendFileSync(file, text);
      };

      // Act: per cycle, lines ingest reads, lines it does not read before the rotation, the rotation, lines in the new file
      for (let cycle = 0; cycle < 3; cycle += 1) {
        write(5);
        await fx.ingest();
        write(7);
        logrotate(['rotate 5', 'create', 'missingok', ...directives]);
        if (directives.includes('dateext')) await new Promise((r) => setTimeout(r, 1100)); // one name per second
        write(3);
        await fx.ingest();
      }
      await fx.ingest();

      // Assess
      expect((await fx.messages()).sort()).toEqual([...expected].sort());
      expect(await fx.messages()).toHaveLength(expected.length);
      expect(await fx.anomalies()).toEqual([]);
    });
  });
}
