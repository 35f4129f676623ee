import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { LEVELS, LEVEL_NAMES, levelOfWord, levelsAtOrAbove } from '../ingest/formats/severity';
import { parseDuration } from '../platform/duration';
import { ConfigError } from '../platform/errors';
import { SEVERITY, isOneOf } from './categories';
import type { Severity } from './categories';
import { ALERT_DEFAULTS, ALERT_DEFAULT_MS } from './defaults';

/** Values of the `severity` message attribute (SNS filter policies match on them). */
export const SEVERITIES: readonly Severity[] = Object.values(SEVERITY);
export type { Severity };

/** A validated threshold rule: "`threshold` or more entries of `levels` within `windowMs`". */
export interface AlertRule {
  name: string;
  description: string | null;
  /** Canonical levels counted (`minLevel` expands to it and every level above). */
  levels: string[];
  /** FIRING when the window count reaches this. */
  threshold: number;
  /** A FIRING rule resolves only when the count falls below this (<= threshold). */
  clearBelow: number;
  windowMs: number;
  /** The threshold must hold this long (PENDING) before FIRING; 0 fires at once. */
  forMs: number;
  /** A FIRING rule resolves once its count stayed below `clearBelow` this long (Prometheus' keep_firing_for); 0 resolves at once. */
  keepFiringForMs: number;
  /** Reminder interval while FIRING; 0 sends none. */
  repeatIntervalMs: number;
  /** Notifications of this rule allowed in any hour (>= 2, see the evaluator). */
  maxNotificationsPerHour: number;
  severity: Severity;
  /** The source glob as written, for messages. */
  source: string | null;
  /** `source` as a LIKE pattern over log_sources.path (escape character `\`). */
  sourceLike: string | null;
  /** A PostgreSQL regular expression the message must match (`~`). */
  pattern: string | null;
  /** `threshold` counts entries; `new-template` counts entries of templates not seen for `unseenForMs`. */
  type: RuleType;
  /** One state per distinct value of these (canonical order, `source` expanded); [] is one state for the rule. */
  groupBy: GroupDimension[];
  /** Keys tracked at once, at most; more raise the rule's key-limit notice. */
  maxKeys: number;
  /** new-template: a template is new when it was not seen for this long before it appeared. */
  unseenForMs: number;
  /** new-template: templates appearing this soon after the first examination, or after their file was first read, are learned, not new. */
  learningPeriodMs: number;
  /**
   * Each statement of the rule's evaluation may run this long (PostgreSQL's
   * statement_timeout): past it the rule fails for that run alone
   * (health:rule-failing) and every other rule is evaluated as usual.
   */
  timeoutMs: number;
}

/** What a rule counts (`type`). */
export const RULE_TYPE = { THRESHOLD: 'threshold', NEW_TEMPLATE: 'new-template' } as const;
export type RuleType = (typeof RULE_TYPE)[keyof typeof RULE_TYPE];

/**
 * What a rule's key is made of (`groupBy`), in the order keys are written.
 * `source` in a rule stands for service, host and file.
 */
export const GROUP_DIMENSIONS = ['service', 'host', 'file', 'template', 'level'] as const;
export type GroupDimension = (typeof GROUP_DIMENSIONS)[number];
const GROUP_WORDS: Record<string, readonly GroupDimension[]> = {
  service: ['service'],
  host: ['host'],
  file: ['file'],
  source: ['service', 'host', 'file'],
  template: ['template'],
  level: ['level'],
};

/** The rules used when ALERT_RULES is unset (ALERT_DEFAULTS.rules). */
export const DEFAULT_RULES_SPEC: readonly Record<string, unknown>[] = ALERT_DEFAULTS.rules;

const FIELDS = [
  'name',
  'description',
  'levels',
  'minLevel',
  'threshold',
  'window',
  'for',
  'clearBelow',
  'keepFiringFor',
  'repeatInterval',
  'maxNotificationsPerHour',
  'severity',
  'source',
  'pattern',
  'type',
  'groupBy',
  'maxKeys',
  'unseenFor',
  'learningPeriod',
  'timeout',
] as const;

const MIN_WINDOW_MS = 60_000;
const MAX_WINDOW_MS = 24 * 3_600_000;
const MAX_NAME_CHARS = 200;
/** A rule's time limit: long enough for a costly rule, short enough that a few cannot eat the function's 60 s. */
const MIN_TIMEOUT_MS = 100;
const MAX_TIMEOUT_MS = 50_000;
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const HIGH_SEVERITY_LEVELS = new Set(['FATAL', 'ALERT', 'CRITICAL']);

type Spec = Record<string, unknown>;

export interface ParseRulesOptions {
  /** Levels the ingest job stores (LOG_LEVELS): a rule counting another level could never fire. */
  ingestedLevels?: readonly string[];
}

/** Turn a glob (`*`, `?`) into a LIKE pattern with `\` as escape character. */
export function globToLike(glob: string): string {
  let out = '';
  for (const ch of glob) {
    if (ch === '*') out += '%';
    else if (ch === '?') out += '_';
    else if (ch === '%' || ch === '_' || ch === '\\') out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

/** Reads one rule's fields, naming the rule and the field in every error. */
class RuleReader {
  public constructor(
    private readonly spec: Spec,
    private readonly label: string,
  ) {}

  public fail(field: string, problem: string): never {
    const value = this.spec[field];
    const shown = value === undefined ? 'nothing' : JSON.stringify(value);
    throw new ConfigError(`ALERT_RULES: rule ${this.label}: ${field} ${problem}, got ${shown}`, { rule: this.label, field, value });
  }

  public has(field: string): boolean {
    return this.spec[field] !== undefined && this.spec[field] !== null;
  }

  public text(field: string, maxChars: number): string | null {
    if (!this.has(field)) return null;
    const value = this.spec[field];
    if (typeof value !== 'string' || value.trim() === '') this.fail(field, 'must be a non-empty string');
    if (value.length > maxChars) this.fail(field, `must be at most ${maxChars} characters`);
    return value.trim();
  }

  public integer(field: string, fallback: number | null, min: number): number {
    if (!this.has(field)) {
      if (fallback === null) this.fail(field, 'is required');
      return fallback;
    }
    const value = this.spec[field];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) this.fail(field, `must be an integer >= ${min}`);
    return value;
  }

  public duration(field: string, fallback: number | null, min: number, max: number, allowZero = false): number {
    if (!this.has(field)) {
      if (fallback === null) this.fail(field, 'is required (a duration such as "5m")');
      return fallback;
    }
    const value = this.spec[field];
    const ms = typeof value === 'string' ? parseDuration(value) : null;
    if (ms === null) this.fail(field, 'must be a duration such as "30s", "5m", "1h30m"');
    if (allowZero && ms === 0) return 0;
    if (ms < min || ms > max) this.fail(field, `must be between ${describeMs(min)} and ${describeMs(max)}${allowZero ? ' (or "0s" for none)' : ''}`);
    return ms;
  }
}

function describeMs(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 1000 !== 0) return `${ms}ms`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}

/**
 * The canonical levels a rule counts: `levels` (level words in any case,
 * `ERR` and `ERROR` alike) or `minLevel` (that level and every one above);
 * neither means ERROR and above, so a CRITICAL is never silently skipped.
 */
function parseLevels(reader: RuleReader, raw: unknown, minRaw: unknown, ingested: readonly string[] | undefined): string[] {
  if (raw !== undefined && minRaw !== undefined) reader.fail('minLevel', 'cannot be combined with levels: give one of them');
  let levels: string[];
  let field: 'levels' | 'minLevel' = 'levels';
  if (minRaw !== undefined) {
    field = 'minLevel';
    const min = typeof minRaw === 'string' ? levelOfWord(minRaw.trim()) : null;
    if (min === null) reader.fail('minLevel', `must be a level (${LEVEL_NAMES.join(', ')})`);
    levels = levelsAtOrAbove(min);
  } else if (raw === undefined) {
    levels = levelsAtOrAbove('ERROR');
  } else {
    if (!Array.isArray(raw) || raw.length === 0 || raw.some((l) => typeof l !== 'string')) {
      reader.fail('levels', 'must be a non-empty list of level names such as ["ERROR", "FATAL"]');
    }
    levels = [];
    for (const word of raw as string[]) {
      const level = levelOfWord(word.trim());
      if (level === null)
        reader.fail('levels', `contains unknown level "${word.trim().toUpperCase()}" (known: ${LEVEL_NAMES.join(', ')} and their usual spellings)`);
      if (!levels.includes(level)) levels.push(level);
    }
  }
  levels.sort((a, b) => LEVELS[a as keyof typeof LEVELS] - LEVELS[b as keyof typeof LEVELS]);
  if (ingested) {
    const missing = levels.filter((l) => !ingested.includes(l));
    if (field === 'levels' && missing.length > 0) {
      reader.fail('levels', `contains ${missing[0]}, which ingest does not store (LOG_LEVELS stores ${ingested.join(',')}): the rule could never fire`);
    }
    if (field === 'minLevel' && missing.length > 0) {
      reader.fail('minLevel', `is below what ingest stores (LOG_LEVELS stores ${ingested.join(',')}): entries at ${missing.join(', ')} could never be counted`);
    }
  }
  return levels;
}

function checkPattern(reader: RuleReader, pattern: string): void {
  // PostgreSQL evaluates it; JavaScript's parser catches most typos at start-up
  // once PostgreSQL's leading embedded options such as "(?i)" are set aside.
  try {
    new RegExp(pattern.replace(/^\(\?[bceimnpqstwx]+\)/, ''));
  } catch (err) {
    reader.fail('pattern', `is not a valid regular expression (${(err as Error).message})`);
  }
}

function parseGroupBy(reader: RuleReader, raw: unknown, fallback: readonly GroupDimension[]): GroupDimension[] {
  if (raw === undefined || raw === null) return [...fallback];
  const words = typeof raw === 'string' ? [raw] : raw;
  const known = Object.keys(GROUP_WORDS).join(', ');
  if (!Array.isArray(words) || words.some((w) => typeof w !== 'string')) reader.fail('groupBy', `must be a list of ${known}`);
  const chosen = new Set<GroupDimension>();
  for (const word of words as string[]) {
    const dims = GROUP_WORDS[word.trim().toLowerCase()];
    if (dims === undefined) reader.fail('groupBy', `contains "${word}" (known: ${known})`);
    for (const d of dims) chosen.add(d);
  }
  return GROUP_DIMENSIONS.filter((d) => chosen.has(d));
}

function parseRule(spec: unknown, index: number, options: ParseRulesOptions): AlertRule {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new ConfigError(`ALERT_RULES: rule #${index + 1} must be an object`, { rule: `#${index + 1}` });
  }
  const s = spec as Spec;
  const label = typeof s.name === 'string' && s.name.trim() !== '' ? JSON.stringify(s.name.trim()) : `#${index + 1}`;
  const reader = new RuleReader(s, label);
  for (const field of Object.keys(s)) {
    if (!(FIELDS as readonly string[]).includes(field)) reader.fail(field, `is not a known field (known: ${FIELDS.join(', ')})`);
  }
  const name = reader.text('name', MAX_NAME_CHARS) ?? reader.fail('name', 'is required');
  if (CONTROL_CHARS.test(name)) reader.fail('name', 'must not contain control characters');
  if (name.toLowerCase().startsWith('health:')) reader.fail('name', 'must not start with "health:" (the built-in health rules keep their state under it)');
  let type: RuleType = RULE_TYPE.THRESHOLD;
  if (reader.has('type')) {
    if (isOneOf(RULE_TYPE, s.type)) type = s.type;
    else reader.fail('type', `must be one of ${Object.values(RULE_TYPE).join(', ')}`);
  }
  const newTemplate = type === RULE_TYPE.NEW_TEMPLATE;
  if (!newTemplate) {
    for (const field of ['unseenFor', 'learningPeriod']) if (reader.has(field)) reader.fail(field, 'is only for type: new-template');
  }
  const levels = parseLevels(reader, s.levels, s.minLevel, options.ingestedLevels);
  const threshold = reader.integer('threshold', newTemplate ? ALERT_DEFAULTS.newTemplate.threshold : null, 1);
  const clearBelow = reader.integer('clearBelow', threshold, 1);
  if (clearBelow > threshold) reader.fail('clearBelow', `must be at most the threshold (${threshold})`);
  const windowMs = reader.duration('window', newTemplate ? ALERT_DEFAULT_MS.newTemplateWindow : null, MIN_WINDOW_MS, MAX_WINDOW_MS);
  const forMs = reader.duration('for', ALERT_DEFAULT_MS.for, 0, MAX_WINDOW_MS);
  // by default as long as the window: a steady rate that keeps the count near the threshold keeps the rule FIRING, it does not
  // flap (a new template is news once: its key goes back to OK silently, at once)
  const keepFiringForMs = reader.duration('keepFiringFor', newTemplate ? 0 : windowMs, 0, MAX_WINDOW_MS, true);
  const repeatIntervalMs = reader.duration('repeatInterval', ALERT_DEFAULT_MS.repeatInterval, MIN_WINDOW_MS, 7 * 24 * 3_600_000, true);
  const maxNotificationsPerHour = reader.integer('maxNotificationsPerHour', ALERT_DEFAULTS.rule.maxNotificationsPerHour, 2);
  let severity: Severity = levels.every((l) => HIGH_SEVERITY_LEVELS.has(l)) ? SEVERITY.CRITICAL : SEVERITY.WARNING;
  if (reader.has('severity')) {
    if (isOneOf(SEVERITY, s.severity)) severity = s.severity;
    else reader.fail('severity', `must be one of ${SEVERITIES.join(', ')}`);
  }
  const source = reader.text('source', 1000);
  const pattern = reader.text('pattern', 1000);
  if (pattern !== null) checkPattern(reader, pattern);
  const groupBy = parseGroupBy(reader, s.groupBy, newTemplate ? ['template'] : []);
  if (newTemplate && !groupBy.includes('template'))
    reader.fail('groupBy', 'must include template for type: new-template (each new template is its own incident)');
  const maxKeys = reader.integer('maxKeys', ALERT_DEFAULTS.rule.maxKeys, 1);
  const unseenForMs = reader.duration('unseenFor', ALERT_DEFAULT_MS.unseenFor, MIN_WINDOW_MS, 366 * 24 * 3_600_000);
  const learningPeriodMs = reader.duration('learningPeriod', ALERT_DEFAULT_MS.learningPeriod, 0, 366 * 24 * 3_600_000, true);
  const timeoutMs = reader.duration('timeout', ALERT_DEFAULT_MS.ruleTimeout, MIN_TIMEOUT_MS, MAX_TIMEOUT_MS);
  return {
    name,
    description: reader.text('description', 2000),
    levels,
    threshold,
    clearBelow,
    windowMs,
    forMs,
    keepFiringForMs,
    repeatIntervalMs,
    maxNotificationsPerHour,
    severity,
    source,
    sourceLike: source === null ? null : globToLike(source),
    pattern,
    type,
    groupBy,
    maxKeys,
    unseenForMs,
    learningPeriodMs,
    timeoutMs,
  };
}

/**
 * Validate a parsed rule list (an array, or `{ rules: [...] }`). Every
 * problem throws a ConfigError naming the rule and the field; nothing is
 * silently defaulted except the optional fields documented in docs/alerting.md.
 *
 * @example
 *   parseAlertRules([{ name: 'db-errors', levels: ['ERROR'], threshold: 10, window: '10m', pattern: 'database' }]);
 */
export function parseAlertRules(input: unknown, options: ParseRulesOptions = {}): AlertRule[] {
  const list = Array.isArray(input) ? input : (input as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(list)) throw new ConfigError('ALERT_RULES must be a list of rules (or an object with a "rules" list)');
  if (list.length === 0) throw new ConfigError('ALERT_RULES lists no rules: unset it to use the default rules');
  const rules = list.map((spec, i) => parseRule(spec, i, options));
  const seen = new Set<string>();
  for (const rule of rules) {
    if (seen.has(rule.name)) throw new ConfigError(`ALERT_RULES: rule "${rule.name}": name is used by more than one rule`, { rule: rule.name, field: 'name' });
    seen.add(rule.name);
  }
  return rules;
}

export interface LoadRulesDeps {
  readFile?: (file: string) => string;
  cwd?: string;
}

/**
 * The parsed ALERT_RULES value: inline JSON (starting with `[` or `{`), a
 * path to a .json/.yaml/.yml file, or null when unset. It holds the rules
 * (a list, or `{ rules: [...] }`) and may hold a `health:` section
 * (`{ rules: [...], health: {...} }`, see health-rules.ts).
 *
 * @example
 *   const doc = readRulesDocument(process.env.ALERT_RULES);
 */
export function readRulesDocument(value: string | undefined, deps: LoadRulesDeps = {}): unknown {
  const text = value?.trim() ?? '';
  if (text === '') return null;
  if (text.startsWith('[') || text.startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`ALERT_RULES is not valid JSON: ${(err as Error).message}`, {}, { cause: err });
    }
  }
  const file = path.resolve(deps.cwd ?? process.cwd(), text);
  let content: string;
  try {
    content = (deps.readFile ?? ((f: string) => fs.readFileSync(f, 'utf8')))(file);
  } catch (err) {
    throw new ConfigError(
      `ALERT_RULES file ${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      { file },
      { cause: err },
    );
  }
  try {
    return /\.json$/i.test(file) ? JSON.parse(content) : YAML.parse(content);
  } catch (err) {
    throw new ConfigError(`ALERT_RULES file ${file} cannot be parsed: ${(err as Error).message}`, { file }, { cause: err });
  }
}

/** The sections of an ALERT_RULES document given as an object (health-rules.ts, mute-windows.ts, channel-config.ts). */
export const RULES_DOCUMENT_SECTIONS = ['rules', 'health', 'muteWindows', 'channels'] as const;

/**
 * The threshold rules of a parsed ALERT_RULES document: its list, or the
 * default rules when it is unset or has only other sections (`health:`,
 * `muteWindows:`, `channels:`). A section of another name is an error (a typo would
 * silently drop it).
 */
export function rulesOfDocument(doc: unknown, options: ParseRulesOptions = {}): AlertRule[] {
  if (doc === null || doc === undefined) return parseAlertRules(DEFAULT_RULES_SPEC, options);
  if (typeof doc === 'object' && !Array.isArray(doc)) {
    for (const section of Object.keys(doc))
      if (!(RULES_DOCUMENT_SECTIONS as readonly string[]).includes(section))
        throw new ConfigError(`ALERT_RULES: "${section}" is not a known section (known: ${RULES_DOCUMENT_SECTIONS.join(', ')})`, { section });
    if (!('rules' in doc)) return parseAlertRules(DEFAULT_RULES_SPEC, options);
  }
  return parseAlertRules(doc, options);
}

/**
 * Rules from the ALERT_RULES value: inline JSON (starting with `[` or `{`),
 * a path to a .json/.yaml/.yml file, or the default rules when unset.
 *
 * @example
 *   const rules = loadAlertRules(process.env.ALERT_RULES, { ingestedLevels: ['ERROR', 'FATAL'] });
 */
export function loadAlertRules(value: string | undefined, options: ParseRulesOptions = {}, deps: LoadRulesDeps = {}): AlertRule[] {
  return rulesOfDocument(readRulesDocument(value, deps), options);
}
