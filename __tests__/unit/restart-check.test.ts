import type { SourceRow } from '../../lib/ingest/checkpoint';
import { fingerprintAt } from '../../lib/ingest/fingerprint';
import { decideStart, detectRestart, sameIdentity } from '../../lib/ingest/restart-check';
import type { FileIdentity } from '../../lib/ingest/restart-check';

const CONTENT = Buffer.from('2026-11-23 10:00:00 [ERROR] one\n2026-11-23 10:00:01 [ERROR] two\n');
const REWRITTEN = Buffer.from('2026-11-23 11:00:00 [ERROR] new\n2026-11-23 11:00:01 [ERROR] two\n');
const PENDING_SINCE = new Date('2026-11-23T10:00:05Z');

/** A checkpoint after the first line (32 bytes) of CONTENT, which was 50 bytes when last seen. */
function checkpoint(over: Partial<SourceRow> = {}): SourceRow {
  const fp = fingerprintAt(CONTENT, 32)!;
  return {
    id: 1,
    path: '/var/log/app.log',
    dev: '10',
    ino: '100',
    birthTimeNs: '5',
    fingerprint: fp.hash,
    fingerprintLen: fp.length,
    readOffset: 32,
    skippingLine: true,
    pendingSince: PENDING_SINCE,
    generation: 3,
    sizeSeen: 50,
    mtimeSeenMs: null,
    status: 'active',
    sourceName: 'default',
    format: 'brief',
    updatedAt: new Date(0),
    failing: false,
    kind: 'file',
    objectEtag: '',
    contentEncoding: '',
    ...over,
  };
}

describe('Function: sameIdentity', () => {
  it.each<[string, FileIdentity, boolean]>([
    ['the checkpoint’s file', { dev: '10', ino: '100', birthTimeNs: '5' }, true],
    ['birth time not reported', { dev: '10', ino: '100', birthTimeNs: '0' }, true],
    ['another inode', { dev: '10', ino: '101', birthTimeNs: '5' }, false],
    ['another device', { dev: '11', ino: '100', birthTimeNs: '5' }, false],
    ['the inode reused by a file born later', { dev: '10', ino: '100', birthTimeNs: '6' }, false],
  ])('%s → %s', (_name, opened, expected) => {
    expect(sameIdentity(opened, checkpoint())).toBe(expected);
  });
});

describe('Function: detectRestart', () => {
  it.each<[string, SourceRow, number, Buffer, string | null]>([
    ['grown, first bytes intact: resume', checkpoint(), CONTENT.length, CONTENT, null],
    ['nothing fingerprinted yet: resume', checkpoint({ readOffset: 0, fingerprint: '', fingerprintLen: 0 }), 0, Buffer.alloc(0), null],
    ['below the checkpoint: truncated', checkpoint(), 10, CONTENT.subarray(0, 10), 'truncated'],
    ['same size, first bytes changed (copytruncate and written again): content_replaced', checkpoint(), REWRITTEN.length, REWRITTEN, 'content_replaced'],
  ])('%s', (_name, source, size, head, expected) => {
    expect(detectRestart(source, size, head)?.kind ?? null).toBe(expected);
  });

  it('counts the bytes seen but not read as lost, and says what happens next', () => {
    expect(detectRestart(checkpoint(), 10, CONTENT.subarray(0, 10))).toEqual({
      kind: 'truncated',
      occurrences: 1,
      bytes: 18,
      firstOffset: 32,
      detail:
        'file shrank to 10 bytes, below the checkpoint 32; reading restarts at 0. 18 bytes seen but not yet read were lost, plus anything written and removed between runs',
    });
    expect(detectRestart(checkpoint({ status: 'rotated' }), REWRITTEN.length, REWRITTEN)?.detail).toContain('the rotated file is retired');
  });
});

describe('Function: decideStart', () => {
  it.each<[string, SourceRow, number, Buffer, unknown]>([
    [
      'resumes at the checkpoint with its state',
      checkpoint(),
      CONTENT.length,
      CONTENT,
      {
        kind: 'read',
        start: { offset: 32, skipping: true, generation: 3, pendingSince: PENDING_SINCE, fingerprint: { hash: checkpoint().fingerprint, length: 32 } },
        anomalies: [],
      },
    ],
    [
      'restarts at 0 in a new generation after truncation, forgetting the held entry',
      checkpoint(),
      10,
      CONTENT.subarray(0, 10),
      {
        kind: 'read',
        start: { offset: 0, skipping: false, generation: 4, pendingSince: null, fingerprint: { hash: '', length: 0 } },
        anomalies: [expect.objectContaining({ kind: 'truncated' })],
      },
    ],
    [
      'restarts at 0 after copytruncate',
      checkpoint(),
      REWRITTEN.length,
      REWRITTEN,
      { kind: 'read', start: expect.objectContaining({ offset: 0, generation: 4 }), anomalies: [expect.objectContaining({ kind: 'content_replaced' })] },
    ],
    [
      'retires a rotated file that was truncated instead of reading it',
      checkpoint({ status: 'rotated' }),
      10,
      CONTENT.subarray(0, 10),
      { kind: 'replaced', anomaly: expect.objectContaining({ kind: 'truncated' }) },
    ],
    [
      'retires a rotated file whose first bytes changed',
      checkpoint({ status: 'rotated' }),
      REWRITTEN.length,
      REWRITTEN,
      { kind: 'replaced', anomaly: expect.objectContaining({ kind: 'content_replaced' }) },
    ],
    [
      'goes on from the checkpoint when the file was cut after it, counting the bytes cut away',
      checkpoint({ sizeSeen: 60 }),
      40,
      CONTENT.subarray(0, 40),
      {
        kind: 'read',
        start: expect.objectContaining({ offset: 32, generation: 3 }),
        anomalies: [
          {
            kind: 'shrank',
            occurrences: 1,
            bytes: 20,
            firstOffset: 40,
            detail: 'file shrank from 60 to 40 bytes, not below the checkpoint 32; the bytes after 40 were seen but never read',
          },
        ],
      },
    ],
  ])('%s', (_name, source, size, head, expected) => {
    expect(decideStart(source, size, head)).toEqual(expected);
  });
});
