import crypto from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

/** Bytes at the start of a file that identify its content (with dev+inode). */
export const FINGERPRINT_BYTES = 1024;

export interface Fingerprint {
  hash: string;
  length: number;
}

export function hashBytes(bytes: Buffer): string {
  return crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 32);
}

/** Fingerprint of the first `length` bytes (fewer when the file is shorter). */
export async function readFingerprint(handle: FileHandle, length: number): Promise<Fingerprint> {
  const buf = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buf, filled, length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return { hash: hashBytes(buf.subarray(0, filled)), length: filled };
}
