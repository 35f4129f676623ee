import { sameBirth } from '../../lib/ingest/file-discovery';
import { FINGERPRINT_BYTES, fingerprintAt, hashBytes, headMatches } from '../../lib/ingest/fingerprint';

const head = Buffer.from('2026-11-23 10:00:00 [ERROR] first line\n'.repeat(40));

describe('Function: fingerprintAt', () => {
  it.each([
    ['nothing consumed', 0, 0],
    ['part of the head', 39, 39],
    ['more than the fingerprinted bytes', 5000, FINGERPRINT_BYTES],
  ])('covers the bytes before the checkpoint: %s', (_name, offset, length) => {
    expect(fingerprintAt(head, offset)).toEqual({ hash: length === 0 ? '' : hashBytes(head.subarray(0, length)), length });
  });

  it('returns null when the head read is shorter than the checkpoint', () => {
    expect(fingerprintAt(head.subarray(0, 10), 39)).toBeNull();
  });
});

describe('Function: headMatches', () => {
  const fp = fingerprintAt(head, 100)!;

  it.each([
    ['the same bytes, and more after them', head, true],
    ['the same bytes exactly', head.subarray(0, 100), true],
    ['a file now shorter than the fingerprint', head.subarray(0, 99), false],
    ['one byte changed', Buffer.concat([Buffer.from('X'), head.subarray(1)]), false],
    ['an empty file', Buffer.alloc(0), false],
  ])('%s → %s', (_name, current, expected) => {
    expect(headMatches(current, fp)).toBe(expected);
  });

  it('matches anything with an empty fingerprint (nothing consumed yet)', () => {
    expect(headMatches(Buffer.from('anything'), { hash: '', length: 0 })).toBe(true);
  });
});

describe('Function: sameBirth', () => {
  it.each([
    ['1700000000123456789', '1700000000123456789', true],
    ['1700000000123456789', '1700000000999999999', false],
    ['0', '1700000000123456789', true],
    ['1700000000123456789', '0', true],
  ])('%s vs %s → %s (0: not reported by the file system)', (a, b, expected) => {
    expect(sameBirth(a, b)).toBe(expected);
  });
});
