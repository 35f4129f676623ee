import { MYSQL_FORMAT } from '../../../lib/ingest/formats/mysql';
import type { ParsedLine } from '../../../lib/ingest/formats/types';

const CONTEXT = { referenceMs: Date.UTC(2026, 11, 1) };

function parse(line: string): ParsedLine | null {
  return MYSQL_FORMAT.parse(line, CONTEXT);
}

describe('Format: mysql', () => {
  it('reads a MySQL 8 error line', () => {
    const parsed = parse('2026-11-23T10:00:00.123456Z 0 [ERROR] [MY-010119] [Server] Aborting');

    expect(parsed).toEqual({
      format: 'mysql',
      time: '2026-11-23 10:00:00.123456Z',
      level: 'ERROR',
      levelText: 'ERROR',
      message: '[MY-010119] [Server] Aborting',
      fields: null,
    });
  });

  it.each([
    ['MySQL 8 Warning', '2020-08-06T14:25:02.936146Z 0 [Warning] [MY-010068] [Server] CA certificate is self signed.', 'WARN', 'Warning'],
    ['MySQL 8 Note', '2020-08-06T14:25:02.835618Z 0 [Note] [MY-012487] [InnoDB] DDL log recovery : begin', 'INFO', 'Note'],
    ['MySQL 8 System', '2020-08-06T14:25:00.338624Z 0 [System] [MY-010116] [Server] /usr/sbin/mysqld (mysqld 8.0.23) starting', 'NOTICE', 'System'],
    ['MySQL 8 with a connection thread', '2020-08-06T14:25:03.109022Z 5 [Note] [MY-010051] [Server] Event Scheduler: started', 'INFO', 'Note'],
    ['MySQL 8 log_timestamps=SYSTEM', '2026-11-23T11:00:00.123456+01:00 0 [ERROR] [MY-000067] [Server] unknown variable', 'ERROR', 'ERROR'],
    ['MySQL 5.7', "2026-11-23T10:00:00.123456Z 0 [ERROR] Can't start server: Bind on TCP/IP port", 'ERROR', 'ERROR'],
    ['MariaDB 10', '2026-12-01 22:13:10 0 [ERROR] Aborting', 'ERROR', 'ERROR'],
    ['MariaDB 10, connection thread', "2026-12-01 22:13:10 4 [Warning] Access denied for user 'root'@'localhost'", 'WARN', 'Warning'],
    ['MariaDB 10, space-padded hour', '2026-12-01  9:13:10 0 [Note] mariadbd: ready for connections.', 'INFO', 'Note'],
    ['MySQL 5.6', '2026-11-23 10:00:00 140234 [ERROR] InnoDB: Unable to lock ./ibdata1', 'ERROR', 'ERROR'],
    ['MySQL 5.5', "201123 10:00:00 [ERROR] /usr/sbin/mysqld: unknown option '--foo'", 'ERROR', 'ERROR'],
    ['MySQL 5.5, space-padded hour', '201123  9:00:00 [Note] /usr/sbin/mysqld: ready for connections.', 'INFO', 'Note'],
    ['MariaDB 10.0 with a thread id', '201123 10:00:00 [Warning] 140234 x', 'WARN', 'Warning'],
    ['an upper-case label', '2026-12-01 22:13:10 0 [WARNING] x', 'WARN', 'WARNING'],
  ])('reads %s', (_what, line, level, levelText) => {
    const parsed = parse(line);

    expect(parsed?.level).toBe(level);
    expect(parsed?.levelText).toBe(levelText);
  });

  it.each([
    ['2026-11-23T10:00:00.123456Z 0 [ERROR] x', '2026-11-23 10:00:00.123456Z'],
    ['2026-11-23T11:00:00.123456+01:00 0 [ERROR] x', '2026-11-23 11:00:00.123456+01:00'],
    ['2026-11-23T10:00:00Z 0 [ERROR] x', '2026-11-23 10:00:00Z'],
    ['2026-12-01 22:13:10 0 [ERROR] x', '2026-12-01 22:13:10'],
    ['2026-12-01  9:13:10 0 [ERROR] x', '2026-12-01 09:13:10'],
    ['201123 10:00:00 [ERROR] x', '2020-11-23 10:00:00'],
    ['261201  9:05:03 [ERROR] x', '2026-12-01 09:05:03'],
  ])('reads the time of %s', (line, time) => {
    expect(parse(line)?.time).toBe(time);
  });

  it.each([
    ['2026-11-23T10:00:00.123456Z 0 [ERROR] [MY-010119] [Server] Aborting', '[MY-010119] [Server] Aborting'],
    ["2026-12-01 22:13:10 0 [ERROR] mariadbd: unknown variable 'no-such-option=1'", "mariadbd: unknown variable 'no-such-option=1'"],
    ['201123 10:00:00 [ERROR]', ''],
  ])('keeps what follows the label as the message: %s', (line, message) => {
    expect(parse(line)?.message).toBe(message);
  });

  it.each([
    ['brief (no thread id)', '2026-11-23 10:00:00 [ERROR] Something broke'],
    ['ISO without a thread id', '2026-11-23T10:00:00.123Z [ERROR] Something broke'],
    ['an unknown label', '2026-12-01 22:13:10 0 [Fatal] x'],
    ['a thread name instead of an id', '2026-12-01 22:13:10 main [ERROR] x'],
    ['old InnoDB line without a label', '201123 10:00:00  InnoDB: Error: unable to create temporary file'],
    ['the Version line', "Version: '10.11.19-MariaDB-0+deb12u1'  socket: '/run/mysqld/mysqld.sock'  port: 3306  Debian 12"],
    ['month 13', '2026-13-01 22:13:10 0 [ERROR] x'],
    ['hour 24', '2026-12-01 24:13:10 0 [ERROR] x'],
    ['a bad offset', '2026-11-23T10:00:00.123456+16:00 0 [ERROR] x'],
    ['glog', 'E1123 10:00:00.123456   1234 file.go:12] message'],
    ['postgresql', '2026-11-23 10:00:00.123 UTC [1234] ERROR:  relation "x" does not exist'],
    ['nginx', '2026/11/23 10:00:00 [error] 1234#5678: *9 open() "/x" failed'],
    ['syslog', 'Nov 23 10:00:00 host mysqld[1]: 2026-11-23 10:00:00 0 [ERROR] x'],
    ['rfc3339 syslog', '2026-11-23T10:00:00.123456+00:00 db mysqld[1]: [ERROR] x'],
    ['java stack frame', '\tat com.example.Foo.bar(Foo.java:12)'],
    ['empty', ''],
  ])('rejects %s', (_what, line) => {
    expect(parse(line)).toBeNull();
  });

  it.each([
    ['64 KiB of digits', '2'.repeat(65536)],
    ['an endless thread id', `2026-12-01 22:13:10 ${'1'.repeat(65536)} [ERROR] x`],
    ['an endless fraction', `2026-11-23T10:00:00.${'1'.repeat(65536)}Z 0 [ERROR] x`],
    ['an endless offset', `2026-11-23T10:00:00+${'1'.repeat(65536)} 0 [ERROR] x`],
    ['an endless label', `2026-12-01 22:13:10 0 [${'E'.repeat(65536)}`],
  ])('rejects hostile input quickly: %s', (_what, line) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < 100; i++) expect(parse(line)).toBeNull();
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(500);
  });
});
