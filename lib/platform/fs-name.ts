// File names that are not UTF-8 (issue 15). Linux names are bytes; Node's
// string APIs decode them as UTF-8 and turn an invalid byte into U+FFFD, so
// such a file could not be opened again by its name and was reported missing
// at every run. logmon keeps a name as a string whose invalid bytes are
// characters of the Private Use Area, U+F700 + byte (as Python's
// "surrogateescape", with characters PostgreSQL `text` can hold), converts it
// back to its bytes for every file-system call (toFsPath), and shows the
// bytes as `\xNN` (displayName). A real name with characters U+F780..U+F7FF,
// which nothing writes, would be misread: the price of a readable column.

const ESCAPE_BASE = 0xf700;
const ESCAPED = /[\uf780-\uf7ff]/;
const ESCAPED_ALL = /[\uf780-\uf7ff]/g;

/**
 * A name from the file system's bytes: UTF-8, each byte of an invalid
 * sequence kept as U+F700 + byte (only bytes 0x80-0xFF can be invalid).
 *
 * @example
 *   decodeFsName(Buffer.from([0x61, 0xff])) // 'a\uf7ff'
 */
export function decodeFsName(bytes: Uint8Array): string {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    return decoder.decode(bytes);
  } catch {
    // byte by byte: the valid sequences decoded, each invalid byte escaped
    let out = '';
    let i = 0;
    while (i < bytes.length) {
      const b = bytes[i]!;
      const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
      if (length > 0 && i + length <= bytes.length) {
        try {
          out += decoder.decode(bytes.subarray(i, i + length));
          i += length;
          continue;
        } catch {
          // not a valid sequence: escape its first byte
        }
      }
      out += String.fromCharCode(ESCAPE_BASE + b);
      i += 1;
    }
    return out;
  }
}

/** Whether `name` holds escaped bytes (a name that is not UTF-8). */
export function hasEscapedBytes(name: string): boolean {
  return ESCAPED.test(name);
}

/**
 * What to pass the file system for a name: the string itself, or, when it
 * holds escaped bytes, its bytes (Node takes a Buffer as a path).
 */
export function toFsPath(name: string): string | Buffer {
  if (!ESCAPED.test(name)) return name;
  const parts: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < name.length; i += 1) {
    const c = name.charCodeAt(i);
    if (c >= 0xf780 && c <= 0xf7ff) {
      if (i > from) parts.push(Buffer.from(name.slice(from, i), 'utf8'));
      parts.push(Buffer.from([c - ESCAPE_BASE]));
      from = i + 1;
    }
  }
  if (from < name.length) parts.push(Buffer.from(name.slice(from), 'utf8'));
  return Buffer.concat(parts);
}

/** A name as people read it: escaped bytes as `\xNN`. */
export function displayName(name: string): string {
  return name.replace(ESCAPED_ALL, (c) => `\\x${(c.charCodeAt(0) - ESCAPE_BASE).toString(16).padStart(2, '0')}`);
}
