import { readAlertConfig } from '../../lib/alert/config';
import { formatHealthNotification } from '../../lib/alert/health-notification';
import { DEFAULT_HEALTH_RULES, HEALTH_CHECKS, HEALTH_DEFAULTS, parseHealthRules } from '../../lib/alert/health-rules';
import type { HealthRule } from '../../lib/alert/health-rules';
import { formatNotification } from '../../lib/alert/notification';
import { parseAlertRules } from '../../lib/alert/rules';
import { ConfigError } from '../../lib/platform/errors';
import { codeSpans, markdownTable, readDoc } from '../support/markdown';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-alerts';
const ALERTING = readDoc('docs/alerting.md');

function rule(check: string): HealthRule {
  const found = DEFAULT_HEALTH_RULES.find((r) => r.check === check);
  if (!found) throw new Error(`no default health rule ${check}`);
  return found;
}

/** An SNS filter policy of exact string matches (what docs/alerting.md uses): every key must list the attribute's value. */
function matchesPolicy(policy: Record<string, string[]>, attributes: Record<string, string>): boolean {
  return Object.entries(policy).every(([key, values]) => attributes[key] !== undefined && values.includes(attributes[key]!));
}

describe('Function: parseHealthRules', () => {
  it('turns every check on with its defaults when nothing configures them', () => {
    // Act
    const rules = parseHealthRules(undefined);

    // Assess
    expect(rules.map((r) => r.name)).toEqual(HEALTH_CHECKS.map((c) => `health:${c}`));
    expect(rule('ingest-not-running')).toMatchObject({ severity: 'critical', afterMs: 5 * 60_000, repeatIntervalMs: 3_600_000, maxNotificationsPerHour: 6 });
    expect(rule('source-missing')).toMatchObject({ severity: 'critical' });
    expect(rule('not-understood')).toMatchObject({ severity: 'warning', share: 0.5, minLines: 10, afterMs: 15 * 60_000 });
    expect(rule('outbox-not-draining')).toMatchObject({ severity: 'warning', afterMs: 10 * 60_000 });
  });

  it('turns a check off with false or enabled: false, and changes only the fields given', () => {
    // Act
    const rules = parseHealthRules({
      'loss-recorded': false,
      'source-silent': { enabled: false },
      'ingest-not-running': { after: '10m', severity: 'warning' },
    });

    // Assess
    expect(rules.map((r) => r.check)).toEqual([
      'ingest-not-running',
      'source-missing',
      'not-understood',
      'outbox-not-draining',
      'rule-failing',
      'alert-behind',
      'channel-failing',
      'partition-missing',
    ]);
    expect(rules[0]).toMatchObject({ afterMs: 10 * 60_000, severity: 'warning' });
  });

  it.each<[string, unknown, string]>([
    ['an unknown check', { 'ingest-stopped': false }, 'health.ingest-stopped is not a health check'],
    ['an unknown field', { 'source-missing': { after: '5m' } }, 'health.source-missing.after is not a known field'],
    ['a share of 1 or more', { 'not-understood': { share: 50 } }, 'health.not-understood.share must be a number from 0 to below 1'],
    ['a bad duration', { 'ingest-not-running': { after: '5 minutes' } }, 'health.ingest-not-running.after must be a duration'],
    ['a severity that does not exist', { 'source-missing': { severity: 'page' } }, 'health.source-missing.severity must be one of'],
    ['a list', [], 'health must be an object of checks'],
  ])('throws a ConfigError naming the check and field for %s', (_, section, message) => {
    expect(() => parseHealthRules(section)).toThrow(ConfigError);
    expect(() => parseHealthRules(section)).toThrow(message);
  });
});

describe('Function: parseAlertRules › reserved names', () => {
  it('rejects a threshold rule named like a health rule', () => {
    expect(() => parseAlertRules([{ name: 'health:ingest-not-running', threshold: 1, window: '1m' }])).toThrow('must not start with "health:"');
  });
});

describe('Function: readAlertConfig › health', () => {
  it('reads the health section of inline ALERT_RULES and keeps the default rules when it has no rules', () => {
    // Act
    const config = readAlertConfig({ ALERT_TOPIC_ARN: TOPIC, ALERT_RULES: '{"health": {"ingest-not-running": {"after": "15m"}, "loss-recorded": false}}' });

    // Assess
    expect(config.rules.map((r) => r.name)).toEqual(['error-burst', 'any-fatal']);
    expect(config.health.map((r) => r.check)).not.toContain('loss-recorded');
    expect(config.health.find((r) => r.check === 'ingest-not-running')?.afterMs).toBe(15 * 60_000);
  });

  it('evaluates every health check when ALERT_RULES is unset', () => {
    expect(readAlertConfig({ ALERT_TOPIC_ARN: TOPIC }).health).toEqual(DEFAULT_HEALTH_RULES);
  });
});

describe('Function: formatHealthNotification', () => {
  const observation = { active: true, headline: 'no ingest run for 7m (limit 5m)', lines: ['Last run:   x'], hint: 'Look at ingest.', where: [] };

  it('carries kind=health, the rule, its severity and the state', () => {
    // Act
    const n = formatHealthNotification({ kind: 'reminder', rule: rule('ingest-not-running'), observation, now: 600_000, prefix: '[logmon]', firingSince: 0 });

    // Assess
    expect(n.kind).toBe('reminder');
    expect(n.attributes).toEqual({ kind: 'health', rule: 'health:ingest-not-running', severity: 'critical', state: 'firing' });
    expect(n.subject).toBe('[logmon] STILL FIRING health:ingest-not-running: no ingest run for 7m (limit 5m), for 10m');
    expect(n.body).toContain('What to do: Look at ingest.');
  });
});

describe('docs/alerting.md › health rules', () => {
  it('documents every check with its default severity', () => {
    const rows = markdownTable(ALERTING, '## Health rules', 'Check');

    expect(rows.map((r) => codeSpans(r.check ?? '')[0])).toEqual([...HEALTH_CHECKS]);
    for (const row of rows) expect(row.severity).toBe(`\`${HEALTH_DEFAULTS[codeSpans(row.check ?? '')[0] as keyof typeof HEALTH_DEFAULTS].severity}\``);
  });

  it('documents a pager filter policy that takes critical health checks and late critical entries, and not warnings', () => {
    // Prepare
    const policyLine = ALERTING.split('\n').find((l) => l.startsWith('{ "severity": ["critical"], "kind":'));
    const policy = JSON.parse(policyLine ?? '{}') as Record<string, string[]>;
    const [fatal] = parseAlertRules([{ name: 'any-fatal', levels: ['FATAL'], threshold: 1, window: '1m' }]);
    const details = { count: 1, from: 0, to: 60_000, firstAt: null, lastAt: null, topMessages: [], samples: [] };
    const observation = { active: true, headline: 'x', lines: [], hint: '', where: [] };
    const health = (check: string): Record<string, string> =>
      formatHealthNotification({ kind: 'firing', rule: rule(check), observation, now: 0, prefix: '' }).attributes as unknown as Record<string, string>;
    const threshold = (kind: 'firing' | 'late' | 'resolved'): Record<string, string> =>
      formatNotification({ kind, rule: fatal!, now: 60_000, prefix: '', details }).attributes as unknown as Record<string, string>;

    // Assess
    expect(matchesPolicy(policy, health('ingest-not-running'))).toBe(true);
    expect(matchesPolicy(policy, health('source-missing'))).toBe(true);
    expect(matchesPolicy(policy, threshold('late'))).toBe(true);
    expect(matchesPolicy(policy, threshold('firing'))).toBe(true);
    expect(matchesPolicy(policy, health('not-understood'))).toBe(false);
  });
});
