import type { Level } from '../../../lib/ingest/formats/severity';
import { TIMESTAMP_LEVEL_FORMAT, asciiLevel, readTimestamp } from '../../../lib/ingest/formats/timestamp-level';

/** The file's modification time: 2026-11-23 12:00 UTC (date of time-only lines). */
const CONTEXT = { referenceMs: Date.UTC(2026, 10, 23, 12) };

function parse(line: string): { time: string; level: Level | null; levelText: string; message: string } | null {
  const parsed = TIMESTAMP_LEVEL_FORMAT.parse(line, CONTEXT);
  if (parsed === null) return null;
  expect(parsed.format).toBe('timestamp-level');
  expect(parsed.fields).toBeNull();
  return { time: parsed.time, level: parsed.level, levelText: parsed.levelText, message: parsed.message };
}

describe('Format: timestamp-level', () => {
  it.each([
    // log4j 1.x %d [%t] %-5p %c - %m%n
    ['2026-11-23 10:00:00,123 [main] ERROR com.foo.Bar - boom', '2026-11-23 10:00:00.123', 'ERROR', 'ERROR', '[main] com.foo.Bar - boom'],
    [
      '2026-11-23 10:00:00,123 [RMI TCP Connection(2)-127.0.0.1] WARN  com.foo.Bar - slow',
      '2026-11-23 10:00:00.123',
      'WARN',
      'WARN',
      '[RMI TCP Connection(2)-127.0.0.1] com.foo.Bar - slow',
    ],
    // log4j 1.x %d{ISO8601} %-5p [%c] %m
    ['2026-11-23 10:00:00,123 FATAL [com.foo.Bar] gone', '2026-11-23 10:00:00.123', 'FATAL', 'FATAL', '[com.foo.Bar] gone'],
    // log4j2 / logback default: a time of day alone takes the reference's date (UTC)
    ['10:00:00.123 [main] ERROR com.foo.Bar - boom', '2026-11-23 10:00:00.123', 'ERROR', 'ERROR', '[main] com.foo.Bar - boom'],
    ['23:59:59.999 [pool-1-thread-2] INFO  c.f.Bar - late', '2026-11-23 23:59:59.999', 'INFO', 'INFO', '[pool-1-thread-2] c.f.Bar - late'],
    // log4j2 with a date
    ['2026-11-23 10:00:00.123 [main] ERROR com.foo.Bar - boom', '2026-11-23 10:00:00.123', 'ERROR', 'ERROR', '[main] com.foo.Bar - boom'],
    // Spring Boot 3 and 2
    [
      '2026-11-23T10:00:00.123+01:00 ERROR 12345 --- [app] [main] o.s.b.Foo : failed',
      '2026-11-23 10:00:00.123+01:00',
      'ERROR',
      'ERROR',
      '12345 --- [app] [main] o.s.b.Foo : failed',
    ],
    [
      '2026-11-23 10:00:00.123  INFO 12345 --- [           main] o.s.b.Foo : up',
      '2026-11-23 10:00:00.123',
      'INFO',
      'INFO',
      '12345 --- [           main] o.s.b.Foo : up',
    ],
    // Python
    ['2026-11-23 10:00:00,123 - app - ERROR - boom', '2026-11-23 10:00:00.123', 'ERROR', 'ERROR', 'app - boom'],
    ['2026-11-23 10:00:00,123 - __main__ - CRITICAL - down', '2026-11-23 10:00:00.123', 'CRITICAL', 'CRITICAL', '__main__ - down'],
    ['2026-11-23 10:00:00,123 ERROR app.db: boom', '2026-11-23 10:00:00.123', 'ERROR', 'ERROR', 'app.db: boom'],
    ['2026-11-23 10:00:00,123 myapp.area1  ERROR    padded columns', '2026-11-23 10:00:00.123', 'ERROR', 'ERROR', 'myapp.area1 padded columns'],
    ['[2026-11-23 10:00:00,123] ERROR in app: boom', '2026-11-23 10:00:00.123', 'ERROR', 'ERROR', 'in app: boom'],
    // Monolog / Laravel
    ['[2026-11-23 10:00:00] production.ERROR: boom {"user":1} []', '2026-11-23 10:00:00', 'ERROR', 'ERROR', 'production: boom {"user":1} []'],
    ['[2026-11-23T10:00:00.123456+00:00] app.EMERGENCY: down [] []', '2026-11-23 10:00:00.123456+00:00', 'FATAL', 'EMERGENCY', 'app: down [] []'],
    // Go log, slog through log
    ['2026/11/23 10:00:00 ERROR boom', '2026-11-23 10:00:00', 'ERROR', 'ERROR', 'boom'],
    ['2026/11/23 10:00:00 [ERROR] boom', '2026-11-23 10:00:00', 'ERROR', 'ERROR', 'boom'],
    ['2026/11/23 10:00:00.123456 ERROR msg key=value', '2026-11-23 10:00:00.123456', 'ERROR', 'ERROR', 'msg key=value'],
    ['2026/11/23 10:00:00 main.go:12: ERROR shortfile', '2026-11-23 10:00:00', 'ERROR', 'ERROR', 'main.go:12 shortfile'],
    // zap console encoder (tabs)
    ['2026-11-23T10:00:00.123Z\tERROR\tpkg/file.go:12\tboom\t{"k": 1}', '2026-11-23 10:00:00.123Z', 'ERROR', 'ERROR', 'pkg/file.go:12\tboom\t{"k": 1}'],
    ['2026-11-23T10:00:00.123+0100\terror\tpkg/file.go:12\tboom', '2026-11-23 10:00:00.123+01:00', 'ERROR', 'error', 'pkg/file.go:12\tboom'],
    ['2026-11-23T10:00:00.123Z\tDPANIC\tpkg/file.go:12\tbroken', '2026-11-23 10:00:00.123Z', 'ERROR', 'DPANIC', 'pkg/file.go:12\tbroken'],
    // the brief's own shape
    ['2026-11-23 10:00:00 [ERROR] boom', '2026-11-23 10:00:00', 'ERROR', 'ERROR', 'boom'],
    // Serilog file and console sinks
    ['2026-11-23 10:00:00.123 +01:00 [ERR] boom', '2026-11-23 10:00:00.123+01:00', 'ERROR', 'ERR', 'boom'],
    ['2026-11-23 10:00:00.123 -05:30 [FTL] gone', '2026-11-23 10:00:00.123-05:30', 'FATAL', 'FTL', 'gone'],
    ['[10:00:00 ERR] boom', '2026-11-23 10:00:00', 'ERROR', 'ERR', 'boom'],
    ['[10:00:00 VRB] chatty', '2026-11-23 10:00:00', 'TRACE', 'VRB', 'chatty'],
    // Tomcat OneLineFormatter, log4j %d{DATE}
    [
      '23-Nov-2026 10:00:00.123 SEVERE [main] org.apache.catalina.Foo.bar boom',
      '2026-11-23 10:00:00.123',
      'ERROR',
      'SEVERE',
      '[main] org.apache.catalina.Foo.bar boom',
    ],
    ['23 Nov 2026 10:00:00,123 WARN  [main] slow', '2026-11-23 10:00:00.123', 'WARN', 'WARN', '[main] slow'],
    // PHP error log
    [
      '[23-Nov-2026 10:00:00 UTC] PHP Fatal error:  Uncaught Exception: boom in /x.php:3',
      '2026-11-23 10:00:00Z',
      'FATAL',
      'Fatal error',
      'Uncaught Exception: boom in /x.php:3',
    ],
    ['[23-Nov-2026 10:00:00 Europe/Berlin] PHP Warning:  careful', '2026-11-23 10:00:00', 'WARN', 'Warning', 'careful'],
    // log4js default layouts, coloured or not
    ['[2026-11-23T10:00:00.123] [ERROR] default - boom', '2026-11-23 10:00:00.123', 'ERROR', 'ERROR', 'default - boom'],
    ['\x1b[91m[2026-11-23T10:00:00.123] [ERROR] default - \x1b[39mboom', '2026-11-23 10:00:00.123', 'ERROR', 'ERROR', 'default - boom'],
    // Spring Boot's coloured console
    [
      '\x1b[2m2026-11-23T10:00:00.123Z\x1b[0;39m \x1b[31mERROR\x1b[0;39m \x1b[35m1\x1b[0;39m \x1b[2m---\x1b[0;39m boom',
      '2026-11-23 10:00:00.123Z',
      'ERROR',
      'ERROR',
      '1 --- boom',
    ],
    // zap's CapitalColorLevelEncoder
    ['2026-11-23T10:00:00.123Z\t\x1b[31mERROR\x1b[0m\tmain.go:1\tboom', '2026-11-23 10:00:00.123Z', 'ERROR', 'ERROR', 'main.go:1\tboom'],
    // winston printf with a timestamp
    ['2026-11-23T10:00:00.123Z error: boom', '2026-11-23 10:00:00.123Z', 'ERROR', 'error', 'boom'],
    // NLog default layout, and with ${level} in title case
    ['2026-11-23 10:00:00.1234|ERROR|MyApp.Program|boom', '2026-11-23 10:00:00.1234', 'ERROR', 'ERROR', 'MyApp.Program|boom'],
    ['2026-11-23 10:00:00.1234|Error|MyApp.Program|boom', '2026-11-23 10:00:00.1234', 'ERROR', 'Error', 'MyApp.Program|boom'],
    // Celery, Rust env_logger, Elasticsearch, gunicorn, Airflow, Jenkins, Kafka
    ['[2026-11-23 10:00:00,123: ERROR/MainProcess] Task failed', '2026-11-23 10:00:00.123', 'ERROR', 'ERROR', '[MainProcess] Task failed'],
    ['[2026-11-23T10:00:00Z ERROR my_crate::db] boom', '2026-11-23 10:00:00Z', 'ERROR', 'ERROR', '[my_crate::db] boom'],
    ['[2026-11-23T10:00:00,123][ERROR][o.e.b.Bootstrap  ] [node-1] boom', '2026-11-23 10:00:00.123', 'ERROR', 'ERROR', '[o.e.b.Bootstrap  ] [node-1] boom'],
    ['[2026-11-23T10:00:00,123][WARN ][o.e.c.Foo] [node-1] low', '2026-11-23 10:00:00.123', 'WARN', 'WARN', '[o.e.c.Foo] [node-1] low'],
    ['[2026-11-23 10:00:00 +0000] [1234] [ERROR] boom', '2026-11-23 10:00:00+00:00', 'ERROR', 'ERROR', '[1234] boom'],
    [
      '[2026-11-23T10:00:00.123+0000] {taskinstance.py:1234} ERROR - Task failed',
      '2026-11-23 10:00:00.123+00:00',
      'ERROR',
      'ERROR',
      '{taskinstance.py:1234} - Task failed',
    ],
    ['2026-11-23 10:00:00.123+0000 [id=1]\tSEVERE\thudson.Foo#bar: boom', '2026-11-23 10:00:00.123+00:00', 'ERROR', 'SEVERE', '[id=1] hudson.Foo#bar: boom'],
    [
      '[2026-11-23 10:00:00,123] ERROR [Controller id=1] boom (kafka.Controller)',
      '2026-11-23 10:00:00.123',
      'ERROR',
      'ERROR',
      '[Controller id=1] boom (kafka.Controller)',
    ],
    // a java.util.logging one-line format
    ['2026-11-23 10:00:00.123 SEVERE com.foo.Bar main - boom', '2026-11-23 10:00:00.123', 'ERROR', 'SEVERE', 'com.foo.Bar main - boom'],
    // MySQL 5.6 error log (no MySQL-8 shape): read as a plain timestamp-level line
    ['2026-11-23 10:00:00 1234 [ERROR] InnoDB: boom', '2026-11-23 10:00:00', 'ERROR', 'ERROR', '1234 InnoDB: boom'],
    // a logfmt level pair after a leading timestamp
    ['2026-11-23T10:00:00Z level=error msg="boom" attempt=3', '2026-11-23 10:00:00Z', 'ERROR', 'error', 'msg="boom" attempt=3'],
    ['2026-11-23T10:00:00Z app[web.1]: lvl="warn" msg=slow', '2026-11-23 10:00:00Z', 'WARN', 'warn', 'app[web.1] msg=slow'],
    // levels in other cases and brackets
    ['2026-11-23 10:00:00 <ERROR> angle', '2026-11-23 10:00:00', 'ERROR', 'ERROR', 'angle'],
    ['2026-11-23 10:00:00 (crit) paren', '2026-11-23 10:00:00', 'CRITICAL', 'crit', 'paren'],
    ['2026-11-23 10:00:00 [ INFO] right-padded', '2026-11-23 10:00:00', 'INFO', 'INFO', 'right-padded'],
    ['2026-11-23 10:00:00 [Warning] title case in brackets', '2026-11-23 10:00:00', 'WARN', 'Warning', 'title case in brackets'],
    ['2026-11-23 10:00:00 ERROR', '2026-11-23 10:00:00', 'ERROR', 'ERROR', ''],
    // the first level field wins over words of the message
    ['2026-11-23 10:00:00 [main] INFO ERROR happened', '2026-11-23 10:00:00', 'INFO', 'INFO', '[main] ERROR happened'],
    ['2026-11-23 10:00:00,123 - app - INFO - Error: not this one', '2026-11-23 10:00:00.123', 'INFO', 'INFO', 'app - Error: not this one'],
    // offsets and fractions
    ['2026-11-23T10:00:00.123456789Z ERROR nanos', '2026-11-23 10:00:00.123456Z', 'ERROR', 'ERROR', 'nanos'],
    ['2026-11-23 10:00:00+05 ERROR hours only', '2026-11-23 10:00:00+05:00', 'ERROR', 'ERROR', 'hours only'],
    ['2026-11-23 10:00:00-0330 ERROR hhmm', '2026-11-23 10:00:00-03:30', 'ERROR', 'ERROR', 'hhmm'],
    ['2026-11-23 10:00:00 UTC ERROR zone name', '2026-11-23 10:00:00Z', 'ERROR', 'ERROR', 'zone name'],
    ['2026.11.23 10:00:00 ERROR dotted date', '2026-11-23 10:00:00', 'ERROR', 'ERROR', 'dotted date'],
    ['2028-02-29 23:59:59 ERROR leap day', '2028-02-29 23:59:59', 'ERROR', 'ERROR', 'leap day'],
  ])('reads %j', (line, time, level, levelText, message) => {
    expect(parse(line)).toEqual({ time, level, levelText, message });
  });

  it.each([
    // a date but no level field: still an entry start, level null
    ['2026/11/23 10:00:00 server listening on :8080', '2026-11-23 10:00:00', 'server listening on :8080'],
    ['2026/11/23 10:00:00 Error: no level field, a message', '2026-11-23 10:00:00', 'Error: no level field, a message'],
    ['2026/11/23 10:00:00 Got ERROR from upstream', '2026-11-23 10:00:00', 'Got ERROR from upstream'],
    ['2026-11-23 10:00:00 alert sent to ops', '2026-11-23 10:00:00', 'alert sent to ops'],
    ['2026-11-23 10:00:00 -42 degrees', '2026-11-23 10:00:00', '-42 degrees'],
    ['2026-11-23 10:00:00 [MARK] log4js mark', '2026-11-23 10:00:00', '[MARK] log4js mark'],
    ['2026-11-23T10:00:00.123456+01:00 myhost sshd[123]: error: x', '2026-11-23 10:00:00.123456+01:00', 'myhost sshd[123]: error: x'],
    // java.util.logging's default date line: names the source class and method, never the level
    ['Nov 23, 2026 10:00:00 AM com.foo.Log error', '2026-11-23 10:00:00', 'com.foo.Log error'],
    ['Nov 3, 2026 12:05:09 AM Main main', '2026-11-03 00:05:09', 'Main main'],
    ['Dec 01, 2026 10:01:49 PM JulDemo main', '2026-12-01 22:01:49', 'JulDemo main'],
    ['2026-11-23 10:00:00', '2026-11-23 10:00:00', ''],
    ['2026-11-23 10:00:00 level=bogus msg=x', '2026-11-23 10:00:00', 'level=bogus msg=x'],
  ])('reads %j as an entry start without a level', (line, time, message) => {
    expect(parse(line)).toEqual({ time, level: null, levelText: '', message });
  });

  it.each([
    // stack traces and other continuation lines
    ['\tat com.example.Foo.bar(Foo.java:10)'],
    ['    at foo (file.js:1:2)'],
    ['Caused by: java.lang.IllegalStateException: boom'],
    ['\t... 5 more'],
    ['Traceback (most recent call last):'],
    ['  File "app.py", line 3, in <module>'],
    ['ValueError: bad'],
    ['goroutine 1 [running]:'],
    ['panic: runtime error: index out of range'],
    ['[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a1b2c]'],
    ['main.main()'],
    ['[23-Nov-2026 10:00:00 UTC] PHP Stack trace:'],
    ['[23-Nov-2026 10:00:00 UTC] PHP   1. {main}() /var/www/index.php:0'],
    // other formats' lines
    ['2026-11-23 10:00:00.123 UTC [123] ERROR:  relation "x" does not exist'],
    ['2026-11-23 10:00:00.123 CET [123] LOG:  checkpoint starting'],
    ['2026-11-23 10:00:00 UTC [1234]: [1-1] user=postgres,db=app ERROR:  boom'],
    ['2026-11-23 10:00:00 UTC:10.0.0.1(5432):postgres@db:[1234]:ERROR:  boom'],
    ['2026-11-23 10:00:00.123 UTC,"postgres","db",123,"10.0.0.1:5432",'],
    ['2026-11-23T10:00:00.123456Z 0 [ERROR] [MY-010000] [Server] boom'],
    ['2026-11-23T10:00:00.123456+01:00 12 [Warning] [MY-010055] [Server] careful'],
    ['2026-11-23T10:00:00.123456Z 0 [Note] mysqld 5.7 note'],
    ['2026-11-23T10:00:00.123456789Z stderr F boom'],
    ['2026-11-23T10:00:00.123456789+01:00 stdout P partial'],
    ['2026/11/23 10:00:00 [error] 1234#0: *5 open() failed'],
    ['[Mon Nov 23 10:00:00.123456 2026] [core:error] [pid 1234] boom'],
    ['127.0.0.1 - - [23/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 500 12'],
    ['<11>1 2026-11-23T10:00:00Z host app 1 - - boom'],
    ['Nov 23 10:00:00 host app[1]: boom'],
    ['E1123 10:00:00.123456    1234 main.go:42] boom'],
    ['E, [2026-11-23T10:00:00.123456 #1234] ERROR -- app: boom'],
    ['ERROR:root:boom'],
    ['{"level":"error","time":"2026-11-23T10:00:00Z"}'],
    ['time=2026-11-23T10:00:00Z level=error msg=boom'],
    // invalid timestamps
    ['2026-13-45 10:00:00 ERROR bad date'],
    ['2026-02-29 10:00:00 ERROR not a leap year'],
    ['2026-11-23 24:00:00 ERROR hour 24'],
    ['2026-11-23 10:00:00+16:00 ERROR offset beyond PostgreSQL'],
    ['2026-11-23 10:00:00x ERROR junk after time'],
    ['2026-11-23 10:00 ERROR no seconds'],
    ['32-Nov-2026 10:00:00 ERROR day 32'],
    ['Foo 23, 2026 10:00:00 AM not a month'],
    ['Nov 23, 2026 13:00:00 PM hour 13'],
    // a time of day alone needs a level field
    ['10:00:00.123 something happened'],
    ['12:00 something'],
    // hostile text
    [''],
    ['2026'],
    ['\x1b[31m'],
    ['[[[[[[[[[[[[[[[[[[[['],
    ['9999999999999999999999999999999999999999'],
    [' 2026-11-23 10:00:00 ERROR indented'],
  ])('rejects %j', (line) => {
    expect(parse(line)).toBeNull();
  });

  it('reads the level of a 64 KiB line quickly, without looking past the header', () => {
    // Prepare
    const long = `2026-11-23 10:00:00 ${'['.repeat(200)} ${'x'.repeat(65_536)}`;
    const levelLate = `2026-11-23 10:00:00 ${'a.b '.repeat(16_384)}ERROR late`;
    const noTimestamp = `${'1'.repeat(65_536)}`;

    // Act
    const started = process.hrtime.bigint();
    for (let i = 0; i < 200; i += 1) {
      TIMESTAMP_LEVEL_FORMAT.parse(long, CONTEXT);
      TIMESTAMP_LEVEL_FORMAT.parse(levelLate, CONTEXT);
      TIMESTAMP_LEVEL_FORMAT.parse(noTimestamp, CONTEXT);
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;

    // Assess
    expect(parse(long)?.level).toBeNull();
    expect(parse(levelLate)?.level).toBeNull();
    expect(parse(noTimestamp)).toBeNull();
    expect(ms).toBeLessThan(2000);
  });

  it('takes the date of a time of day alone from the reference instant in UTC', () => {
    const justAfterMidnight = { referenceMs: Date.UTC(2026, 11, 31, 23, 59, 59) };
    expect(TIMESTAMP_LEVEL_FORMAT.parse('10:00:00.123 [main] ERROR x - y', justAfterMidnight)?.time).toBe('2026-12-31 10:00:00.123');
  });
});

describe('Function: readTimestamp', () => {
  it.each([
    ['2026-11-23 10:00:00,123 rest', 0, '2026-11-23 10:00:00.123', 23],
    ['x 2026-11-23T10:00:00Z rest', 2, '2026-11-23 10:00:00Z', 22],
    ['2026-11-23 10:00:00 +0530]', 0, '2026-11-23 10:00:00+05:30', 25],
    ['23-Nov-2026 10:00:00 GMT]', 0, '2026-11-23 10:00:00Z', 24],
  ])('reads %j from %d', (line, start, time, end) => {
    expect(readTimestamp(line, start, 0)).toMatchObject({ time, end, dateKnown: true });
  });
});

describe('Function: asciiLevel', () => {
  it.each([
    ['ERROR', 'ERROR'],
    ['err', 'ERROR'],
    ['Critical', 'CRITICAL'],
    ['ınfo', null],
    ['ſevere', null],
    ['ERR0R', null],
    ['', null],
    ['INFORMATIONALX', null],
  ])('reads %j as %j', (word, level) => {
    expect(asciiLevel(word, 0, word.length)).toBe(level);
  });
});
