import { readAlertConfig } from '../alert/config';
import type { AlertConfig } from '../alert/config';
import type { ChannelConfig } from '../alert/channel-config';
import { scheduleText } from '../alert/mute-windows';
import { readIngestConfig } from '../ingest/config';
import type { IngestConfig } from '../ingest/config';
import { ConfigError, describeError } from '../platform/errors';
import { describeEnvironmentSize, environmentSizes } from './environment-size';
import type { FunctionVariables } from './environment-size';

type Env = Record<string, string | undefined>;

/** One part of the configuration, as the function that reads it reads it. */
export interface ConfigPartCheck {
  part: 'ingest' | 'alert' | 'environment';
  ok: boolean;
  /** What was read (ok) or the problem, in the words the function uses at start-up. */
  lines: string[];
}

/** Checks a rule's `pattern` with PostgreSQL itself: null when it is accepted, else the database's words. */
export type PatternCheck = (pattern: string) => Promise<string | null>;

export interface ConfigCheck {
  ok: boolean;
  parts: ConfigPartCheck[];
  /** Patterns PostgreSQL was asked about; null: no database to ask (JavaScript's check only). */
  patternsChecked: number | null;
}

function problem(err: unknown): string {
  return err instanceof ConfigError ? err.message : describeError(err);
}

function describeIngest(config: IngestConfig): string[] {
  const sources = config.sources ?? [];
  if (sources.length === 0) return [`ingest: LOG_FILES ${config.logFiles.join(', ')}`];
  return [`ingest: ${sources.length} source${sources.length === 1 ? '' : 's'} (${sources.map((s) => s.name).join(', ')})`];
}

/** A channel in one phrase: its name, type, routing and where its secrets come from (never their values). */
function describeChannel(c: ChannelConfig): string {
  const match = Object.entries(c.match).map(([field, values]) => `${field}=${values.join('|')}`);
  const from = c.type === 'smtp' ? ` from ${c.urlFrom}` : c.type === 'webhook' ? ` signed with ${c.secretFrom}` : '';
  return `${c.name} (${c.type}${from}${match.length > 0 ? `, ${match.join(' ')}` : ', everything'})`;
}

function describeAlert(config: AlertConfig): string[] {
  return [
    `alert: ${config.rules.length} rule${config.rules.length === 1 ? '' : 's'}: ${config.rules
      .map((r) => `${r.name}${r.groupBy.length > 0 ? ` [per ${r.groupBy.join('+')}]` : ''}${r.type === 'new-template' ? ' (new-template)' : ''}`)
      .join(', ')}`,
    `alert: ${config.health.length} health check${config.health.length === 1 ? '' : 's'}: ${config.health.map((h) => h.name).join(', ')}`,
    `alert: ${config.channels.length} channel${config.channels.length === 1 ? '' : 's'}: ${config.channels.map(describeChannel).join(', ')}`,
    ...(config.muteWindows.length > 0
      ? [
          `alert: ${config.muteWindows.length} mute window${config.muteWindows.length === 1 ? '' : 's'}: ${config.muteWindows
            .map((w) => `${w.name} (${w.ruleGlob}, ${scheduleText(w)})`)
            .join(', ')}`,
        ]
      : []),
  ];
}

/**
 * Check the configuration in `env` exactly as the functions read it at
 * start-up (readIngestConfig, readAlertConfig: same code, same words), then
 * each rule pattern with PostgreSQL when `checkPattern` is given.
 *
 * @example
 *   const result = await checkConfiguration(process.env, null);
 *   if (!result.ok) process.exit(1);
 */
export async function checkConfiguration(
  env: Env,
  checkPattern: PatternCheck | null,
  /** Each deployed function's variables (serverless.yml): their size against Lambda's 4 KB is checked too. */
  functions: readonly FunctionVariables[] = [],
): Promise<ConfigCheck> {
  const parts: ConfigPartCheck[] = [];
  try {
    parts.push({ part: 'ingest', ok: true, lines: describeIngest(readIngestConfig(env)) });
  } catch (err) {
    parts.push({ part: 'ingest', ok: false, lines: [problem(err)] });
  }
  let alert: AlertConfig | null = null;
  try {
    alert = readAlertConfig(env);
    parts.push({ part: 'alert', ok: true, lines: describeAlert(alert) });
  } catch (err) {
    parts.push({ part: 'alert', ok: false, lines: [problem(err)] });
  }
  let patternsChecked: number | null = null;
  if (alert !== null && checkPattern !== null) {
    patternsChecked = 0;
    const alertPart = parts.find((p) => p.part === 'alert')!;
    for (const rule of alert.rules) {
      if (rule.pattern === null) continue;
      patternsChecked += 1;
      const refused = await checkPattern(rule.pattern);
      if (refused !== null) {
        alertPart.ok = false;
        alertPart.lines.push(`ALERT_RULES: rule "${rule.name}": pattern is not a valid PostgreSQL regular expression: ${refused}`);
      }
    }
  }
  if (functions.length > 0) {
    const sizes = environmentSizes(env, functions).map(describeEnvironmentSize);
    parts.push({ part: 'environment', ok: sizes.every((s) => s.ok), lines: sizes.map((s) => s.line) });
  }
  return { ok: parts.every((p) => p.ok), parts, patternsChecked };
}
