import { parseAlertRules } from '../../lib/alert/rules';
import { MAX_SERIES, chartData } from '../../lib/dashboard/chart-series';
import { readDashboardConfig } from '../../lib/dashboard/config';
import { CSRF_COOKIE, refuseWrite } from '../../lib/dashboard/csrf';
import { queryOf } from '../../lib/dashboard/dashboard';
import { html, jsonForScript, labelText, logText, raw } from '../../lib/dashboard/html';
import type { DashboardRequest } from '../../lib/dashboard/http';
import { ConfigError } from '../../lib/platform/errors';

const MIN = 60_000;

describe('Function: html', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    [`" onmouseover="x`, '&quot; onmouseover=&quot;x'],
    ["' autofocus onfocus='x", '&#39; autofocus onfocus=&#39;x'],
    ['a & b', 'a &amp; b'],
    ['&lt;already&gt;', '&amp;lt;already&amp;gt;'],
  ])('escapes %j in text and attributes', (value, escaped) => {
    expect(html`<td title="${value}">${value}</td>`.text).toBe(`<td title="${escaped}">${escaped}</td>`);
  });

  it('keeps fragments it made or was given as markup, and escapes everything in lists', () => {
    const cells = ['<b>', 'x'].map((v) => html`<td>${v}</td>`);

    expect(html`<tr>${cells}${raw('<td></td>')}${null}${false}${0}</tr>`.text).toBe('<tr><td>&lt;b&gt;</td><td>x</td><td></td>0</tr>');
  });
});

describe('Functions: logText, labelText', () => {
  it('shows a non-UTF-8 file name as \\xNN, on one line, without escapes or controls', () => {
    expect(labelText('/var/log/evil\n\u001b[31mname\uf7ff\u202e.log')).toBe('/var/log/evil?name\\xff?.log');
  });

  it('keeps the lines of a message (a stack trace) and drops ANSI colours and controls', () => {
    expect(logText('boom\n    at x (\u001b[1ma.js\u001b[0m:1)\u0007')).toBe('boom\n    at x (a.js:1)?');
  });
});

describe('Function: jsonForScript', () => {
  it('writes JSON no value can close the script element with, and that reads back the same', () => {
    const value = { label: '</script><script>alert(1)</script>', other: '<!-- & \u2028' };

    const text = jsonForScript(value).text;

    expect(text).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('Function: chartData', () => {
  const start = Date.parse('2026-11-23T10:00:00Z');
  const row = (minute: number, service: string, host: string, entries: number) => ({ minute: new Date(start + minute * MIN), service, host, entries });

  it('makes one series per service and host, the busiest first, and leaves out rows outside the period', () => {
    const chart = chartData(
      [row(0, 'api', 'a1', 2), row(1, 'api', 'a1', 3), row(1, 'db', '', 9), row(-1, 'api', 'a1', 50), row(5, 'api', 'a1', 50)],
      start,
      5,
      [],
    );

    expect(chart.series).toEqual([
      { label: 'db', values: [0, 9, 0, 0, 0], total: 9 },
      { label: 'api@a1', values: [2, 3, 0, 0, 0], total: 5 },
    ]);
    expect(chart.totals).toEqual([2, 12, 0, 0, 0]);
  });

  it(`sums the quieter sources beyond ${MAX_SERIES} as one "other" series`, () => {
    const rows = Array.from({ length: MAX_SERIES + 3 }, (_, i) => row(0, `s${String(i).padStart(2, '0')}`, '', 100 - i));

    const chart = chartData(rows, start, 1, []);

    expect(chart.series).toHaveLength(MAX_SERIES + 1);
    expect(chart.series[MAX_SERIES]).toEqual({ label: 'other (3)', values: [100 - 8 + 100 - 9 + 100 - 10], total: 273 });
  });

  it('draws each threshold rule as its threshold per minute of its window, and no new-template rule', () => {
    const rules = parseAlertRules([
      { name: 'burst', threshold: 10, window: '5m' },
      { name: 'slow', threshold: 1, window: '3m' },
      { name: 'new', type: 'new-template', window: '5m', threshold: 1 },
    ]);

    expect(chartData([], start, 1, rules).thresholds).toEqual([
      { rule: 'burst', perMinute: 2, label: 'burst: 10 in 5m (2/min)' },
      { rule: 'slow', perMinute: 1 / 3, label: 'slow: 1 in 3m (0.33/min)' },
    ]);
  });
});

describe('Function: readDashboardConfig', () => {
  it('is read-only with 6 hours by default', () => {
    expect(readDashboardConfig({})).toMatchObject({ writeEnabled: false, hours: 6 });
  });

  it.each([
    ['on', true],
    ['1', true],
    ['off', false],
    ['0', false],
    ['', false],
  ])('DASHBOARD_WRITE=%j writes: %s', (value, writes) => {
    expect(readDashboardConfig({ DASHBOARD_WRITE: value }).writeEnabled).toBe(writes);
  });

  it.each([
    [{ DASHBOARD_WRITE: 'yes please' }, /DASHBOARD_WRITE must be on or off/],
    [{ DASHBOARD_HOURS: '49' }, /DASHBOARD_HOURS must be an integer from 1 to 48/],
  ])('throws a ConfigError naming the variable for %j', (env, message) => {
    expect(() => readDashboardConfig(env)).toThrow(ConfigError);
    expect(() => readDashboardConfig(env)).toThrow(message);
  });
});

const request = (
  query: Record<string, string>,
  headers: Record<string, string> = {},
  cookies: Record<string, string> = {},
  form: Record<string, string> = {},
) => ({ method: 'GET', path: '/', query, headers: { host: '127.0.0.1:3000', ...headers }, cookies, form, principal: null, secure: false }) as DashboardRequest;

describe('Function: queryOf', () => {
  const config = { writeEnabled: false, hours: 6, rules: [] };

  it('reads an instant without a zone (a datetime-local field) as UTC, and one with a zone as given', () => {
    expect(queryOf(request({ at: '2026-11-23T10:00' }), config).at).toBe(Date.parse('2026-11-23T10:00:00Z'));
    expect(queryOf(request({ at: '2026-11-23T10:00:00+01:00' }), config).at).toBe(Date.parse('2026-11-23T09:00:00Z'));
  });

  it('takes the default for a value out of range or not a number', () => {
    expect(queryOf(request({ hours: '500', minutes: 'x', at: 'yesterday' }), config)).toEqual({ hours: 6, at: null, aroundMinutes: 5, rule: null, key: null });
  });
});

describe('Function: refuseWrite', () => {
  const token = 'c'.repeat(64);

  it('lets a same-origin form with the cookie token through', () => {
    expect(
      refuseWrite(request({}, { origin: 'http://127.0.0.1:3000', 'sec-fetch-site': 'same-origin' }, { [CSRF_COOKIE]: token }, { csrf: token })),
    ).toBeNull();
  });

  it.each([
    ['another site', { 'sec-fetch-site': 'cross-site' }, /cross-site/],
    ['another origin', { origin: 'http://127.0.0.1:3001' }, /another origin/],
    ['an opaque origin', { origin: 'null' }, /opaque/],
  ])('refuses a request from %s even with the right token', (_what, headers, reason) => {
    expect(refuseWrite(request({}, headers, { [CSRF_COOKIE]: token }, { csrf: token }))).toMatch(reason);
  });

  it.each([
    ['no cookie', {}, { csrf: token }],
    ['no field', { [CSRF_COOKIE]: token }, {}],
    ['another token', { [CSRF_COOKIE]: token }, { csrf: 'd'.repeat(64) }],
    ['a malformed token', { [CSRF_COOKIE]: 'short' }, { csrf: 'short' }],
  ])('refuses a request with %s', (_what, cookies, form) => {
    expect(refuseWrite(request({}, {}, cookies, form))).toMatch(/token/);
  });
});
