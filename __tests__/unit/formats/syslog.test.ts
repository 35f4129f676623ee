import { SYSLOG_FORMAT } from '../../../lib/ingest/formats/syslog';
import type { ParsedLine } from '../../../lib/ingest/formats/types';

/** Files read on 1 December 2026. */
const CONTEXT = { referenceMs: Date.UTC(2026, 11, 1, 23, 0, 0) };

function parse(line: string, context = CONTEXT): ParsedLine | null {
  return SYSLOG_FORMAT.parse(line, context);
}

describe('Format: syslog', () => {
  it('reads a traditional rsyslog line: no PRI, no level token, so no level', () => {
    const parsed = parse('Nov 23 10:00:00 web1 myapp[1234]: database connection failed: timeout');

    expect(parsed).toEqual({
      format: 'syslog',
      time: '2026-11-23 10:00:00',
      level: null,
      levelText: '',
      message: 'myapp[1234]: database connection failed: timeout',
      fields: null,
    });
  });

  it('reads an RFC 5424 line', () => {
    const parsed = parse(
      '<165>1 2026-11-23T10:00:00.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application"] An application event',
    );

    expect(parsed).toEqual({
      format: 'syslog',
      time: '2026-11-23 10:00:00.003Z',
      level: 'NOTICE',
      levelText: '<165>',
      message: 'evntslog: An application event',
      fields: null,
    });
  });

  it.each([
    ['Dec  1 22:13:06 vm myapp[31557]: x', '2026-12-01 22:13:06'],
    ['Dec 01 22:13:06 vm myapp[31557]: x', '2026-12-01 22:13:06'],
    ['Dec 1 22:13:06 vm myapp[31557]: x', '2026-12-01 22:13:06'],
    ['Dec  2 22:13:06 vm app: a day after the reference still this year', '2026-12-02 22:13:06'],
    ['Dec  3 22:13:06 vm app: two days after: last year', '2025-12-03 22:13:06'],
    ['Nov 23 10:00:00.123456 vm app: with a fraction', '2026-11-23 10:00:00.123456'],
    ['2026-12-01T22:13:06.519091+00:00 vm myapp[31557]: x', '2026-12-01 22:13:06.519091+00:00'],
    ['2026-12-01T22:13:06+00:00 vm udp3164: x', '2026-12-01 22:13:06+00:00'],
    ['2026-12-01T23:13:06.519+0100 vm app[1]: journalctl short-iso', '2026-12-01 23:13:06.519+01:00'],
    ['2026-12-01T22:13:06Z vm app[1]: x', '2026-12-01 22:13:06Z'],
    ['<11>Dec  1 22:13:06 vm myapp[31557]: x', '2026-12-01 22:13:06'],
    ['<11>2026-12-01T22:13:06.562072+00:00 vm myapp[31557]: x', '2026-12-01 22:13:06.562072+00:00'],
    ['<11>1 2026-12-01T22:13:06.519091+00:00 vm myapp 31557 - -  x', '2026-12-01 22:13:06.519091+00:00'],
    ['<165>1 2003-10-11T22:14:15.003000-07:00 host app - - - x', '2003-10-11 22:14:15.003000-07:00'],
    ['<165>1 - host app - - - no time', ''],
  ])('reads the time of %s', (line, time) => {
    expect(parse(line)?.time).toBe(time);
  });

  it('reads a December line of a file read in January as last year', () => {
    expect(parse('Dec 31 23:59:59 host app: x', { referenceMs: Date.UTC(2027, 0, 1, 0, 5) })?.time).toBe('2026-12-31 23:59:59');
  });

  it.each([
    ['<11>Dec  1 22:13:06 vm myapp[1]: x', 'ERROR', '<11>'],
    ['<10>Dec  1 22:13:06 vm kernel: Out of memory', 'CRITICAL', '<10>'],
    ['<8>Dec  1 22:13:06 vm kernel: x', 'FATAL', '<8>'],
    ['<9>Dec  1 22:13:06 vm kernel: x', 'ALERT', '<9>'],
    ['<12>Dec  1 22:13:06 vm myapp[1]: x', 'WARN', '<12>'],
    ['<13>Dec  1 22:13:06 vm app: x', 'NOTICE', '<13>'],
    ['<38>Dec  1 22:13:06 vm sshd[1]: Accepted publickey', 'INFO', '<38>'],
    ['<191>Dec  1 22:13:06 vm app: x', 'DEBUG', '<191>'],
    ['<0>Dec  1 22:13:06 vm app: x', 'FATAL', '<0>'],
    [
      '<163>1 2026-12-01T22:13:06.539486+00:00 vm app5424 - ID47 [timeQuality tzKnown="1" isSynced="0"][exampleSDID@32473 iut="3"] An application event',
      'ERROR',
      '<163>',
    ],
    ['<130>1 2026-12-01T22:13:06+00:00 vm udp3164 - - -  over udp', 'CRITICAL', '<130>'],
  ])('takes the level of %s from the PRI', (line, level, levelText) => {
    const parsed = parse(line);

    expect(parsed?.level).toBe(level);
    expect(parsed?.levelText).toBe(levelText);
  });

  it.each([
    ['an upper-case word', 'Dec  1 22:13:06 vm myapp: ERROR could not read config', 'ERROR', 'ERROR'],
    ['a word and a colon', 'Dec  1 22:13:06 vm app: warning: low entropy', 'WARN', 'warning'],
    ['a title-case word and a colon', 'Dec  1 22:13:06 vm app[1]: Error: ENOENT', 'ERROR', 'Error'],
    ['a bracketed word', 'Dec  1 22:13:06 vm worker: [error] job 42 failed', 'ERROR', 'error'],
    ['a bracketed upper-case word', 'Dec  1 22:13:06 vm worker: [FATAL] out of memory', 'FATAL', 'FATAL'],
    ['a kernel-style <n>', 'Dec  1 22:13:06 vm app: <3>something failed', 'ERROR', '<3>'],
    ['a word after a pid', 'Dec  1 22:13:06 vm app: 1234: ERROR boom', 'ERROR', 'ERROR'],
    ['PostgreSQL via syslog', 'Dec  1 22:13:06 vm postgres[31566]: [3-1] ERROR:  relation "missing_table" does not exist', 'ERROR', 'ERROR'],
    ['Python logging via syslog', 'Dec  1 22:13:06 vm app: CRITICAL:root:disk gone', 'CRITICAL', 'CRITICAL'],
    ['a Go panic', 'Dec  1 22:13:06 vm app[7]: panic: runtime error: index out of range', 'FATAL', 'panic'],
    ['a glog error header', 'Dec  1 22:13:06 vm kubelet[31564]: E1201 10:00:00.123456    4321 pod_workers.go:1298] "Error syncing pod"', 'ERROR', 'E'],
    ['a glog warning header', 'Dec  1 22:13:06 vm kubelet[31564]: W1201 10:00:00.123456    4321 x.go:1] w', 'WARN', 'W'],
    ['a glog info header', 'Dec  1 22:13:06 vm kubelet[31564]: I1201 10:00:00.123456    4321 x.go:1] i', 'INFO', 'I'],
    ['logfmt', 'Dec  1 22:13:06 vm dockerd[31565]: time="2026-12-01T10:00:00.000000000Z" level=error msg="Handler returned error"', 'ERROR', 'error'],
    ['logfmt starting with the level', 'Dec  1 22:13:06 vm app[1]: level=warn msg=slow', 'WARN', 'warn'],
    ['logfmt after a key ending in level', 'Dec  1 22:13:06 vm app[1]: msg=x loglevel=debug level=error', 'ERROR', 'error'],
    ['logfmt lvl', 'Dec  1 22:13:06 vm app[1]: ts=2026-12-01T10:00:00Z lvl=crit msg=x', 'CRITICAL', 'crit'],
    ['JSON with a level word', 'Dec  1 22:13:06 vm app[1]: {"time":"2026-12-01T10:00:00Z","level":"error","msg":"x"}', 'ERROR', 'error'],
    ['JSON with a pino number', 'Dec  1 22:13:06 vm app[1]: {"level":50,"time":1795428000000,"msg":"x"}', 'ERROR', '50'],
    ['JSON with a severity', 'Dec  1 22:13:06 vm app[1]: {"severity": "WARNING", "message": "x"}', 'WARN', 'WARNING'],
    ['RFC 3339 with a level word', '2026-12-01T22:13:06.523417+00:00 vm myapp: ERROR could not read config', 'ERROR', 'ERROR'],
    ['RFC 5424 with a level word', '<14>1 2026-12-01T22:13:06.523417+00:00 vm myapp - - -  ERROR could not read config', 'ERROR', 'ERROR'],
  ])('finds the level token of %s', (_what, line, level, levelText) => {
    const parsed = parse(line);

    expect(parsed?.level).toBe(level);
    expect(parsed?.levelText).toBe(levelText);
  });

  it.each([
    ['info PRI, ERROR in the message (stdout forwarded as info)', '<14>Dec  1 22:13:06 vm myapp: ERROR could not read config', 'ERROR'],
    ['err PRI, INFO in the message (stderr forwarded as err)', '<27>Dec  1 22:13:06 vm web[9]: INFO: server started', 'INFO'],
    ['info PRI, glog error', '<30>Dec  1 22:13:06 vm kubelet[31564]: E1201 10:00:00.123456 1 x.go:1] e', 'ERROR'],
  ])('prefers the message level token over the PRI: %s', (_what, line, level) => {
    expect(parse(line)?.level).toBe(level);
  });

  it.each([
    ['a level word further in', 'Dec  1 22:13:06 vm kernel: Out of memory: error killing process 1234'],
    ['a title-case word without a colon', 'Dec  1 22:13:06 vm app: Error connecting to the database'],
    ['a word that is not a level', 'Dec  1 22:13:06 vm app: ERRORS: 0'],
    ['a lower-case bare word', 'Dec  1 22:13:06 vm app: error count is 0'],
    ['cron', 'Dec  1 22:13:06 vm cron[31567]: (root) CMD (run-parts /etc/cron.hourly)'],
    ['sudo', 'Dec  1 22:13:06 vm sudo:     root : TTY=pts/0 ; PWD=/root ; USER=root ; COMMAND=/bin/ls'],
    ['systemd', 'Dec  1 22:13:06 vm systemd[1]: Failed to start nginx.service - A high performance web server.'],
    ['logfmt without a level', 'Dec  1 22:13:06 vm app[1]: time=2026-12-01 msg="no level here"'],
    ['logfmt with an unknown level', 'Dec  1 22:13:06 vm app[1]: level=loud msg=x'],
    ['a glog-like word that is not a level letter', 'Dec  1 22:13:06 vm app: X1201 10:00:00 x'],
    ['<n> beyond 7', 'Dec  1 22:13:06 vm app: <9>x'],
  ])('gives no level to %s', (_what, line) => {
    const parsed = parse(line);

    expect(parsed).not.toBeNull();
    expect(parsed?.level).toBeNull();
    expect(parsed?.levelText).toBe('');
  });

  it.each([
    ['Dec  1 22:13:06 vm myapp[31557]: database connection failed: timeout', 'myapp[31557]: database connection failed: timeout'],
    ['Dec  1 22:13:06 vm postfix/smtpd[123]: connect from x', 'postfix/smtpd[123]: connect from x'],
    ['Dec  1 22:13:06 vm app5424 An application event', 'app5424 An application event'],
    ['Dec  1 22:13:06 su: a sender without a host', 'su: a sender without a host'],
    ['Dec  1 22:13:06 10.0.0.5 app[1]: an IP as host', 'app[1]: an IP as host'],
    ['<11>1 2026-12-01T22:13:06.519091+00:00 vm myapp 31557 - -  database connection failed', 'myapp[31557]: database connection failed'],
    ['<165>1 2026-12-01T22:13:06.541277+00:00 vm - - - - no app', 'no app'],
    ['<165>1 2026-12-01T22:13:06.541277+00:00 vm app - - [a x="]\\"]"][b] escaped brackets', 'app: escaped brackets'],
    ['<165>1 2026-12-01T22:13:06.541277+00:00 vm app - - - \uFEFFwith a BOM', 'app: with a BOM'],
    ['<165>1 2026-12-01T22:13:06.541277+00:00 vm app - - -', 'app: '],
  ])('keeps the tag in the message: %s', (line, message) => {
    expect(parse(line)?.message).toBe(message);
  });

  it.each([
    ['an RFC 3339 application line with a level', '2026-11-23T10:00:00.123Z ERROR something broke'],
    ['Spring Boot 3', '2026-11-23T10:00:00.123+01:00 ERROR 1234 --- [main] c.e.Foo : boom'],
    ['Spring Boot 3, padded level', '2026-11-23T10:00:00.123+01:00  WARN 1234 --- [main] c.e.Foo : slow'],
    ['a bracketed thread', '2026-11-23T10:00:00.123Z [main] INFO c.e.Foo - started'],
    ['a bracketed level', '2026-11-23T10:00:00.123Z [ERROR] boom'],
    ['logfmt after the time', '2026-11-23T10:00:00Z level=error msg=boom'],
    ['a pid after the time', '2026-11-23T10:00:00Z 12345 ERROR boom'],
    ['a file:line after the time', '2026-11-23T10:00:00Z main.go:12: boom'],
    ['RFC 3339 without an offset', '2026-11-23T10:00:00.123 host app[1]: x'],
    ['a space between date and time', '2026-11-23 10:00:00 host app[1]: x'],
    ['MySQL 8', '2026-11-23T10:00:00.123456Z 0 [ERROR] [MY-010119] [Server] Aborting'],
    ['brief', '2026-11-23 10:00:00 [ERROR] Something broke'],
    ['postgresql', '2026-11-23 10:00:00.123 UTC [1234] ERROR:  relation "x" does not exist'],
    ['nginx', '2026/11/23 10:00:00 [error] 1234#5678: *9 open() "/x" failed'],
    ['apache', '[Mon Nov 23 10:00:00.123456 2026] [core:error] [pid 1234:tid 5678] AH00037: x'],
    ['access log from a host named like a month', 'Mar.example.com - - [23/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 500 1'],
    ['a lower-case month', 'nov 23 10:00:00 host app: x'],
    ['an upper-case month', 'NOV 23 10:00:00 host app: x'],
    ['a month then no day', 'Nov xx 10:00:00 host app: x'],
    ['31 November', 'Nov 31 10:00:00 host app: x'],
    ['no host or tag', 'Nov 23 10:00:00'],
    ['a host with brackets', 'Nov 23 10:00:00 [host] app: x'],
    ['glog', 'E1123 10:00:00.123456   1234 file.go:12] message'],
    ['rails', 'E, [2026-11-23T10:00:00.123456 #1234] ERROR -- app: message'],
    ['systemd stderr with a level prefix', '<3>Failed to start foo.service'],
    ['PRI beyond 191', '<192>Dec  1 22:13:06 vm app: x'],
    ['an empty PRI', '<>Dec  1 22:13:06 vm app: x'],
    ['RFC 5424 with a bad timestamp', '<165>1 2026-13-01T22:13:06Z vm app - - - x'],
    ['RFC 5424 with unclosed structured data', '<165>1 2026-12-01T22:13:06Z vm app - - [a x="1" msg'],
    ['RFC 5424 with missing fields', '<165>1 2026-12-01T22:13:06Z vm app'],
    ['journalctl boot separator', '-- Boot 0123456789abcdef0123456789abcdef --'],
    ['java stack frame', '\tat com.example.Foo.bar(Foo.java:12)'],
    ['java cause', 'Caused by: java.io.IOException: x'],
    ['python traceback', 'Traceback (most recent call last):'],
    ['python frame', '  File "app.py", line 3, in <module>'],
    ['go goroutine', 'goroutine 1 [running]:'],
    ['node stack frame', '    at foo (file.js:1:2)'],
    ['json', '{"level":"error","msg":"x"}'],
    ['empty', ''],
  ])('rejects %s', (_what, line) => {
    expect(parse(line)).toBeNull();
  });

  it.each([
    ['64 KiB of letters', 'N'.repeat(65536)],
    ['a time then a 64 KiB host', `Nov 23 10:00:00 ${'h'.repeat(65536)}`],
    ['a time, a host and a 64 KiB tag', `Nov 23 10:00:00 host ${'t'.repeat(65536)}`],
    ['an endless pid bracket', `Nov 23 10:00:00 host app[${'1'.repeat(65536)}`],
    ['an endless fraction', `2026-11-23T10:00:00.${'1'.repeat(65536)}Z host app: x`],
    ['endless structured data', `<165>1 2026-11-23T10:00:00Z h a - - [${'x="\\"'.repeat(13000)}`],
    ['64 KiB of PRI openers', '<'.repeat(65536)],
  ])('handles hostile input quickly: %s', (_what, line) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < 100; i++) parse(line);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(500);
  });

  it('stays quick on a claimed line with a 64 KiB message', () => {
    const line = `Nov 23 10:00:00 host app[1]: {"msg":"${'x'.repeat(65536)}","level":"error"}`;
    const started = process.hrtime.bigint();
    for (let i = 0; i < 100; i++) expect(parse(line)?.level).toBeNull();
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(500);
  });
});
