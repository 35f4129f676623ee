import { parseAlertRules } from '../../lib/alert/rules';
import type { AlertRule } from '../../lib/alert/rules';
import { MAX_SUBJECT_CHARS, cleanText, formatNotification, formatSubject, toSubjectAscii, wrapProse } from '../../lib/alert/notification';
import type { WindowDetails } from '../../lib/alert/notification';

const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 23, 10, 5, 0);

function makeRule(extra: Record<string, unknown> = {}): AlertRule {
  const { name, ...fields } = extra;
  const rule = parseAlertRules([{ name: 'error-burst', levels: ['ERROR', 'FATAL'], threshold: 5, window: '5m', ...fields }])[0]!;
  // names the parser would refuse still format safely (the formatter trusts nothing)
  return typeof name === 'string' ? { ...rule, name } : rule;
}

const details: WindowDetails = {
  count: 12,
  from: NOW - 5 * MIN,
  to: NOW,
  firstAt: new Date(NOW - 4 * MIN),
  lastAt: new Date(NOW - 10_000),
  topMessages: [
    { message: 'db timeout after 30s', count: 7 },
    { message: 'connection refused', count: 3 },
  ],
  samples: [
    {
      loggedAt: new Date(NOW - 10_000),
      level: 'ERROR',
      path: '/var/log/app.log',
      message: 'db timeout after 30s\n  at Pool.query\n  at main\n  at run\n  at start',
    },
  ],
};

const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

describe('Function: formatSubject', () => {
  it.each([
    ['firing', undefined, '[logmon] FIRING error-burst: 12 ERROR/FATAL in 5m (threshold 5)'],
    ['reminder', 2 * 3_600_000, '[logmon] STILL FIRING error-burst: 12 ERROR/FATAL in 5m (threshold 5), for 2h'],
    ['resolved', 65 * MIN, '[logmon] RESOLVED error-burst: 12 ERROR/FATAL in 5m (threshold 5), fired 1h 5m'],
    ['late', undefined, '[logmon] LATE DATA error-burst: 12 ERROR/FATAL within 5m in the past (threshold 5)'],
  ] as const)('says what happened for a %s notification', (kind, firedMs, expected) => {
    expect(formatSubject({ kind, rule: makeRule(), prefix: '[logmon]', count: 12, firedMs })).toBe(expected);
  });

  it.each([
    ['a very long name', 'checkout-service-database-connection-pool-exhaustion-errors-in-the-eu-west-1-production-cluster-'.repeat(3)],
    ['non-ASCII characters', 'Zürich → 東京 ⚠️ Fehler\u202e'],
    ['only non-ASCII characters', '東京'],
    ['whitespace and control characters', '  lots   of\tspace \u0000\n '],
  ])('stays under 100 printable ASCII characters (at most 99) for %s', (_case, name) => {
    // Prepare
    const rule = makeRule({ name, levels: ['TRACE', 'DEBUG', 'INFO', 'NOTICE', 'WARN', 'WARNING', 'ERROR', 'FATAL'] });

    // Act
    const subjects = (['firing', 'reminder', 'resolved', 'late'] as const).map((kind) =>
      formatSubject({ kind, rule, prefix: '[logmon production eu-west-1]', count: 123_456_789, firedMs: 400 * 86_400_000 }),
    );

    // Assess
    for (const subject of subjects) {
      expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT_CHARS);
      expect(subject).toMatch(PRINTABLE_ASCII);
      expect(subject).toMatch(/^\[logmon production eu-west-1\] (FIRING|STILL FIRING|RESOLVED|LATE DATA) /);
    }
  });

  it('keeps the count and threshold when it shortens a long rule name', () => {
    const subject = formatSubject({ kind: 'firing', rule: makeRule({ name: 'x'.repeat(300) }), prefix: '[logmon]', count: 12 });

    expect(subject).toMatch(/^\[logmon\] FIRING x+\.\.\.: 12 ERROR\/FATAL in 5m \(threshold 5\)$/);
    expect(subject.length).toBe(MAX_SUBJECT_CHARS);
  });

  it('makes no subject of 100 characters or more, as SNS documents "less than 100" (every kind, long names and keys)', () => {
    // Prepare
    const rule = makeRule({ name: 'r'.repeat(200), groupBy: ['source'] });
    const kinds = ['firing', 'reminder', 'resolved', 'late'] as const;

    // Act
    const subjects = kinds.flatMap((kind) =>
      [0, 50, 98, 99, 100, 101, 300].map((n) =>
        formatSubject({ kind, rule, prefix: '[logmon production eu-west-1]', count: 10 ** 12, key: 'k'.repeat(n), firedMs: 1 }),
      ),
    );

    // Assess
    expect(MAX_SUBJECT_CHARS).toBe(99);
    for (const subject of subjects) expect(subject.length).toBeLessThanOrEqual(99);
  });
});

describe('Function: toSubjectAscii', () => {
  it('drops accents, replaces other characters, collapses whitespace', () => {
    expect(toSubjectAscii(' Zürich  café\t東京 ')).toBe('Zurich cafe ?');
  });
});

describe('Function: cleanText', () => {
  it('removes terminal escapes and replaces controls and bidirectional overrides', () => {
    expect(cleanText('\u001b[31mred\u001b[0m\tnext\u0007 \u202eevil')).toBe('red next? ?evil');
  });

  it('replaces the Unicode line and paragraph separators, so log text cannot start a line of its own', () => {
    expect(cleanText('boom\u2028Subject: forged\u2029From: x\u0085NEL')).toBe('boom?Subject: forged?From: x?NEL');
  });
});

describe('Function: formatNotification', () => {
  it('writes a FIRING body with rule, window, count, first and last, top messages and samples with their file', () => {
    // Act
    const n = formatNotification({ kind: 'firing', rule: makeRule({ source: '/var/log/*.log' }), now: NOW, prefix: '[logmon]', details });

    // Assess
    expect(n.body).toContain('Rule "error-burst" is FIRING: 12 matching entries in 5m.');
    expect(n.body).toContain('Condition:  5 or more ERROR/FATAL entries within 5m');
    expect(n.body).toContain('Files:      /var/log/*.log');
    expect(n.body).toContain('Count:      12 in the last 5m (threshold 5)');
    expect(n.body).toContain('Window:     2026-11-23 10:00:00 UTC to 2026-11-23 10:05:00 UTC');
    expect(n.body).toContain('First:      2026-11-23 10:01:00 UTC');
    expect(n.body).toContain('Last:       2026-11-23 10:04:50 UTC');
    expect(n.body).toContain('Top errors (by template):\n  7 x db timeout after 30s\n  3 x connection refused\n  2 x (other templates)');
    expect(n.body).toContain(
      '  2026-11-23 10:04:50 UTC  ERROR  /var/log/app.log\n    db timeout after 30s\n      at Pool.query\n      at main\n    (2 more lines)',
    );
  });

  it('describes an earlier window when entries committed after it made the rule fire', () => {
    // Prepare: the window ending at 10:03:20, counted at the run of 10:05
    const earlier: WindowDetails = { ...details, count: 5, from: NOW - 100_000 - 5 * MIN, to: NOW - 100_000, lastAt: new Date(NOW - 100_000) };

    // Act
    const n = formatNotification({ kind: 'firing', rule: makeRule(), now: NOW, prefix: '[logmon]', details: earlier });

    // Assess
    expect(n.subject).toBe('[logmon] FIRING error-burst: 5 ERROR/FATAL in 5m (threshold 5)');
    expect(n.body).toContain(
      'Rule "error-burst" is FIRING: 5 matching entries in 5m.\n\nCounted in the window ending 2026-11-23 10:03:20 UTC: its entries were\nstored after that time',
    );
    expect(n.body).toContain('Count:      5 in 5m (threshold 5)');
    expect(n.body).toContain('Window:     2026-11-23 09:58:20 UTC to 2026-11-23 10:03:20 UTC');
  });

  it('says how long a resolved rule fired and its peak', () => {
    const n = formatNotification({
      kind: 'resolved',
      rule: makeRule({ clearBelow: 2 }),
      now: NOW,
      prefix: '[logmon]',
      details: { ...details, count: 1, topMessages: [], samples: [] },
      firingSince: NOW - 65 * MIN,
      peakCount: 40,
    });

    expect(n.body).toContain('Rule "error-burst" is RESOLVED after firing for 1h 5m.');
    expect(n.body).toContain('Count:      1 in the last 5m (threshold 5), resolves below 2');
    expect(n.body).toContain('Fired:      2026-11-23 09:00:00 UTC to 2026-11-23 10:05:00 UTC');
    expect(n.body).toContain('Peak:       40 in 5m');
  });

  it.each([
    ['firing', { severity: 'warning', rule: 'error-burst', state: 'firing', kind: 'firing' }],
    ['reminder', { severity: 'warning', rule: 'error-burst', state: 'firing', kind: 'reminder' }],
    ['resolved', { severity: 'warning', rule: 'error-burst', state: 'resolved', kind: 'resolved' }],
    ['late', { severity: 'warning', rule: 'error-burst', state: 'late', kind: 'late' }],
  ] as const)('sets filterable attributes on a %s notification', (kind, attributes) => {
    expect(formatNotification({ kind, rule: makeRule(), now: NOW, prefix: '[logmon]', details }).attributes).toEqual(attributes);
  });

  it('says a LATE DATA report’s busiest window holds at least its count when it reached the count cap', () => {
    const late = (busiestAtLeast: boolean) =>
      formatNotification({ kind: 'late', rule: makeRule(), now: NOW, prefix: '[logmon]', details, busiestWindowCount: 1000, busiestAtLeast });

    expect(late(true).subject).toBe('[logmon] LATE DATA error-burst: at least 1000 ERROR/FATAL within 5m in the past (threshold 5)');
    expect(late(true).body).toContain('at least 1000 within 5m (threshold 5)');
    expect(late(false).subject).toBe('[logmon] LATE DATA error-burst: 1000 ERROR/FATAL within 5m in the past (threshold 5)');
    expect(late(false).body).not.toContain('at least 1000');
  });

  it('gives a FATAL-only rule the critical severity attribute', () => {
    const n = formatNotification({ kind: 'firing', rule: makeRule({ levels: ['FATAL'] }), now: NOW, prefix: '[logmon]', details });

    expect(n.attributes.severity).toBe('critical');
  });

  it('keeps log text from injecting escapes or controls into the e-mail', () => {
    const hostile: WindowDetails = {
      ...details,
      topMessages: [{ message: '\u001b[2J\u001b[Hwiped\u0000', count: 12 }],
      samples: [{ loggedAt: new Date(NOW), level: 'ERROR', path: '/x\u202e.log', message: 'a\u0008b\r\nc' }],
    };

    const n = formatNotification({ kind: 'firing', rule: makeRule(), now: NOW, prefix: '[logmon]', details: hostile });

    expect(n.body).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    expect(n.body).toContain('12 x wiped?');
  });
});

describe('Function: formatNotification (per-key rules)', () => {
  const grouped = makeRule({ groupBy: ['source'] });
  const at = Date.UTC(2026, 10, 23, 10, 5, 0);

  it('names the key in the subject and the body: service@host, then the file when it says more', () => {
    // Act
    const n = formatNotification({
      kind: 'firing',
      rule: grouped,
      now: at,
      prefix: '[logmon]',
      details,
      labels: { service: 'checkout', host: 'web-1', file: '/var/log/app/app.log' },
    });

    // Assess
    expect(n.subject).toBe('[logmon] FIRING error-burst checkout@web-1 app.log: 12 ERROR/FATAL in 5m (threshold 5)');
    expect(n.body).toContain('Service:    checkout\nHost:       web-1\nFile:       /var/log/app/app.log\n');
    expect(n.attributes).toMatchObject({ service: 'checkout', host: 'web-1' });
  });

  it('keeps a file name with a newline and terminal escapes on its own line, so it cannot forge a line', () => {
    // Prepare
    const file = '/var/log/x\n[logmon] RESOLVED error-burst: all clear\u001b]0;owned\u0007.log';

    // Act
    const n = formatNotification({
      kind: 'firing',
      rule: grouped,
      now: at,
      prefix: '[logmon]',
      details: { ...details, samples: details.samples.map((s) => ({ ...s, path: file })) },
      labels: { service: 'x', host: 'h', file },
    });

    // Assess
    expect(n.body.split('\n').filter((l) => l.startsWith('[logmon]'))).toEqual([]);
    expect(n.body).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    expect(n.subject).toMatch(/^[\x20-\x7e]+$/);
  });

  it('writes a key-limit notice instead of a key', () => {
    // Act
    const n = formatNotification({ kind: 'firing', rule: makeRule({ groupBy: ['file'], maxKeys: 3 }), now: at, prefix: '[logmon]', details, keysOverLimit: 4 });

    // Assess
    expect(n.subject).toBe('[logmon] FIRING error-burst key limit: 4 keys over the limit of 3 not tracked');
    expect(n.body).toContain('4 more keys are over the threshold and not tracked one by one');
  });
});

describe('Readability in a 72-column mail client', () => {
  const KINDS = ['firing', 'reminder', 'resolved', 'late'] as const;

  it.each(KINDS)('keeps every prose line of a %s body within 72 columns (indented data lines excepted)', (kind) => {
    // Prepare: a long name, a long key and a description, the cases that used to run past the pane
    const rule = makeRule({ name: 'checkout-payment-provider-errors', groupBy: ['service', 'host', 'file'], description: 'Payments fail. '.repeat(8) });

    // Act
    const n = formatNotification({
      kind,
      rule,
      now: NOW,
      prefix: '[logmon]',
      details,
      labels: { service: 'checkout-service-eu-west', host: 'ip-10-0-12-34.eu-west-1.compute.internal', file: '/var/log/checkout/app.log' },
      firingSince: NOW - 30 * MIN,
      heldSince: NOW - 20 * MIN,
    });

    // Assess
    const wide = n.body.split('\n').filter((l) => l.length > 72 && !/^\s/.test(l) && !l.includes(' ') === false);
    expect(wide).toEqual([]);
  });

  it('leads with the headline and ends with the next step: the psql command listing the entries around the window', () => {
    // Act
    const n = formatNotification({ kind: 'firing', rule: makeRule(), now: NOW, prefix: '[logmon]', details });

    // Assess
    const lines = n.body.split('\n');
    expect(lines[0]).toBe('Rule "error-burst" is FIRING: 12 matching entries in 5m.');
    expect(n.body).toContain(
      'Next: the entries around it, with their files and offsets:\n  psql "$DATABASE_URL" -v at=\'2026-11-23 10:05:00+00\' \\\n    -f sql/queries/entries-around.sql\n\n-- ',
    );
  });
});

describe('Function: wrapProse', () => {
  it('wraps a field line under its value, prose from the left, and leaves data lines and long words whole', () => {
    // Act
    const out = wrapProse(
      [
        `Where:      ${'word '.repeat(20).trim()}`,
        'one two three four five six seven eight nine ten eleven twelve thirteen fourteen',
        `    ${'x'.repeat(100)}`,
        'y'.repeat(90),
      ],
      40,
    );

    // Assess
    expect(out).toEqual([
      'Where:      word word word word word',
      '            word word word word word',
      '            word word word word word',
      '            word word word word word',
      'one two three four five six seven eight',
      'nine ten eleven twelve thirteen fourteen',
      `    ${'x'.repeat(100)}`,
      'y'.repeat(90),
    ]);
  });
});

describe('The next step with a dashboard (ALERT_DASHBOARD_URL)', () => {
  it('links to this alert and the entries around its window instead of the psql command', () => {
    // Act
    const n = formatNotification({ kind: 'firing', rule: makeRule(), now: NOW, prefix: '[logmon]', details, dashboardUrl: 'http://127.0.0.1:3000/' });

    // Assess
    expect(n.body).toContain(
      'Next: this alert and the entries around it on the dashboard:\n  http://127.0.0.1:3000/?rule=error-burst&at=2026-11-23T10%3A05%3A00Z#history\n',
    );
    expect(n.body).not.toContain('psql');
  });
});
