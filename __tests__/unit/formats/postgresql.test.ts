import { POSTGRESQL_FORMAT } from '../../../lib/ingest/formats/postgresql';
import type { ParsedLine } from '../../../lib/ingest/formats/types';

const CONTEXT = { referenceMs: Date.UTC(2026, 11, 1) };

function parse(line: string): ParsedLine | null {
  return POSTGRESQL_FORMAT.parse(line, CONTEXT);
}

describe('Format: postgresql', () => {
  it("reads an ERROR with the default prefix '%m [%p] '", () => {
    const parsed = parse('2026-11-23 10:00:00.123 UTC [1234] ERROR:  relation "x" does not exist');

    expect(parsed).toEqual({
      format: 'postgresql',
      time: '2026-11-23 10:00:00.123Z',
      level: 'ERROR',
      levelText: 'ERROR',
      message: 'relation "x" does not exist',
      fields: null,
    });
  });

  it.each([
    ["'%m [%p] '", '2026-12-01 22:13:08.395 UTC [31641] ERROR:  relation "missing_table" does not exist at character 15', 'ERROR'],
    ["'%m [%p] %q%u@%d '", '2026-12-01 23:13:08.673 CET [31657] postgres@postgres ERROR:  syntax error at or near "SELEC"', 'ERROR'],
    ["'%m [%p] %q%u@%d ' (background process)", '2026-12-01 23:13:08.577 CET [31655] LOG:  starting PostgreSQL 17.10', 'INFO'],
    [
      "'%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h '",
      '2026-12-01 23:13:08 +01 [31673]: [1-1] user=postgres,db=postgres,app=fixture,client=127.0.0.1 ERROR:  division by zero',
      'ERROR',
    ],
    ['the same for a background process', '2026-12-01 23:13:08 +01 [31670]: [1-1] user=,db=,app=,client= LOG:  listening on IPv4', 'INFO'],
    ["'< %m >'", '< 2026-12-01 17:13:09.201 EST >ERROR:  relation "missing_table" does not exist', 'ERROR'],
    ["'< %m > ' with a space", '< 2026-12-01 17:13:09.201 EST > FATAL:  database "x" does not exist', 'FATAL'],
    ["'%t '", '2026-11-23 10:00:00 UTC WARNING:  there is no transaction in progress', 'WARN'],
    ['the empty prefix of old servers', 'PANIC:  could not write to file "pg_wal/xlogtemp.123": No space left on device', 'FATAL'],
    ['the empty prefix, FATAL', 'FATAL:  the database system is starting up', 'FATAL'],
    ["Amazon RDS '%t:%r:%u@%d:[%p]:'", '2026-11-23 10:00:00 UTC:10.0.0.5(50312):app@orders:[4321]:ERROR:  deadlock detected', 'ERROR'],
    ['Amazon RDS, background process', '2026-11-23 10:00:00 UTC::@:[4000]:LOG:  checkpoint starting: time', 'INFO'],
    ["Azure '%t-%c-'", '2026-11-23 10:00:00 UTC-6565c2a1.1a2b-FATAL:  password authentication failed for user "x"', 'FATAL'],
    ['a time without a zone', '2026-11-23 10:00:00 LOG:  x', 'INFO'],
    ['an application name with brackets', '2026-11-23 10:00:00.123 UTC [1234] [app=psql] x@y ERROR:  boom', 'ERROR'],
  ])('reads the prefix %s', (_prefix, line, level) => {
    expect(parse(line)?.level).toBe(level);
  });

  it.each([
    ['DEBUG', 'DEBUG'],
    ['DEBUG1', 'DEBUG'],
    ['DEBUG5', 'DEBUG'],
    ['LOG', 'INFO'],
    ['INFO', 'INFO'],
    ['NOTICE', 'NOTICE'],
    ['WARNING', 'WARN'],
    ['ERROR', 'ERROR'],
    ['FATAL', 'FATAL'],
    ['PANIC', 'FATAL'],
  ])('maps the severity %s to %s', (word, level) => {
    const parsed = parse(`2026-11-23 10:00:00.123 UTC [1] ${word}:  x`);

    expect(parsed?.level).toBe(level);
    expect(parsed?.levelText).toBe(word);
    expect(parsed?.message).toBe('x');
  });

  it.each(['DETAIL', 'HINT', 'QUERY', 'CONTEXT', 'LOCATION', 'STATEMENT'])('leaves %s lines to the entry above (returns null)', (label) => {
    expect(parse(`2026-11-23 10:00:00.123 UTC [1234] ${label}:  Key (id)=(1) already exists.`)).toBeNull();
    expect(parse(`< 2026-11-23 10:00:00.123 EST >${label}:  x`)).toBeNull();
    expect(parse(`2026-12-01 23:13:08 +01 [31673]: [2-1] user=postgres,db=postgres,app=fixture,client=127.0.0.1 ${label}:  x`)).toBeNull();
    expect(parse(`${label}:  x`)).toBeNull();
  });

  it.each([
    ['2026-11-23 10:00:00.123 UTC [1] ERROR:  x', '2026-11-23 10:00:00.123Z'],
    ['2026-11-23 10:00:00.123 GMT [1] ERROR:  x', '2026-11-23 10:00:00.123Z'],
    ['2026-11-23 10:00:00 +01 [1]: ERROR:  x', '2026-11-23 10:00:00+01:00'],
    ['2026-11-23 10:00:00 -03 [1]: ERROR:  x', '2026-11-23 10:00:00-03:00'],
    ['2026-11-23 10:00:00.5 +0530 [1] ERROR:  x', '2026-11-23 10:00:00.5+05:30'],
    ['2026-11-23 10:00:00.123 CET [1] ERROR:  x', '2026-11-23 10:00:00.123'],
    ['2026-11-23 10:00:00.123 EST [1] ERROR:  x', '2026-11-23 10:00:00.123'],
    ['2026-11-23 10:00:00.123 IST [1] ERROR:  x', '2026-11-23 10:00:00.123'],
    ['< 2026-11-23 10:00:00.123 UTC >ERROR:  x', '2026-11-23 10:00:00.123Z'],
    ['2026-11-23 10:00:00 UTC:10.0.0.5(50312):app@orders:[4321]:ERROR:  x', '2026-11-23 10:00:00Z'],
    ['ERROR:  no prefix', ''],
  ])('reads the time of %s (ambiguous zone abbreviations: source zone)', (line, time) => {
    expect(parse(line)?.time).toBe(time);
  });

  it.each([
    ['a single space after the colon', '2026-11-23 10:00:00.123 UTC [1234] ERROR: relation "x" does not exist'],
    ['a localised server', '2026-11-23 10:00:00.123 CET [1234] FEHLER:  Relation »x« existiert nicht'],
    ['a lower-case severity', '2026-11-23 10:00:00.123 UTC [1234] error:  x'],
    ['the severity glued to the prefix', '2026-11-23 10:00:00.123 UTC [1234]xERROR:  x'],
    ['no severity before the first double-spaced colon', '2026-11-23 10:00:00.123 UTC [1234] note:  ERROR:  x'],
    ['the empty prefix not at the start', 'while ERROR:  x'],
    [
      'csvlog',
      '2026-11-23 10:00:00.123 UTC,"postgres","db",1234,"127.0.0.1:5000",abc,1,"SELECT",2026-11-23 10:00:00 UTC,3/4,0,ERROR,42P01,"x",,,,,,,,,"psql","client backend",,0',
    ],
    ['month 13', '2026-13-23 10:00:00.123 UTC [1234] ERROR:  x'],
    ['brief', '2026-11-23 10:00:00 [ERROR] Something broke'],
    ['python logging', '2026-11-23 10:00:00,123 ERROR root: failed: x'],
    ['python basicConfig', 'ERROR:root:message'],
    ['mysql', '2026-11-23T10:00:00.123456Z 0 [ERROR] [MY-010119] [Server] Aborting'],
    ['mariadb', '2026-11-23 10:00:00 0 [ERROR] mariadbd: unknown variable'],
    ['nginx', '2026/11/23 10:00:00 [error] 1234#5678: *9 open() "/x" failed'],
    ['syslog carrying a PostgreSQL line', 'Nov 23 10:00:00 db postgres[1234]: [3-1] ERROR:  relation "x" does not exist'],
    ['a continuation line of a statement', '\t  FROM t'],
    ['java stack frame', '\tat com.example.Foo.bar(Foo.java:12)'],
    ['java cause', 'Caused by: java.io.IOException: x'],
    ['python traceback', 'Traceback (most recent call last):'],
    ['python exception line', 'ValueError: invalid literal'],
    ['go goroutine', 'goroutine 1 [running]:'],
    ['empty', ''],
  ])('rejects %s', (_what, line) => {
    expect(parse(line)).toBeNull();
  });

  it.each([
    ['64 KiB of digits', '2'.repeat(65536)],
    ['a timestamp then 64 KiB without a colon', `2026-11-23 10:00:00.123 UTC [1] ${'x'.repeat(65536)}`],
    ['a timestamp then 64 KiB of colons', `2026-11-23 10:00:00.123 UTC [1] ${': '.repeat(32768)}`],
    ['an endless fraction', `2026-11-23 10:00:00.${'1'.repeat(65536)} UTC [1] ERROR:  x`],
    ['64 KiB of upper-case letters', 'E'.repeat(65536)],
  ])('rejects hostile input quickly: %s', (_what, line) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < 100; i++) expect(parse(line)).toBeNull();
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(500);
  });
});
