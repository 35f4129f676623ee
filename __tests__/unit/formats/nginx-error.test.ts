import { NGINX_ERROR_FORMAT } from '../../../lib/ingest/formats/nginx-error';
import type { ParsedLine } from '../../../lib/ingest/formats/types';

const CONTEXT = { referenceMs: Date.UTC(2026, 11, 1) };

function parse(line: string): ParsedLine | null {
  return NGINX_ERROR_FORMAT.parse(line, CONTEXT);
}

describe('Format: nginx-error', () => {
  it('reads the level and time of an error line', () => {
    const parsed = parse(
      '2026/11/23 10:00:00 [error] 1234#5678: *9 open() "/x" failed (2: No such file or directory), client: 1.2.3.4, server: _, request: "GET /x HTTP/1.1"',
    );

    expect(parsed).toEqual({
      format: 'nginx-error',
      time: '2026-11-23 10:00:00',
      level: 'ERROR',
      levelText: 'error',
      message: '*9 open() "/x" failed (2: No such file or directory), client: 1.2.3.4, server: _, request: "GET /x HTTP/1.1"',
      fields: null,
    });
  });

  it.each([
    ['debug', 'DEBUG'],
    ['info', 'INFO'],
    ['notice', 'NOTICE'],
    ['warn', 'WARN'],
    ['error', 'ERROR'],
    ['crit', 'CRITICAL'],
    ['alert', 'ALERT'],
    ['emerg', 'FATAL'],
  ])('maps the nginx level %s to %s', (word, level) => {
    const parsed = parse(`2026/11/23 10:00:00 [${word}] 1#1: something`);

    expect(parsed?.level).toBe(level);
    expect(parsed?.levelText).toBe(word);
  });

  it.each([
    ['2026/12/01 22:13:04 [emerg] 31290#31290: unknown directive "x" in /etc/nginx/nginx.conf:4', 'unknown directive "x" in /etc/nginx/nginx.conf:4'],
    ['2026/12/01 22:13:04 [notice] 31291#31291: using the "epoll" event method', 'using the "epoll" event method'],
    ['2026/12/01 22:13:04 [info] 31294#31294: *11 client sent invalid method', '*11 client sent invalid method'],
    ['2026/12/01 22:13:04 [error] 7#7:no space after the colon', 'no space after the colon'],
    ['2026/12/01 22:13:04 [error] 7#7:', ''],
  ])('keeps the connection number and drops pid#tid: %s', (line, message) => {
    expect(parse(line)?.message).toBe(message);
  });

  it.each([
    ['2028/02/29 23:59:59 [error] 1#1: leap day', '2028-02-29 23:59:59'],
    ['2026/01/01 00:00:00 [error] 1#1: new year', '2026-01-01 00:00:00'],
  ])('reads the time of %s without an offset (the source zone applies)', (line, time) => {
    expect(parse(line)?.time).toBe(time);
  });

  it.each([
    ['Go log with a bracketed level', '2026/11/23 10:00:00 [ERROR] something broke'],
    ['Go log without pid#tid', '2026/11/23 10:00:00 [error] something broke'],
    ['unknown level', '2026/11/23 10:00:00 [fatal] 1#1: x'],
    ['pid without tid', '2026/11/23 10:00:00 [error] 1234: x'],
    ['tid without colon', '2026/11/23 10:00:00 [error] 1234#5 x'],
    ['month 13', '2026/13/23 10:00:00 [error] 1#1: x'],
    ['30 February', '2026/02/30 10:00:00 [error] 1#1: x'],
    ['hour 24', '2026/11/23 24:00:00 [error] 1#1: x'],
    ['dashes', '2026-11-23 10:00:00 [error] 1#1: x'],
    ['stderr before the log is open', 'nginx: [emerg] unknown directive "x" in /etc/nginx/nginx.conf:4'],
    ['brief', '2026-11-23 10:00:00 [ERROR] Something broke'],
    ['apache', '[Mon Nov 23 10:00:00.123456 2026] [core:error] [pid 1234:tid 5678] AH00037: x'],
    ['access log', '1.2.3.4 - - [23/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 500 123 "-" "curl/8"'],
    ['syslog', 'Nov 23 10:00:00 host nginx[1234]: 2026/11/23 10:00:00 [error] 1#1: x'],
    ['java stack frame', '\tat com.example.Foo.bar(Foo.java:12)'],
    ['node stack frame', '    at foo (file.js:1:2)'],
    ['python traceback', 'Traceback (most recent call last):'],
    ['go goroutine', 'goroutine 1 [running]:'],
    ['empty', ''],
  ])('rejects %s', (_what, line) => {
    expect(parse(line)).toBeNull();
  });

  it.each([
    ['64 KiB of digits', '2'.repeat(65536)],
    ['a header then no closing bracket', `2026/11/23 10:00:00 [${'e'.repeat(65536)}`],
    ['a header then endless pid digits', `2026/11/23 10:00:00 [error] ${'1'.repeat(65536)}`],
    ['a header then endless tid digits', `2026/11/23 10:00:00 [error] 1#${'1'.repeat(65536)}`],
    ['NUL bytes', '2026/11/23 10:00:00 [error]\u0000 1#1: x'],
  ])('rejects hostile input quickly: %s', (_what, line) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < 100; i++) expect(parse(line)).toBeNull();
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(500);
  });
});
