import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { toFsPath } from '../platform/fs-name';

// Rotated files that logrotate compressed (`compress`, with or without
// `delaycompress`): gzip writes a new file (another inode) and deletes the
// rotated one, so a file compressed before ingest read it to its end is
// followed into its .gz by the identity of its content (its first bytes match
// the checkpoint's fingerprint), then read decompressed from the checkpoint
// (issue 15). Only gzip, logrotate's default compresscmd.

/** A path logmon reads as gzip-compressed. */
export function isCompressedPath(filePath: string): boolean {
  return filePath.endsWith('.gz');
}

/** The first `length` bytes of a gzip file's content (fewer when it is shorter); null when it is not gzip or cannot be read. */
export async function gzipHead(filePath: string, length: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let got = 0;
  const source = fs.createReadStream(toFsPath(filePath), { highWaterMark: 16 * 1024 });
  const gunzip = zlib.createGunzip();
  try {
    await new Promise<void>((resolve, reject) => {
      gunzip.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        got += chunk.length;
        if (got >= length) resolve();
      });
      gunzip.on('end', () => resolve());
      gunzip.on('error', reject);
      source.on('error', reject);
      source.pipe(gunzip);
    });
    return Buffer.concat(chunks).subarray(0, length);
  } catch {
    return null;
  } finally {
    source.destroy();
    gunzip.destroy();
  }
}

/**
 * The size of a gzip file's content from its trailer (ISIZE: the size modulo
 * 2³², exact below 4 GiB, which rotated logs are), or null when unreadable.
 */
export async function gzipContentSize(filePath: string): Promise<number | null> {
  let handle: FileHandle | undefined;
  try {
    handle = await fsp.open(toFsPath(filePath), 'r');
    const { size } = await handle.stat();
    if (size < 18) return null;
    const trailer = Buffer.alloc(4);
    await handle.read(trailer, 0, 4, size - 4);
    return trailer.readUInt32LE(0);
  } catch {
    return null;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Open a gzip file's content as a plain file: decompressed into a 0600 file
 * in a private folder of the temporary directory, opened, and unlinked at
 * once (the handle keeps it readable; nothing is left behind, even if the
 * process dies). Streams: memory stays flat whatever the size; the space is
 * the temporary directory's (Lambda: 512 MB by default, `ephemeralStorage`).
 */
export async function openDecompressed(filePath: string): Promise<FileHandle> {
  return openDecompressedStream(fs.createReadStream(toFsPath(filePath)));
}

/** The same for gzip bytes arriving as a stream (an S3 object's body). A gzip of several members is read whole. */
export async function openDecompressedStream(compressed: NodeJS.ReadableStream): Promise<FileHandle> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'logmon-gz-'));
  const plain = path.join(dir, 'content');
  try {
    await pipeline(compressed, zlib.createGunzip(), fs.createWriteStream(plain, { mode: 0o600, flags: 'wx' }));
    return await fsp.open(plain, 'r');
  } finally {
    await fsp.rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}
