import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BRIEF_FORMAT } from '../../lib/ingest/formats/brief';
import { GLOG_FORMAT } from '../../lib/ingest/formats/glog';
import { PYTHON_BASIC_FORMAT } from '../../lib/ingest/formats/python-basic';
import { RAILS_FORMAT } from '../../lib/ingest/formats/rails';
import type { Level } from '../../lib/ingest/formats/severity';
import { TIMESTAMP_LEVEL_FORMAT } from '../../lib/ingest/formats/timestamp-level';
import type { FormatName, LineFormat } from '../../lib/ingest/formats/types';
import { startLogGenerator } from '../../scripts/log-generator';

/**
 * Real programs and libraries write logs in the text formats; every line is
 * offered to the five text parsers in turn, and the entry starts found must be
 * exactly the records the program says it logged (level and time), so no
 * traceback or stack line may be claimed. `UPDATE_TEXT_FIXTURES=1` rewrites
 * the outputs kept in __tests__/fixtures/logs/text/.
 */

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'logs', 'text');
const PROGRAMS = path.join(FIXTURES, 'programs');
const UPDATE = process.env.UPDATE_TEXT_FIXTURES === '1';
const ROOT = path.join(__dirname, '..', '..');
/** Reference instant of the hand-written samples (year of glog lines, date of time-only lines). */
const SAMPLE_REFERENCE_MS = Date.UTC(2026, 10, 23, 12);

const TEXT_FORMATS: readonly LineFormat[] = [BRIEF_FORMAT, TIMESTAMP_LEVEL_FORMAT, RAILS_FORMAT, PYTHON_BASIC_FORMAT, GLOG_FORMAT];

interface Entry {
  line: number;
  format: FormatName;
  level: Level | null;
  time: string;
  message: string;
}

interface Expected {
  format: FormatName;
  level: Level | null;
  time: string;
  /** Text the entry's message must contain (its first line as logged). */
  message?: string;
}

function entryStarts(text: string, referenceMs: number): Entry[] {
  const entries: Entry[] = [];
  text.split('\n').forEach((line, index) => {
    for (const format of TEXT_FORMATS) {
      const parsed = format.parse(line, { referenceMs });
      if (parsed !== null) {
        entries.push({ line: index + 1, format: parsed.format, level: parsed.level, time: parsed.time, message: parsed.message });
        return;
      }
    }
  });
  return entries;
}

/** Lines that belong to the entry above: stack frames, tracebacks, wrapped message lines. */
const CONTINUATION = /^(\s|Traceback |Caused by: |The above exception|During handling|[\w.$]+(Error|Exception)\b|second line|java\.)/;

function expectEntries(text: string, expected: readonly Expected[], referenceMs: number): void {
  const entries = entryStarts(text, referenceMs);
  expect(entries.map(({ format, level, time }) => ({ format, level, time }))).toEqual(expected.map(({ format, level, time }) => ({ format, level, time })));
  entries.forEach((entry, i) => {
    const want = expected[i]?.message;
    if (want !== undefined) expect(entry.message).toContain(want);
  });
  const lines = text.split('\n');
  for (const entry of entries) expect(lines[entry.line - 1]).not.toMatch(CONTINUATION);
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

/** `2026-11-23T10:00:00.123Z` → `2026-11-23 10:00:00.123` (a wall clock written in UTC, no offset). */
function wallClock(iso: string): string {
  return iso.replace('T', ' ').replace('Z', '');
}

function records(jsonl: string): Record<string, unknown>[] {
  return jsonl
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const PYTHON_LEVELS: Readonly<Record<string, Level>> = { DEBUG: 'DEBUG', INFO: 'INFO', WARNING: 'WARN', ERROR: 'ERROR', CRITICAL: 'CRITICAL' };
const LOG4JS_LEVELS: Readonly<Record<string, Level | null>> = {
  TRACE: 'TRACE',
  DEBUG: 'DEBUG',
  INFO: 'INFO',
  WARN: 'WARN',
  ERROR: 'ERROR',
  FATAL: 'FATAL',
  MARK: null,
};
// winston's npm levels: `http` and `silly` name no level of ours.
const WINSTON_LEVELS: Readonly<Record<string, Level | null>> = {
  error: 'ERROR',
  warn: 'WARN',
  info: 'INFO',
  http: null,
  verbose: 'TRACE',
  debug: 'DEBUG',
  silly: null,
};
const JUL_LEVELS: Readonly<Record<string, Level>> = { SEVERE: 'ERROR', WARNING: 'WARN', INFO: 'INFO', CONFIG: 'DEBUG', FINE: 'DEBUG' };

function levelOf(table: Readonly<Record<string, Level | null>>, name: unknown): Level | null {
  const level = table[String(name)];
  if (level === undefined) throw new Error(`no expected level for ${String(name)}`);
  return level;
}

interface Program {
  /** Fixture base name. */
  name: string;
  command: string;
  args: (dir: string) => string[];
  /** The program's stream that carries the log text; the other one carries its records. */
  textOn: 'stdout' | 'stderr';
  expected: (recs: Record<string, unknown>[]) => Expected[];
}

const PYTHON = '/usr/bin/python3';

function python(layout: string): Program {
  return {
    name: `python-${layout}`,
    command: PYTHON,
    args: (dir) => [path.join(dir, 'python_logging.py'), layout],
    textOn: 'stdout',
    expected: (recs) =>
      recs.map((r) =>
        layout === 'basic'
          ? { format: 'python-basic', level: levelOf(PYTHON_LEVELS, r.level), time: '', message: firstLine(String(r.message)) }
          : {
              format: 'timestamp-level',
              level: levelOf(PYTHON_LEVELS, r.level),
              time: String(r.asctime).replace(',', '.'),
              message: firstLine(String(r.message)),
            },
      ),
  };
}

function log4js(layout: string): Program {
  return {
    name: `log4js-${layout}`,
    command: process.execPath,
    args: (dir) => [path.join(dir, 'log4js_layouts.js'), layout],
    textOn: 'stdout',
    expected: (recs) =>
      recs.map((r) => {
        const level = levelOf(LOG4JS_LEVELS, r.level);
        // `2026-11-23 10:00:00.123 [ERROR] …` is the brief's own shape, which the brief parser (tried first) reads alike.
        const format = layout === 'pattern-brackets' && level !== null ? 'brief' : 'timestamp-level';
        return { format, level, time: wallClock(String(r.time)) };
      }),
  };
}

function winston(kind: string): Program {
  return {
    name: `winston-${kind}`,
    command: process.execPath,
    args: (dir) => [path.join(dir, 'winston_formats.js'), kind],
    textOn: 'stdout',
    expected: (recs) =>
      kind === 'simple'
        ? []
        : recs.map((r) => ({
            format: 'timestamp-level',
            level: levelOf(WINSTON_LEVELS, r.level),
            time: String(r.timestamp).replace('T', ' '),
            message: firstLine(String(r.message)),
          })),
  };
}

const JUL_ONE_LINE = '%1$tF %1$tT.%1$tL %4$s %2$s - %5$s%6$s%n';

function jul(kind: 'default' | 'one-line'): Program {
  const properties = ['-Duser.timezone=UTC', '-Duser.language=en', '-Duser.country=US'];
  if (kind === 'one-line') properties.push(`-Djava.util.logging.SimpleFormatter.format=${JUL_ONE_LINE}`);
  return {
    name: `jul-${kind}`,
    command: 'java',
    args: (dir) => [...properties, '-cp', dir, 'JulDemo'],
    textOn: 'stderr',
    expected: (recs) =>
      recs.flatMap((r): Expected[] => {
        const iso = new Date(Number(r.millis)).toISOString();
        const level = levelOf(JUL_LEVELS, r.level);
        if (kind === 'one-line') return [{ format: 'timestamp-level', level, time: wallClock(iso) }];
        // SimpleFormatter's default is two lines: the date line (no level), then `SEVERE: message` (no time).
        return [
          { format: 'timestamp-level', level: null, time: wallClock(iso).slice(0, 19) },
          { format: 'python-basic', level, time: '' },
        ];
      }),
  };
}

function has(command: string, args: string[]): boolean {
  const r = spawnSync(command, args, { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

const HAS_PYTHON = fs.existsSync(PYTHON);
const HAS_JAVAC = has('javac', ['-version']) && has('java', ['-version']);

/** The programs run from a copy, so the paths in their tracebacks do not depend on the checkout. */
let workDir = '';

beforeAll(() => {
  workDir = UPDATE ? path.join(os.tmpdir(), 'logmon-text-programs') : fs.mkdtempSync(path.join(os.tmpdir(), 'logmon-text-'));
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.cpSync(PROGRAMS, workDir, { recursive: true });
  if (HAS_JAVAC) {
    const r = spawnSync('javac', ['-d', workDir, path.join(workDir, 'JulDemo.java')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`javac failed: ${r.stderr}`);
  }
}, 60_000);

afterAll(() => {
  if (!UPDATE && workDir !== '') fs.rmSync(workDir, { recursive: true, force: true });
});

function run(program: Program): { text: string; recs: Record<string, unknown>[] } {
  const r = spawnSync(program.command, program.args(workDir), {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC', NODE_PATH: path.join(ROOT, 'node_modules') },
    timeout: 30_000,
  });
  if (r.status !== 0) throw new Error(`${program.name} failed (${String(r.status)}): ${r.stderr}`);
  const text = program.textOn === 'stdout' ? r.stdout : r.stderr;
  const recordText = program.textOn === 'stdout' ? r.stderr : r.stdout;
  if (UPDATE) {
    fs.writeFileSync(path.join(FIXTURES, `${program.name}.log`), text);
    fs.writeFileSync(path.join(FIXTURES, `${program.name}.records.jsonl`), recordText);
  }
  return { text, recs: records(recordText) };
}

const GENERATOR_PICKS = [0, 0.3, 0.6, 0.9];
const GENERATOR_LEVELS: readonly Level[] = ['INFO', 'WARN', 'ERROR', 'FATAL'];

function expectBriefGenerator(text: string): void {
  const lines = text.split('\n').filter((l) => l !== '');
  expect(lines.length).toBeGreaterThanOrEqual(4);
  expectEntries(
    text,
    lines.map((l, i) => ({ format: 'brief', level: GENERATOR_LEVELS[i % 4]!, time: l.slice(0, 19), message: 'message' })),
    Date.now(),
  );
}

function errorsOf(expected: readonly Expected[]): Expected[] {
  return expected.filter((e) => e.level === 'ERROR' || e.level === 'CRITICAL' || e.level === 'ALERT' || e.level === 'FATAL');
}

const PYTHON_PROGRAMS = ['basic', 'dash', 'colon', 'flask'].map(python);
const NODE_PROGRAMS = [...['basic', 'coloured', 'pattern', 'pattern-brackets'].map(log4js), winston('printf')];
const JAVA_PROGRAMS = [jul('default'), jul('one-line')];

describe('Formats: text logs written by real programs', () => {
  (HAS_PYTHON ? describe : describe.skip)("Debian's python3 logging", () => {
    it.each(PYTHON_PROGRAMS.map((p) => [p.name, p] as const))(
      '%s: every record is one entry start with its level and time, tracebacks are not',
      (_name, program) => {
        const { text, recs } = run(program);
        const expected = program.expected(recs);
        expect(errorsOf(expected).length).toBeGreaterThanOrEqual(6);
        expectEntries(text, expected, Date.now());
      },
    );
  });

  describe('log4js and winston (npm)', () => {
    it.each(NODE_PROGRAMS.map((p) => [p.name, p] as const))('%s: the entry starts are exactly the records', (_name, program) => {
      const { text, recs } = run(program);
      expect(recs.length).toBeGreaterThanOrEqual(8);
      expectEntries(text, program.expected(recs), Date.now());
    });

    it('does not claim winston simple() lines: `error: message` without a time reads like CLI output (git, compilers)', () => {
      const { text } = run(winston('simple'));
      expect(text).toMatch(/^error: payment declined/m);
      expect(entryStarts(text, Date.now())).toEqual([]);
    });
  });

  it("logmon's demo generator (the brief's generate_logs.sh): every line is a brief entry with its level and time", async () => {
    const file = path.join(workDir, 'app.log');
    let pick = 0;
    // Each value picks the next of DEMO_LEVELS (INFO, WARNING, ERROR, FATAL) in turn.
    const stop = startLogGenerator({ file, intervalMs: 2, timeZone: 'UTC', random: () => GENERATOR_PICKS[pick++ % GENERATOR_PICKS.length]! });
    await new Promise((resolve) => setTimeout(resolve, 80));
    stop();
    const text = fs.readFileSync(file, 'utf8');
    if (UPDATE) fs.writeFileSync(path.join(FIXTURES, 'brief-generator.log'), text);
    expectBriefGenerator(text);
  });

  (HAS_JAVAC ? describe : describe.skip)('java.util.logging (javac/java)', () => {
    it.each(JAVA_PROGRAMS.map((p) => [p.name, p] as const))(
      '%s: every record is recognised, printStackTrace lines are not',
      (_name, program) => {
        const { text, recs } = run(program);
        expect(recs.filter((r) => r.level === 'SEVERE')).toHaveLength(3);
        expectEntries(text, program.expected(recs), Date.now());
      },
      60_000,
    );
  });
});

describe('Formats: committed fixtures', () => {
  const programs = [...PYTHON_PROGRAMS, ...NODE_PROGRAMS, winston('simple'), ...JAVA_PROGRAMS];

  it("brief-generator.log still parses to brief entries in the generator's level order", () => {
    expectBriefGenerator(fs.readFileSync(path.join(FIXTURES, 'brief-generator.log'), 'utf8'));
  });
  it.each(programs.map((p) => [p.name, p] as const))('%s.log still parses to its recorded entries', (name, program) => {
    const text = fs.readFileSync(path.join(FIXTURES, `${name}.log`), 'utf8');
    const recs = records(fs.readFileSync(path.join(FIXTURES, `${name}.records.jsonl`), 'utf8'));
    expectEntries(text, program.expected(recs), Date.now());
  });

  const samples = fs
    .readdirSync(path.join(FIXTURES, 'samples'))
    .filter((f) => f.endsWith('.log'))
    .map((f) => f.slice(0, -4));

  it('has a hand-written sample for every logger that cannot run here', () => {
    expect(samples).toEqual(expect.arrayContaining(['logback', 'spring-boot', 'monolog', 'rails', 'zap-console', 'serilog', 'glog', 'tomcat']));
  });

  it.each(samples)('samples/%s.log parses to its expected entries', (name) => {
    const text = fs.readFileSync(path.join(FIXTURES, 'samples', `${name}.log`), 'utf8');
    const expected = records(fs.readFileSync(path.join(FIXTURES, 'samples', `${name}.expected.jsonl`), 'utf8')) as unknown as Expected[];
    const entries = entryStarts(text, SAMPLE_REFERENCE_MS);
    expect(entries.map(({ format, level, time, message }) => ({ format, level, time, message }))).toEqual(expected);
  });
});
