import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import bunyan from 'bunyan';
import pino from 'pino';
import winston from 'winston';
import { CRI_WRAPPER, DOCKER_JSON_WRAPPER } from '../../lib/ingest/formats/container';
import { JSON_FORMAT } from '../../lib/ingest/formats/json';
import { LOGFMT_FORMAT } from '../../lib/ingest/formats/logfmt';
import { LEVELS } from '../../lib/ingest/formats/severity';
import type { Level } from '../../lib/ingest/formats/severity';
import type { LineWrapper, ParseContext, ParsedLine } from '../../lib/ingest/formats/types';

/**
 * The structured formats against what real libraries write: pino, bunyan and
 * winston run here and write to a temp file; journald's output and the
 * hand-written logfmt and container samples are fixtures (see their README).
 * `WRITE_FIXTURES=1` copies the libraries' fresh output over the fixtures.
 */

const FIXTURES = join(__dirname, '..', 'fixtures', 'logs');
const CONTEXT: ParseContext = { referenceMs: Date.now() };
const ERROR_SEVERITY = LEVELS.ERROR;

type Record_ = Record<string, unknown>;

function linesOf(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

/** The instant of a canonical time with an offset, in epoch ms (microseconds dropped). */
function instantOf(time: string): number {
  return Date.parse(time.replace(' ', 'T'));
}

function parseJson(line: string): ParsedLine {
  const parsed = JSON_FORMAT.parse(line, CONTEXT);
  if (parsed === null) throw new Error(`not parsed: ${line.slice(0, 200)}`);
  return parsed;
}

/** A writable that appends each chunk to `file` synchronously, so the file is complete when logging returns. */
function fileWriter(file: string): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback): void {
      appendFileSync(file, chunk);
      callback();
    },
  });
}

const PINO_LEVELS: Readonly<Record<number, Level>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const WINSTON_LEVELS: Readonly<Record<string, Level>> = {
  error: 'ERROR',
  warn: 'WARN',
  info: 'INFO',
  http: 'INFO',
  verbose: 'TRACE',
  debug: 'DEBUG',
  silly: 'TRACE',
};

let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'logmon-formats-struct-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function keepAsFixture(file: string, name: string): void {
  if (process.env.WRITE_FIXTURES === '1') copyFileSync(file, join(FIXTURES, 'json', name));
}

/** What a pino or bunyan record says (numeric level, `msg`, `err.stack`), checked against the parse. */
function checkPinoStyle(line: string, timeOf: (record: Record_) => number): { level: Level; errorWithStack: boolean } {
  const record = JSON.parse(line) as Record_;
  const parsed = parseJson(line);
  const level = PINO_LEVELS[record.level as number]!;
  expect(parsed.level).toBe(level);
  expect(parsed.levelText).toBe(String(record.level));
  expect(instantOf(parsed.time)).toBe(timeOf(record));
  expect(parsed.message.startsWith(record.msg as string)).toBe(true);
  expect(parsed.fields).toEqual(record);
  const err = record.err as Record_ | undefined;
  if (err !== undefined) expect(parsed.message).toContain(err.stack as string);
  return { level, errorWithStack: err !== undefined };
}

describe('Format: json › pino (real output)', () => {
  function writePino(file: string): void {
    const logger = pino({ level: 'trace' }, pino.destination({ dest: file, sync: true }));
    logger.trace('tracing');
    logger.debug({ cache: 'miss' }, 'cache miss');
    logger.info('listening on :8080');
    logger.warn('slow query');
    logger.error(new Error('card declined'));
    logger.error({ err: new Error('connect ECONNREFUSED'), order: 17 }, 'payment failed');
    logger.fatal('out of memory');
    logger.fatal(new Error('unrecoverable'));
  }

  it.each([
    ['live output', ''],
    ['the committed fixture', join(FIXTURES, 'json', 'pino.log')],
  ])('reads every record of %s with its level, instant, message and stack', (_name, fixture) => {
    let file = fixture;
    if (file === '') {
      file = join(dir, 'pino.log');
      writePino(file);
      keepAsFixture(file, 'pino.log');
    }

    const results = linesOf(file).map((line) => checkPinoStyle(line, (r) => r.time as number));

    expect(results.map((r) => r.level)).toEqual(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'ERROR', 'FATAL', 'FATAL']);
    expect(results.filter((r) => LEVELS[r.level] >= ERROR_SEVERITY && r.errorWithStack)).toHaveLength(3);
  });
});

describe('Format: json › bunyan (real output)', () => {
  function writeBunyan(file: string): void {
    // stdSerializers: without them bunyan writes `{err: new Error()}` as `"err":{}` (only a first-argument Error is serialized).
    const logger = bunyan.createLogger({ name: 'shop', serializers: bunyan.stdSerializers, streams: [{ level: 'trace', stream: fileWriter(file) }] });
    logger.trace('tracing');
    logger.debug('cache miss');
    logger.info('listening on :8080');
    logger.warn('slow query');
    logger.error(new Error('card declined'));
    logger.error({ err: new Error('connect ECONNREFUSED') }, 'payment failed');
    logger.fatal('out of memory');
  }

  it.each([
    ['live output', ''],
    ['the committed fixture', join(FIXTURES, 'json', 'bunyan.log')],
  ])('reads every record of %s with its level, instant, message and stack', (_name, fixture) => {
    let file = fixture;
    if (file === '') {
      file = join(dir, 'bunyan.log');
      writeBunyan(file);
      keepAsFixture(file, 'bunyan.log');
    }

    const results = linesOf(file).map((line) => checkPinoStyle(line, (r) => Date.parse(r.time as string)));

    expect(results.map((r) => r.level)).toEqual(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'ERROR', 'FATAL']);
    expect(results.filter((r) => r.errorWithStack)).toHaveLength(2);
  });
});

describe('Format: json › winston (real output)', () => {
  async function writeWinston(file: string, logstash: boolean): Promise<void> {
    const { combine, errors, timestamp, json } = winston.format;
    const logger = winston.createLogger({
      level: 'silly',
      format: combine(errors({ stack: true }), timestamp(), logstash ? winston.format.logstash() : json()),
      transports: [new winston.transports.Stream({ stream: fileWriter(file) })],
    });
    logger.silly('very detailed');
    logger.debug('cache miss');
    logger.http('GET /pay 200');
    logger.info('listening on :8080');
    logger.warn('slow query');
    logger.error(new Error('card declined'));
    logger.error('payment failed', { order: 17 });
    const finished = new Promise<void>((resolve) => logger.on('finish', () => resolve()));
    logger.end();
    await finished;
  }

  /** winston's fields, wherever the format put them (`format.logstash()` nests them under `@fields`). */
  function winstonRecord(line: string): { level: string; message: string; timestamp: string; stack?: string } {
    const record = JSON.parse(line) as Record_;
    const fields = (record['@fields'] ?? record) as Record_;
    return {
      level: fields.level as string,
      message: (record['@message'] ?? record.message) as string,
      timestamp: (record['@timestamp'] ?? record.timestamp) as string,
      stack: fields.stack as string | undefined,
    };
  }

  it.each([
    ['format.json()', false, 'winston-json.log'],
    ['format.logstash()', true, 'winston-logstash.log'],
  ])('reads every record of %s, live and committed, with its level, instant, message and stack', async (_name, logstash, fixture) => {
    const file = join(dir, fixture);
    await writeWinston(file, logstash);
    keepAsFixture(file, fixture);

    for (const source of [file, join(FIXTURES, 'json', fixture)]) {
      const lines = linesOf(source);
      const levels: Level[] = [];
      for (const line of lines) {
        const record = winstonRecord(line);
        const parsed = parseJson(line);
        const level = WINSTON_LEVELS[record.level]!;
        levels.push(level);
        expect(parsed).toMatchObject({ level, levelText: record.level });
        expect(instantOf(parsed.time)).toBe(Date.parse(record.timestamp));
        expect(parsed.message.startsWith(record.message)).toBe(true);
        if (record.stack !== undefined) expect(parsed.message).toContain(record.stack);
        if (level === 'ERROR' && record.message === 'card declined') expect(record.stack).toContain('Error: card declined');
      }
      expect(levels).toEqual(['TRACE', 'DEBUG', 'INFO', 'INFO', 'WARN', 'ERROR', 'ERROR']);
    }
  });
});

describe('Format: json › journald (committed `journalctl -o json` output)', () => {
  /** journald's microseconds since the epoch as canonical UTC text. */
  function microsUtc(micros: string): string {
    const ms = Number(micros.slice(0, -3));
    return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}.${micros.slice(-6)}Z`;
  }

  it('reads every record with its syslog level, time and message', () => {
    const lines = linesOf(join(FIXTURES, 'json', 'journald.json'));
    const levels: Level[] = [];
    for (const line of lines) {
      const record = JSON.parse(line) as Record_;
      const parsed = parseJson(line);
      const expectedLevel = (['FATAL', 'ALERT', 'CRITICAL', 'ERROR', 'WARN', 'NOTICE', 'INFO', 'DEBUG'] as const)[Number(record.PRIORITY)]!;
      levels.push(expectedLevel);
      expect(parsed).toMatchObject({ level: expectedLevel, levelText: record.PRIORITY });
      expect(parsed.time).toBe(microsUtc((record._SOURCE_REALTIME_TIMESTAMP ?? record.__REALTIME_TIMESTAMP) as string));
      const message = record.MESSAGE;
      if (typeof message === 'string') expect(parsed.message).toBe(message);
      else expect(parsed.message).toBe(Buffer.from(message as number[]).toString('utf8'));
    }
    expect(levels.filter((l) => LEVELS[l] >= ERROR_SEVERITY)).toEqual(['ERROR', 'CRITICAL', 'ERROR', 'FATAL']);
    expect(lines.map((l) => parseJson(l).message)).toContain(
      'Traceback (most recent call last):\n  File "/app/pay.py", line 12, in charge\n    1 / 0\nZeroDivisionError: division by zero',
    );
  });
});

describe('Format: logfmt (committed samples of documented defaults)', () => {
  it.each<[string, ReadonlyArray<readonly [Level | null, string, string]>]>([
    [
      'logrus.log',
      [
        ['DEBUG', '2026-11-23 10:00:00+01:00', 'Started observing beach'],
        ['INFO', '2026-11-23 10:00:00+01:00', 'A group of walrus emerges from the ocean'],
        ['WARN', '2026-11-23 10:00:01+01:00', "The group's number increased tremendously!"],
        ['ERROR', '2026-11-23 10:00:02+01:00', 'payment failed'],
        ['ERROR', '2026-11-23 10:00:03+01:00', 'query failed'],
        ['FATAL', '2026-11-23 10:00:04+01:00', "It's over 9000!"],
        ['FATAL', '2026-11-23 10:00:05+01:00', 'The ice breaks!'],
      ],
    ],
    [
      'slog.log',
      [
        ['INFO', '2026-11-23 10:00:00.000+01:00', 'hello'],
        ['DEBUG', '2026-11-23 10:00:00.125+01:00', 'cache miss'],
        ['WARN', '2026-11-23 10:00:01.250+01:00', 'slow request'],
        ['ERROR', '2026-11-23 10:00:02.500+01:00', 'payment failed'],
        ['ERROR', '2026-11-23 10:00:03.750+01:00', 'db unreachable'],
        ['INFO', '2026-11-23 10:00:04.000+01:00', 'multi\nline "quoted" value'],
      ],
    ],
    [
      'heroku-router.log',
      [
        ['INFO', '2026-11-23 10:00:00.123456+00:00', 'heroku[router]: at=info method=GET'],
        ['ERROR', '2026-11-23 10:00:30.654321+00:00', 'heroku[router]: at=error code=H12 desc="Request timeout"'],
        ['ERROR', '2026-11-23 10:00:31.000000+00:00', 'heroku[router]: at=error code=H10 desc="App crashed"'],
        ['WARN', '2026-11-23 10:00:32.000000+00:00', 'heroku[router]: at=warning code=H81'],
      ],
    ],
  ])('reads every line of %s', (file, expected) => {
    const parsed = linesOf(join(FIXTURES, 'logfmt', file)).map((line) => LOGFMT_FORMAT.parse(line, CONTEXT));

    expect(parsed.map((p) => [p?.level, p?.time])).toEqual(expected.map(([level, time]) => [level, time]));
    for (const [i, p] of parsed.entries()) {
      const message = expected[i]![2];
      // Heroku's router writes no msg: the whole line after the time is the message.
      if (file === 'heroku-router.log') expect(p?.message.startsWith(message)).toBe(true);
      else expect(p?.message).toBe(message);
    }
  });
});

describe('Wrappers: docker-json and cri (committed samples of documented formats)', () => {
  interface Joined {
    text: string;
    time: string;
    stream: string;
    records: number;
  }

  /** Unwrap every record and join partial ones, as the reader does. */
  function unwrapAll(file: string, wrapper: LineWrapper): Joined[] {
    const out: Joined[] = [];
    let open: Joined | null = null;
    for (const line of linesOf(file)) {
      const w = wrapper.unwrap(line);
      if (w === null) throw new Error(`not unwrapped: ${line.slice(0, 200)}`);
      if (open === null) open = { text: w.inner, time: w.time, stream: w.stream, records: 1 };
      else {
        open.text += w.inner;
        open.records += 1;
      }
      if (!w.partial) {
        out.push(open);
        open = null;
      }
    }
    expect(open).toBeNull();
    return out;
  }

  it.each([
    ['docker-json.log', DOCKER_JSON_WRAPPER, '2026-11-23 10:00:04.000000042Z'],
    ['cri-containerd.log', CRI_WRAPPER, '2026-11-23 10:00:04.000000042Z'],
    ['cri-o.log', CRI_WRAPPER, '2026-11-23 11:00:04.000000042+01:00'],
  ])('unwraps every record of %s and joins the split long line', (file, wrapper, longTime) => {
    const joined = unwrapAll(join(FIXTURES, 'container', file), wrapper);

    expect(joined.map((j) => j.records)).toEqual([1, 1, 1, 1, 1, 1, 4, 1]);
    expect(joined.map((j) => j.stream)).toEqual(['stdout', 'stderr', 'stdout', 'stdout', 'stdout', 'stdout', 'stderr', 'stdout']);
    expect(joined[5]?.text).toBe('');
    expect(joined[4]?.text).toBe('\tat com.shop.App.main(App.java:12)');
    const long = joined[6]!;
    expect(long.time).toBe(longTime.replace(/(\.\d{6})\d+/, '$1'));
    const parsed = parseJson(long.text);
    expect(parsed).toMatchObject({ level: 'ERROR', time: '2026-11-23 10:00:04.000Z' });
    expect(parsed.message).toContain(`payload rejected: ${'x'.repeat(20000)}\nError: payload rejected`);
    const inner = joined.map((j) => JSON_FORMAT.parse(j.text, CONTEXT)?.level ?? null);
    expect(inner).toEqual(['INFO', 'ERROR', null, null, null, null, 'ERROR', 'WARN']);
  });

  it('gives the runtime time in canonical form, cut to microseconds', () => {
    const [first] = unwrapAll(join(FIXTURES, 'container', 'docker-json.log'), DOCKER_JSON_WRAPPER);

    expect(first?.time).toBe('2026-11-23 10:00:00.000123Z');
  });
});
