import { PYTHON_BASIC_FORMAT } from '../../../lib/ingest/formats/python-basic';
import type { Level } from '../../../lib/ingest/formats/severity';

function parse(line: string): { time: string; level: Level | null; levelText: string; message: string } | null {
  const parsed = PYTHON_BASIC_FORMAT.parse(line, { referenceMs: 0 });
  if (parsed === null) return null;
  expect(parsed).toMatchObject({ format: 'python-basic', fields: null });
  return { time: parsed.time, level: parsed.level, levelText: parsed.levelText, message: parsed.message };
}

describe('Format: python-basic', () => {
  it.each([
    // logging.basicConfig() default
    ['ERROR:root:boom', 'ERROR', 'ERROR', 'root:boom'],
    ['CRITICAL:app.db:down', 'CRITICAL', 'CRITICAL', 'app.db:down'],
    ['WARNING:py.warnings:/app/x.py:3: UserWarning: old API', 'WARN', 'WARNING', 'py.warnings:/app/x.py:3: UserWarning: old API'],
    ['INFO:__main__:started', 'INFO', 'INFO', '__main__:started'],
    [
      'DEBUG:urllib3.connectionpool:Starting new HTTPS connection (1): example.com:443',
      'DEBUG',
      'DEBUG',
      'urllib3.connectionpool:Starting new HTTPS connection (1): example.com:443',
    ],
    ['ERROR:root:', 'ERROR', 'ERROR', 'root:'],
    // custom level names known to levelOfWord
    ['FATAL:app:gone', 'FATAL', 'FATAL', 'app:gone'],
    ['TRACE:app:chatty', 'TRACE', 'TRACE', 'app:chatty'],
    // uvicorn's padded level prefix (message at column 10)
    ['INFO:     127.0.0.1:50000 - "GET / HTTP/1.1" 200 OK', 'INFO', 'INFO', '127.0.0.1:50000 - "GET / HTTP/1.1" 200 OK'],
    ['ERROR:    Exception in ASGI application', 'ERROR', 'ERROR', 'Exception in ASGI application'],
    ['WARNING:  Invalid HTTP request received.', 'WARN', 'WARNING', 'Invalid HTTP request received.'],
    ['CRITICAL: shutting down', 'CRITICAL', 'CRITICAL', 'shutting down'],
    // java.util.logging SimpleFormatter's second line, `%(levelname)s: %(message)s`
    ['SEVERE: payment gateway timeout', 'ERROR', 'SEVERE', 'payment gateway timeout'],
    ['WARNING: inventory low', 'WARN', 'WARNING', 'inventory low'],
    ['FINEST: details', 'TRACE', 'FINEST', 'details'],
    ['ERROR: ', 'ERROR', 'ERROR', ''],
  ])('reads %j', (line, level, levelText, message) => {
    expect(parse(line)).toEqual({ time: '', level, levelText, message });
  });

  it.each([
    // winston simple(), git, compilers, Go panics, Node errors: not claimed
    ['error: payment declined {"timestamp":"2026-11-23T10:00:00.000Z"}'],
    ['fatal: not a git repository'],
    ['panic: runtime error: index out of range'],
    ['Error: ENOENT: no such file or directory'],
    ['Error:root:title case'],
    // PostgreSQL with an empty log_line_prefix: two spaces
    ['ERROR:  relation "x" does not exist'],
    ['LOG:  checkpoint starting'],
    ['FATAL:  password authentication failed'],
    // prose-like words with a space
    ['LOG: rotated'],
    ['NOTE: see below'],
    ['ERR: short'],
    // not level words, not this shape
    ['STATEMENT:  select 1'],
    ['HTTPError: 404 Client Error'],
    ['KeyError: missing'],
    ['Traceback (most recent call last):'],
    ['Caused by: java.lang.IllegalStateException'],
    ['ERROR'],
    ['ERROR:'],
    ['ERROR::double colon'],
    ['ERROR:name with space:msg'],
    ['ERROR:   three spaces'],
    ['ERRORS:root:plural'],
    ['E1123 10:00:00.123456    1234 main.go:42] boom'],
    ['E, [2026-11-23T10:00:00.123456 #1234] ERROR -- app: boom'],
    ['2026-11-23 10:00:00 [ERROR] boom'],
    [`ERROR:${'a'.repeat(65_536)}`],
    [''],
  ])('rejects %j', (line) => {
    expect(parse(line)).toBeNull();
  });
});
