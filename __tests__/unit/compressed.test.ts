import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { gzipContentSize, gzipHead, isCompressedPath, openDecompressed } from '../../lib/ingest/compressed';
import { discoverFiles } from '../../lib/ingest/file-discovery';

describe('Module: compressed (rotated files logrotate compressed)', () => {
  let dir: string;
  const content = Buffer.from(Array.from({ length: 5000 }, (_, i) => `2026-11-23 10:00:00 [ERROR] line ${i}\n`).join(''));
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logmon-gz-test-'));
    fs.writeFileSync(path.join(dir, 'app.log.1.gz'), zlib.gzipSync(content));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the first bytes of the content, and its size from the trailer', async () => {
    const file = path.join(dir, 'app.log.1.gz');
    expect(await gzipHead(file, 40)).toEqual(content.subarray(0, 40));
    expect(await gzipHead(file, content.length + 10)).toEqual(content);
    expect(await gzipContentSize(file)).toBe(content.length);
  });

  it('says null for a file that is not gzip', async () => {
    const plain = path.join(dir, 'plain.gz');
    fs.writeFileSync(plain, content);
    expect(await gzipHead(plain, 40)).toBeNull();
    expect(await gzipContentSize(path.join(dir, 'none.gz'))).toBeNull();
  });

  it('opens the content as a plain file and leaves nothing in the temporary directory', async () => {
    const before = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('logmon-gz-') && !dir.endsWith(n)).length;
    const handle = await openDecompressed(path.join(dir, 'app.log.1.gz'));
    try {
      const buf = Buffer.alloc(content.length);
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
      expect(bytesRead).toBe(content.length);
      expect(buf.equals(content)).toBe(true);
      expect((await handle.stat()).size).toBe(content.length);
    } finally {
      await handle.close();
    }
    expect(fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('logmon-gz-') && !dir.endsWith(n)).length).toBe(before);
  });

  it('is never yielded by a glob: a compressed file is read only as the continuation of a rotated one', async () => {
    fs.writeFileSync(path.join(dir, 'app.log'), content);
    fs.writeFileSync(path.join(dir, 'app.log.2'), content);
    const found = await discoverFiles(['app.log*'], dir);
    expect(found.files.map((f) => path.basename(f.path)).sort()).toEqual(['app.log', 'app.log.2']);
  });

  it('knows a compressed path by its .gz', () => {
    expect([isCompressedPath('/var/log/app.log.1.gz'), isCompressedPath('/var/log/app.log.1'), isCompressedPath('/var/log/app.gzip.log')]).toEqual([
      true,
      false,
      false,
    ]);
  });
});
