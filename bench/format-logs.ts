import fs from 'node:fs';
import { LEVELS } from '../lib/ingest/formats/severity';
import type { LogFileStats } from './log-data';
import { LINES_PER_SECOND, LINES_PER_WRITE, MESSAGES, START_MS, WANTED, pickLevel, seededRandom } from './log-data';

/** The formats the bench generates besides the brief's own (the order of the report). */
export const BENCH_FORMATS = ['json', 'logfmt', 'timestamp-level'] as const;
export type BenchFormat = (typeof BENCH_FORMATS)[number];

/** One line of each generated format, for the report and the docs. */
export const FORMAT_DESCRIPTIONS: Readonly<Record<BenchFormat | 'brief', string>> = {
  brief: "the brief's own (`2026-11-23 10:00:00 [ERROR] message`)",
  json: 'JSON lines, pino-like (`{"level":50,"time":…,"pid":…,"hostname":…,"msg":…}`, 20% of ERROR/FATAL with an `err.stack`)',
  logfmt: 'logfmt, logrus-like (`time="…" level=error msg="…" component=… attempt=…`)',
  'timestamp-level':
    'the generic rule, log4j-like (`2026-11-23 10:00:00,123 ERROR [main] com.example.Foo - message`, 10% of ERROR/FATAL with a Java stack trace)',
};

/** A generated file and the rows logmon must store from it. */
export interface FormatLogStats extends LogFileStats {
  format: BenchFormat;
  /** Entries of any level (lines that start one). */
  entries: number;
  /** Lines that continue an entry (stack-trace lines). */
  continuationLines: number;
  /** The wanted entries as COPY text rows of the nine columns ingest writes besides template_id (see `copyRowsCommand`). */
  rowsFile: string;
}

/** What logmon stores for a wanted entry, as the generator knows it. */
interface ExpectedRow {
  time: string;
  level: 'ERROR' | 'FATAL';
  message: string;
  /** The level as written when it differs from `level`, else ''. */
  levelText: string;
  /** The JSON text of the line's fields (JSON, logfmt), or null. */
  fields: string | null;
}

/** One generated entry: its lines (no terminators) and, when wanted, its row. */
interface GeneratedEntry {
  lines: string[];
  row: ExpectedRow | null;
}

/** Everything a format's generator gets for one entry. */
interface EntryInput {
  /** Index of the entry's first line in the file. */
  n: number;
  random: () => number;
  /** INFO, WARNING, ERROR or FATAL. */
  level: string;
  message: string;
  ms: number;
  /** Lines left in the file: a stack trace is cut to fit. */
  room: number;
}

const PINO_LEVEL: Readonly<Record<string, number>> = { INFO: 30, WARNING: 40, ERROR: 50, FATAL: 60 };
const LOGRUS_LEVEL: Readonly<Record<string, string>> = { INFO: 'info', WARNING: 'warning', ERROR: 'error', FATAL: 'fatal' };
const LOG4J_LEVEL: Readonly<Record<string, string>> = { INFO: 'INFO', WARNING: 'WARN', ERROR: 'ERROR', FATAL: 'FATAL' };

const NODE_FRAMES = [
  'OrderService.place (/app/src/services/orders.js:87:13)',
  'async Router.handle (/app/node_modules/express/lib/router/index.js:284:7)',
  'Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)',
  'Pool.connect (/app/node_modules/pg-pool/index.js:45:11)',
  'processTicksAndRejections (node:internal/process/task_queues:95:5)',
  'async Promise.all (index 0)',
  'Object.<anonymous> (/app/src/server.js:12:1)',
  'Module._compile (node:internal/modules/cjs/loader:1364:14)',
];
const THREADS = ['main', 'pool-1-thread-3', 'http-nio-8080-exec-7', 'scheduling-1', 'kafka-consumer-2'];
const LOGGERS = [
  'com.example.orders.OrderService',
  'com.example.billing.PaymentGateway',
  'org.hibernate.engine.jdbc.spi.SqlExceptionHelper',
  'c.e.a.AuthFilter',
];
const JAVA_EXCEPTIONS = [
  'java.lang.IllegalStateException: order 4711 is already closed',
  'org.springframework.dao.DataAccessResourceFailureException: could not acquire a connection',
  'java.net.SocketTimeoutException: Read timed out',
  'java.lang.NullPointerException: Cannot invoke "String.length()" because "name" is null',
];
const JAVA_FRAMES = [
  'com.example.orders.OrderService.place(OrderService.java:87)',
  'com.example.orders.OrderController.create(OrderController.java:42)',
  'jdk.internal.reflect.GeneratedMethodAccessor112.invoke(Unknown Source)',
  'org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)',
  'org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:166)',
  'org.postgresql.jdbc.PgStatement.executeInternal(PgStatement.java:498)',
  'com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)',
  'java.base/java.lang.Thread.run(Thread.java:1583)',
];
const JAVA_CAUSES = ['java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available', 'java.io.IOException: Broken pipe'];

const pick = <T>(list: readonly T[], random: () => number): T => list[Math.floor(random() * list.length)]!;

/** The canonical level stored for a generated level word (WANTED ones only). */
const wantedLevel = (level: string): 'ERROR' | 'FATAL' => (level === 'FATAL' ? 'FATAL' : 'ERROR');

/** Go's strconv.Quote for the bench's messages (printable text): backslash and double quote escaped. */
function goQuote(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

function jsonEntry(e: EntryInput): GeneratedEntry {
  const wanted = WANTED.has(e.level);
  const head = { level: PINO_LEVEL[e.level]!, time: e.ms, pid: 4242, hostname: `web-${(e.n >> 4) % 4}` };
  let record: Record<string, unknown> = { ...head, msg: e.message };
  let message = e.message;
  if (wanted && e.random() < 0.2) {
    const frames = 3 + Math.floor(e.random() * 6);
    const stack = [`Error: ${e.message}`, ...Array.from({ length: frames }, (_, k) => `    at ${NODE_FRAMES[(e.n + k) % NODE_FRAMES.length]}`)].join('\n');
    // pino's order: its own keys, the object's (err), then msg.
    record = { ...head, err: { type: 'Error', message: e.message, stack }, msg: e.message };
    message = `${e.message}\n${stack}`;
  }
  const line = JSON.stringify(record);
  if (!wanted) return { lines: [line], row: null };
  return { lines: [line], row: { time: new Date(e.ms).toISOString(), level: wantedLevel(e.level), message, levelText: String(head.level), fields: line } };
}

function logfmtEntry(e: EntryInput): GeneratedEntry {
  const time = new Date(e.ms).toISOString();
  const level = LOGRUS_LEVEL[e.level]!;
  const component = ['orders', 'billing', 'auth', 'search'][e.n % 4]!;
  const attempt = String(1 + (e.n % 5));
  const line = `time="${time}" level=${level} msg=${goQuote(e.message)} component=${component} attempt=${attempt}`;
  if (!WANTED.has(e.level)) return { lines: [line], row: null };
  const fields = JSON.stringify({ time, level, msg: e.message, component, attempt });
  return { lines: [line], row: { time, level: wantedLevel(e.level), message: e.message, levelText: level, fields } };
}

function javaTrace(e: EntryInput): string[] {
  const lines = [pick(JAVA_EXCEPTIONS, e.random)];
  const frames = 4 + Math.floor(e.random() * 5);
  for (let k = 0; k < frames; k += 1) lines.push(`\tat ${JAVA_FRAMES[(e.n + k) % JAVA_FRAMES.length]}`);
  if (e.random() < 0.5) {
    lines.push(`Caused by: ${pick(JAVA_CAUSES, e.random)}`, `\tat ${JAVA_FRAMES[6]}`, `\t... ${frames} more`);
  }
  return lines;
}

function timestampLevelEntry(e: EntryInput): GeneratedEntry {
  const iso = new Date(e.ms).toISOString();
  const stamp = `${iso.slice(0, 10)} ${iso.slice(11, 19)},${iso.slice(20, 23)}`;
  const wanted = WANTED.has(e.level);
  const rest = `[${THREADS[e.n % THREADS.length]}] ${LOGGERS[(e.n >> 2) % LOGGERS.length]} - ${e.message}`;
  const lines = [`${stamp} ${LOG4J_LEVEL[e.level]!.padEnd(5)} ${rest}`];
  if (wanted && e.random() < 0.1) lines.push(...javaTrace(e).slice(0, e.room - 1));
  if (!wanted) return { lines, row: null };
  // The generic rule keeps the header fields after the level (thread, logger) in the message.
  const message = [rest, ...lines.slice(1)].join('\n');
  return { lines, row: { time: `${iso.slice(0, 10)} ${iso.slice(11, 23)}`, level: wantedLevel(e.level), message, levelText: '', fields: null } };
}

const GENERATORS: Readonly<Record<BenchFormat, (e: EntryInput) => GeneratedEntry>> = {
  json: jsonEntry,
  logfmt: logfmtEntry,
  'timestamp-level': timestampLevelEntry,
};

/** COPY text escaping (the rows file is COPY data, never SQL). */
function copyText(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

function copyRow(row: ExpectedRow, offset: number): string {
  const levelText = row.levelText === '' ? '\\N' : copyText(row.levelText);
  const fields = row.fields === null ? '\\N' : copyText(row.fields);
  return `${row.time}\t${row.level}\t${copyText(row.message)}\t1\t${offset}\t${LEVELS[row.level]}\t${levelText}\t${fields}\tline\n`;
}

/**
 * Write `lines` lines of `format` to `file` (deterministic for a seed, the
 * brief generator's level mix and messages, 16 lines per second of log time)
 * and the rows logmon must store from them to `rowsFile`: what an extractor
 * would hand `psql \copy`, produced here from what was generated rather than
 * by parsing the file, so comparing them with `log_entries` also checks the
 * ingest. Streams both, so a large file never sits in memory.
 *
 * @example
 *   const stats = writeFormatLog('/tmp/app.json.log', '/tmp/rows.tsv', 'json', 1_000_000, 42);
 */
export function writeFormatLog(file: string, rowsFile: string, format: BenchFormat, lines: number, seed: number): FormatLogStats {
  const random = seededRandom(seed);
  const generate = GENERATORS[format];
  const fd = fs.openSync(file, 'w');
  const rowsFd = fs.openSync(rowsFile, 'w');
  const stats: FormatLogStats = { path: file, lines: 0, bytes: 0, wantedLines: 0, format, entries: 0, continuationLines: 0, rowsFile };
  try {
    while (stats.lines < lines) {
      const parts: string[] = [];
      const rows: string[] = [];
      const upTo = Math.min(lines, stats.lines + LINES_PER_WRITE);
      while (stats.lines < upTo) {
        const n = stats.lines;
        const level = pickLevel(random());
        const message = MESSAGES[Math.floor(random() * MESSAGES.length)]!(n, Math.floor(random() * 30000));
        const ms = START_MS + Math.floor((n * 1000) / LINES_PER_SECOND);
        const entry = generate({ n, random, level, message, ms, room: lines - n });
        if (entry.row !== null) {
          rows.push(copyRow(entry.row, stats.bytes));
          stats.wantedLines += 1;
        }
        for (const line of entry.lines) {
          parts.push(line, '\n');
          stats.bytes += Buffer.byteLength(line) + 1;
        }
        stats.entries += 1;
        stats.continuationLines += entry.lines.length - 1;
        stats.lines += entry.lines.length;
      }
      fs.writeSync(fd, parts.join(''));
      if (rows.length > 0) fs.writeSync(rowsFd, rows.join(''));
    }
  } finally {
    fs.closeSync(fd);
    fs.closeSync(rowsFd);
  }
  return stats;
}
