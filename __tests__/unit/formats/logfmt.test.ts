import { LOGFMT_FORMAT } from '../../../lib/ingest/formats/logfmt';
import type { Level } from '../../../lib/ingest/formats/severity';
import type { ParseContext } from '../../../lib/ingest/formats/types';

const CONTEXT: ParseContext = { referenceMs: Date.UTC(2026, 10, 23, 12) };

function parse(line: string): ReturnType<typeof LOGFMT_FORMAT.parse> {
  return LOGFMT_FORMAT.parse(line, CONTEXT);
}

interface Expected {
  time: string;
  level: Level | null;
  levelText: string;
  message: string;
}

describe('Format: logfmt', () => {
  describe('lines of real loggers', () => {
    it.each<[string, string, Expected]>([
      [
        'logrus TextFormatter (quoted time, err)',
        'time="2026-11-23T10:00:00Z" level=error msg="payment failed" err="card declined" order=17',
        { time: '2026-11-23 10:00:00Z', level: 'ERROR', levelText: 'error', message: 'payment failed' },
      ],
      [
        'logrus with a local offset and level=warning',
        'time="2026-11-23T10:00:00+01:00" level=warning msg="slow query" duration=2.5s',
        { time: '2026-11-23 10:00:00+01:00', level: 'WARN', levelText: 'warning', message: 'slow query' },
      ],
      [
        'logrus fatal with escaped quotes',
        'time="2026-11-23T10:00:00Z" level=fatal msg="config \\"db.url\\" missing"',
        { time: '2026-11-23 10:00:00Z', level: 'FATAL', levelText: 'fatal', message: 'config "db.url" missing' },
      ],
      [
        'Go slog TextHandler',
        'time=2026-11-23T10:00:00.123+01:00 level=ERROR msg=boom k=v',
        { time: '2026-11-23 10:00:00.123+01:00', level: 'ERROR', levelText: 'ERROR', message: 'boom' },
      ],
      [
        'Go slog TextHandler with a level offset, source and a group',
        'time=2026-11-23T10:00:00.123456789Z level=ERROR+2 source=/app/main.go:42 msg="db down" req.id=r1 req.path=/pay',
        { time: '2026-11-23 10:00:00.123456Z', level: 'ERROR', levelText: 'ERROR+2', message: 'db down' },
      ],
      [
        'go-kit log (Prometheus, Loki)',
        'ts=2026-11-23T10:00:00.123Z caller=main.go:42 level=error msg="Error loading config" err="open /etc/prometheus.yml: no such file or directory"',
        { time: '2026-11-23 10:00:00.123Z', level: 'ERROR', levelText: 'error', message: 'Error loading config' },
      ],
      [
        'Grafana',
        'logger=sqlstore t=2026-11-23T10:00:00.123456789+00:00 level=error msg="Failed to connect" error="dial tcp 127.0.0.1:5432: connect: connection refused"',
        { time: '2026-11-23 10:00:00.123456+00:00', level: 'ERROR', levelText: 'error', message: 'Failed to connect' },
      ],
      [
        'log15 (geth) logfmt',
        't=2026-11-23T10:00:00+0000 lvl=eror msg="Snapshot extension registration failed" peer=1a2b',
        { time: '2026-11-23 10:00:00+00:00', level: 'ERROR', levelText: 'eror', message: 'Snapshot extension registration failed' },
      ],
      [
        'InfluxDB (lvl)',
        'ts=2026-11-23T10:00:00.123456Z lvl=info msg="Opened shard" log_id=0abc service=store',
        { time: '2026-11-23 10:00:00.123456Z', level: 'INFO', levelText: 'info', message: 'Opened shard' },
      ],
      [
        'Heroku router error behind the heroku logs prefix',
        '2026-11-23T10:00:00.123456+00:00 heroku[router]: at=error code=H12 desc="Request timeout" method=GET path="/" host=shop.herokuapp.com dyno=web.1 connect=1ms service=30000ms status=503 bytes=0',
        {
          time: '2026-11-23 10:00:00.123456+00:00',
          level: 'ERROR',
          levelText: 'error',
          message:
            'heroku[router]: at=error code=H12 desc="Request timeout" method=GET path="/" host=shop.herokuapp.com dyno=web.1 connect=1ms service=30000ms status=503 bytes=0',
        },
      ],
      [
        'Heroku router info without a prefix',
        'at=info method=GET path="/" host=shop.herokuapp.com request_id=8601b555 fwd="203.0.113.9" dyno=web.1 connect=1ms service=18ms status=200 bytes=13',
        {
          time: '',
          level: 'INFO',
          levelText: 'info',
          message:
            'at=info method=GET path="/" host=shop.herokuapp.com request_id=8601b555 fwd="203.0.113.9" dyno=web.1 connect=1ms service=18ms status=200 bytes=13',
        },
      ],
      [
        'an app line behind a time prefix',
        '2026-11-23T10:00:00.123Z app[web.1]: level=error msg="payment failed"',
        { time: '2026-11-23 10:00:00.123Z', level: 'ERROR', levelText: 'error', message: 'payment failed' },
      ],
      [
        'msg and time without a level',
        'time=2026-11-23T10:00:00Z msg="hello world"',
        { time: '2026-11-23 10:00:00Z', level: null, levelText: '', message: 'hello world' },
      ],
      [
        'no message: the error is the message',
        'level=error ts=2026-11-23T10:00:00Z err="connection refused"',
        { time: '2026-11-23 10:00:00Z', level: 'ERROR', levelText: 'error', message: 'connection refused' },
      ],
      [
        'a stack trace in a quoted value',
        'level=error msg=panic stacktrace="goroutine 1 [running]:\\nmain.main()\\n\\t/app/main.go:12 +0x1d"',
        { time: '', level: 'ERROR', levelText: 'error', message: 'panic\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:12 +0x1d' },
      ],
      ['a numeric level', 'level=50 msg=boom', { time: '', level: 'ERROR', levelText: '50', message: 'boom' }],
      ['a syslog severity', 'severity=2 msg="disk full"', { time: '', level: 'CRITICAL', levelText: '2', message: 'disk full' }],
      ['an epoch ts', 'ts=1795428000.123 level=warn msg=slow', { time: '2026-11-23 10:00:00.123Z', level: 'WARN', levelText: 'warn', message: 'slow' }],
    ])('reads %s', (_name, line, expected) => {
      expect(parse(line)).toMatchObject({ format: 'logfmt', ...expected });
    });

    it('keeps the pairs as fields, values as written', () => {
      const parsed = parse('time="2026-11-23T10:00:00Z" level=error msg="a \\"b\\" c" empty= n=3 url=http://x/?a=b');

      expect(parsed?.fields).toEqual({ time: '2026-11-23T10:00:00Z', level: 'error', msg: 'a "b" c', empty: '', n: '3', url: 'http://x/?a=b' });
    });

    it('undoes Go escapes in quoted values', () => {
      const parsed = parse('level=error msg="tab\\there \\u00e9 \\U0001F600 \\x41 \\xff \\q"');

      expect(parsed?.message).toBe('tab\there \u00e9 \u{1F600} A \uFFFD \\q');
    });

    it('reads a CRLF line without the CR', () => {
      expect(parse('level=error msg=boom\r')?.fields).toEqual({ level: 'error', msg: 'boom' });
    });

    it('reads quoted keys', () => {
      expect(parse('level=error "my key"=v msg=x')?.fields).toEqual({ level: 'error', 'my key': 'v', msg: 'x' });
    });

    it('keeps a __proto__ key as an own field', () => {
      const parsed = parse('level=error __proto__=polluted msg=x');

      expect(Object.keys(parsed?.fields ?? {})).toEqual(['level', '__proto__', 'msg']);
      expect(Object.getPrototypeOf(parsed?.fields)).toBe(Object.prototype);
    });

    it('does not count Heroku at= as a level unless it holds one', () => {
      expect(parse('at=main.go:12 code=7')).toBeNull();
    });
  });

  describe('lines that are not its own', () => {
    it.each([
      ['prose with one pair', 'Setting level=3 for the pump'],
      ['prose starting with a pair', 'level=3 is what we use now'],
      ['a single pair', 'level=error'],
      ['pairs without a level, or a message and a time', 'user=bob action=login status=ok'],
      ['a message without a time', 'msg=hello user=bob'],
      ['an unterminated quote', 'level=error msg="boom'],
      ['a quote glued to the next token', 'level=error msg="boom"x'],
      ['a leading space', ' level=error msg=boom'],
      ['a Java stack frame', '\tat com.shop.App.main(App.java:12)'],
      ['a Caused by line', 'Caused by: java.io.IOException: level=error msg=x'],
      ['a Python frame', '  File "/app/x.py", line 3, in <module>'],
      ['a goroutine header', 'goroutine 1 [running]:'],
      ['a JSON line', '{"level":"error","msg":"boom"}'],
      ['a timestamp-level line', '2026-11-23 10:00:00 ERROR level=error msg=boom'],
      ['a CRI record', '2026-11-23T10:00:00.123456789Z stderr F level=error msg=boom'],
      ['a glog line', 'E1123 10:00:00.123456    7 main.go:12] level=error msg=x'],
      ['a python-basic line', 'ERROR:root:level=error msg=x'],
      ['a query string', 'GET /?level=error&msg=x HTTP/1.1'],
      ['a syslog line carrying logfmt', '<11>Nov 23 10:00:00 web1 shop[7]: level=error msg=boom'],
      ['an RFC 5424 line carrying logfmt', '<11>1 2026-11-23T10:00:00.123Z web1 shop 7 - - level=error msg=boom'],
      ['an access-log line', '203.0.113.9 - - [23/Nov/2026:10:00:00 +0000] "GET /?level=error HTTP/1.1" 500 123'],
      ['a log4j line with pairs in its message', '2026-11-23 10:00:00,123 ERROR [main] com.shop.App - boom k=v level=x'],
      ['an empty line', ''],
    ])('returns null for %s', (_name, line) => {
      expect(parse(line)).toBeNull();
    });
  });

  describe('hostile input', () => {
    it.each([
      ['64 KiB of one value', `level=error msg=${'a'.repeat(65536)}`, true],
      ['64 KiB of chained equals', 'a='.repeat(32768), false],
      ['64 KiB of backslashes in a quote', `level=error msg="${'\\'.repeat(65536)}"`, true],
      ['64 KiB unterminated quote', `level=error msg="${'x'.repeat(65536)}`, false],
      ['64 KiB of quotes', '"'.repeat(65536), false],
      ['64 KiB of pairs', 'k=v '.repeat(16384), false],
    ])('reads %s in one pass', (_name, line, claimed) => {
      expect(parse(line) !== null).toBe(claimed);
    });
  });
});
