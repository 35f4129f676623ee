// npm run inspect -- FILE [--format NAME] [--timezone ZONE] [--min-level LEVEL] [--all]
// A dry run: how logmon reads FILE (detected format, each stored entry's level,
// instant and first line, what was not understood and why). No database.
// Without --format, the source of the configuration file (or LOG_FILES
// shorthand) whose paths match FILE decides; otherwise `auto`.
import fs from 'node:fs';
import path from 'node:path';
import { readIngestConfig, effectiveSources } from '../lib/ingest/config';
import { formatInspectReport, inspectContent } from '../lib/ingest/inspect';
import { parseSourcesConfig, templateMatcher } from '../lib/ingest/sources';
import type { SourceConfig } from '../lib/ingest/sources';
import { describeError } from '../lib/platform/errors';

const USAGE = 'usage: npm run inspect -- FILE [--format auto|NAME] [--timezone ZONE] [--min-level LEVEL] [--all]';

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function parseArgs(argv: string[]): { file: string; flags: Record<string, string | true> } {
  let file = '';
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--all') flags.all = true;
    else if (arg === '--format' || arg === '--timezone' || arg === '--min-level') {
      const value = argv[i + 1];
      if (value === undefined) fail(`${arg} needs a value\n${USAGE}`);
      flags[arg.slice(2)] = value;
      i += 1;
    } else if (arg.startsWith('--')) fail(`unknown option ${arg}\n${USAGE}`);
    else if (file === '') file = arg;
    else fail(USAGE);
  }
  if (file === '') fail(USAGE);
  return { file, flags };
}

function sourceFor(file: string, flags: Record<string, string | true>): SourceConfig {
  const config = readIngestConfig(process.env);
  const absolute = path.resolve(file);
  const configured = effectiveSources(config).find((s) => s.paths.some((p) => templateMatcher(path.resolve(p))(absolute) !== null));
  const base = configured ?? effectiveSources({ ...config, sources: null, logFiles: [file] })[0]!;
  const raw: Record<string, unknown> = { name: base.name, path: file };
  if (typeof flags.format === 'string') raw.format = flags.format;
  if (typeof flags.timezone === 'string') raw.timezone = flags.timezone;
  if (typeof flags['min-level'] === 'string') raw.minLevel = flags['min-level'];
  const overrides = parseSourcesConfig({ sources: [raw] }, { timeZone: base.timeZone, minLevel: base.minLevel }, 'npm run inspect');
  const o = overrides[0]!;
  return {
    ...base,
    format: typeof flags.format === 'string' ? o.format : base.format,
    timeZone: o.timeZone,
    minLevel: o.minLevel,
  };
}

function main(): void {
  const { file, flags } = parseArgs(process.argv.slice(2));
  let content: Buffer;
  let mtimeMs: number;
  try {
    content = fs.readFileSync(file);
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch (err) {
    fail(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 1);
  }
  const source = sourceFor(file, flags);
  const report = inspectContent(content, source, { mtimeMs, maxLineBytes: readIngestConfig(process.env).maxLineBytes });
  process.stdout.write(formatInspectReport(report, file, source, { all: flags.all === true }));
}

try {
  main();
} catch (err) {
  fail(`inspect failed: ${describeError(err)}`);
}
