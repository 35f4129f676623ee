import { decodeFsName, displayName, hasEscapedBytes, toFsPath } from '../../lib/platform/fs-name';

describe('Module: fs-name (file names that are not UTF-8)', () => {
  it.each([
    ['ASCII', Buffer.from('/var/log/app.log')],
    ['UTF-8', Buffer.from('/var/log/zürich-東京.log')],
    ['a lone 0xFF', Buffer.from([0x61, 0xff, 0x2e, 0x6c, 0x6f, 0x67])],
    ['Latin-1 é (0xE9) between ASCII', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x6c, 0x6f, 0x67])],
    ['a cut UTF-8 sequence', Buffer.from([0xe6, 0x9d, 0x61])],
    ['an overlong encoding', Buffer.from([0xc0, 0xaf])],
    ['UTF-8 then an invalid byte', Buffer.concat([Buffer.from('é'), Buffer.from([0x80])])],
  ])('keeps %s byte for byte: decode, then back to what the file system takes', (_, bytes) => {
    const name = decodeFsName(bytes);
    const back = toFsPath(name);
    expect(Buffer.isBuffer(back) ? back : Buffer.from(back)).toEqual(bytes);
  });

  it('leaves a UTF-8 name a plain string, and shows invalid bytes as \\xNN', () => {
    expect(toFsPath('/var/log/app.log')).toBe('/var/log/app.log');
    const name = decodeFsName(Buffer.from([0x61, 0xff, 0x2e, 0x6c, 0x6f, 0x67]));
    expect(hasEscapedBytes(name)).toBe(true);
    expect(displayName(name)).toBe('a\\xff.log');
    expect(hasEscapedBytes('zürich')).toBe(false);
  });
});
