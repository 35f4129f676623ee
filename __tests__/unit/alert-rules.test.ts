import { DEFAULT_RULES_SPEC, globToLike, loadAlertRules, parseAlertRules } from '../../lib/alert/rules';
import { readAlertConfig } from '../../lib/alert/config';
import { parseDuration, formatDuration } from '../../lib/platform/duration';
import { ConfigError } from '../../lib/platform/errors';

const valid = { name: 'db-errors', levels: ['ERROR'], threshold: 10, window: '10m' };

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('Function: parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['250ms', 250],
    ['0s', 0],
  ])('reads "%s" as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', 'm5', '5 minutes', '-5m', '1.5h', '5M'])('rejects "%s"', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe('Function: formatDuration', () => {
  it.each([
    [300_000, '5m'],
    [3_900_000, '1h 5m'],
    [90_061_000, '1d 1h'],
    [45_000, '45s'],
  ])('writes %d ms as "%s"', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('Function: globToLike', () => {
  it('turns * and ? into LIKE wildcards and escapes LIKE characters', () => {
    expect(globToLike('/var/log/app_1/*.log')).toBe('/var/log/app\\_1/%.log');
    expect(globToLike('a?b%c\\d')).toBe('a_b\\%c\\\\d');
  });
});

describe('Function: parseAlertRules', () => {
  it('fills the documented defaults of the optional fields', () => {
    // Act
    const [rule] = parseAlertRules([valid]);

    // Assess
    expect(rule).toEqual({
      name: 'db-errors',
      description: null,
      levels: ['ERROR'],
      threshold: 10,
      clearBelow: 10,
      windowMs: 600_000,
      forMs: 0,
      keepFiringForMs: 600_000,
      repeatIntervalMs: 3_600_000,
      maxNotificationsPerHour: 6,
      severity: 'warning',
      source: null,
      sourceLike: null,
      pattern: null,
      type: 'threshold',
      groupBy: [],
      maxKeys: 100,
      unseenForMs: 7 * 86_400_000,
      learningPeriodMs: 86_400_000,
      timeoutMs: 10_000,
    });
  });

  it('reads every field of a full rule', () => {
    const [rule] = parseAlertRules({
      rules: [
        {
          ...valid,
          levels: ['error', 'Fatal'],
          description: 'Call the DBA',
          for: '2m',
          clearBelow: 4,
          repeatInterval: '0s',
          maxNotificationsPerHour: 3,
          severity: 'critical',
          source: '/var/log/db/*.log',
          pattern: '(?i)deadlock|timeout',
          timeout: '2500ms',
        },
      ],
    });

    expect(rule).toMatchObject({
      levels: ['ERROR', 'FATAL'],
      description: 'Call the DBA',
      forMs: 120_000,
      clearBelow: 4,
      repeatIntervalMs: 0,
      maxNotificationsPerHour: 3,
      severity: 'critical',
      source: '/var/log/db/*.log',
      sourceLike: '/var/log/db/%.log',
      pattern: '(?i)deadlock|timeout',
      timeoutMs: 2500,
    });
  });

  it('makes a FATAL-only rule critical and others warnings by default', () => {
    const rules = parseAlertRules(DEFAULT_RULES_SPEC);

    expect(rules.map((r) => [r.name, r.threshold, r.windowMs, r.severity])).toEqual([
      ['error-burst', 5, 300_000, 'warning'],
      ['any-fatal', 1, 60_000, 'critical'],
    ]);
  });

  it.each([
    [{ ...valid, threshold: 0 }, 'threshold', /rule "db-errors": threshold must be an integer >= 1, got 0/],
    [{ ...valid, threshold: '5' }, 'threshold', /threshold must be an integer/],
    [{ ...valid, threshold: undefined }, 'threshold', /threshold is required/],
    [{ ...valid, window: '5' }, 'window', /rule "db-errors": window must be a duration/],
    [{ ...valid, window: '30s' }, 'window', /window must be between 1m and 24h/],
    [{ ...valid, levels: [] }, 'levels', /levels must be a non-empty list/],
    [{ ...valid, levels: ['OOPS'] }, 'levels', /unknown level "OOPS"/],
    [{ ...valid, clearBelow: 11 }, 'clearBelow', /clearBelow must be at most the threshold \(10\)/],
    [{ ...valid, repeatInterval: '10s' }, 'repeatInterval', /repeatInterval must be between 1m and 168h \(or "0s" for none\)/],
    [{ ...valid, maxNotificationsPerHour: 1 }, 'maxNotificationsPerHour', /must be an integer >= 2/],
    [{ ...valid, severity: 'page-me' }, 'severity', /severity must be one of critical, warning, info/],
    [{ ...valid, pattern: 'unclosed(' }, 'pattern', /pattern is not a valid regular expression/],
    [{ ...valid, treshold: 5 }, 'treshold', /treshold is not a known field/],
    [{ ...valid, timeout: '50ms' }, 'timeout', /rule "db-errors": timeout must be between 100ms and 50s, got "50ms"/],
    [{ ...valid, timeout: '1m' }, 'timeout', /timeout must be between 100ms and 50s/],
    [{ ...valid, timeout: 5 }, 'timeout', /timeout must be a duration such as/],
    [{ ...valid, name: 'a\nb' }, 'name', /name must not contain control characters/],
  ])('names the rule and the field in the error for %j', (spec, field, message) => {
    // Act
    const err = errorOf(() => parseAlertRules([spec]));

    // Assess
    expect(err.message).toMatch(message);
    expect(err.context).toMatchObject({ field });
  });

  it('names a rule without a name by its position', () => {
    const err = errorOf(() => parseAlertRules([valid, { levels: ['ERROR'], threshold: 1, window: '1m' }]));

    expect(err.message).toMatch(/rule #2: name is required/);
  });

  it('rejects two rules with the same name', () => {
    expect(() => parseAlertRules([valid, valid])).toThrow(/rule "db-errors": name is used by more than one rule/);
  });

  it('rejects an empty list instead of silently alerting on nothing', () => {
    expect(() => parseAlertRules([])).toThrow(/lists no rules/);
  });

  it('rejects a level that ingest does not store', () => {
    const err = errorOf(() => parseAlertRules([{ ...valid, levels: ['WARN'] }], { ingestedLevels: ['ERROR', 'FATAL'] }));

    expect(err.message).toMatch(/rule "db-errors": levels contains WARN, which ingest does not store/);
  });
});

describe('Function: loadAlertRules', () => {
  it('uses the default rules when ALERT_RULES is unset or blank', () => {
    expect(loadAlertRules(undefined).map((r) => r.name)).toEqual(['error-burst', 'any-fatal']);
    expect(loadAlertRules('  ').map((r) => r.name)).toEqual(['error-burst', 'any-fatal']);
  });

  it('reads inline JSON', () => {
    expect(loadAlertRules(JSON.stringify([valid]))[0]!.name).toBe('db-errors');
  });

  it('reads a YAML file relative to the working directory', () => {
    // Prepare
    const files: Record<string, string> = {
      '/srv/app/alert-rules.yaml': 'rules:\n  - name: db-errors\n    levels: [ERROR]\n    threshold: 10\n    window: 10m\n',
    };

    // Act
    const rules = loadAlertRules('alert-rules.yaml', {}, { cwd: '/srv/app', readFile: (f) => files[f] ?? '' });

    // Assess
    expect(rules.map((r) => [r.name, r.windowMs])).toEqual([['db-errors', 600_000]]);
  });

  it('says which file cannot be read', () => {
    const missing = (): string => {
      throw Object.assign(new Error('nope'), { code: 'ENOENT' });
    };

    expect(() => loadAlertRules('rules.json', {}, { cwd: '/srv', readFile: missing })).toThrow('ALERT_RULES file /srv/rules.json cannot be read: ENOENT');
  });

  it('reports invalid inline JSON', () => {
    expect(() => loadAlertRules('[{"name": ')).toThrow(/ALERT_RULES is not valid JSON/);
  });
});

describe('Function: readAlertConfig', () => {
  const env = { ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:logmon-alerts' };

  it('reads the defaults', () => {
    const config = readAlertConfig(env);

    expect(config).toMatchObject({
      topicArn: env.ALERT_TOPIC_ARN,
      subjectPrefix: '[logmon]',
      graceMs: 180_000,
      lateHorizonMs: 86_400_000,
      snsTimeoutMs: 10_000,
    });
    expect(config.rules).toHaveLength(2);
  });

  it.each([
    ['5m', 300_000],
    ['90s', 90_000],
    ['0s', 0],
    ['1h', 3_600_000],
  ])('reads ALERT_GRACE=%s', (value, ms) => {
    expect(readAlertConfig({ ...env, ALERT_GRACE: value }).graceMs).toBe(ms);
  });

  it.each(['3 minutes', '-1m', '2h'])('rejects ALERT_GRACE=%s, naming the variable', (value) => {
    expect(() => readAlertConfig({ ...env, ALERT_GRACE: value })).toThrow(`ALERT_GRACE must be a duration up to 1h such as "3m", got "${value}"`);
  });

  it.each([
    ['2m', 120_000],
    ['0s', 0],
    ['10m', 600_000],
  ])('reads ALERT_GROUP_WAIT=%s', (value, ms) => {
    expect(readAlertConfig({ ...env, ALERT_GROUP_WAIT: value }).groupWaitMs).toBe(ms);
  });

  it.each(['2 minutes', '11m'])('rejects ALERT_GROUP_WAIT=%s, naming the variable', (value) => {
    expect(() => readAlertConfig({ ...env, ALERT_GROUP_WAIT: value })).toThrow(`ALERT_GROUP_WAIT must be a duration up to 10m`);
  });

  it('requires a topic ARN', () => {
    expect(() => readAlertConfig({})).toThrow(/ALERT_TOPIC_ARN must be an SNS topic ARN/);
  });

  it('fails on an invalid rule, naming it', () => {
    expect(() => readAlertConfig({ ...env, ALERT_RULES: '[{"name":"x","levels":["ERROR"],"threshold":-1,"window":"5m"}]' })).toThrow(
      /rule "x": threshold must be an integer >= 1/,
    );
  });

  it('checks rule levels against LOG_LEVELS', () => {
    expect(() => readAlertConfig({ ...env, ALERT_RULES: '[{"name":"warnings","levels":["WARNING"],"threshold":1,"window":"5m"}]' })).toThrow(
      /rule "warnings": levels contains WARN, which ingest does not store/,
    );
    expect(
      readAlertConfig({ ...env, LOG_LEVELS: 'WARNING,ERROR', ALERT_RULES: '[{"name":"warnings","levels":["WARNING"],"threshold":1,"window":"5m"}]' }).rules,
    ).toHaveLength(1);
  });

  it('reads mute windows beside the default rules, and none by default', () => {
    // Act
    const config = readAlertConfig({
      ...env,
      ALERT_RULES: JSON.stringify({ muteWindows: [{ name: 'db-maintenance', days: ['sun'], from: '02:00', to: '04:00', timeZone: 'Europe/Berlin' }] }),
    });

    // Assess
    expect(config.rules.map((r) => r.name)).toEqual(['error-burst', 'any-fatal']);
    expect(config.muteWindows.map((w) => [w.name, w.ruleGlob, w.days])).toEqual([['db-maintenance', '*', [0]]]);
    expect(readAlertConfig(env).muteWindows).toEqual([]);
  });

  it.each([
    [{ mutewindows: [] }, 'ALERT_RULES: "mutewindows" is not a known section (known: rules, health, muteWindows, channels)'],
    [
      { muteWindows: [{ name: 'm', rules: 'eror-burst', from: '02:00', to: '04:00', timeZone: 'UTC' }] },
      'ALERT_RULES: mute window "m": rules matches no rule, got "eror-burst" (rules: error-burst, any-fatal; "health:*" for the health rules)',
    ],
    [
      { muteWindows: [{ name: 'm', rules: 'health-*', from: '02:00', to: '04:00', timeZone: 'UTC' }] },
      'ALERT_RULES: mute window "m": rules matches no rule, got "health-*" (rules: error-burst, any-fatal; "health:*" for the health rules)',
    ],
  ])('refuses %j instead of muting nothing', (doc, message) => {
    expect(() => readAlertConfig({ ...env, ALERT_RULES: JSON.stringify(doc) })).toThrow(message);
  });
});
