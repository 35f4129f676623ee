import type { Anomaly } from './anomaly';
import type { SourceRow } from './checkpoint';
import { sameBirth } from './file-discovery';
import { headMatches } from './fingerprint';
import type { Fingerprint } from './fingerprint';

/** The identity of an opened file, from fstat: dev+inode and birth time ('0' when not reported). */
export interface FileIdentity {
  dev: string;
  ino: string;
  birthTimeNs: string;
}

/**
 * Is the file opened at the checkpoint's path still the checkpoint's file?
 * Between discovery and open the path may have been given to another file.
 */
export function sameIdentity(file: FileIdentity, source: SourceRow): boolean {
  return file.dev === source.dev && file.ino === source.ino && sameBirth(file.birthTimeNs, source.birthTimeNs);
}

/**
 * How the file changed since the checkpoint was saved: `truncated` (now
 * shorter than the checkpoint) or `content_replaced` (the bytes before the
 * checkpoint differ from those fingerprinted), or null when resuming is safe.
 * `head` is the file's first bytes, up to FINGERPRINT_BYTES.
 */
export function detectRestart(source: SourceRow, size: number, head: Uint8Array): Anomaly | null {
  const offset = source.readOffset;
  const unread = Math.max(0, source.sizeSeen - offset);
  const next = source.status === 'rotated' ? 'the rotated file is retired' : 'reading restarts at 0';
  const lost = `${next}. ${unread} bytes seen but not yet read were lost, plus anything written and removed between runs`;
  if (size < offset) {
    return {
      kind: 'truncated',
      occurrences: 1,
      bytes: unread,
      firstOffset: offset,
      detail: `file shrank to ${size} bytes, below the checkpoint ${offset}; ${lost}`,
    };
  }
  if (!headMatches(head, { hash: source.fingerprint, length: source.fingerprintLen })) {
    return {
      kind: 'content_replaced',
      occurrences: 1,
      bytes: unread,
      firstOffset: offset,
      detail: `the bytes before the checkpoint ${offset} changed (copytruncate, or truncated and written again); ${lost}`,
    };
  }
  return null;
}

/** Where a batch's scan starts, and the checkpoint state it carries on. */
export interface ScanStart {
  offset: number;
  skipping: boolean;
  generation: number;
  pendingSince: Date | null;
  fingerprint: Fingerprint;
}

/**
 * - `replaced`: a rotated file's content no longer matches its checkpoint: it must not be read (it is retired);
 * - `read`: scan from `start`, recording `anomalies`.
 */
export type StartDecision = { kind: 'replaced'; anomaly: Anomaly } | { kind: 'read'; start: ScanStart; anomalies: Anomaly[] };

const NO_FINGERPRINT: Fingerprint = { hash: '', length: 0 };

/**
 * Where a batch starts reading `source`, given the file's `size` now and its
 * first bytes: at the checkpoint; at 0 in a new generation when the file was
 * truncated or rewritten (copytruncate); nowhere for a rotated file that was
 * (it is retired). A file cut after the checkpoint goes on, with a `shrank`
 * anomaly for the bytes cut away.
 *
 * @example
 *   decideStart(row, 10, head); // row.readOffset 20 → { kind: 'read', start: { offset: 0, generation: row.generation + 1, … }, anomalies: [truncated] }
 */
export function decideStart(source: SourceRow, size: number, head: Uint8Array): StartDecision {
  const restart = detectRestart(source, size, head);
  if (restart) {
    if (source.status === 'rotated') return { kind: 'replaced', anomaly: restart };
    return {
      kind: 'read',
      start: { offset: 0, skipping: false, generation: source.generation + 1, pendingSince: null, fingerprint: NO_FINGERPRINT },
      anomalies: [restart],
    };
  }
  const offset = source.readOffset;
  const start: ScanStart = {
    offset,
    skipping: source.skippingLine,
    generation: source.generation,
    pendingSince: source.pendingSince,
    fingerprint: { hash: source.fingerprint, length: source.fingerprintLen },
  };
  if (size >= source.sizeSeen) return { kind: 'read', start, anomalies: [] };
  // Cut after the checkpoint: what was before it is intact, so reading goes on.
  const shrank: Anomaly = {
    kind: 'shrank',
    occurrences: 1,
    bytes: source.sizeSeen - size,
    firstOffset: size,
    detail: `file shrank from ${source.sizeSeen} to ${size} bytes, not below the checkpoint ${offset}; the bytes after ${size} were seen but never read`,
  };
  return { kind: 'read', start, anomalies: [shrank] };
}
