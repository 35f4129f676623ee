import { APACHE_ERROR_FORMAT } from '../../../lib/ingest/formats/apache-error';
import type { ParsedLine } from '../../../lib/ingest/formats/types';

const CONTEXT = { referenceMs: Date.UTC(2026, 11, 1) };

function parse(line: string): ParsedLine | null {
  return APACHE_ERROR_FORMAT.parse(line, CONTEXT);
}

describe('Format: apache-error', () => {
  it('reads the level, module and time of a 2.4 error line', () => {
    const parsed = parse('[Mon Nov 23 10:00:00.123456 2026] [core:error] [pid 1234:tid 5678] [client 1.2.3.4:5678] AH00037: Symbolic link not allowed');

    expect(parsed).toEqual({
      format: 'apache-error',
      time: '2026-11-23 10:00:00.123456',
      level: 'ERROR',
      levelText: 'error',
      message: '[client 1.2.3.4:5678] AH00037: Symbolic link not allowed',
      fields: null,
    });
  });

  it.each([
    ['[Mon Nov 23 10:00:00.123456 2026] [:error] [pid 1234] [client 1.2.3.4:80] PHP Fatal error:  x', 'ERROR', '[client 1.2.3.4:80] PHP Fatal error:  x'],
    ['[Mon Nov 23 10:00:00.123456 2026] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.71 configured', 'NOTICE', 'AH00489: Apache/2.4.71 configured'],
    [
      '[Tue Dec 01 22:13:04.180518 2026] [proxy:error] [pid 3:tid 9] (111)Connection refused: AH00957: http: attempt',
      'ERROR',
      '(111)Connection refused: AH00957: http: attempt',
    ],
    [
      '[Tue Dec 01 22:13:04.172276 2026] [core:alert] [pid 3:tid 9] [client ::1:50904] /x/.htaccess: Invalid command',
      'ALERT',
      '[client ::1:50904] /x/.htaccess: Invalid command',
    ],
    ['[Mon Nov 23 10:00:00.123456 2026] [php7:error] [pid 1] [client 1.2.3.4:80] PHP Warning:  x', 'ERROR', '[client 1.2.3.4:80] PHP Warning:  x'],
    ['[Mon Nov 23 10:00:00.123456 2026] [ssl:emerg] [pid 1] AH02572: Failed to configure', 'FATAL', 'AH02572: Failed to configure'],
    ['[Mon Nov 23 10:00:00.123456 2026] [ssl:crit] [pid 1] AH01', 'CRITICAL', 'AH01'],
    ['[Mon Nov 23 10:00:00.123456 2026] [core:trace3] [pid 1] request.c(123): x', 'TRACE', 'request.c(123): x'],
    ['[Mon Nov 23 10:00:00.123456 2026] [authz_core:debug] [pid 1] mod_authz_core.c(815): x', 'DEBUG', 'mod_authz_core.c(815): x'],
    ['[Mon Nov 23 10:00:00.123456 2026] [core:warn] [pid 1] AH00098: pid file overwritten', 'WARN', 'AH00098: pid file overwritten'],
    [
      '[Mon Nov 23 10:00:00 2026] [error] [client 1.2.3.4] File does not exist: /var/www/favicon.ico',
      'ERROR',
      '[client 1.2.3.4] File does not exist: /var/www/favicon.ico',
    ],
    ['[Mon Nov 23 10:00:00 2026] [notice] Apache/2.2.22 (Debian) configured', 'NOTICE', 'Apache/2.2.22 (Debian) configured'],
    ['[Mon Nov 23 10:00:00 2026] [info]', 'INFO', ''],
  ])('reads %s', (line, level, message) => {
    const parsed = parse(line);

    expect(parsed?.level).toBe(level);
    expect(parsed?.message).toBe(message);
  });

  it.each([
    ['[Mon Nov 23 10:00:00.123456 2026] [core:error] x', '2026-11-23 10:00:00.123456'],
    ['[Mon Nov 23 10:00:00 2026] [error] x', '2026-11-23 10:00:00'],
    ['[Tue Dec 01 22:13:04 2026] [error] zero-padded day', '2026-12-01 22:13:04'],
    ['[Tue Dec  1 22:13:04 2026] [error] space-padded day', '2026-12-01 22:13:04'],
    ['[Tue Dec 1 22:13:04 2026] [error] unpadded day', '2026-12-01 22:13:04'],
    ['[Sat Feb 29 23:59:59.5 2028] [error] leap day, short fraction', '2028-02-29 23:59:59.5'],
  ])('reads the local time of %s', (line, time) => {
    expect(parse(line)?.time).toBe(time);
  });

  it.each([
    ['an unknown level', '[Mon Nov 23 10:00:00 2026] [severe] x'],
    ['an upper-case level (not Apache)', '[Mon Nov 23 10:00:00 2026] [ERROR] x'],
    ['no level bracket', '[Mon Nov 23 10:00:00 2026] AH00558: apache2: Could not reliably determine'],
    ['an ISO time in the bracket', '[2026-11-23 10:00:00] [error] x'],
    ['Monolog', '[2026-11-23 10:00:00] app.ERROR: boom [] []'],
    ['PHP error log', '[23-Nov-2026 10:00:00 UTC] PHP Fatal error:  Uncaught Exception'],
    ['month name unknown', '[Mon Foo 23 10:00:00 2026] [error] x'],
    ['31 November', '[Mon Nov 31 10:00:00 2026] [error] x'],
    ['two-digit year', '[Mon Nov 23 10:00:00 26] [error] x'],
    ['a space in the level bracket', '[Mon Nov 23 10:00:00 2026] [core error] x'],
    ['a bare level word', '[Mon Nov 23 10:00:00 2026] error x'],
    ['mod_cgid stderr copied raw', 'cgi broke'],
    ['startup message on stderr', "AH00558: apache2: Could not reliably determine the server's fully qualified domain name"],
    ['a bracketed level word', '[ERROR] something'],
    ['nginx', '2026/11/23 10:00:00 [error] 1234#5678: *9 open() "/x" failed'],
    ['access log', '127.0.0.1 - - [23/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 500 123'],
    ['syslog', 'Nov 23 10:00:00 host apache2[1]: [error] x'],
    ['java stack frame', '\tat com.example.Foo.bar(Foo.java:12)'],
    ['java cause', 'Caused by: java.io.IOException: x'],
    ['empty', ''],
  ])('rejects %s', (_what, line) => {
    expect(parse(line)).toBeNull();
  });

  it.each([
    ['64 KiB of brackets', '['.repeat(65536)],
    ['a time then an endless level bracket', `[Mon Nov 23 10:00:00 2026] [${'a'.repeat(65536)}`],
    ['a time then an endless fraction', `[Mon Nov 23 10:00:00.${'1'.repeat(65536)} 2026] [error] x`],
    ['a level then an endless pid bracket', `[Mon Nov 23 10:00:00 2026] [error] [pid ${'1'.repeat(65536)}`],
  ])('handles hostile input quickly: %s', (_what, line) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < 100; i++) parse(line);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(500);
  });
});
