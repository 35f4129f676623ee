import { FILE_OUTCOMES, outcomeOfReadError } from '../../lib/ingest/file-outcome';
import { FILE_ERRNO_CODES, LOGMON_READ_CODES, SOURCE_READ_ERROR_CODES, SourceReadError, sourceReadErrorCode } from '../../lib/platform/errors';
import type { SourceReadErrorCode } from '../../lib/platform/errors';

describe('Function: outcomeOfReadError', () => {
  it.each<[SourceReadErrorCode, string]>([
    ['ENOENT', 'missing'],
    ['EACCES', 'unreadable'],
    ['EPERM', 'unreadable'],
    ['ECHANGED', 'changed'],
    ['ENOTFILE', 'error'],
    ['EIO', 'error'],
    ['ESTALE', 'error'],
  ])('%s → %s', (code, expected) => {
    expect(outcomeOfReadError(code)).toBe(expected);
  });

  it('gives every code an outcome of FILE_OUTCOMES', () => {
    for (const code of SOURCE_READ_ERROR_CODES) expect(FILE_OUTCOMES).toContain(outcomeOfReadError(code));
  });
});

describe('Function: sourceReadErrorCode', () => {
  it.each<[unknown, SourceReadErrorCode]>([
    ['EACCES', 'EACCES'],
    ['ENOTFILE', 'ENOTFILE'],
    ['ESTALE', 'ESTALE'],
    ['EWHATEVER', 'EIO'],
    ['Error: not a code', 'EIO'],
    [undefined, 'EIO'],
    [13, 'EIO'],
  ])('%s → %s', (raw, expected) => {
    expect(sourceReadErrorCode(raw)).toBe(expected);
  });

  it('keeps errno codes and logmon’s own apart', () => {
    expect(SOURCE_READ_ERROR_CODES).toEqual([...FILE_ERRNO_CODES, ...LOGMON_READ_CODES]);
    expect(new Set(SOURCE_READ_ERROR_CODES).size).toBe(SOURCE_READ_ERROR_CODES.length);
  });
});

describe('Class: SourceReadError', () => {
  it('carries its code, its context and its cause', () => {
    const cause = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });

    const err = new SourceReadError('cannot open /x.log: EACCES', 'EACCES', { path: '/x.log' }, { cause });

    expect(err).toMatchObject({ name: 'SourceReadError', code: 'EACCES', context: { path: '/x.log' }, cause });
  });
});
