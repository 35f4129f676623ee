import crypto from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

/**
 * A file's content identity (with dev+inode): a hash of its first
 * `min(checkpoint, FINGERPRINT_BYTES)` bytes, i.e. of the bytes before the
 * checkpoint. While they match, resuming at the checkpoint is safe; when they
 * do not, the file was rewritten (copytruncate, truncate and write again) or
 * the inode was reused by another file.
 */
export const FINGERPRINT_BYTES = 1024;

export interface Fingerprint {
  hash: string;
  length: number;
}

export function hashBytes(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 32);
}

/** The first `length` bytes of the file (fewer when it is shorter). */
export async function readHead(handle: FileHandle, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buf, filled, length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buf.subarray(0, filled);
}

/** True when `head` starts with the bytes `fingerprint` was taken of (an empty fingerprint matches anything). */
export function headMatches(head: Uint8Array, fingerprint: Fingerprint): boolean {
  if (fingerprint.length === 0) return true;
  return head.length >= fingerprint.length && hashBytes(head.subarray(0, fingerprint.length)) === fingerprint.hash;
}

/** Fingerprint of the first `min(offset, FINGERPRINT_BYTES)` bytes of `head`, or null when `head` is too short. */
export function fingerprintAt(head: Uint8Array, offset: number): Fingerprint | null {
  const length = Math.min(offset, FINGERPRINT_BYTES);
  if (head.length < length) return null;
  return { hash: length === 0 ? '' : hashBytes(head.subarray(0, length)), length };
}
