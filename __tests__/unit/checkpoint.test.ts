import type { SourceRowDb } from '../../sql/ingest-statements';
import { SOURCE_STATUSES, isSourceStatus, nextFingerprint, toSourceRow } from '../../lib/ingest/checkpoint';
import { FINGERPRINT_BYTES, fingerprintAt } from '../../lib/ingest/fingerprint';
import type { Fingerprint } from '../../lib/ingest/fingerprint';
import { DatabaseError } from '../../lib/platform/errors';

/** A row as node-postgres returns it for SOURCE_COLUMNS: bigint as text. */
function dbRow(over: Partial<SourceRowDb> = {}): SourceRowDb {
  return {
    id: '7',
    path: '/var/log/app.log',
    dev: '2049',
    ino: '1234',
    birth_time_ns: '1700000000123456789',
    fingerprint: 'abc',
    fingerprint_len: 40,
    read_offset: '9007199254740',
    skipping_line: false,
    pending_since: new Date('2026-11-23T10:00:00Z'),
    generation: 2,
    size_seen: '9007199254800',
    mtime_seen: new Date('2026-11-23T10:00:01Z'),
    status: 'rotated',
    source_name: 'api',
    format: 'json',
    updated_at: new Date('2026-11-23T10:00:02Z'),
    failing: false,
    kind: 'file',
    object_etag: '',
    content_encoding: '',
    ...over,
  };
}

describe('Function: toSourceRow', () => {
  it('converts bigint text to numbers and keeps dev, inode and birth time as text', () => {
    expect(toSourceRow(dbRow())).toEqual({
      id: 7,
      path: '/var/log/app.log',
      dev: '2049',
      ino: '1234',
      birthTimeNs: '1700000000123456789',
      fingerprint: 'abc',
      fingerprintLen: 40,
      readOffset: 9007199254740,
      skippingLine: false,
      pendingSince: new Date('2026-11-23T10:00:00Z'),
      generation: 2,
      sizeSeen: 9007199254800,
      mtimeSeenMs: new Date('2026-11-23T10:00:01Z').getTime(),
      status: 'rotated',
      sourceName: 'api',
      format: 'json',
      updatedAt: new Date('2026-11-23T10:00:02Z'),
      failing: false,
      kind: 'file',
      objectEtag: '',
      contentEncoding: '',
    });
  });

  it('refuses a status the schema does not allow', () => {
    expect(() => toSourceRow(dbRow({ status: 'paused' }))).toThrow(DatabaseError);
  });

  it('refuses a kind or a content encoding the schema does not allow', () => {
    expect(() => toSourceRow(dbRow({ kind: 'ftp' }))).toThrow(DatabaseError);
    expect(() => toSourceRow(dbRow({ kind: 's3', content_encoding: 'br' }))).toThrow(DatabaseError);
  });
});

describe('Function: isSourceStatus', () => {
  it.each([...SOURCE_STATUSES.map((s) => [s, true] as const), ['paused', false] as const, ['', false] as const])('%s → %s', (value, expected) => {
    expect(isSourceStatus(value)).toBe(expected);
  });
});

describe('Function: nextFingerprint', () => {
  const head = Buffer.from('2026-11-23 10:00:00 [ERROR] x\n'.repeat(100));
  const at = (offset: number): Fingerprint => fingerprintAt(head, offset)!;

  it.each<[string, Fingerprint, Buffer, number, Fingerprint]>([
    ['nothing fingerprinted yet: the bytes before the new checkpoint', { hash: '', length: 0 }, head, 30, at(30)],
    ['a fingerprint shorter than the checkpoint grows with it', at(30), head, 60, at(60)],
    ['up to FINGERPRINT_BYTES only', at(30), head, 5000, at(FINGERPRINT_BYTES)],
    ['a full fingerprint is kept', at(FINGERPRINT_BYTES), head, 5000, at(FINGERPRINT_BYTES)],
    ['a checkpoint that did not move keeps it', at(30), head, 30, at(30)],
    ['a head read shorter than the checkpoint keeps the old one', at(30), head.subarray(0, 40), 60, at(30)],
  ])('%s', (_name, current, bytes, offset, expected) => {
    expect(nextFingerprint(current, bytes, offset)).toEqual(expected);
  });
});
