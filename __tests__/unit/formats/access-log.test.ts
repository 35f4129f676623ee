import { ACCESS_LOG_FORMAT } from '../../../lib/ingest/formats/access-log';
import type { ParsedLine } from '../../../lib/ingest/formats/types';

const CONTEXT = { referenceMs: Date.UTC(2026, 11, 1) };

function parse(line: string): ParsedLine | null {
  return ACCESS_LOG_FORMAT.parse(line, CONTEXT);
}

describe('Format: access-log', () => {
  it('reads a combined line: level from the status, message the request and status', () => {
    const parsed = parse('1.2.3.4 - - [23/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 500 123 "-" "curl/8"');

    expect(parsed).toEqual({
      format: 'access-log',
      time: '2026-11-23 10:00:00+00:00',
      level: 'ERROR',
      levelText: '500',
      message: 'GET / HTTP/1.1 500',
      fields: null,
    });
  });

  it.each([
    ['500', 'ERROR'],
    ['502', 'ERROR'],
    ['599', 'ERROR'],
    ['400', 'WARN'],
    ['404', 'WARN'],
    ['499', 'WARN'],
    ['200', 'INFO'],
    ['204', 'INFO'],
    ['304', 'INFO'],
    ['101', 'INFO'],
  ])('maps status %s to %s', (status, level) => {
    const parsed = parse(`10.0.0.1 - - [23/Nov/2026:10:00:00 +0000] "GET /x HTTP/1.1" ${status} 0 "-" "-"`);

    expect(parsed?.level).toBe(level);
    expect(parsed?.levelText).toBe(status);
  });

  it.each([
    ['common (Apache %b, no bytes)', '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 404 -', 'GET /apache_pb.gif HTTP/1.0 404'],
    ['common', '127.0.0.1 - - [01/Dec/2026:22:13:04 +0000] "GET /upstream HTTP/1.1" 503 339', 'GET /upstream HTTP/1.1 503'],
    [
      'vhost_combined',
      'localhost:80 127.0.0.1 - - [01/Dec/2026:22:13:04 +0000] "GET /sub/x.html HTTP/1.1" 500 763 "-" "curl/7.88.1"',
      'GET /sub/x.html HTTP/1.1 500',
    ],
    ['IPv6 client', '::1 - - [01/Dec/2026:22:13:04 +0000] "POST /api HTTP/2.0" 201 17 "-" "-"', 'POST /api HTTP/2.0 201'],
    ['host name client', 'crawler.example.com - - [01/Dec/2026:22:13:04 +0000] "HEAD / HTTP/1.1" 200 0', 'HEAD / HTTP/1.1 200'],
    ['Apache-escaped quote', '1.2.3.4 - - [01/Dec/2026:22:13:04 +0000] "GET /a\\"b HTTP/1.1" 404 1 "-" "x"', 'GET /a\\"b HTTP/1.1 404'],
    ['escaped backslash before the closing quote', '1.2.3.4 - - [01/Dec/2026:22:13:04 +0000] "GET /a\\\\" 404 1', 'GET /a\\\\ 404'],
    ['nginx-escaped quote', '1.2.3.4 - - [01/Dec/2026:22:13:04 +0000] "GET /a\\x22b HTTP/1.1" 404 1 "-" "x"', 'GET /a\\x22b HTTP/1.1 404'],
    ['not HTTP', '127.0.0.1 - - [01/Dec/2026:22:13:04 +0000] "garbage" 400 157 "-" "-"', 'garbage 400'],
    ['empty request', '127.0.0.1 - - [01/Dec/2026:22:13:04 +0000] "" 400 0 "-" "-"', ' 400'],
    [
      'extra fields after the user agent',
      '1.2.3.4 - bob [01/Dec/2026:22:13:04 +0000] "GET / HTTP/1.1" 200 6 "-" "curl" "5.6.7.8" rt=0.001',
      'GET / HTTP/1.1 200',
    ],
  ])('reads %s', (_what, line, message) => {
    expect(parse(line)?.message).toBe(message);
  });

  it.each([
    ['+0000', '2026-11-23 10:00:00+00:00'],
    ['-0700', '2026-11-23 10:00:00-07:00'],
    ['+0530', '2026-11-23 10:00:00+05:30'],
  ])('keeps the offset %s', (offset, time) => {
    expect(parse(`1.2.3.4 - - [23/Nov/2026:10:00:00 ${offset}] "GET / HTTP/1.1" 200 1`)?.time).toBe(time);
  });

  it.each([
    ['a status out of range', '1.2.3.4 - - [23/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 600 1'],
    ['a two-digit status', '1.2.3.4 - - [23/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 50 1'],
    ['no bytes', '1.2.3.4 - - [23/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 500'],
    ['letters for bytes', '1.2.3.4 - - [23/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 500 abc'],
    ['an unclosed request', '1.2.3.4 - - [23/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1 500 1'],
    ['an offset beyond 15:59', '1.2.3.4 - - [23/Nov/2026:10:00:00 +1600] "GET / HTTP/1.1" 500 1'],
    ['an unknown month', '1.2.3.4 - - [23/Foo/2026:10:00:00 +0000] "GET / HTTP/1.1" 500 1'],
    ['31 November', '1.2.3.4 - - [31/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 500 1'],
    ['two fields before the date', '1.2.3.4 - [23/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 500 1'],
    ['five fields before the date', 'a b 1.2.3.4 - - [23/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 500 1'],
    ['double space before the date', '1.2.3.4 -  - [23/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 500 1'],
    ['brief', '2026-11-23 10:00:00 [ERROR] Something broke in the access log'],
    ['timestamp-level with a thread', '2026-11-23 10:00:00.123 main [pool-1] ERROR c.e.Foo - failed to read 23/Nov/2026'],
    ['nginx error', '2026/11/23 10:00:00 [error] 1234#5678: *9 open() "/x" failed, request: "GET /x HTTP/1.1"'],
    ['apache error', '[Mon Nov 23 10:00:00.123456 2026] [core:error] [pid 1234:tid 5678] AH00037: x'],
    ['syslog', 'Nov 23 10:00:00 host app[1]: 1.2.3.4 - - [23/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 500 1'],
    ['java stack frame', '\tat com.example.Foo.bar(Foo.java:12)'],
    ['node stack frame', '    at foo (file.js:1:2)'],
    ['json', '{"time":"23/Nov/2026:10:00:00 +0000","status":500,"request":"GET / HTTP/1.1"}'],
    ['empty', ''],
  ])('rejects %s', (_what, line) => {
    expect(parse(line)).toBeNull();
  });

  it.each([
    ['64 KiB without spaces', 'a'.repeat(65536)],
    ['64 KiB of spaces', ' '.repeat(65536)],
    ['an endless request', `1.2.3.4 - - [23/Nov/2026:10:00:00 +0000] "${'\\'.repeat(65536)}`],
    ['endless bytes', `1.2.3.4 - - [23/Nov/2026:10:00:00 +0000] "GET /" 500 ${'1'.repeat(65536)}x`],
    ['a long first field', `${'a'.repeat(65536)} - - [23/Nov/2026:10:00:00 +0000] "GET /" 500 1`],
  ])('rejects hostile input quickly: %s', (_what, line) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < 100; i++) expect(parse(line)).toBeNull();
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(500);
  });
});
