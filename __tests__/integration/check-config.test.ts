// npm run check-config: the configuration checked before a deploy exactly as
// the functions check it at start-up, plus each rule pattern by PostgreSQL
// itself (issue 13, safe rules). Run as a user runs it: npm, a real database.
import fs from 'node:fs';
import path from 'node:path';
import { readAlertConfig } from '../../lib/alert/config';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { makeTempDir } from '../support/files';
import { npmRun } from '../support/npm-run';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:logmon-alerts';

const checkConfig = (vars: Record<string, string>) => npmRun(['check-config'], { ALERT_TOPIC_ARN: TOPIC, ...vars });

describe('Command: npm run check-config', () => {
  let db: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  beforeEach(() => {
    dir = makeTempDir('logmon-check-');
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 and lists what the functions will read, patterns accepted by PostgreSQL', async () => {
    // Prepare
    const rules = [
      { name: 'db-errors', minLevel: 'ERROR', threshold: 5, window: '5m', pattern: '(?i)database|timeout', groupBy: ['source'] },
      { name: 'new-errors', type: 'new-template' },
    ];

    // Act
    const run = await checkConfig({ DATABASE_URL: db.url, LOG_FILES: path.join(dir, '*.log'), ALERT_RULES: JSON.stringify(rules) });

    // Assess
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toContain('ok  alert: 2 rules: db-errors [per service+host+file], new-errors [per template] (new-template)');
    expect(run.stdout).toContain('ok  1 pattern(s) accepted by PostgreSQL');
  });

  it('exits 1 on a pattern only PostgreSQL refuses, naming the rule, which start-up (JavaScript) lets through', async () => {
    // Prepare
    const env = {
      ALERT_TOPIC_ARN: TOPIC,
      ALERT_RULES: JSON.stringify([{ name: 'checkout', threshold: 1, window: '1m', pattern: '(?<svc>checkout|cart) failed' }]),
    };
    expect(() => readAlertConfig(env)).not.toThrow();

    // Act
    const run = await checkConfig({ DATABASE_URL: db.url, LOG_FILES: path.join(dir, '*.log'), ALERT_RULES: env.ALERT_RULES });

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/PROBLEM {2}ALERT_RULES: rule "checkout": pattern is not a valid PostgreSQL regular expression: invalid regular expression/);
  });

  it("exits 1 when rules written inline would put the alert function's environment over Lambda's 4 KB, naming the variable and the fix", async () => {
    // Prepare: 60 rules inline in ALERT_RULES (what fails only at deploy otherwise)
    const rules = Array.from({ length: 60 }, (_, i) => ({ name: `rule-${i}`, minLevel: 'ERROR', threshold: 5, window: '5m', pattern: `payment service ${i}` }));

    // Act
    const inline = await checkConfig({ DATABASE_URL: db.url, LOG_FILES: path.join(dir, '*.log'), ALERT_RULES: JSON.stringify(rules) });
    const rulesFile = path.join(dir, 'rules.json');
    fs.writeFileSync(rulesFile, JSON.stringify(rules));
    const fromFile = await checkConfig({ DATABASE_URL: db.url, LOG_FILES: path.join(dir, '*.log'), ALERT_RULES: rulesFile });

    // Assess
    expect(inline.code).toBe(1);
    // every function is given ALERT_RULES (provider.environment)
    for (const fn of ['ingest', 'alert', 'retention']) {
      expect(inline.stdout).toMatch(
        new RegExp(
          `PROBLEM {2}environment: ${fn} would take [\\d,]+ bytes, over Lambda's 4,096: Lambda refuses to deploy it \\(largest: ALERT_RULES [\\d,]+ bytes`,
        ),
      );
    }
    expect(inline.stdout).toContain('Put the rules in a file (ALERT_RULES=path/to/rules.yml)');
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toMatch(/ok {2}environment: alert [\d,]+ of Lambda's 4,096 bytes/);
  });

  it('exits 1 with the words the function would stop with at start-up', async () => {
    // Prepare
    const env = { ALERT_TOPIC_ARN: TOPIC, ALERT_RULES: JSON.stringify([{ name: 'checkout errors', threshold: 5, window: '5 minutes' }]) };
    let startUp = '';
    try {
      readAlertConfig(env);
    } catch (err) {
      startUp = (err as Error).message;
    }

    // Act
    const run = await checkConfig({ DATABASE_URL: db.url, LOG_FILES: path.join(dir, '*.log'), ALERT_RULES: env.ALERT_RULES, LOG_TIMEZONE: 'Mars/Olympus' });

    // Assess
    expect(run.code).toBe(1);
    expect(startUp).toContain('window must be a duration');
    expect(run.stdout).toContain(`PROBLEM  ${startUp}`);
    expect(run.stdout).toMatch(/PROBLEM {2}LOG_TIMEZONE/);
  });

  it.each([
    ['an unknown time zone', { timeZone: 'Mars/Olympus' }, 'timeZone must be an IANA time zone name'],
    ['an unknown day', { days: ['sonday'] }, 'days contains "sonday"'],
    ['a time that is none', { from: '2am' }, 'from must be a time of day "HH:MM"'],
    ['a rule glob that matches no rule', { rules: 'error-brust' }, 'rules matches no rule, got "error-brust"'],
  ])('exits 1 on a mute window with %s, in the words the function would stop with at start-up', async (_, spec, words) => {
    // Prepare
    const ALERT_RULES = JSON.stringify({
      muteWindows: [{ name: 'db-maintenance', days: ['sun'], from: '02:00', to: '04:00', timeZone: 'Europe/Berlin', ...spec }],
    });
    let startUp = '';
    try {
      readAlertConfig({ ALERT_TOPIC_ARN: TOPIC, ALERT_RULES });
    } catch (err) {
      startUp = (err as Error).message;
    }

    // Act
    const run = await checkConfig({ DATABASE_URL: db.url, LOG_FILES: path.join(dir, '*.log'), ALERT_RULES });

    // Assess
    expect(run.code).toBe(1);
    expect(startUp).toMatch(/^ALERT_RULES: mute window "db-maintenance": /);
    expect(startUp).toContain(words);
    expect(run.stdout).toContain(`PROBLEM  ${startUp}\n`);
  });

  it('lists the mute windows it read', async () => {
    // Prepare
    const ALERT_RULES = JSON.stringify({
      muteWindows: [{ name: 'db-maintenance', rules: 'error-burst', days: ['sun'], from: '02:00', to: '04:00', timeZone: 'Europe/Berlin' }],
    });

    // Act
    const run = await checkConfig({ DATABASE_URL: db.url, LOG_FILES: path.join(dir, '*.log'), ALERT_RULES });

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ok  alert: 1 mute window: db-maintenance (error-burst, sun 02:00-04:00 Europe/Berlin)\n');
  });
  it('exits 1 on a channel whose secret variable is unset, in the words of start-up, and lists the channels it read otherwise', async () => {
    // Prepare
    const rules = JSON.stringify({
      channels: [
        { name: 'sns', type: 'sns' },
        { name: 'pager', type: 'pagerduty', routingKeyFrom: 'TEST_PD_KEY', match: { severity: ['critical'] } },
      ],
    });
    let startUp = '';
    try {
      readAlertConfig({ ALERT_TOPIC_ARN: TOPIC, ALERT_RULES: rules });
    } catch (err) {
      startUp = (err as Error).message;
    }

    // Act
    const failing = await checkConfig({ LOG_FILES: path.join(dir, '*.log'), ALERT_RULES: rules });
    const passing = await checkConfig({ LOG_FILES: path.join(dir, '*.log'), ALERT_RULES: rules, TEST_PD_KEY: 'abc123' });

    // Assess
    expect(startUp).toBe('ALERT_RULES: channel "pager": routingKeyFrom names TEST_PD_KEY, which is not set (or blank)');
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain(`PROBLEM  ${startUp}\n`);
    expect(passing.code).toBe(0);
    expect(passing.stdout).toContain('ok  alert: 2 channels: sns (sns, everything), pager (pagerduty, severity=critical)\n');
    expect(passing.stdout).not.toContain('abc123');
  });
});
