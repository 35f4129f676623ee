import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { openForReading } from '../../lib/ingest/source-reader';
import type { OpenFile } from '../../lib/ingest/source-reader';
import { logLine } from '../support/files';
import { IngestFixture } from '../support/ingest-fixture';

const fx = new IngestFixture();

beforeAll(() => fx.setUp());
afterAll(() => fx.tearDown());
beforeEach(() => fx.reset());

/** Fails to open `failing` with `code`, as the kernel would; other files open normally. */
function failingOpen(failing: string, code: string): OpenFile {
  return async (filePath) => {
    if (filePath === failing) throw Object.assign(new Error(`${code}: permission denied, open '${filePath}'`), { code });
    return openForReading(filePath);
  };
}

describe('Function: runIngest › files', () => {
  it('picks up new files matching a LOG_FILES glob, each with its own checkpoint', async () => {
    // Prepare
    fx.config = { ...fx.config, logFiles: [fx.file('*.log')] };
    fs.writeFileSync(fx.file('a.log'), logLine('ERROR', 'a1', 1));
    fs.writeFileSync(fx.file('b.log'), logLine('ERROR', 'b1', 1) + logLine('INFO', 'b2', 2));
    fs.writeFileSync(fx.file('ignored.txt'), logLine('ERROR', 'not matched', 1));
    await fx.ingest();

    // Act
    fs.writeFileSync(fx.file('c.log'), logLine('FATAL', 'c1', 1));
    fs.appendFileSync(fx.file('a.log'), logLine('ERROR', 'a2', 2));
    const second = await fx.ingest();

    // Assess
    expect((await fx.messages()).sort()).toEqual(['a1', 'a2', 'b1', 'c1']);
    expect(second.totals.entriesStored).toBe(2);
    const sources = (await fx.sources()).map((s) => [s.path, Number(s.read_offset), s.status]);
    expect(sources.sort()).toEqual(['a.log', 'b.log', 'c.log'].map((n) => [fx.file(n), fs.statSync(fx.file(n)).size, 'active']));
  });

  it('reports an unreadable file, keeps its checkpoint, reads the others, and resumes it once readable', async () => {
    // Tests run as root, which ignores file modes: the EACCES is injected through the openFile dependency.
    fx.config = { ...fx.config, logFiles: [fx.file('a.log'), fx.file('b.log')] };
    fs.writeFileSync(fx.file('a.log'), logLine('ERROR', 'a1', 1));
    fs.writeFileSync(fx.file('b.log'), logLine('ERROR', 'b1', 1));
    await fx.ingest();
    fs.appendFileSync(fx.file('a.log'), logLine('ERROR', 'a2', 2));
    fs.appendFileSync(fx.file('b.log'), logLine('ERROR', 'b2', 2));

    const broken = await fx.ingest({ openFile: failingOpen(fx.file('a.log'), 'EACCES') });

    expect(broken.files.find((f) => f.path === fx.file('a.log'))).toMatchObject({ outcome: 'unreadable', error: expect.stringContaining('EACCES') });
    expect(broken.totals.filesWithErrors).toBe(1);
    expect(await fx.messages()).toEqual(['a1', 'b1', 'b2']);
    const [a] = await fx.sources();
    expect(a).toMatchObject({ read_offset: String(logLine('ERROR', 'a1', 1).length), last_error: expect.stringContaining('EACCES') });
    expect(await fx.anomalies()).toEqual([
      expect.objectContaining({ kind: 'file_unreadable', path: fx.file('a.log'), bytes: String(logLine('ERROR', 'a2', 2).length) }),
    ]);

    await fx.ingest();

    expect(await fx.messages()).toEqual(['a1', 'b1', 'b2', 'a2']);
    expect((await fx.sources())[0]!.last_error).toBeNull();
  });

  it('reports a read failure of one file as that file’s error and goes on with the others', async () => {
    fx.config = { ...fx.config, logFiles: [fx.file('a.log'), fx.file('b.log')] };
    fs.writeFileSync(fx.file('a.log'), logLine('ERROR', 'a1', 1));
    fs.writeFileSync(fx.file('b.log'), logLine('ERROR', 'b1', 1));
    const eio: OpenFile = async (filePath) => {
      const handle = await openForReading(filePath);
      if (filePath !== fx.file('a.log')) return handle;
      const read = () => Promise.reject(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }));
      return Object.assign(Object.create(handle) as typeof handle, { read });
    };

    const summary = await fx.ingest({ openFile: eio });

    expect(summary.files.find((f) => f.path === fx.file('a.log'))).toMatchObject({ outcome: 'error', error: expect.stringContaining('EIO') });
    expect(await fx.messages()).toEqual(['b1']);
  });

  it('keeps the checkpoint of a file that went missing and resumes from it when the same file comes back', async () => {
    const file = fx.file('app.log');
    const away = `${fx.dir}-away.log`;
    fs.writeFileSync(file, `${logLine('ERROR', 'one', 1)}2026-11-23 10:00:02 [ERROR] half`);
    await fx.ingest();

    fs.renameSync(file, away); // same file system: the inode is kept
    const missing = await fx.ingest();

    expect(missing.files).toEqual([expect.objectContaining({ path: file, outcome: 'missing', error: expect.stringContaining('ENOENT') })]);
    expect(await fx.sources()).toEqual([expect.objectContaining({ status: 'missing', read_offset: String(logLine('ERROR', 'one', 1).length) })]);
    expect(await fx.anomalies()).toEqual([expect.objectContaining({ kind: 'file_gone_unread', bytes: String('2026-11-23 10:00:02 [ERROR] half'.length) })]);

    fs.appendFileSync(away, ' done\n');
    fs.renameSync(away, file);
    await fx.ingest();

    expect(await fx.messages()).toEqual(['one', 'half done']);
    expect((await fx.sources()).map((s) => s.status)).toEqual(['active']);
  });

  it('stops taking turns when told to, after every file has had a batch', async () => {
    fx.config = { ...fx.config, logFiles: [fx.file('a.log'), fx.file('b.log')], batchBytes: 64 * 1024 };
    const lines = (tag: string): string => Array.from({ length: 6000 }, (_, i) => logLine('ERROR', `${tag}${i}`, i % 60)).join('');
    fs.writeFileSync(fx.file('a.log'), lines('a'));
    fs.writeFileSync(fx.file('b.log'), lines('b'));
    let batches = 0;

    const summary = await fx.ingest({ hooks: { beforeCommit: () => void (batches += 1) }, shouldStop: () => batches >= 2 });

    expect(summary.stoppedEarly).toBe(true);
    expect(summary.files.map((f) => f.batches)).toEqual([1, 1]);
    expect(summary.files.every((f) => f.toOffset > 0 && f.lagBytes > 0)).toBe(true);
    await fx.ingest();
    expect(await fx.messages()).toHaveLength(12000);
  });
});

describe('Function: runIngest › rename rotation', () => {
  it('reads the rest of the rotated file, found by identity, and starts the new one: nothing lost or repeated', async () => {
    // Prepare: a first run, then lines the next run has not seen yet.
    const file = fx.file('app.log');
    fs.writeFileSync(file, logLine('ERROR', 'old 1', 1));
    await fx.ingest();
    fs.appendFileSync(file, `${logLine('ERROR', 'old 2', 2)}2026-11-23 10:00:03 [ERROR] old 3 half`);

    // Act: logrotate `create`, while the application still writes to the old file.
    fs.renameSync(file, fx.file('app.log.1'));
    fs.writeFileSync(file, logLine('ERROR', 'new 1', 4));
    fs.appendFileSync(fx.file('app.log.1'), ` written\n${logLine('FATAL', 'old 4', 5)}`);
    const summary = await fx.ingest();

    // Assess: the rotated file first, under its new name, then the new file.
    expect(await fx.messages()).toEqual(['old 1', 'old 2', 'old 3 half written', 'old 4', 'new 1']);
    expect(summary.files.map((f) => [f.path, f.outcome])).toEqual([
      [fx.file('app.log.1'), 'read'],
      [file, 'read'],
    ]);
    expect((await fx.sources()).map((s) => [s.path, s.status])).toEqual([
      [fx.file('app.log.1'), 'rotated'],
      [file, 'active'],
    ]);
    expect(await fx.anomalies()).toEqual([]);
  });

  it('follows a file rotated twice between runs; a generation created and rotated away between two runs is never seen', async () => {
    const file = fx.file('app.log');
    fs.writeFileSync(file, logLine('ERROR', 'gen0 a', 1));
    await fx.ingest();
    fs.appendFileSync(file, logLine('ERROR', 'gen0 b', 2));
    fs.renameSync(file, fx.file('app.log.1'));
    fs.writeFileSync(file, logLine('ERROR', 'gen1 a', 3));
    fs.renameSync(fx.file('app.log.1'), fx.file('app.log.2'));
    fs.renameSync(file, fx.file('app.log.1'));
    fs.writeFileSync(file, logLine('ERROR', 'gen2 a', 4));

    await fx.ingest();
    fs.unlinkSync(fx.file('app.log.2'));
    const after = await fx.ingest();

    expect(await fx.messages()).toEqual(['gen0 a', 'gen0 b', 'gen2 a']);
    expect(after.files.find((f) => f.path === fx.file('app.log.2'))).toMatchObject({ outcome: 'rotated-gone' });
    expect((await fx.sources()).map((s) => s.status)).toEqual(['retired', 'active']);
    expect(await fx.anomalies()).toEqual([]);
  });

  it('records what a rotated file still held when it disappeared', async () => {
    // Prepare: a held entry and a partial line, in a file rotated, then deleted before they were finished.
    fx.config = { ...fx.config, multilineFlushMs: 5000 };
    const file = fx.file('app.log');
    const content = `${logLine('ERROR', 'held', 1)}2026-11-23 10:00:02 [ERROR] never finished`;
    fs.writeFileSync(file, content);
    const t0 = fs.statSync(file).mtimeMs;
    await fx.ingest({ now: () => t0 + 100 });
    fs.renameSync(file, fx.file('app.log.1'));
    await fx.ingest({ now: () => t0 + 200 });

    fs.unlinkSync(fx.file('app.log.1'));
    const summary = await fx.ingest({ now: () => t0 + 300 });

    expect(await fx.messages()).toEqual([]);
    expect(summary.totals.bytesLost).toBe(content.length);
    expect(await fx.anomalies()).toEqual([expect.objectContaining({ kind: 'rotated_gone_unread', bytes: String(content.length), first_offset: '0' })]);
  });

  it('takes the unterminated last line of a quiet rotated file as complete', async () => {
    const file = fx.file('app.log');
    fs.writeFileSync(file, `${logLine('ERROR', 'one', 1)}2026-11-23 10:00:02 [ERROR] last words`);
    await fx.ingest();
    expect(await fx.messages()).toEqual(['one']);

    fs.renameSync(file, fx.file('app.log.1'));
    fs.writeFileSync(file, '');
    await fx.ingest();

    expect(await fx.messages()).toEqual(['one', 'last words']);
  });
});

describe('Function: runIngest › truncation', () => {
  it('detects copytruncate by size, restarts at 0 and records what it had seen but not read', async () => {
    const file = fx.file('app.log');
    const half = '2026-11-23 10:00:02 [ERROR] cut';
    fs.writeFileSync(file, logLine('ERROR', 'before', 1) + logLine('ERROR', 'before 2', 1) + half);
    await fx.ingest();

    fs.copyFileSync(file, fx.file('app.log.1'));
    fs.truncateSync(file, 0);
    fs.appendFileSync(file, logLine('ERROR', 'after', 3));
    const summary = await fx.ingest();

    expect(await fx.messages()).toEqual(['before', 'before 2', 'after']);
    expect(await fx.anomalies()).toEqual([expect.objectContaining({ kind: 'truncated', bytes: String(half.length) })]);
    expect(summary.totals.bytesLost).toBe(half.length);
    expect(await fx.sources()).toEqual([expect.objectContaining({ generation: 1, status: 'active' })]);
  });

  it('detects a rewrite that grew past the checkpoint by its first bytes, and restarts at 0', async () => {
    const file = fx.file('app.log');
    fs.writeFileSync(file, logLine('ERROR', 'old', 1));
    await fx.ingest();

    fs.truncateSync(file, 0);
    fs.appendFileSync(file, logLine('ERROR', 'new and longer', 2) + logLine('ERROR', 'new 2', 3));
    await fx.ingest();

    expect(await fx.messages()).toEqual(['old', 'new and longer', 'new 2']);
    expect(await fx.anomalies()).toEqual([expect.objectContaining({ kind: 'content_replaced', bytes: '0' })]);
  });

  it('goes on from the checkpoint when a file is cut after it, recording the bytes cut away', async () => {
    const file = fx.file('app.log');
    const first = logLine('ERROR', 'kept', 1);
    fs.writeFileSync(file, `${first}2026-11-23 10:00:02 [ERROR] partial that will be cut`);
    await fx.ingest();

    fs.truncateSync(file, first.length + 5);
    await fx.ingest();
    fs.appendFileSync(file, 'x\n');
    await fx.ingest();

    expect(await fx.messages()).toEqual(['kept']);
    expect((await fx.anomalies()).map((a) => [a.kind, a.bytes])).toEqual([
      ['shrank', String('2026-11-23 10:00:02 [ERROR] partial that will be cut'.length - 5)],
      ['unparseable_lines', '7'],
    ]);
  });

  it('records a file that ends before the size it reported, and loses nothing it could read', async () => {
    const file = fx.file('app.log');
    const content = logLine('ERROR', 'a', 1) + logLine('ERROR', 'b', 2);
    fs.writeFileSync(file, `${content + 'x'.repeat(2000)}\n`);
    // The file shrinks between the stat and the read: cut after the stat, keeping the first 1 KiB intact.
    const shrinking: OpenFile = async (filePath) => {
      const handle = await openForReading(filePath);
      const stat = handle.stat.bind(handle);
      const statThenShrink = (async (opts: unknown) => {
        const st = await stat(opts as { bigint: true });
        await fsp.truncate(filePath, 1500);
        return st;
      }) as typeof handle.stat;
      return Object.assign(Object.create(handle) as typeof handle, { stat: statThenShrink });
    };

    const summary = await fx.ingest({ openFile: shrinking });

    // 'b' waits for a batch that sees the end of the file (the next one, in the same run).
    expect(await fx.messages()).toEqual(['a', 'b']);
    expect(summary.files[0]).toMatchObject({ outcome: 'read', anomalies: ['shrank_while_reading'], bytesLost: 2001 + content.length - 1500 });
    await fx.ingest();
    expect(await fx.messages()).toEqual(['a', 'b']);
  });

  it('rolls the batch back when the file is rewritten while being read, and reads the new content next run', async () => {
    const file = fx.file('app.log');
    fs.writeFileSync(file, logLine('ERROR', 'original', 1));
    const rewriting: OpenFile = async (filePath) => {
      const handle = await openForReading(filePath);
      const read = handle.read.bind(handle) as (...args: unknown[]) => Promise<{ bytesRead: number; buffer: Buffer }>;
      let reads = 0;
      const readThenRewrite = (async (...args: unknown[]) => {
        const result = await read(...args);
        reads += 1;
        // after the head and the first chunk: another program rewrites the file
        if (reads === 2) await fsp.writeFile(filePath, logLine('ERROR', 'replacement', 2));
        return result;
      }) as typeof handle.read;
      return Object.assign(Object.create(handle) as typeof handle, { read: readThenRewrite });
    };

    const summary = await fx.ingest({ openFile: rewriting });
    expect(summary.files[0]).toMatchObject({ outcome: 'changed' });
    expect(await fx.messages()).toEqual([]);

    await fx.ingest();
    expect(await fx.messages()).toEqual(['replacement']);
  });
});

describe('Function: runIngest › identity', () => {
  it.each([
    ['its birth time', false],
    ['its first bytes, where birth times are unknown', true],
  ])('never applies a missing file’s checkpoint to another file that got its inode, told by %s', async (_how, noBirthTimes) => {
    // Prepare: a checkpoint for a file now gone, and a new file. Inode reuse
    // cannot be forced, so the old checkpoint is given the new file's inode.
    const file = fx.file('app.log');
    fs.writeFileSync(file, logLine('ERROR', 'old one', 1) + logLine('ERROR', 'old two', 2));
    await fx.ingest();
    fs.unlinkSync(file);
    await fx.ingest();
    fs.writeFileSync(file, logLine('ERROR', 'new file', 3) + logLine('ERROR', 'new file 2', 4) + logLine('ERROR', 'new file 3', 5));
    const st = fs.statSync(file, { bigint: true });
    await fx.db.pool.query('UPDATE log_sources SET ino = $1, dev = $2', [st.ino.toString(), st.dev.toString()]);
    if (noBirthTimes) await fx.db.pool.query('UPDATE log_sources SET birth_time_ns = 0');

    // Act
    await fx.ingest();

    // Assess: the new file is read from its start under a checkpoint of its own.
    expect(await fx.messages()).toEqual(['old one', 'old two', 'new file', 'new file 2', 'new file 3']);
    expect((await fx.sources()).map((s) => [s.status, Number(s.read_offset)])).toEqual([
      ['retired', logLine('ERROR', 'old one', 1).length * 2],
      ['active', fs.statSync(file).size],
    ]);
    expect(await fx.anomalies()).toEqual([]);
  });

  it('treats a file deleted and created again at the same path as a new file, whether or not it got the same inode', async () => {
    const file = fx.file('app.log');
    const half = '2026-11-23 10:00:02 [ERROR] unfinished';
    fs.writeFileSync(file, logLine('ERROR', 'old', 1) + half);
    await fx.ingest();
    const before = fs.statSync(file).ino;

    fs.unlinkSync(file);
    fs.writeFileSync(file, logLine('ERROR', 'new', 3));
    const reused = fs.statSync(file).ino === before;
    const summary = await fx.ingest();

    expect(await fx.messages()).toEqual(['old', 'new']);
    expect(summary.totals.bytesLost).toBe(half.length);
    expect((await fx.anomalies()).map((a) => [a.kind, Number(a.bytes)])).toEqual([[reused ? 'identity_mismatch' : 'file_gone_unread', half.length]]);
    expect((await fx.sources()).map((s) => s.status)).toEqual([reused ? 'retired' : 'missing', 'active']);
  });

  it('does not read a file of the same directory that took a rotated file’s inode', async () => {
    const file = fx.file('app.log');
    fs.writeFileSync(file, logLine('ERROR', 'app', 1));
    await fx.ingest();
    fs.renameSync(file, fx.file('app.log.1'));
    fs.writeFileSync(file, '');
    await fx.ingest();
    // app.log.1 is replaced by an unrelated file; pretend it reused the inode
    fs.rmSync(fx.file('app.log.1'));
    fs.writeFileSync(fx.file('other.txt'), logLine('ERROR', 'not a log of ours', 2));
    const st = fs.statSync(fx.file('other.txt'), { bigint: true });
    await fx.db.pool.query("UPDATE log_sources SET ino = $1 WHERE status = 'rotated'", [st.ino.toString()]);

    const summary = await fx.ingest();

    expect(await fx.messages()).toEqual(['app']);
    expect((await fx.sources()).map((s) => s.status)).toEqual(['retired', 'active']);
    expect(summary.files.find((f) => f.path === fx.file('app.log.1'))).toMatchObject({ outcome: 'rotated-gone' });
    // it had been read to its end: nothing lost, so no anomaly
    expect(await fx.anomalies()).toEqual([]);
  });
});

describe('Function: runIngest › multi-line entries and the flush timeout', () => {
  const FLUSH_MS = 5000;

  /** Set the file's mtime on the injected clock. */
  function touch(file: string, atMs: number): void {
    fs.utimesSync(file, atMs / 1000, atMs / 1000);
  }

  it('holds the last entry for its continuation lines until MULTILINE_FLUSH_MS of quiet, with the checkpoint at its start', async () => {
    fx.config = { ...fx.config, multilineFlushMs: FLUSH_MS };
    const file = fx.file('app.log');
    const first = logLine('ERROR', 'first', 1);
    const t0 = Date.UTC(2026, 10, 23, 10);
    fs.writeFileSync(file, `${first + logLine('ERROR', 'boom', 2)}java.lang.Exception: x\n`);
    touch(file, t0);

    await fx.ingest({ now: () => t0 + 1000 });
    expect(await fx.messages()).toEqual(['first']);
    expect(await fx.sources()).toEqual([expect.objectContaining({ read_offset: String(first.length), pending_since: new Date(t0 + 1000) })]);

    fs.appendFileSync(file, '\tat Foo.bar(Foo.java:1)\n');
    touch(file, t0 + 2000);
    await fx.ingest({ now: () => t0 + 3000 });
    expect(await fx.messages()).toEqual(['first']);

    const summary = await fx.ingest({ now: () => t0 + 2000 + FLUSH_MS });
    expect(await fx.messages()).toEqual(['first', 'boom\njava.lang.Exception: x\n\tat Foo.bar(Foo.java:1)']);
    expect(summary.files[0]).toMatchObject({ lagBytes: 0, continuationLines: 2 });
    expect((await fx.sources())[0]!.pending_since).toBeNull();
  });

  it('finishes a held entry once it has been held MULTILINE_FLUSH_MS, even while the file keeps changing', async () => {
    fx.config = { ...fx.config, multilineFlushMs: FLUSH_MS };
    const file = fx.file('app.log');
    const t0 = Date.UTC(2026, 10, 23, 10);
    fs.writeFileSync(file, logLine('ERROR', 'slow trace', 1));
    touch(file, t0);
    await fx.ingest({ now: () => t0 + 100 });

    for (const t of [2000, 4000, 5100]) {
      fs.appendFileSync(file, `  at frame ${t}\n`);
      touch(file, t0 + t);
      await fx.ingest({ now: () => t0 + t + 50 });
    }

    expect(await fx.messages()).toEqual(['slow trace\n  at frame 2000\n  at frame 4000\n  at frame 5100']);
  });

  it('stores a held entry at once when the next entry starts, and moves the checkpoint to the new last entry', async () => {
    fx.config = { ...fx.config, multilineFlushMs: FLUSH_MS };
    const file = fx.file('app.log');
    const t0 = Date.now();
    const now = () => t0;
    fs.writeFileSync(file, logLine('ERROR', 'a', 1));
    await fx.ingest({ now });

    fs.appendFileSync(file, `  more a\n${logLine('INFO', 'b', 2)}`);
    await fx.ingest({ now });

    expect(await fx.messages()).toEqual(['a\n  more a']);
    expect(Number((await fx.sources())[0]!.read_offset)).toBe(logLine('ERROR', 'a', 1).length + '  more a\n'.length);
  });

  it('counts continuation lines written after their entry was flushed as unparseable', async () => {
    const file = fx.file('app.log');
    fs.writeFileSync(file, logLine('ERROR', 'flushed', 1));
    await fx.ingest();

    fs.appendFileSync(file, '  late frame\n');
    const summary = await fx.ingest();

    expect(await fx.messages()).toEqual(['flushed']);
    expect(summary.totals).toMatchObject({ unparseableLines: 1, unparseableBytes: '  late frame\n'.length });
  });
});
