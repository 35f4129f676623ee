// The alert defaults are written once, in lib/alert/defaults.ts; the README
// and docs/alerting.md repeat them for readers. These tests fail when one of
// them says another value.
import fs from 'node:fs';
import path from 'node:path';
import { readAlertConfig } from '../../lib/alert/config';
import { ALERT_DEFAULTS } from '../../lib/alert/defaults';
import { parseAlertRules } from '../../lib/alert/rules';
import { createSnsClient } from '../../lib/alert/sns-client';
import { codeSpans, markdownTable, readDoc } from '../support/markdown';

const README = readDoc('README.md');
const ALERTING = readDoc('docs/alerting.md');
/** Every page that may mention an alert default in its prose. */
const PAGES = ['README.md', ...fs.readdirSync(path.join(__dirname, '../../docs')).map((f) => `docs/${f}`)].filter((f) => f.endsWith('.md'));
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-alerts';

/** Each variable and the default ALERT_DEFAULTS gives it. */
const VARIABLE_DEFAULTS: [string, string][] = [
  ['ALERT_SUBJECT_PREFIX', ALERT_DEFAULTS.subjectPrefix],
  ['ALERT_GRACE', ALERT_DEFAULTS.grace],
  ['ALERT_GROUP_WAIT', ALERT_DEFAULTS.groupWait],
  ['ALERT_LATE_HORIZON', ALERT_DEFAULTS.lateHorizon],
  ['ALERT_SNS_TIMEOUT_MS', String(ALERT_DEFAULTS.snsTimeoutMs)],
  ['AWS_MAX_ATTEMPTS', String(ALERT_DEFAULTS.snsMaxAttempts)],
];
/** Each optional rule field and its default. */
const FIELD_DEFAULTS: [string, string][] = [
  ['for', ALERT_DEFAULTS.rule.for],
  ['repeatInterval', ALERT_DEFAULTS.rule.repeatInterval],
  ['maxNotificationsPerHour', String(ALERT_DEFAULTS.rule.maxNotificationsPerHour)],
  ['timeout', ALERT_DEFAULTS.rule.timeout],
];

/** The default cell of `name`'s row, as its code spans joined (`3m`). */
function defaultCell(rows: Record<string, string>[], nameColumn: string, name: string): string {
  const row = rows.find((r) => codeSpans(r[nameColumn] ?? '').includes(name));
  if (!row) throw new Error(`no row for ${name}`);
  return codeSpans(row.default ?? '').join(',');
}

/** Every "`NAME` … default `value`" within one sentence of `text` (line breaks ignored; NAME may be part of a code span). */
function proseDefaults(text: string, name: string): string[] {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  const pattern = new RegExp(`\`[^\`]*\\b${name}\\b[^\`]*\`[^.\`]{0,60}?(?:\`[^\`]*\`[^.\`]{0,60}?)*?\\bdefault,? (?:\`([^\`]+)\`|(\\d+[a-z]*)\\b)`, 'g');
  return [...flat.matchAll(pattern)].map((m) => m[1] ?? m[2]!);
}

describe('ALERT_DEFAULTS', () => {
  it('is what the configuration, the rule parser and the SNS client use when nothing is set', async () => {
    // Act
    const config = readAlertConfig({ ALERT_TOPIC_ARN: TOPIC });
    const [rule] = parseAlertRules([{ name: 'x', levels: ['ERROR'], threshold: 2, window: '5m' }]);
    const sns = createSnsClient({ topicArn: TOPIC, timeoutMs: 1000 }, {});

    // Assess
    expect(config).toMatchObject({ subjectPrefix: ALERT_DEFAULTS.subjectPrefix, graceMs: 180_000, lateHorizonMs: 86_400_000, snsTimeoutMs: 10_000 });
    expect(rule).toMatchObject({ forMs: 0, repeatIntervalMs: 3_600_000, maxNotificationsPerHour: ALERT_DEFAULTS.rule.maxNotificationsPerHour });
    expect(await sns.config.maxAttempts()).toBe(ALERT_DEFAULTS.snsMaxAttempts);
    expect(config.rules.map((r) => r.name)).toEqual(ALERT_DEFAULTS.rules.map((r) => r.name));
    sns.destroy();
  });

  it.each(['', '   '])('treats a blank ALERT_SUBJECT_PREFIX (%p) as unset', (value) => {
    expect(readAlertConfig({ ALERT_TOPIC_ARN: TOPIC, ALERT_SUBJECT_PREFIX: value }).subjectPrefix).toBe(ALERT_DEFAULTS.subjectPrefix);
  });
});

describe('README and docs/alerting.md', () => {
  it.each(VARIABLE_DEFAULTS)('state the default of %s in the README Configuration table', (name, value) => {
    expect(defaultCell(markdownTable(README, '## Configuration', 'variable'), 'variable', name)).toBe(value);
  });

  it.each(VARIABLE_DEFAULTS)('state the default of %s in the Environment table of docs/alerting.md', (name, value) => {
    expect(defaultCell(markdownTable(ALERTING, '## Environment', 'variable'), 'variable', name)).toBe(value);
  });

  it.each([...VARIABLE_DEFAULTS, ...FIELD_DEFAULTS])('say the same default of %s wherever a page names one in its prose', (name, value) => {
    const said = PAGES.flatMap((page) => proseDefaults(readDoc(page), name).map((v) => ({ page, default: v })));

    expect(said.filter((s) => s.default !== value)).toEqual([]);
  });

  it.each(FIELD_DEFAULTS)('state the default of the rule field %s in the Rules table', (field, value) => {
    expect(defaultCell(markdownTable(ALERTING, '## Rules', 'field'), 'field', field)).toBe(value);
  });

  it('show the default rules as ALERT_DEFAULTS has them', () => {
    const block = /### Defaults[\s\S]*?```json\n([\s\S]*?)```/.exec(ALERTING)?.[1];

    expect(JSON.parse(block ?? 'null')).toEqual(ALERT_DEFAULTS.rules);
  });

  it('describe the default rules in the README as they are', () => {
    const rules = parseAlertRules(ALERT_DEFAULTS.rules);
    const described = rules.map(
      (r, i) =>
        `**\`${r.name}\`** — ${r.threshold} or more ${r.levels.join('/')} within \`${ALERT_DEFAULTS.rules[i]!.window}\`${r.groupBy.length > 0 ? ' in one file' : ''} (severity \`${r.severity}\`)`,
    );

    expect(README).toContain(`Default rules (when \`ALERT_RULES\` is unset): ${described.join('; ')}.`);
  });
});
