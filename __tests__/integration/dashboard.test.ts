// The dashboard over HTTP-shaped events (payload format 2.0, as a function URL
// and serverless offline deliver them), against real PostgreSQL holding real
// ingested files, one with a hostile name, and hostile text from logs.
// handleDashboardRequest with each setting, and the handler as deployed.
import fs from 'node:fs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { loadAssets } from '../../lib/dashboard/assets';
import type { DashboardConfig } from '../../lib/dashboard/config';
import { CSRF_COOKIE } from '../../lib/dashboard/csrf';
import { handleDashboardRequest } from '../../lib/dashboard/dashboard';
import type { DashboardDeps } from '../../lib/dashboard/dashboard';
import { requestOf } from '../../lib/dashboard/http';
import type { DashboardResponse } from '../../lib/dashboard/http';
import { parseAlertRules } from '../../lib/alert/rules';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { makeTempDir } from '../support/files';
import { fakeContext } from '../support/lambda';
import { DASHBOARD_RULES, HOSTILE_FILE_SHOWN, HOSTILE_MESSAGE, seedDashboard } from '../support/dashboard-data';
import type { SeededDashboard } from '../support/dashboard-data';

const NOW = Date.parse('2026-11-23T10:30:20Z');
const HOST = '127.0.0.1:3000';
const silentLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function event(
  method: string,
  rawPath: string,
  options: { query?: Record<string, string>; headers?: Record<string, string>; body?: string; cookies?: string[] } = {},
) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    queryStringParameters: options.query,
    headers: { host: HOST, ...(options.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...options.headers },
    cookies: options.cookies,
    body: options.body,
    isBase64Encoded: false,
    requestContext: { http: { method, path: rawPath } },
  } as unknown as APIGatewayProxyEventV2;
}

describe('Function: handleDashboardRequest (real PostgreSQL)', () => {
  let db: TestDatabase;
  let dir: string;
  let seeded: SeededDashboard;
  const assets = loadAssets();
  const rules = parseAlertRules(DASHBOARD_RULES);
  const config = (writeEnabled: boolean): DashboardConfig => ({ writeEnabled, hours: 6, rules });
  const deps = (writeEnabled: boolean): DashboardDeps => ({ pool: db.pool, config: config(writeEnabled), assets, logger: silentLogger, now: () => NOW });
  const request = (writeEnabled: boolean, e: APIGatewayProxyEventV2): Promise<DashboardResponse> => handleDashboardRequest(requestOf(e), deps(writeEnabled));

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = makeTempDir('logmon-dashboard-');
    seeded = await seedDashboard(db, dir, NOW);
  });

  afterAll(async () => {
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('GET /', () => {
    let page: DashboardResponse;

    beforeAll(async () => {
      page = await request(false, event('GET', '/'));
    });

    it('answers an HTML page that loads no script or style from elsewhere and cannot be framed', () => {
      expect(page.statusCode).toBe(200);
      expect(page.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(page.body).not.toMatch(/<script(?![^>]*(src="\/assets\/|type="application\/json"))/);
      expect(page.body).not.toMatch(/https?:\/\//);
    });

    it('escapes every value from logs: messages, file names, labels, subjects, comments', () => {
      expect(page.body).not.toContain('<script>window.__pwned');
      expect(page.body).not.toContain('<img src=x');
      expect(page.body).not.toContain('<i>svc</i>');
      expect(page.body).not.toContain('<b>deploy</b>');
      expect(page.body).not.toContain('<script>alert(1)');
      expect(page.body).toContain(
        '&lt;script&gt;window.__pwned=1&lt;/script&gt; &quot;q&quot; &#39;a&#39; &amp; &lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;',
      );
      expect(page.body).toContain('evil&lt;b&gt;&quot;&#39;?name\\xff.log');
      expect(page.body).toContain('&lt;i&gt;svc&lt;/i&gt;@db&quot;1');
      expect(page.body).toContain('[logmon] FIRING &lt;script&gt;alert(1)&lt;/script&gt; error-burst');
      expect(page.body).toContain('&lt;b&gt;deploy&lt;/b&gt; &quot;window&quot;');
      expect(HOSTILE_FILE_SHOWN).toContain('\\xff');
    });

    it('carries the chart data as JSON that cannot close its element, with each threshold rule as a rate per minute', () => {
      const block = /<script type="application\/json" id="chart-data">(.*?)<\/script>/s.exec(page.body)?.[1] ?? '';
      const data = JSON.parse(block) as { minutes: number; series: { label: string; values: number[] }[]; thresholds: { rule: string; perMinute: number }[] };

      expect(block).not.toContain('<');
      expect(data.minutes).toBe(360);
      expect(data.series.map((s) => s.label).sort()).toEqual(['<i>svc</i>@db"1', 'checkout@web-1']);
      expect(data.series.find((s) => s.label === 'checkout@web-1')!.values.reduce((a, b) => a + b, 0)).toBe(25 + 5 * 4);
      expect(data.thresholds).toEqual([
        { rule: 'error-burst', perMinute: 1, label: 'error-burst: 5 in 5m (1/min)' },
        { rule: 'per-service', perMinute: 3, label: 'per-service: 3 in 1m (3/min)' },
      ]);
    });

    it('shows without JavaScript: the per-minute table, thresholds, states, history, templates, sources and silences', () => {
      expect(page.body).toMatch(/<details id="chart-table" open>/);
      expect(page.body).toContain('<li class="threshold" data-rule="error-burst">error-burst: 5 in 5m (1/min)</li>');
      expect(page.body).toMatch(/<td class="state-firing">FIRING<\/td>/);
      expect(page.body).toMatch(/<td class="state-pending">PENDING<\/td>/);
      expect(page.body).toContain('[logmon] RESOLVED error-burst');
      expect(page.body).toContain('not sent yet (2 attempts)');
      expect(page.body.match(/<tr class="template">/g)).toHaveLength(2);
      expect(page.body.match(/<tr class="source">/g)).toHaveLength(2);
      expect(page.body).toMatch(/<tr class="silence"><td class="num">1<\/td><td>per-service<\/td><td>service=&lt;i&gt;svc&lt;\/i&gt;<\/td>/);
    });

    it('is read-only by default: no form posts, a note on how to enable them', () => {
      expect(page.body).not.toContain('method="post"');
      expect(page.body).toContain('Read-only: set DASHBOARD_WRITE=on');
      expect(page.cookies).toBeUndefined();
    });
  });

  it('lists the entries around an instant with their file and byte offset (?at=, a datetime-local value read as UTC)', async () => {
    // Act
    const page = await request(false, event('GET', '/', { query: { at: new Date(seeded.lastAt).toISOString().slice(0, 19), minutes: '1' } }));

    // Assess
    const rows = page.body.match(/<tr class="entry">.*?<\/tr>/gs) ?? [];
    const offsets = rows.map((r) => /<td class="num">(\d+)<\/td>/.exec(r)?.[1]);
    // the last minute's 4 entries of checkout.log, the one of the hostile file, and the one a minute before
    expect(rows).toHaveLength(6);
    expect(rows.some((r) => r.includes('checkout.log') && r.includes('at Checkout.pay'))).toBe(true);
    expect(rows.some((r) => r.includes('evil&lt;b&gt;'))).toBe(true);
    expect(offsets.every((o) => o !== undefined && Number(o) > 0)).toBe(true);
    expect(new Set(offsets).size).toBe(offsets.length);
    expect(page.body).toContain(
      HOSTILE_MESSAGE.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'),
    );
  });

  it('narrows the alert history to one rule and key', async () => {
    const page = await request(false, event('GET', '/', { query: { rule: 'per-service', key: '["<i>svc</i>"]' } }));

    const history = /<section id="history">.*?<\/section>/s.exec(page.body)?.[0] ?? '';
    expect(history).toContain('FIRING per-service');
    expect(history).not.toContain('RESOLVED error-burst');
  });

  it('serves uPlot and its own script and style sheet from the function itself', async () => {
    const [uplot, css, script, missing] = await Promise.all(
      ['/assets/uplot.js', '/assets/uplot.css', '/assets/dashboard.js', '/assets/../../etc/passwd'].map((p) => request(false, event('GET', p))),
    );

    expect(uplot).toMatchObject({ statusCode: 200, headers: { 'content-type': 'text/javascript; charset=utf-8' } });
    expect(uplot!.body).toContain('uPlot');
    expect(css!.body).toContain('.uplot');
    expect(script!.body).toContain("getElementById('chart-data')");
    expect(missing!.statusCode).toBe(404);
  });

  describe('POST /silences (writes)', () => {
    const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

    it('refuses every write while DASHBOARD_WRITE is off', async () => {
      const response = await request(false, event('POST', '/silences', { body: form({ rule: 'x', for: '1h', comment: 'c' }) }));

      expect(response.statusCode).toBe(403);
      expect((await db.pool.query('SELECT count(*)::int AS n FROM alert_silences')).rows[0].n).toBe(1);
    });

    it.each([
      ['no token at all', {}, [], {}],
      ['a token in the form but no cookie', { csrf: 'a'.repeat(64) }, [], {}],
      ['a form token that differs from the cookie', { csrf: 'a'.repeat(64) }, [`${CSRF_COOKIE}=${'b'.repeat(64)}`], {}],
      ['a matching token from another site', { csrf: 'a'.repeat(64) }, [`${CSRF_COOKIE}=${'a'.repeat(64)}`], { 'sec-fetch-site': 'cross-site' }],
      ['a matching token with another Origin', { csrf: 'a'.repeat(64) }, [`${CSRF_COOKIE}=${'a'.repeat(64)}`], { origin: 'https://evil.example' }],
    ])('refuses a write with %s, even when writes are on', async (_what, fields, cookies, headers) => {
      const response = await request(true, event('POST', '/silences', { body: form({ rule: 'x', for: '1h', comment: 'c', ...fields }), cookies, headers }));

      expect(response.statusCode).toBe(403);
      expect((await db.pool.query('SELECT count(*)::int AS n FROM alert_silences')).rows[0].n).toBe(1);
    });

    it('with writes on, gives a token cookie with the page, then adds and expires a silence from its forms', async () => {
      // Prepare: the page sets the cookie and repeats it in its forms
      const page = await request(true, event('GET', '/'));
      const cookie = (page.cookies ?? [])[0] ?? '';
      const token = /name="csrf" value="([0-9a-f]{64})"/.exec(page.body)?.[1];
      expect(cookie).toBe(`${CSRF_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`);
      const cookies = [cookie.split(';')[0]!];
      const headers = { origin: `http://${HOST}`, 'sec-fetch-site': 'same-origin' };

      // Act
      const added = await request(
        true,
        event('POST', '/silences', { body: form({ csrf: token!, rule: 'error-burst', service: 'checkout', for: '30m', comment: 'deploy' }), cookies, headers }),
      );
      const id = /id=(\d+)/.exec(added.headers.location ?? '')?.[1];
      const expired = await request(true, event('POST', '/silences/expire', { body: form({ csrf: token!, id: id! }), cookies, headers }));
      const bad = await request(
        true,
        event('POST', '/silences', { body: form({ csrf: token!, rule: 'error-burst', for: '30m', comment: '' }), cookies, headers }),
      );

      // Assess
      expect(added).toMatchObject({ statusCode: 303, headers: { location: `/?done=added&id=${id}#silences` } });
      expect(expired).toMatchObject({ statusCode: 303, headers: { location: `/?done=expired&id=${id}#silences` } });
      const row = (await db.pool.query('SELECT rule_glob, matchers, ends_at, created_by FROM alert_silences WHERE id = $1', [id])).rows[0];
      expect(row).toMatchObject({ rule_glob: 'error-burst', matchers: { service: 'checkout' }, created_by: 'dashboard' });
      expect(row.ends_at.getTime()).toBe(NOW);
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('--comment is required');
    });
  });

  it('answers a page saying what failed when the database cannot be read (500), never a stack of markup', async () => {
    const broken = await createTestDatabase({ migrate: false });
    try {
      const response = await handleDashboardRequest(requestOf(event('GET', '/')), { ...deps(false), pool: broken.pool });

      expect(response.statusCode).toBe(500);
      expect(response.body).toContain('no logmon tables yet');
    } finally {
      await broken.drop();
    }
  });

  describe('handlers/dashboard.ts (as deployed: the environment read at start-up, wrapJob)', () => {
    const saved = { ...process.env };

    afterAll(() => {
      process.env = saved;
    });

    it('serves the page from DATABASE_URL with the rules of ALERT_RULES, read-only unless DASHBOARD_WRITE is on', async () => {
      // Prepare
      Object.assign(process.env, { DATABASE_URL: db.url, ALERT_RULES: JSON.stringify(DASHBOARD_RULES), DASHBOARD_WRITE: '', DASHBOARD_HOURS: '48' });
      let handler: (e: APIGatewayProxyEventV2, c: unknown) => Promise<DashboardResponse> = async () => ({}) as DashboardResponse;
      jest.isolateModules(() => {
        handler = require('../../handlers/dashboard').handler;
      });

      // Act
      const page = await handler(event('GET', '/', { headers: { 'x-forwarded-proto': 'https' } }), fakeContext('dashboard'));
      const post = await handler(event('POST', '/silences', { body: 'rule=x' }), fakeContext('dashboard'));

      // Assess
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Errors per minute, last 48 h');
      expect(page.body).toContain('per-service: 3 in 1m (3/min)');
      expect(post.statusCode).toBe(403);
    });
  });
});
