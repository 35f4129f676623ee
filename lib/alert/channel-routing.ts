import type { ChannelMatch, RouteField } from './channel-config';
import { HEALTH_RULE_PREFIX } from './health-rules';

// Which channels take a notification: each channel's `match`, as an SNS
// filter policy (every field given must match one of its values). Decided
// once per outbox row, when a publisher first sees it (alert_deliveries).

/** What routing reads of an outbox row. */
export interface RoutableRow {
  ruleName: string;
  /** Message attributes: severity, rule, state, kind, service, host; `channel` on health:channel-failing. */
  attributes: Record<string, string>;
  /** The key's labels (service, host, file, template, level); {} for a rule without groupBy. */
  labels: Record<string, string>;
}

/** The health rule naming failing channels: its notifications never go to them. */
export const CHANNEL_FAILING_RULE = `${HEALTH_RULE_PREFIX}channel-failing`;

function globMatches(glob: string, value: string): boolean {
  const pattern = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${pattern}$`, 's').test(value);
}

function routeValue(row: RoutableRow, field: RouteField): string | undefined {
  switch (field) {
    case 'rule':
      return row.ruleName;
    case 'severity':
    case 'kind':
    case 'state':
      return row.attributes[field];
    default:
      return row.labels[field] ?? row.attributes[field];
  }
}

/**
 * Whether `row` passes `match`: each field given has the row's value among
 * its values (`rule` and `file` values may be globs, `*` and `?`); a row
 * without that attribute or label does not pass. {} passes every row.
 *
 * @example
 *   matchesRoute({ severity: ['critical'], kind: ['firing', 'resolved'] }, row);
 */
export function matchesRoute(match: ChannelMatch, row: RoutableRow): boolean {
  for (const [field, values] of Object.entries(match) as [RouteField, string[]][]) {
    const value = routeValue(row, field);
    if (value === undefined || value === '') return false;
    const glob = field === 'rule' || field === 'file';
    if (!values.some((v) => (glob ? globMatches(v, value) : v === value))) return false;
  }
  return true;
}

/**
 * The names of the channels `row` goes to, in configuration order: those
 * whose match it passes, less, for health:channel-failing, the channels it
 * names as failing (its `channel` attribute), so the news reaches people
 * through the channels that still work. [] when none takes it.
 *
 * @example
 *   routeOf(row, config.channels); // ['sns', 'pager']
 */
export function routeOf(row: RoutableRow, channels: readonly { name: string; match: ChannelMatch }[]): string[] {
  const failing = row.ruleName === CHANNEL_FAILING_RULE ? (row.attributes.channel ?? '').split(',').filter((c) => c !== '') : [];
  return channels.filter((c) => !failing.includes(c.name) && matchesRoute(c.match, row)).map((c) => c.name);
}
