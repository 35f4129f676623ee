/**
 * The server and system log parsers against the logs real programs wrote
 * (scripts/fixtures/make-server-logs.sh; each folder's README says which
 * program, version and commands). No program runs here: the files are read.
 * The expected counts were counted by hand in each file; regenerating the
 * fixtures means counting again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ACCESS_LOG_FORMAT } from '../../lib/ingest/formats/access-log';
import { APACHE_ERROR_FORMAT } from '../../lib/ingest/formats/apache-error';
import { MYSQL_FORMAT } from '../../lib/ingest/formats/mysql';
import { NGINX_ERROR_FORMAT } from '../../lib/ingest/formats/nginx-error';
import { POSTGRESQL_FORMAT } from '../../lib/ingest/formats/postgresql';
import { LEVELS } from '../../lib/ingest/formats/severity';
import { inspectContent } from '../../lib/ingest/inspect';
import { shorthandSource } from '../../lib/ingest/sources';
import { SYSLOG_FORMAT } from '../../lib/ingest/formats/syslog';
import type { LineFormat, ParsedLine } from '../../lib/ingest/formats/types';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'logs');
/** The fixtures were written on 1 December 2026: year-less syslog dates are read against the day after. */
const CONTEXT = { referenceMs: Date.UTC(2026, 11, 2) };
const FORMATS: readonly LineFormat[] = [NGINX_ERROR_FORMAT, APACHE_ERROR_FORMAT, ACCESS_LOG_FORMAT, POSTGRESQL_FORMAT, MYSQL_FORMAT, SYSLOG_FORMAT];
const CANONICAL_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})?$/;

interface Entry {
  parsed: ParsedLine;
  continuation: string[];
}

function readLines(file: string): string[] {
  return fs.readFileSync(path.join(FIXTURES, file), 'utf8').split('\n').slice(0, -1);
}

/** What the scanner does: a recognised line starts an entry, any other line continues the one above. */
function scan(file: string, format: LineFormat): { entries: Entry[]; orphans: number } {
  const entries: Entry[] = [];
  let orphans = 0;
  for (const line of readLines(file)) {
    const parsed = format.parse(line, CONTEXT);
    if (parsed !== null) entries.push({ parsed, continuation: [] });
    else if (entries.length > 0) entries[entries.length - 1]!.continuation.push(line);
    else orphans++;
  }
  return { entries, orphans };
}

function errorsOf(entries: Entry[]): Entry[] {
  return entries.filter((e) => e.parsed.level !== null && LEVELS[e.parsed.level] >= LEVELS.ERROR);
}

interface Case {
  file: string;
  format: LineFormat;
  /** Lines in the file, entries the parser starts, error-level entries among them (ERROR, CRITICAL, ALERT, FATAL). */
  lines: number;
  entries: number;
  errors: number;
  /** The first error-level entry, as read from the file by hand. */
  first: Pick<ParsedLine, 'time' | 'level' | 'levelText'> & { messageStart: string };
}

const CASES: Case[] = [
  {
    file: 'nginx-error/error.log',
    format: NGINX_ERROR_FORMAT,
    lines: 25,
    entries: 25,
    errors: 5, // 1 emerg (nginx -t of a bad config), 4 error (missing file, upstream refused, forbidden, missing a"b)
    first: { time: '2026-12-01 22:21:14', level: 'FATAL', levelText: 'emerg', messageStart: 'unknown directive "no_such_directive"' },
  },
  {
    file: 'apache-error/event-error.log',
    format: APACHE_ERROR_FORMAT,
    lines: 12,
    entries: 11, // `cgi broke` (mod_cgid copies the script's stderr raw) continues the line above
    errors: 5, // authz_core:error, cgid:error, core:alert, proxy:error, proxy_http:error
    first: { time: '2026-12-01 22:21:15.300708', level: 'ERROR', levelText: 'error', messageStart: '[client 127.0.0.1:' },
  },
  {
    file: 'apache-error/prefork-error.log',
    format: APACHE_ERROR_FORMAT,
    lines: 12,
    entries: 12,
    errors: 6, // authz_core:error, 2 cgi:error (AH01215 stderr, end of script output), core:alert, proxy:error, proxy_http:error
    first: { time: '2026-12-01 22:21:16.117869', level: 'ERROR', levelText: 'error', messageStart: '[client 127.0.0.1:' },
  },
  {
    file: 'apache-error/apache22-style-error.log',
    format: APACHE_ERROR_FORMAT,
    lines: 12,
    entries: 11,
    errors: 5, // 4 error, 1 alert
    first: { time: '2026-12-01 22:21:16', level: 'ERROR', levelText: 'error', messageStart: '[client 127.0.0.1:36872] AH01630:' },
  },
  {
    file: 'access-log/nginx-combined.log',
    format: ACCESS_LOG_FORMAT,
    lines: 9,
    entries: 9,
    errors: 3, // GET /fail 500, GET /upstream 502, POST /fail 500
    first: { time: '2026-12-01 22:21:14+00:00', level: 'ERROR', levelText: '500', messageStart: 'GET /fail HTTP/1.1 500' },
  },
  {
    file: 'access-log/apache-combined.log',
    format: ACCESS_LOG_FORMAT,
    lines: 7,
    entries: 7,
    errors: 3, // broken.cgi 500, sub/x.html 500 (.htaccess), upstream 503
    first: { time: '2026-12-01 22:21:15+00:00', level: 'ERROR', levelText: '500', messageStart: 'GET /cgi-bin/broken.cgi HTTP/1.1 500' },
  },
  {
    file: 'access-log/apache-vhost-combined.log',
    format: ACCESS_LOG_FORMAT,
    lines: 7,
    entries: 7,
    errors: 3,
    first: { time: '2026-12-01 22:21:15+00:00', level: 'ERROR', levelText: '500', messageStart: 'GET /cgi-bin/broken.cgi HTTP/1.1 500' },
  },
  {
    file: 'access-log/apache-common.log',
    format: ACCESS_LOG_FORMAT,
    lines: 7,
    entries: 7,
    errors: 3,
    first: { time: '2026-12-01 22:21:16+00:00', level: 'ERROR', levelText: '500', messageStart: 'GET /cgi-bin/broken.cgi HTTP/1.1 500' },
  },
  ...(
    [
      ['postgresql/default-prefix.log', '2026-12-01 22:21:20.391Z'],
      ['postgresql/debian-prefix.log', '2026-12-01 23:21:20.690'],
      ['postgresql/pgbadger-prefix.log', '2026-12-01 23:21:20+01:00'],
      ['postgresql/angle-prefix.log', '2026-12-01 17:21:21.281'],
    ] as const
  ).map(
    ([file, time]): Case => ({
      file,
      format: POSTGRESQL_FORMAT,
      lines: 31,
      // 11 LOG, 1 WARNING, 5 ERROR, 3 FATAL; 6 STATEMENT, 2 DETAIL, 1 CONTEXT and the 2 unprefixed lines of a statement continue them
      entries: 20,
      errors: 8,
      first: { time, level: 'ERROR', levelText: 'ERROR', messageStart: 'relation "missing_table" does not exist' },
    }),
  ),
  {
    file: 'mysql/mariadb-error.log',
    format: MYSQL_FORMAT,
    lines: 65,
    entries: 64, // the `Version: …` line after "ready for connections" continues it
    errors: 5, // bind error, "another server running", Aborting; unknown variable, Aborting
    first: { time: '2026-12-01 22:21:23', level: 'ERROR', levelText: 'ERROR', messageStart: "Can't start server: Bind on TCP/IP port" },
  },
  {
    file: 'mysql/mysql8-manual-sample.log',
    format: MYSQL_FORMAT,
    lines: 8,
    entries: 8,
    errors: 3,
    first: {
      time: '2020-08-06 14:26:10.000001Z',
      level: 'ERROR',
      levelText: 'ERROR',
      messageStart: "[MY-000067] [Server] unknown variable 'no-such-option=1'.",
    },
  },
  {
    file: 'syslog/traditional.log',
    format: SYSLOG_FORMAT,
    lines: 15,
    entries: 15,
    // no PRI: only the level tokens count (ERROR, [error], glog E, logfmt level=error, PostgreSQL's ERROR:)
    errors: 5,
    first: { time: '2026-12-01 22:21:18', level: 'ERROR', levelText: 'ERROR', messageStart: 'myapp: ERROR could not read config' },
  },
  {
    file: 'syslog/fileformat.log',
    format: SYSLOG_FORMAT,
    lines: 15,
    entries: 15,
    errors: 5,
    first: { time: '2026-12-01 22:21:18.002223+00:00', level: 'ERROR', levelText: 'ERROR', messageStart: 'myapp: ERROR could not read config' },
  },
  {
    file: 'syslog/with-pri.log',
    format: SYSLOG_FORMAT,
    lines: 15,
    entries: 15,
    // user.err, the 5 level tokens, kern.crit, local4.err, local0.crit; `INFO:` sent as user.err is INFO
    errors: 9,
    first: { time: '2026-12-01 22:21:17', level: 'ERROR', levelText: '<11>', messageStart: 'myapp[8143]: database connection failed' },
  },
  {
    file: 'syslog/rfc5424.log',
    format: SYSLOG_FORMAT,
    lines: 15,
    entries: 15,
    errors: 9,
    first: { time: '2026-12-01 22:21:17.993756+00:00', level: 'ERROR', levelText: '<11>', messageStart: 'myapp[8143]: database connection failed' },
  },
];

describe('Formats: server logs written by real programs', () => {
  it.each(CASES.map((c) => [c.file, c] as const))('stores the hand-counted errors of %s with format auto, through the whole read path', (_file, c) => {
    const source = shorthandSource({ LOG_FILES: 'x.log' }, { timeZone: 'UTC', minLevel: 'ERROR' });
    const report = inspectContent(fs.readFileSync(path.join(FIXTURES, c.file)), source, { mtimeMs: CONTEXT.referenceMs, maxLineBytes: 65536 });
    expect(report.entries.filter((e) => e.severity >= LEVELS.ERROR)).toHaveLength(c.errors);
    expect([...report.formats.keys()]).toContain(c.format.name);
  });

  it.each(CASES.map((c) => [c.file, c] as const))('finds the hand-counted entries and errors of %s', (_file, c) => {
    const { entries, orphans } = scan(c.file, c.format);
    const errors = errorsOf(entries);

    expect(readLines(c.file)).toHaveLength(c.lines);
    expect(orphans).toBe(0);
    expect(entries).toHaveLength(c.entries);
    expect(errors).toHaveLength(c.errors);
    const first = errors[0]!.parsed;
    expect({ time: first.time, level: first.level, levelText: first.levelText }).toEqual({
      time: c.first.time,
      level: c.first.level,
      levelText: c.first.levelText,
    });
    expect(first.message.startsWith(c.first.messageStart)).toBe(true);
    for (const { parsed } of entries) {
      expect(parsed.format).toBe(c.format.name);
      expect(parsed.time).toMatch(CANONICAL_TIME);
    }
  });

  it.each(CASES.map((c) => [c.file, c] as const))('leaves every line of %s to its own format', (_file, c) => {
    for (const line of readLines(c.file)) {
      const claimedBy = FORMATS.filter((f) => f !== c.format && f.parse(line, CONTEXT) !== null).map((f) => f.name);
      expect({ line, claimedBy }).toEqual({ line, claimedBy: [] });
    }
  });

  it.each(['default-prefix.log', 'debian-prefix.log', 'pgbadger-prefix.log', 'angle-prefix.log'])(
    'keeps the DETAIL, STATEMENT and CONTEXT lines of postgresql/%s with the entry they explain',
    (file) => {
      const lines = readLines(`postgresql/${file}`);
      const details = lines.filter((l) => /(DETAIL|STATEMENT|CONTEXT): {2}/.test(l));
      const { entries } = scan(`postgresql/${file}`, POSTGRESQL_FORMAT);
      const duplicate = entries.find((e) => e.parsed.message.startsWith('duplicate key value'))!;
      const statement = entries.find((e) => e.parsed.message.startsWith('column "no_such_column"'))!;

      expect(details).toHaveLength(9);
      for (const line of details) expect(POSTGRESQL_FORMAT.parse(line, CONTEXT)).toBeNull();
      expect(duplicate.parsed.level).toBe('ERROR');
      expect(duplicate.continuation).toHaveLength(2);
      expect(duplicate.continuation[0]).toContain('DETAIL:  Key (id)=(1) already exists.');
      expect(duplicate.continuation[1]).toContain('STATEMENT:  INSERT INTO t VALUES (1)');
      expect(statement.continuation).toEqual([expect.stringContaining('STATEMENT:  SELECT id'), '\t  FROM t', '\t  WHERE no_such_column = 1']);
    },
  );

  it('keeps the WARNING of a PL/pgSQL RAISE below the error level, with its CONTEXT', () => {
    const { entries } = scan('postgresql/default-prefix.log', POSTGRESQL_FORMAT);
    const warning = entries.find((e) => e.parsed.levelText === 'WARNING')!;

    expect(warning.parsed.level).toBe('WARN');
    expect(warning.parsed.message).toBe('disk almost full');
    expect(warning.continuation).toEqual([expect.stringContaining('CONTEXT:  PL/pgSQL function inline_code_block line 1 at RAISE')]);
  });
});
