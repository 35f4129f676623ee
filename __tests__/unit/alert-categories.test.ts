// Each category the alert job persists is an `as const` object in
// lib/alert/categories.ts and a CHECK constraint in sql/migrations: the two
// lists must be the same, read from the SQL text.
import fs from 'node:fs';
import path from 'node:path';
import { ALERT_STATE, NOTIFICATION_KIND, NOTIFIED_STATE, SEVERITY, SUPPRESSION } from '../../lib/alert/categories';
import { formatHealthNotification } from '../../lib/alert/health-notification';
import { DEFAULT_HEALTH_RULES } from '../../lib/alert/health-rules';
import { formatNotification } from '../../lib/alert/notification';
import { parseAlertRules } from '../../lib/alert/rules';

const MIGRATIONS = path.resolve(__dirname, '../../sql/migrations');

/**
 * Every `CHECK (<expression> IN ('a', …))` of the migrations, by
 * `table.expression` (whitespace removed), in migration order: a later
 * migration's list replaces an earlier one's.
 */
function checkLists(): Map<string, string[]> {
  const lists = new Map<string, string[]>();
  const files = fs
    .readdirSync(MIGRATIONS)
    .filter((f) => /^\d+_[\w-]+\.sql$/.test(f))
    .sort();
  for (const file of files) {
    const sql = fs.readFileSync(path.join(MIGRATIONS, file), 'utf8').replace(/--[^\n]*/g, '');
    for (const statement of sql.split(';')) {
      const table = /\b(?:CREATE|ALTER)\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)/i.exec(statement)?.[1];
      if (!table) continue;
      for (const [, expression, list] of statement.matchAll(/CHECK\s*\(\s*(.+?)\s+IN\s*\(([^)]*)\)\s*\)/gi)) {
        lists.set(
          `${table}.${expression!.replace(/\s+/g, '')}`,
          [...list!.matchAll(/'([^']*)'/g)].map((v) => v[1]!),
        );
      }
    }
  }
  return lists;
}

const PERSISTED: [string, Record<string, string>][] = [
  ['alert_state.state', ALERT_STATE],
  ["alert_state.rule->>'severity'", SEVERITY],
  ['alert_outbox.kind', NOTIFICATION_KIND],
  ["alert_outbox.attributes->>'severity'", SEVERITY],
  ["alert_outbox.attributes->>'state'", NOTIFIED_STATE],
  ['alert_outbox.suppressed', SUPPRESSION],
];

describe('Persisted categories of the alert job', () => {
  const lists = checkLists();

  it.each(PERSISTED)('%s: the CHECK constraint lists exactly the values of its as-const object', (key, category) => {
    expect(lists.get(key)).toEqual(Object.values(category));
  });

  it('has an as-const object for every CHECK list on an alert table', () => {
    const alertChecks = [...lists.keys()].filter((k) => k.startsWith('alert_')).sort();

    expect(alertChecks).toEqual(PERSISTED.map(([key]) => key).sort());
  });

  it.each(Object.values(NOTIFICATION_KIND))('renders a %s notification with attributes the constraints accept', (kind) => {
    const [rule] = parseAlertRules([{ name: 'r', levels: ['ERROR'], threshold: 1, window: '1m' }]);
    const details = { count: 1, from: 0, to: 60_000, firstAt: null, lastAt: null, topMessages: [], samples: [] };

    const { attributes } = formatNotification({ kind, rule: rule!, now: 60_000, prefix: '[logmon]', details });

    expect(lists.get("alert_outbox.attributes->>'severity'")).toContain(attributes.severity);
    expect(lists.get("alert_outbox.attributes->>'state'")).toContain(attributes.state);
    expect(attributes.kind).toBe(kind);
  });

  it.each(['firing', 'reminder', 'resolved'] as const)('renders a %s health notification with attributes the constraints accept', (kind) => {
    const observation = { active: kind !== 'resolved', headline: 'x', lines: [], hint: '', where: [] };

    for (const rule of DEFAULT_HEALTH_RULES) {
      const { attributes } = formatHealthNotification({ kind, rule, observation, now: 60_000, prefix: '[logmon]' });

      expect(lists.get("alert_outbox.attributes->>'severity'")).toContain(attributes.severity);
      expect(lists.get("alert_outbox.attributes->>'state'")).toContain(attributes.state);
      // 009_health.sql: kind=health only on rows of a health: rule
      expect({ kind: attributes.kind, rule: attributes.rule.startsWith('health:') }).toEqual({ kind: 'health', rule: true });
    }
  });
});
