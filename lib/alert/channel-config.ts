import fs from 'node:fs';
import { parseDuration } from '../platform/duration';
import { ConfigError } from '../platform/errors';
import type { Env } from '../platform/env';
import { HEALTH_MESSAGE_KIND, NOTIFICATION_KIND, NOTIFIED_STATE, SEVERITY } from './categories';
import { ALERT_DEFAULTS } from './defaults';

// The `channels:` section of ALERT_RULES (issue 19): where notifications go.
// Without it, the SNS topic alone, as before. Each channel has a name (its
// delivery state is kept under it, alert_deliveries.channel), a type, a
// `match` (which notifications it takes, like an SNS filter policy) and its
// own fields. Secrets are never written in the document: a field `…From`
// names the environment variable that holds the value (urlFrom:
// SMTP_ALERTS_URL), read at start-up; messages name the variable, never its value.

/** The kinds of channel. */
export const CHANNEL_TYPE = { SNS: 'sns', SMTP: 'smtp', WEBHOOK: 'webhook', SLACK: 'slack', PAGERDUTY: 'pagerduty' } as const;
export type ChannelType = (typeof CHANNEL_TYPE)[keyof typeof CHANNEL_TYPE];

/** What a channel's `match` may test: message attributes (severity, kind, state, rule) and the key's labels. */
export const ROUTE_FIELDS = ['severity', 'kind', 'state', 'rule', 'service', 'host', 'file', 'template', 'level'] as const;
export type RouteField = (typeof ROUTE_FIELDS)[number];
/** Every field given must match (one of its values); fields not given match anything. `rule` and `file` values may be globs. */
export type ChannelMatch = Partial<Record<RouteField, string[]>>;

/** SMTP `tls`: `required` (smtps:// from the first byte, or STARTTLS before anything is sent) or `none` (a local catcher only). */
export const SMTP_TLS = { REQUIRED: 'required', NONE: 'none' } as const;
export type SmtpTls = (typeof SMTP_TLS)[keyof typeof SMTP_TLS];

/** The Events API v2 endpoint a `pagerduty` channel posts to unless its `url` says otherwise. */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
/** Time limit of one request of a channel other than SNS (SNS has ALERT_SNS_TIMEOUT_MS). */
export const DEFAULT_CHANNEL_TIMEOUT = '10s';

interface ChannelBase {
  name: string;
  match: ChannelMatch;
  /** Time limit of one request (connection and answer). */
  timeoutMs: number;
}
export interface SnsChannelConfig extends ChannelBase {
  type: typeof CHANNEL_TYPE.SNS;
}
export interface SmtpChannelConfig extends ChannelBase {
  type: typeof CHANNEL_TYPE.SMTP;
  /** smtp:// or smtps:// with credentials, from the variable `urlFrom` names. */
  url: string;
  urlFrom: string;
  from: string;
  to: string[];
  tls: SmtpTls;
  /** PEM certificates trusted besides the system's (a private CA), read at start-up. */
  ca: string | null;
}
export interface WebhookChannelConfig extends ChannelBase {
  type: typeof CHANNEL_TYPE.WEBHOOK;
  url: string;
  /** The HMAC-SHA256 key of X-Logmon-Signature, from the variable `secretFrom` names. */
  secret: string;
  secretFrom: string;
}
export interface SlackChannelConfig extends ChannelBase {
  type: typeof CHANNEL_TYPE.SLACK;
  /** The incoming webhook's URL (it is the secret). */
  url: string;
}
export interface PagerDutyChannelConfig extends ChannelBase {
  type: typeof CHANNEL_TYPE.PAGERDUTY;
  url: string;
  /** The integration's routing key, from the variable `routingKeyFrom` names. */
  routingKey: string;
}
export type ChannelConfig = SnsChannelConfig | SmtpChannelConfig | WebhookChannelConfig | SlackChannelConfig | PagerDutyChannelConfig;

const COMMON_FIELDS = ['name', 'type', 'match'] as const;
const FIELDS: Record<ChannelType, readonly string[]> = {
  sns: COMMON_FIELDS,
  smtp: [...COMMON_FIELDS, 'timeout', 'urlFrom', 'from', 'to', 'tls', 'caFile'],
  webhook: [...COMMON_FIELDS, 'timeout', 'url', 'urlFrom', 'secretFrom'],
  slack: [...COMMON_FIELDS, 'timeout', 'urlFrom'],
  pagerduty: [...COMMON_FIELDS, 'timeout', 'routingKeyFrom', 'url'],
};
/** Channel names are kept in alert_deliveries and shown in logs: short, plain. */
const NAME = /^[a-z][a-z0-9_-]{0,62}$/;
const VARIABLE = /^[A-Z_][A-Z0-9_]*$/;
const ADDRESS = /^[^@\s<>]+@[^@\s<>]+$/;
const MATCH_VALUES: Partial<Record<RouteField, readonly string[]>> = {
  severity: Object.values(SEVERITY),
  kind: [...Object.values(NOTIFICATION_KIND), HEALTH_MESSAGE_KIND],
  state: Object.values(NOTIFIED_STATE),
};

type Spec = Record<string, unknown>;

/** Reads one channel's fields, naming the channel and the field in every error. */
class ChannelReader {
  public constructor(
    private readonly spec: Spec,
    private readonly label: string,
    private readonly env: Env,
  ) {}

  public fail(field: string, problem: string, show = true): never {
    const value = this.spec[field];
    const shown = !show ? '' : `, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`;
    throw new ConfigError(`ALERT_RULES: channel ${this.label}: ${field} ${problem}${shown}`, { channel: this.label.replace(/^"|"$/g, ''), field });
  }

  public text(field: string, required: boolean): string | null {
    const value = this.spec[field];
    if (value === undefined || value === null) return required ? this.fail(field, 'is required') : null;
    if (typeof value !== 'string' || value.trim() === '') this.fail(field, 'must be a non-empty string');
    return value.trim();
  }

  /** The value of the variable `field` names; its value is never shown. */
  public secret(field: string, required = true): { value: string; variable: string } | null {
    const variable = this.text(field, required);
    if (variable === null) return null;
    if (!VARIABLE.test(variable)) this.fail(field, 'must name an environment variable (such as SMTP_ALERTS_URL), not hold the value itself');
    const value = this.env[variable]?.trim() ?? '';
    if (value === '') this.fail(field, `names ${variable}, which is not set (or blank)`, false);
    return { value, variable };
  }

  public url(field: string, value: string, from: string | null, protocols: readonly string[]): string {
    let parsed: URL;
    const where = from === null ? '' : ` (the value of ${from})`;
    try {
      parsed = new URL(value);
    } catch {
      return this.fail(field, `must be a URL${where}`, from === null);
    }
    if (!protocols.includes(parsed.protocol)) this.fail(field, `must be a ${protocols.map((p) => `${p}//`).join(' or ')} URL${where}`, from === null);
    return value;
  }
}

function parseMatch(reader: ChannelReader, raw: unknown): ChannelMatch {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) reader.fail('match', `must be an object of ${ROUTE_FIELDS.join(', ')}, each with a list of values`);
  const match: ChannelMatch = {};
  for (const [field, given] of Object.entries(raw as Spec)) {
    if (!(ROUTE_FIELDS as readonly string[]).includes(field))
      reader.fail('match', `has "${field}", which is not a field it can match (known: ${ROUTE_FIELDS.join(', ')})`);
    const values = typeof given === 'string' ? [given] : given;
    if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'string' || v.trim() === ''))
      reader.fail('match', `.${field} must be a non-empty list of values`);
    const known = MATCH_VALUES[field as RouteField];
    for (const v of values as string[]) if (known && !known.includes(v.trim())) reader.fail('match', `.${field} has "${v}" (known: ${known.join(', ')})`);
    match[field as RouteField] = (values as string[]).map((v) => v.trim());
  }
  return match;
}

function parseTimeout(reader: ChannelReader, raw: unknown): number {
  const text = raw === undefined || raw === null ? DEFAULT_CHANNEL_TIMEOUT : raw;
  const ms = typeof text === 'string' ? parseDuration(text) : null;
  if (ms === null || ms < 100 || ms > 30_000) reader.fail('timeout', 'must be a duration from 100ms to 30s such as "10s"');
  return ms;
}

function parseRecipients(reader: ChannelReader, raw: unknown): string[] {
  const list = typeof raw === 'string' ? raw.split(',') : raw;
  if (!Array.isArray(list) || list.length === 0 || list.some((a) => typeof a !== 'string' || !ADDRESS.test(a.trim())))
    reader.fail('to', 'must be a list of e-mail addresses');
  return (list as string[]).map((a) => a.trim());
}

function parseChannel(spec: unknown, index: number, env: Env, snsTimeoutMs: number): ChannelConfig {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    throw new ConfigError(`ALERT_RULES: channel #${index + 1} must be an object`, { channel: `#${index + 1}` });
  const s = spec as Spec;
  const label = typeof s.name === 'string' && s.name.trim() !== '' ? JSON.stringify(s.name.trim()) : `#${index + 1}`;
  const reader = new ChannelReader(s, label, env);
  const name = reader.text('name', true)!;
  if (!NAME.test(name)) reader.fail('name', 'must be lower-case letters, digits, "-" or "_", starting with a letter, up to 63 characters');
  const type = reader.text('type', true)!;
  if (!(Object.values(CHANNEL_TYPE) as string[]).includes(type)) reader.fail('type', `must be one of ${Object.values(CHANNEL_TYPE).join(', ')}`);
  const fields = FIELDS[type as ChannelType];
  for (const field of Object.keys(s))
    if (!fields.includes(field)) reader.fail(field, `is not a known field of a ${type} channel (known: ${fields.join(', ')})`);
  const match = parseMatch(reader, s.match);
  const base = { name, match, timeoutMs: type === CHANNEL_TYPE.SNS ? snsTimeoutMs : parseTimeout(reader, s.timeout) };
  switch (type as ChannelType) {
    case 'sns':
      return { ...base, type: CHANNEL_TYPE.SNS };
    case 'smtp': {
      const url = reader.secret('urlFrom')!;
      const tls = reader.text('tls', false) ?? SMTP_TLS.REQUIRED;
      if (!(Object.values(SMTP_TLS) as string[]).includes(tls)) reader.fail('tls', `must be one of ${Object.values(SMTP_TLS).join(', ')}`);
      const caFile = reader.text('caFile', false);
      let ca: string | null = null;
      if (caFile !== null) {
        try {
          ca = fs.readFileSync(caFile, 'utf8');
        } catch (err) {
          reader.fail('caFile', `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
        }
      }
      const from = reader.text('from', true)!;
      if (!/@/.test(from)) reader.fail('from', 'must be an e-mail address, e.g. "logmon <logmon@example.com>"');
      return {
        ...base,
        type: CHANNEL_TYPE.SMTP,
        url: reader.url('urlFrom', url.value, url.variable, ['smtp:', 'smtps:']),
        urlFrom: url.variable,
        from,
        to: parseRecipients(reader, s.to),
        tls: tls as SmtpTls,
        ca,
      };
    }
    case 'webhook': {
      if ((s.url === undefined) === (s.urlFrom === undefined)) reader.fail('url', 'or urlFrom is required (one of them: urlFrom when the URL holds a token)');
      const from = reader.secret('urlFrom', false);
      const url =
        from === null
          ? reader.url('url', reader.text('url', true)!, null, ['http:', 'https:'])
          : reader.url('urlFrom', from.value, from.variable, ['http:', 'https:']);
      const secret = reader.secret('secretFrom')!;
      return { ...base, type: CHANNEL_TYPE.WEBHOOK, url, secret: secret.value, secretFrom: secret.variable };
    }
    case 'slack': {
      const from = reader.secret('urlFrom')!;
      return { ...base, type: CHANNEL_TYPE.SLACK, url: reader.url('urlFrom', from.value, from.variable, ['http:', 'https:']) };
    }
    case 'pagerduty': {
      const key = reader.secret('routingKeyFrom')!;
      const url = reader.url('url', reader.text('url', false) ?? PAGERDUTY_EVENTS_URL, null, ['http:', 'https:']);
      return { ...base, type: CHANNEL_TYPE.PAGERDUTY, url, routingKey: key.value };
    }
  }
}

/** The channel used when the document has no `channels:` section: the SNS topic, every notification. */
export function defaultChannels(snsTimeoutMs: number = ALERT_DEFAULTS.snsTimeoutMs): ChannelConfig[] {
  return [{ name: CHANNEL_TYPE.SNS, type: CHANNEL_TYPE.SNS, match: {}, timeoutMs: snsTimeoutMs }];
}

/**
 * The channels of the `channels:` section of a parsed ALERT_RULES document
 * (a list; the SNS topic alone when absent), each secret read from the
 * variable its `…From` field names in `env`. Every problem is a
 * ConfigError naming the channel and the field, never a secret's value.
 *
 * @example
 *   channelsOf({ channels: [{ name: 'oncall', type: 'slack', urlFrom: 'SLACK_WEBHOOK_URL', match: { severity: ['critical'] } }] }, process.env, 10_000);
 */
export function channelsOf(doc: unknown, env: Env, snsTimeoutMs: number): ChannelConfig[] {
  const section = typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? (doc as Spec).channels : undefined;
  if (section === undefined || section === null) return defaultChannels(snsTimeoutMs);
  if (!Array.isArray(section) || section.length === 0)
    throw new ConfigError('ALERT_RULES: channels must be a non-empty list of channels (leave it out for the SNS topic alone)', {});
  const channels = section.map((spec, i) => parseChannel(spec, i, env, snsTimeoutMs));
  const seen = new Set<string>();
  for (const c of channels) {
    if (seen.has(c.name)) throw new ConfigError(`ALERT_RULES: channel "${c.name}": name is used by more than one channel`, { channel: c.name, field: 'name' });
    seen.add(c.name);
  }
  if (channels.filter((c) => c.type === CHANNEL_TYPE.SNS).length > 1)
    throw new ConfigError('ALERT_RULES: channels: at most one sns channel (there is one topic, ALERT_TOPIC_ARN)', { field: 'type' });
  return channels;
}
