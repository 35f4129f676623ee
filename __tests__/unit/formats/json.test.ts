import { JSON_FORMAT, levelOfFieldText, timeOfText } from '../../../lib/ingest/formats/json';
import type { Level } from '../../../lib/ingest/formats/severity';
import type { ParseContext } from '../../../lib/ingest/formats/types';

const CONTEXT: ParseContext = { referenceMs: Date.UTC(2026, 10, 23, 12) };

function parse(line: string): ReturnType<typeof JSON_FORMAT.parse> {
  return JSON_FORMAT.parse(line, CONTEXT);
}

interface Expected {
  time: string;
  level: Level | null;
  levelText: string;
  message: string;
}

const NODE_STACK = 'Error: connect ECONNREFUSED\\n    at TCPConnectWrap.afterConnect (node:net:1555:16)';
const NODE_STACK_TEXT = 'Error: connect ECONNREFUSED\n    at TCPConnectWrap.afterConnect (node:net:1555:16)';
const JAVA_STACK = 'java.lang.IllegalStateException: bad state\\n\\tat com.shop.App.main(App.java:12)\\n';
const JAVA_STACK_TEXT = 'java.lang.IllegalStateException: bad state\n\tat com.shop.App.main(App.java:12)\n';
const PY_TRACE = 'Traceback (most recent call last):\\n  File \\"/app/pay.py\\", line 12, in charge\\n    1 / 0\\nZeroDivisionError: division by zero';
const PY_TRACE_TEXT = 'Traceback (most recent call last):\n  File "/app/pay.py", line 12, in charge\n    1 / 0\nZeroDivisionError: division by zero';

describe('Format: json', () => {
  describe('records of real loggers', () => {
    it.each<[string, string, Expected]>([
      [
        'pino error with err (epoch ms, numeric level)',
        `{"level":50,"time":1795428000123,"pid":7,"hostname":"web1","err":{"type":"Error","message":"connect ECONNREFUSED","stack":"${NODE_STACK}"},"msg":"db down"}`,
        { time: '2026-11-23 10:00:00.123Z', level: 'ERROR', levelText: '50', message: `db down\n${NODE_STACK_TEXT}` },
      ],
      [
        'pino fatal',
        '{"level":60,"time":1795428000000,"pid":7,"hostname":"web1","msg":"out of memory"}',
        { time: '2026-11-23 10:00:00.000Z', level: 'FATAL', levelText: '60', message: 'out of memory' },
      ],
      [
        'pino info',
        '{"level":30,"time":1795428000000,"pid":7,"hostname":"web1","msg":"listening"}',
        { time: '2026-11-23 10:00:00.000Z', level: 'INFO', levelText: '30', message: 'listening' },
      ],
      [
        'bunyan error (ISO time, err.stack)',
        `{"name":"shop","hostname":"web1","pid":7,"level":50,"err":{"message":"connect ECONNREFUSED","name":"Error","stack":"${NODE_STACK}"},"msg":"connect ECONNREFUSED","time":"2026-11-23T10:00:00.123Z","v":0}`,
        { time: '2026-11-23 10:00:00.123Z', level: 'ERROR', levelText: '50', message: `connect ECONNREFUSED\n${NODE_STACK_TEXT}` },
      ],
      [
        'winston json with format.errors({ stack: true })',
        `{"level":"error","message":"connect ECONNREFUSED","stack":"${NODE_STACK}","timestamp":"2026-11-23T10:00:00.123Z"}`,
        { time: '2026-11-23 10:00:00.123Z', level: 'ERROR', levelText: 'error', message: `connect ECONNREFUSED\n${NODE_STACK_TEXT}` },
      ],
      [
        'winston format.logstash()',
        `{"@fields":{"level":"error","stack":"${NODE_STACK}"},"@message":"connect ECONNREFUSED","@timestamp":"2026-11-23T10:00:00.123Z"}`,
        { time: '2026-11-23 10:00:00.123Z', level: 'ERROR', levelText: 'error', message: `connect ECONNREFUSED\n${NODE_STACK_TEXT}` },
      ],
      [
        'zap production (epoch seconds float, stacktrace)',
        '{"level":"error","ts":1795428000.5,"caller":"app/main.go:42","msg":"request failed","error":"dial tcp: connection refused","stacktrace":"main.main\\n\\t/app/main.go:42"}',
        { time: '2026-11-23 10:00:00.500Z', level: 'ERROR', levelText: 'error', message: 'request failed\nmain.main\n\t/app/main.go:42' },
      ],
      [
        'zap dpanic',
        '{"level":"dpanic","ts":1795428000.5,"msg":"impossible"}',
        { time: '2026-11-23 10:00:00.500Z', level: 'CRITICAL', levelText: 'dpanic', message: 'impossible' },
      ],
      [
        'zerolog .Err(err).Send() (no message: the error is the message)',
        '{"level":"error","error":"connection refused","time":"2026-11-23T10:00:00+01:00"}',
        { time: '2026-11-23 10:00:00+01:00', level: 'ERROR', levelText: 'error', message: 'connection refused' },
      ],
      [
        'logrus JSONFormatter',
        '{"level":"warning","msg":"slow query","time":"2026-11-23T10:00:00Z"}',
        { time: '2026-11-23 10:00:00Z', level: 'WARN', levelText: 'warning', message: 'slow query' },
      ],
      [
        'logrus panic',
        '{"level":"panic","msg":"boom","time":"2026-11-23T10:00:00-05:00"}',
        { time: '2026-11-23 10:00:00-05:00', level: 'FATAL', levelText: 'panic', message: 'boom' },
      ],
      [
        'Go slog JSONHandler with a level offset',
        '{"time":"2026-11-23T10:00:00.123456789+01:00","level":"ERROR+2","msg":"boom","err":"x"}',
        { time: '2026-11-23 10:00:00.123456+01:00', level: 'ERROR', levelText: 'ERROR+2', message: 'boom' },
      ],
      [
        'Serilog compact: template rendered, exception appended',
        '{"@t":"2026-11-23T10:00:00.1234567Z","@mt":"Order {OrderId} failed for {@User}","@l":"Error","@x":"System.InvalidOperationException: boom\\n   at Shop.Orders.Process() in /src/Orders.cs:line 42","OrderId":17,"User":{"Name":"bob"}}',
        {
          time: '2026-11-23 10:00:00.123456Z',
          level: 'ERROR',
          levelText: 'Error',
          message: 'Order 17 failed for {@User}\nSystem.InvalidOperationException: boom\n   at Shop.Orders.Process() in /src/Orders.cs:line 42',
        },
      ],
      [
        'Serilog compact without @l (Information)',
        '{"@t":"2026-11-23T10:00:00.1234567Z","@mt":"Started {App} {{v1}}","App":"shop"}',
        { time: '2026-11-23 10:00:00.123456Z', level: 'INFO', levelText: '', message: 'Started shop {v1}' },
      ],
      [
        'Serilog rendered compact (@m)',
        '{"@t":"2026-11-23T10:00:00Z","@m":"Order 17 failed","@i":"a1b2c3d4","@l":"Fatal"}',
        { time: '2026-11-23 10:00:00Z', level: 'FATAL', levelText: 'Fatal', message: 'Order 17 failed' },
      ],
      [
        'journalctl -o json (PRIORITY string, microseconds)',
        '{"__REALTIME_TIMESTAMP":"1795428000123456","_SOURCE_REALTIME_TIMESTAMP":"1795428000123000","PRIORITY":"3","SYSLOG_IDENTIFIER":"shop","MESSAGE":"db down","_PID":"7"}',
        { time: '2026-11-23 10:00:00.123000Z', level: 'ERROR', levelText: '3', message: 'db down' },
      ],
      [
        'journalctl -o json with a non-UTF-8 MESSAGE (byte array)',
        '{"__REALTIME_TIMESTAMP":"1795428000123456","PRIORITY":"2","MESSAGE":[100,105,115,107,32,102,117,108,108,255]}',
        { time: '2026-11-23 10:00:00.123456Z', level: 'CRITICAL', levelText: '2', message: 'disk full\uFFFD' },
      ],
      [
        'ECS with dotted keys (log4j2 EcsLayout, ecs-pino-format)',
        `{"@timestamp":"2026-11-23T10:00:00.123Z","log.level":"ERROR","message":"bad state","ecs.version":"1.2.0","process.thread.name":"main","log.logger":"com.shop.App","error.type":"java.lang.IllegalStateException","error.stack_trace":"${JAVA_STACK}"}`,
        { time: '2026-11-23 10:00:00.123Z', level: 'ERROR', levelText: 'ERROR', message: `bad state\n${JAVA_STACK_TEXT}` },
      ],
      [
        'ECS with nested objects',
        `{"@timestamp":"2026-11-23T10:00:00.123+02:00","log":{"level":"error","logger":"shop"},"message":"bad state","error":{"type":"Error","stack_trace":"${JAVA_STACK}"}}`,
        { time: '2026-11-23 10:00:00.123+02:00', level: 'ERROR', levelText: 'error', message: `bad state\n${JAVA_STACK_TEXT}` },
      ],
      [
        'GELF: level is a syslog severity, full_message kept once',
        '{"version":"1.1","host":"web1","short_message":"disk full","full_message":"disk full\\n/var is at 100%","timestamp":1795428000.25,"level":3,"_app":"shop"}',
        { time: '2026-11-23 10:00:00.250Z', level: 'ERROR', levelText: '3', message: 'disk full\n/var is at 100%' },
      ],
      [
        'OTLP JSON log record (nanosecond strings, body.stringValue)',
        '{"timeUnixNano":"1795428000123456789","observedTimeUnixNano":"1795428000200000000","severityNumber":17,"severityText":"ERROR","body":{"stringValue":"boom"},"traceId":"5b8aa5a2d2c872e8321cf37308d69df2"}',
        { time: '2026-11-23 10:00:00.123456Z', level: 'ERROR', levelText: 'ERROR', message: 'boom' },
      ],
      [
        'OpenTelemetry without a time (0): the observed time',
        '{"timeUnixNano":"0","observedTimeUnixNano":"1795428000200000000","severityNumber":21,"body":"gone"}',
        { time: '2026-11-23 10:00:00.200000Z', level: 'FATAL', levelText: '21', message: 'gone' },
      ],
      [
        'OpenTelemetry severity_number only (ERROR3 is CRITICAL on our scale)',
        '{"timestamp":"2026-11-23T10:00:00Z","severity_number":19,"body":"boom"}',
        { time: '2026-11-23 10:00:00Z', level: 'CRITICAL', levelText: '19', message: 'boom' },
      ],
      [
        'OpenTelemetry SeverityText/Body (collector exporters)',
        '{"Timestamp":"2026-11-23 10:00:00.123456789","SeverityText":"Error","SeverityNumber":17,"Body":"boom"}',
        { time: '2026-11-23 10:00:00.123456', level: 'ERROR', levelText: 'Error', message: 'boom' },
      ],
      [
        'Datadog status',
        '{"status":"error","message":"payment failed","date":"2026-11-23T10:00:00.123Z","service":"shop"}',
        { time: '2026-11-23 10:00:00.123Z', level: 'ERROR', levelText: 'error', message: 'payment failed' },
      ],
      [
        'MongoDB 4.4+ structured log',
        '{"t":{"$date":"2026-11-23T10:00:00.123+00:00"},"s":"E","c":"NETWORK","id":23256,"ctx":"conn12","msg":"Error receiving request from client","attr":{"error":"ProtocolError"}}',
        { time: '2026-11-23 10:00:00.123+00:00', level: 'ERROR', levelText: 'E', message: 'Error receiving request from client' },
      ],
      [
        'MongoDB debug level D2',
        '{"t":{"$date":"2026-11-23T10:00:00.123+00:00"},"s":"D2","c":"COMMAND","id":51803,"ctx":"conn1","msg":"Slow query"}',
        { time: '2026-11-23 10:00:00.123+00:00', level: 'DEBUG', levelText: 'D2', message: 'Slow query' },
      ],
      [
        'log4j2 JsonLayout (instant, thrown)',
        '{"instant":{"epochSecond":1795428000,"nanoOfSecond":123456789},"thread":"main","level":"ERROR","loggerName":"com.shop.App","message":"boom","thrown":{"commonElementCount":0,"localizedMessage":"bad state","message":"bad state","name":"java.lang.IllegalStateException","extendedStackTrace":[{"class":"com.shop.App","method":"main","file":"App.java","line":12,"exact":true,"location":"classes/","version":"?"}]},"endOfBatch":false,"loggerFqcn":"org.apache.logging.log4j.spi.AbstractLogger","threadId":1,"threadPriority":5}',
        {
          time: '2026-11-23 10:00:00.123456Z',
          level: 'ERROR',
          levelText: 'ERROR',
          message: 'boom\njava.lang.IllegalStateException: bad state\n\tat com.shop.App.main(App.java:12)',
        },
      ],
      [
        'log4j2 JsonLayout with timeMillis',
        '{"timeMillis":1795428000123,"thread":"main","level":"WARN","loggerName":"com.shop.App","message":"slow"}',
        { time: '2026-11-23 10:00:00.123Z', level: 'WARN', levelText: 'WARN', message: 'slow' },
      ],
      [
        'logstash-logback-encoder',
        `{"@timestamp":"2026-11-23T10:00:00.123+01:00","@version":"1","message":"boom","logger_name":"com.shop.App","thread_name":"main","level":"ERROR","level_value":40000,"stack_trace":"${JAVA_STACK}"}`,
        { time: '2026-11-23 10:00:00.123+01:00', level: 'ERROR', levelText: 'ERROR', message: `boom\n${JAVA_STACK_TEXT}` },
      ],
      [
        'structlog JSONRenderer with format_exc_info',
        `{"event": "payment failed", "level": "error", "timestamp": "2026-11-23T10:00:00.123456Z", "exception": "${PY_TRACE}"}`,
        { time: '2026-11-23 10:00:00.123456Z', level: 'ERROR', levelText: 'error', message: `payment failed\n${PY_TRACE_TEXT}` },
      ],
      [
        'python-json-logger (asctime with a comma, exc_info)',
        `{"asctime": "2026-11-23 10:00:00,123", "levelname": "CRITICAL", "name": "shop", "message": "payment failed", "exc_info": "${PY_TRACE}"}`,
        { time: '2026-11-23 10:00:00.123', level: 'CRITICAL', levelText: 'CRITICAL', message: `payment failed\n${PY_TRACE_TEXT}` },
      ],
      [
        'Google Cloud structured logging',
        '{"severity":"ERROR","message":"boom","timestamp":"2026-11-23T10:00:00.123456Z","logging.googleapis.com/trace":"projects/p/traces/t"}',
        { time: '2026-11-23 10:00:00.123456Z', level: 'ERROR', levelText: 'ERROR', message: 'boom' },
      ],
      [
        'Microsoft.Extensions.Logging JsonConsole',
        '{"Timestamp":"2026-11-23T10:00:00.123Z","EventId":0,"LogLevel":"Error","Category":"Shop.Orders","Message":"Order 17 failed","Exception":"System.InvalidOperationException: boom\\n   at Shop.Orders.Process()","State":{"Message":"Order 17 failed","{OriginalFormat}":"Order {Id} failed"}}',
        {
          time: '2026-11-23 10:00:00.123Z',
          level: 'ERROR',
          levelText: 'Error',
          message: 'Order 17 failed\nSystem.InvalidOperationException: boom\n   at Shop.Orders.Process()',
        },
      ],
      [
        'Rust tracing-subscriber json',
        '{"timestamp":"2026-11-23T10:00:00.123456Z","level":"ERROR","fields":{"message":"connection reset"},"target":"shop::net"}',
        { time: '2026-11-23 10:00:00.123456Z', level: 'ERROR', levelText: 'ERROR', message: 'connection reset' },
      ],
      [
        'Powertools for AWS Lambda',
        `{"level":"ERROR","message":"handler failed","timestamp":"2026-11-23T10:00:00.123Z","service":"shop","error":{"name":"Error","location":"/var/task/index.js:3","message":"connect ECONNREFUSED","stack":"${NODE_STACK}"}}`,
        { time: '2026-11-23 10:00:00.123Z', level: 'ERROR', levelText: 'ERROR', message: `handler failed\n${NODE_STACK_TEXT}` },
      ],
      [
        'rsyslog jsonmesg',
        '{"msg":"disk full","timereported":"2026-11-23T10:00:00.123456+01:00","hostname":"web1","syslogtag":"shop[7]:","pri":"11","syslogfacility":"1","syslogseverity":"3"}',
        { time: '2026-11-23 10:00:00.123456+01:00', level: 'ERROR', levelText: '3', message: 'disk full' },
      ],
      [
        'an nginx JSON access log (no level: the line is the message)',
        '{"time":"23/Nov/2026:10:00:00 +0000","remote_addr":"203.0.113.9","request":"GET / HTTP/1.1","status":"500"}',
        {
          time: '2026-11-23 10:00:00+00:00',
          level: null,
          levelText: '',
          message: '{"time":"23/Nov/2026:10:00:00 +0000","remote_addr":"203.0.113.9","request":"GET / HTTP/1.1","status":"500"}',
        },
      ],
      ['leading spaces and a trailing CR', '  {"level":"error","msg":"boom"}\r', { time: '', level: 'ERROR', levelText: 'error', message: 'boom' }],
    ])('reads %s', (_name, line, expected) => {
      const parsed = parse(line);

      expect(parsed).toMatchObject({ format: 'json', ...expected });
    });

    it('keeps the whole object as fields', () => {
      const line = '{"level":50,"time":1795428000000,"msg":"boom","req":{"id":"r1","headers":{"host":"x"}}}';

      const parsed = parse(line);

      expect(parsed?.fields).toEqual(JSON.parse(line));
    });

    it('reads the first level key that holds a level', () => {
      const parsed = parse('{"level":"DEFAULT","severity":"ERROR","msg":"boom"}');

      expect(parsed).toMatchObject({ level: 'ERROR', levelText: 'ERROR' });
    });

    it('keeps the text of a level it does not know, with no level', () => {
      const parsed = parse('{"level":"verbose-ish","msg":"boom"}');

      expect(parsed).toMatchObject({ level: null, levelText: 'verbose-ish', message: 'boom' });
    });

    it.each<[string, Level | null]>([
      ['{"level":35,"msg":"x"}', 'INFO'], // a pino custom level between info and warn
      ['{"level":"50","msg":"x"}', 'ERROR'],
      ['{"level":3,"msg":"x"}', null], // small numbers are not pino levels outside GELF
      ['{"level":1000,"msg":"x"}', null],
      ['{"severity":3,"msg":"x"}', 'ERROR'],
      ['{"PRIORITY":0,"msg":"x"}', 'FATAL'],
      ['{"levelno":40,"msg":"x"}', 'ERROR'],
      ['{"levelno":50,"msg":"x"}', 'CRITICAL'],
      ['{"status":500,"msg":"x"}', null], // an HTTP status, not a level
      ['{"lvl":"eror","msg":"x"}', 'ERROR'], // log15
      ['{"lvl":"dbug","msg":"x"}', 'DEBUG'],
      ['{"level":"Information","msg":"x"}', 'INFO'],
      ['{"level":"WARN-4","msg":"x"}', 'WARN'],
    ])('reads the level of %s', (line, level) => {
      expect(parse(line)?.level).toBe(level);
    });

    it.each<[string, string]>([
      ['{"time":1795428000,"msg":"x"}', '2026-11-23 10:00:00.000Z'],
      ['{"time":"1795428000","msg":"x"}', '2026-11-23 10:00:00Z'],
      ['{"ts":"1795428000.123456","msg":"x"}', '2026-11-23 10:00:00.123456Z'],
      ['{"time":"bogus","ts":1795428000.5,"msg":"x"}', '2026-11-23 10:00:00.500Z'],
      ['{"t":12,"msg":"x"}', ''], // a counter, not a time
      ['{"time":"2026-02-30T10:00:00Z","msg":"x"}', ''],
      ['{"time":1e400,"msg":"x"}', ''],
      ['{"time":99999999999999999999999,"msg":"x"}', ''],
    ])('reads the time of %s', (line, time) => {
      expect(parse(line)?.time).toBe(time);
    });
  });

  describe('lines that are not its own', () => {
    it.each([
      ['a Docker json-file record', '{"log":"boom\\n","stream":"stderr","time":"2026-11-23T10:00:00.123456789Z"}'],
      ['a JSON array', '[{"level":"error","msg":"boom"}]'],
      ['a JSON string', '"level error"'],
      ['an empty object', '{}'],
      ['an object without a level, time or message key', '{"user":"bob","action":"login"}'],
      ['a status that is not a level', '{"status":"ok","data":[1,2]}'],
      ['a MongoDB-like s that is not a level', '{"s":"hello","n":1}'],
      ['a time key that holds no time', '{"t":"abc","count":3}'],
      ['truncated JSON', '{"level":"error","msg":"boo'],
      ['broken JSON', '{"level":"error",}'],
      ['a text line starting with a brace', '{main} ERROR something broke'],
      ['a lone brace of a pretty-printed object', '{'],
      ['a Java stack frame', '\tat com.shop.App.main(App.java:12)'],
      ['a Node.js stack frame', '    at foo (file.js:1:2)'],
      ['a Python traceback start', 'Traceback (most recent call last):'],
      ['a Go goroutine header', 'goroutine 1 [running]:'],
      ['a text log line', '2026-11-23 10:00:00 ERROR {"level":"error"}'],
      ['an empty line', ''],
      ['prototype keys only', '{"__proto__":{"level":"error","msg":"boom"},"constructor":{"prototype":1}}'],
    ])('returns null for %s', (_name, line) => {
      expect(parse(line)).toBeNull();
    });
  });

  describe('hostile input', () => {
    it('reads keys as own data only: a __proto__ key is just a key', () => {
      const parsed = parse('{"__proto__":{"level":"error"},"msg":"boom","toString":"x"}');

      expect(parsed).toMatchObject({ level: null, message: 'boom' });
      expect(Object.getPrototypeOf(parsed?.fields)).toBe(Object.prototype);
      expect(Object.keys(parsed?.fields ?? {})).toEqual(['__proto__', 'msg', 'toString']);
      expect(({} as Record<string, unknown>).level).toBeUndefined();
    });

    it('keeps no fields for objects nested deeper than jsonb should take', () => {
      const deep = `{"level":"error","msg":"deep","data":${'['.repeat(20000)}${']'.repeat(20000)}}`;

      const parsed = parse(deep);

      expect(parsed).toMatchObject({ level: 'ERROR', message: 'deep', fields: null });
    });

    it('keeps the fields of moderately nested objects and of brackets inside strings', () => {
      const line = `{"level":"error","msg":"${'['.repeat(200)}","a":${'{"b":'.repeat(30)}1${'}'.repeat(30)}}`;

      expect(parse(line)?.fields).not.toBeNull();
    });

    it('ignores huge and non-finite numbers', () => {
      expect(parse('{"level":1e400,"time":-1,"msg":"x"}')).toMatchObject({ level: null, time: '' });
    });

    it('rejects a 64 KiB line of brackets', () => {
      expect(parse(`{${'['.repeat(65536)}`)).toBeNull();
      expect(parse(`{${'{'.repeat(65534)}}`)).toBeNull();
    });
  });
});

describe('Function: timeOfText', () => {
  it.each([
    ['2026-11-23T10:00:00Z', '2026-11-23 10:00:00Z'],
    ['2026-11-23T10:00:00.123456789Z', '2026-11-23 10:00:00.123456Z'],
    ['2026-11-23t10:00:00z', '2026-11-23 10:00:00Z'],
    ['2026-11-23 10:00:00,123', '2026-11-23 10:00:00.123'],
    ['2026/11/23 10:00:00', '2026-11-23 10:00:00'],
    ['2026-11-23T10:00', '2026-11-23 10:00:00'],
    ['2026-11-23T10:00:00+0530', '2026-11-23 10:00:00+05:30'],
    ['2026-11-23T10:00:00-03', '2026-11-23 10:00:00-03:00'],
    ['2026-11-23 10:00:00 UTC', '2026-11-23 10:00:00Z'],
    ['2026-11-23 10:00:00.123456789 +0000 UTC', '2026-11-23 10:00:00.123456+00:00'],
    ['23/Nov/2026:10:00:00 +0100', '2026-11-23 10:00:00+01:00'],
    ['1795428000', '2026-11-23 10:00:00Z'],
    ['1795428000123', '2026-11-23 10:00:00.123Z'],
    ['1795428000123456', '2026-11-23 10:00:00.123456Z'],
    ['1795428000123456789', '2026-11-23 10:00:00.123456Z'],
  ])('reads %s', (text, expected) => {
    expect(timeOfText(text)).toBe(expected);
  });

  it.each([
    [''],
    ['yesterday'],
    ['2026-13-01T10:00:00Z'],
    ['2026-11-23T10:00:00+16:00'],
    ['2026-11-23T25:00:00Z'],
    ['2026-11-23'],
    ['2026-11-23T10:00:00 CET'],
    ['12345'],
    ['123456789012345678901'],
    [`2026-11-23T10:00:00.${'1'.repeat(80)}Z`],
  ])('returns empty for %p', (text) => {
    expect(timeOfText(text)).toBe('');
  });
});

describe('Function: levelOfFieldText', () => {
  it.each<[string, Level | null]>([
    ['error', 'ERROR'],
    ['ERROR+2', 'ERROR'],
    ['DEBUG-4', 'DEBUG'],
    ['dpanic', 'CRITICAL'],
    ['trce', 'TRACE'],
    ['error+x', null],
    ['default', null],
  ])('reads %s', (text, level) => {
    expect(levelOfFieldText(text)).toBe(level);
  });
});
