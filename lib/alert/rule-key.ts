import type { GroupDimension } from './rules';

/**
 * A rule's key: the values of its `groupBy` dimensions for one entry, in
 * the canonical order of GROUP_DIMENSIONS. Stored (alert_state.group_key,
 * alert_outbox.group_key) as PostgreSQL's json text of the array of values,
 * which is what `keyExpression` computes, so a key read back from the
 * database compares equal to one computed in SQL. A rule without groupBy
 * has the single key ''.
 */
export type RuleKey = string;

/** The key of a rule without groupBy. */
export const NO_KEY: RuleKey = '';

/** The key of a grouped rule that stands for the keys over its `maxKeys` (never a json array). */
export const KEY_LIMIT: RuleKey = '*key-limit*';

/** What each dimension is in SQL, over `log_entries e LEFT JOIN log_sources s`: written here only, never from configuration. */
const DIMENSION_SQL: Record<GroupDimension, string> = {
  service: 's.service',
  host: 's.host',
  file: 'coalesce(s.origin_path, s.path)',
  template: 'e.template_id::text',
  level: 'e.level',
};

/** The SQL expression of a rule's key (json text of an array). */
export function keyExpression(dims: readonly GroupDimension[]): string {
  return `json_build_array(${dims.map((d) => DIMENSION_SQL[d]).join(', ')})::text`;
}

/** The labels of a key: dimension → value (null when the entry had none, e.g. its file row is gone). */
export type KeyLabels = Partial<Record<GroupDimension, string | null>>;

/**
 * The labels of a key as stored. A key that is not a json array of as many
 * values as dimensions (the key-limit key) has none.
 *
 * @example
 *   keyLabels(['service', 'file'], '["api", "/var/log/api.log"]') // { service: 'api', file: '/var/log/api.log' }
 */
export function keyLabels(dims: readonly GroupDimension[], key: RuleKey): KeyLabels {
  if (key === NO_KEY || key === KEY_LIMIT) return {};
  let values: unknown;
  try {
    values = JSON.parse(key);
  } catch {
    return {};
  }
  if (!Array.isArray(values) || values.length !== dims.length) return {};
  const labels: KeyLabels = {};
  dims.forEach((d, i) => {
    const v = values[i];
    labels[d] = v === null || v === undefined ? null : String(v);
  });
  return labels;
}
