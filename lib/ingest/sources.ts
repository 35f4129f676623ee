import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod/mini';
import { parseDuration } from '../platform/duration';
import { isTimeZone, list } from '../platform/env';
import { ConfigError } from '../platform/errors';
import { FORMAT_NAMES } from './formats/types';
import type { FormatName } from './formats/types';
import { DEFAULT_MIN_LEVEL, LEVEL_NAMES, levelOfWord } from './formats/severity';
import type { Level } from './formats/severity';
import { isS3Url, parseObjectUrl, parseS3Location } from './s3-location';

/**
 * A monitored source: which files (paths or globs, `{label}` placeholders
 * allowed in them) and how to read them. Sources come from one configuration
 * file (YAML or JSON, `LOGMON_CONFIG`, default `logmon.yml` where the job
 * runs), or from the one-source shorthand `LOG_FILES`/`LOG_LEVELS`/
 * `LOG_TIMEZONE`/`LOG_FORMAT`. Every field is documented in docs/sources.md.
 */
export interface SourceConfig {
  /** Unique; checkpoints remember it, so a source removed from the file stops being read. */
  name: string;
  /** Paths or globs; `{name}` matches one path segment (or part of one) and sets that label. */
  paths: string[];
  format: FormatSpec;
  /** IANA zone of timestamps written without an offset. */
  timeZone: string;
  /** Entries at this severity and above are stored. */
  minLevel: Level;
  /** When set, only lines matching `start` begin an entry; every other line continues the one above. */
  multilineStart: RegExp | null;
  /** Label templates (`{name}` replaced from the path): service, host and any others. */
  labels: Record<string, string>;
  /** Opt-in health check `source-silent`: the source's files must change at least this often (ms); null: not checked. */
  expectActivityWithinMs?: number | null;
  /**
   * Folders logrotate moves the rotated files to (its `olddir`), absolute or
   * relative to the file's folder: a rotated file is looked for there too
   * (besides its own folder and their subfolders, always searched).
   */
  olddirs?: string[];
  /**
   * S3 sources (every path `s3://…`): how often the whole prefix is listed
   * again, ignoring the start-after checkpoint, to find keys that sort
   * before it (ms); null: never. Default DEFAULT_FULL_LISTING_MS.
   */
  fullListingEveryMs?: number | null;
}

/** An S3 source lists its whole prefix again this often by default (docs/sources.md, "S3 sources"). */
export const DEFAULT_FULL_LISTING_MS = 60 * 60 * 1000;

/** The source reads S3 objects (its paths are `s3://` locations). */
export function isS3Source(source: Pick<SourceConfig, 'paths'>): boolean {
  return source.paths.length > 0 && source.paths.every(isS3Url);
}

/** `auto`, one named format, or a regular expression with named groups `time`, `level`, `message`. */
export type FormatSpec = { kind: 'auto' } | { kind: 'named'; name: FormatName } | { kind: 'regex'; regex: RegExp; levels: Record<string, Level> };

type Env = Record<string, string | undefined>;

const FORMAT_CHOICES = ['auto', ...FORMAT_NAMES] as const;
const LEVEL_TEXT = z.string().check(z.refine((s) => levelOfWord(s) !== null, { message: `must be a level (${LEVEL_NAMES.join(', ')})` }));

function compiles(source: string): boolean {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
}

const NON_EMPTY = z.string().check(z.minLength(1, { message: 'must not be empty' }));
const REGEX_TEXT = z.string().check(z.refine(compiles, { message: 'must be a valid regular expression' }));

// zod/mini: the same schema language in a few KB instead of zod's ~450 KB in every bundle.
const REGEX_FORMAT = z.strictObject({
  regex: REGEX_TEXT.check(z.refine((s) => /\(\?<message>/.test(s), { message: 'must have a named group (?<message>…)' })),
  levels: z.optional(z.record(z.string(), LEVEL_TEXT)),
});

const SOURCE = z.strictObject({
  name: z.optional(z.string().check(z.regex(/^[\w.-]{1,64}$/, { message: 'must be 1–64 letters, digits, ".", "_" or "-"' }))),
  path: z.optional(NON_EMPTY),
  paths: z.optional(z.array(NON_EMPTY).check(z.minLength(1, { message: 'must list at least one path' }))),
  format: z.optional(
    z.union([z.enum(FORMAT_CHOICES, { message: `must be one of ${FORMAT_CHOICES.join(', ')}, or { regex, levels }` }), REGEX_FORMAT], {
      message: `must be one of ${FORMAT_CHOICES.join(', ')}, or { regex, levels }`,
    }),
  ),
  timezone: z.optional(z.string().check(z.refine(isTimeZone, { message: 'must be an IANA time zone such as "Europe/Paris" or "UTC"' }))),
  minLevel: z.optional(LEVEL_TEXT),
  multiline: z.optional(z.strictObject({ start: REGEX_TEXT })),
  service: z.optional(NON_EMPTY),
  host: z.optional(NON_EMPTY),
  labels: z.optional(z.record(z.string().check(z.regex(/^[a-z][\w]{0,31}$/, { message: 'label names are lower-case words' })), z.string())),
  expectActivityWithin: z.optional(
    z.string().check(z.refine((s) => (parseDuration(s) ?? 0) >= 60_000, { message: 'must be a duration of at least 1m such as "30m" or "2h"' })),
  ),
  olddir: z.optional(z.union([NON_EMPTY, z.array(NON_EMPTY)], { message: 'must be a folder or a list of folders' })),
  fullListingEvery: z.optional(
    z
      .string()
      .check(z.refine((s) => s === 'never' || (parseDuration(s) ?? 0) >= 60_000, { message: 'must be "never" or a duration of at least 1m such as "1h"' })),
  ),
});

const CONFIG_FILE = z.strictObject({
  sources: z.array(SOURCE).check(z.minLength(1, { message: 'must list at least one source' })),
});

type RawSource = z.infer<typeof SOURCE>;

/** The zone timestamps without an offset are read in when nothing says otherwise: this machine's. */
export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** zod/mini carries no message texts: say each problem in our words. */
function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  if (issue.code === 'invalid_type')
    return `must be ${issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}`;
  return issue.message && issue.message !== 'Invalid input' ? issue.message : 'is not valid';
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const [first, index, ...rest] = issue.path;
  if (first === 'sources' && typeof index === 'number') {
    const entry = Array.isArray((raw as { sources?: unknown }).sources) ? (raw as { sources: unknown[] }).sources[index] : undefined;
    const name =
      entry !== null && typeof entry === 'object' && typeof (entry as { name?: unknown }).name === 'string' ? ` (${(entry as { name: string }).name})` : '';
    const field = rest.length > 0 ? rest.join('.') : '(the source)';
    return `source #${index + 1}${name}, field ${field}: ${issueText(issue)}`;
  }
  return `${issue.path.length > 0 ? issue.path.join('.') : '(top level)'}: ${issueText(issue)}`;
}

function toSource(raw: RawSource, index: number, defaults: { timeZone: string; minLevel: Level }): SourceConfig {
  const paths = [...(raw.path !== undefined ? [raw.path] : []), ...(raw.paths ?? [])];
  const label = raw.name ?? `#${index + 1}`;
  if (paths.length === 0)
    throw new ConfigError(`source #${index + 1} (${label}), field path: a source needs "path" or "paths"`, { source: label, field: 'path' });
  let format: FormatSpec = { kind: 'auto' };
  if (typeof raw.format === 'string') {
    format = raw.format === 'auto' ? { kind: 'auto' } : { kind: 'named', name: raw.format };
  } else if (raw.format !== undefined) {
    const levels: Record<string, Level> = {};
    for (const [text, level] of Object.entries(raw.format.levels ?? {})) levels[text] = levelOfWord(level)!;
    format = { kind: 'regex', regex: new RegExp(raw.format.regex, 'u'), levels };
  }
  const s3 = paths.filter(isS3Url);
  if (s3.length > 0 && s3.length < paths.length)
    throw new ConfigError(
      `source #${index + 1} (${label}), field paths: a source reads files or S3 objects, not both: give the s3:// paths a source of their own`,
      {
        source: label,
        field: 'paths',
      },
    );
  for (const p of s3) {
    try {
      parseS3Location(p);
    } catch (err) {
      throw new ConfigError(`source #${index + 1} (${label}), field paths: ${(err as Error).message}`, { source: label, field: 'paths' }, { cause: err });
    }
  }
  if (s3.length > 0 && raw.olddir !== undefined)
    throw new ConfigError(`source #${index + 1} (${label}), field olddir: an S3 source has no rotated files`, { source: label, field: 'olddir' });
  if (s3.length === 0 && raw.fullListingEvery !== undefined)
    throw new ConfigError(`source #${index + 1} (${label}), field fullListingEvery: only an S3 source (s3:// paths) is listed`, {
      source: label,
      field: 'fullListingEvery',
    });
  const labels: Record<string, string> = {};
  // A placeholder of the path is a label of its own name unless the source sets that label.
  for (const p of paths) for (const name of placeholders(p)) labels[name] = `{${name}}`;
  Object.assign(labels, raw.labels ?? {});
  labels.service = raw.service ?? labels.service ?? '{file}';
  labels.host = raw.host ?? labels.host ?? os.hostname();
  return {
    name: raw.name ?? (paths.length === 1 ? paths[0]! : label),
    paths,
    format,
    timeZone: raw.timezone ?? defaults.timeZone,
    minLevel: raw.minLevel !== undefined ? levelOfWord(raw.minLevel)! : defaults.minLevel,
    multilineStart: raw.multiline ? new RegExp(raw.multiline.start, 'u') : null,
    labels,
    expectActivityWithinMs: raw.expectActivityWithin !== undefined ? parseDuration(raw.expectActivityWithin) : null,
    olddirs: raw.olddir === undefined ? [] : typeof raw.olddir === 'string' ? [raw.olddir] : raw.olddir,
    fullListingEveryMs:
      s3.length === 0
        ? null
        : raw.fullListingEvery === 'never'
          ? null
          : raw.fullListingEvery !== undefined
            ? parseDuration(raw.fullListingEvery)
            : DEFAULT_FULL_LISTING_MS,
  };
}

/**
 * Validate a parsed configuration file (`{ sources: [...] }`) into sources;
 * every problem is a ConfigError naming the source and the field.
 *
 * @example
 *   parseSourcesConfig({ sources: [{ path: '/var/log/app/*.log', format: 'json', service: 'api' }] }, defaults);
 */
export function parseSourcesConfig(raw: unknown, defaults: { timeZone: string; minLevel: Level }, origin = 'LOGMON_CONFIG'): SourceConfig[] {
  const result = CONFIG_FILE.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => describeIssue(issue, raw));
    throw new ConfigError(`${origin}: ${problems.join('; ')}`, { origin, problems });
  }
  const sources = result.data.sources.map((s, i) => toSource(s, i, defaults));
  const seen = new Set<string>();
  for (const s of sources) {
    if (seen.has(s.name))
      throw new ConfigError(`${origin}: two sources are named "${s.name}"; names must be unique`, { origin, source: s.name, field: 'name' });
    seen.add(s.name);
  }
  return sources;
}

const DEFAULT_FILES = ['logmon.yml', 'logmon.yaml', 'logmon.json'];

/** The configuration file to read: LOGMON_CONFIG, or the first default file in `dirs`; null when none. */
export function findConfigFile(env: Env, dirs: readonly string[]): string | null {
  const named = env.LOGMON_CONFIG?.trim();
  if (named) {
    if (!fs.existsSync(named)) throw new ConfigError(`LOGMON_CONFIG names ${named}, which does not exist`, { path: named });
    return named;
  }
  for (const dir of dirs) {
    for (const file of DEFAULT_FILES) {
      const candidate = path.join(dir, file);
      if (fs.existsSync(candidate)) return candidate;
    }
  }
  return null;
}

/** Read and parse a YAML or JSON configuration file (JSON is YAML). */
export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file} could not be read: ${(err as Error).message}`, { path: file }, { cause: err });
  }
  try {
    return parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${file} is not valid YAML/JSON: ${(err as Error).message}`, { path: file }, { cause: err });
  }
}

/** Turn a path template (`/mnt/logs/{host}/*.log`) into the glob to expand. */
export function templateGlob(template: string): string {
  return template.replace(/\{([a-z][\w]*)\}/g, '*');
}

/** Placeholder names of a path template, in order. */
function placeholders(template: string): string[] {
  return [...template.matchAll(/\{([a-z][\w]*)\}/g)].map((m) => m[1]!);
}

function escapeRegex(text: string): string {
  return text.replace(/[.+^$()|[\]\\]/g, '\\$&');
}

/** Compiled matchers by template: discovery labels every file of a run (10,000 files, a handful of templates). */
const matchers = new Map<string, (filePath: string) => Record<string, string> | null>();
/** Templates kept compiled at most (a long-lived process given ever new ones starts over). */
const MAX_MATCHERS = 1000;

/** A matcher of absolute file paths against a path template (globs `*`, `**`, `?` and placeholders). */
export function templateMatcher(template: string): (filePath: string) => Record<string, string> | null {
  let matcher = matchers.get(template);
  if (matcher) return matcher;
  if (matchers.size >= MAX_MATCHERS) matchers.clear();
  matcher = compileTemplate(template);
  matchers.set(template, matcher);
  return matcher;
}

function compileTemplate(template: string): (filePath: string) => Record<string, string> | null {
  const names = placeholders(template);
  let re = '';
  for (const part of template.split(/(\{[a-z][\w]*\}|\*\*\/?|\*|\?)/)) {
    if (part === '') continue;
    if (/^\{[a-z][\w]*\}$/.test(part)) re += '([^/]*)';
    else if (part.startsWith('**')) re += '(?:.*/)?';
    else if (part === '*') re += '[^/]*';
    else if (part === '?') re += '[^/]';
    else re += escapeRegex(part);
  }
  const compiled = new RegExp(`^${re}$`);
  return (filePath) => {
    const m = compiled.exec(filePath);
    if (m === null) return null;
    const values: Record<string, string> = {};
    names.forEach((n, i) => {
      values[n] = m[i + 1] ?? '';
    });
    return values;
  };
}

/**
 * The labels of a file of `source`: its templates with `{name}` taken from the
 * path (and `{file}`: the file name without directory and `.log`/rotation suffix).
 */
export function labelsFor(source: SourceConfig, absolutePath: string, cwd: string): Record<string, string> {
  const values: Record<string, string> = { file: path.basename(absolutePath).replace(/(\.log)?([.-]\d+)?(\.gz)?$/, '') };
  for (const template of source.paths) {
    const m = isS3Url(template) ? objectKeyValues(template, absolutePath) : templateMatcher(path.resolve(cwd, template))(absolutePath);
    if (m) {
      Object.assign(values, m);
      break;
    }
  }
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(source.labels)) labels[key] = value.replace(/\{([a-z][\w]*)\}/g, (_, n: string) => values[n] ?? '');
  return labels;
}

/**
 * The placeholders' values of an object (`s3://bucket/key`) under an S3
 * location, or null when the location does not cover it.
 *
 * @example
 *   objectKeyValues('s3://logs/app/{host}/', 's3://logs/app/web-1/x.log'); // { host: 'web-1' }
 */
export function objectKeyValues(template: string, url: string): Record<string, string> | null {
  const location = parseS3Location(template);
  const { bucket, key } = parseObjectUrl(url);
  if (bucket !== location.bucket || !key.startsWith(location.prefix)) return null;
  return templateMatcher(location.keyTemplate)(key);
}

/** The one-source shorthand: `LOG_FILES`, `LOG_FORMAT`, `LOG_TIMEZONE`, `LOG_LEVELS` (minimum level). */
export function shorthandSource(env: Env, defaults: { timeZone: string; minLevel: Level }): SourceConfig {
  // set but naming no file (`,`, blanks): refused, never read as the default (issue 15)
  if (env.LOG_FILES !== undefined && env.LOG_FILES.trim() !== '' && list(env.LOG_FILES, []).length === 0) {
    throw new ConfigError(`LOG_FILES "${env.LOG_FILES}" names no file: give the paths or globs of the files to monitor, comma-separated`, {
      value: env.LOG_FILES,
    });
  }
  const raw: Record<string, unknown> = { name: 'default', paths: list(env.LOG_FILES, ['logs/app.log']) };
  const format = env.LOG_FORMAT?.trim();
  if (format) raw.format = format;
  const parsed = SOURCE.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`LOG_FORMAT must be one of ${FORMAT_CHOICES.join(', ')}, got "${format}"`, { format });
  }
  return toSource(parsed.data, 0, defaults);
}

/**
 * The sources of this run: the configuration file when there is one, else the shorthand.
 *
 * @example
 *   const sources = readSources(process.env, { timeZone: 'UTC', minLevel: 'ERROR' }, [process.cwd()]);
 */
export function readSources(
  env: Env,
  defaults: { timeZone: string; minLevel: Level } = { timeZone: machineTimeZone(), minLevel: DEFAULT_MIN_LEVEL },
  dirs: readonly string[] = [process.cwd()],
): { sources: SourceConfig[]; file: string | null } {
  const file = findConfigFile(env, dirs);
  if (file === null) return { sources: [shorthandSource(env, defaults)], file: null };
  return { sources: parseSourcesConfig(readConfigFile(file), defaults, file), file };
}
