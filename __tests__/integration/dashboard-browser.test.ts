/// <reference lib="dom" />
// The dashboard in a real browser: Debian's Chromium, headless, driven by
// playwright-core (no browser download), against the dashboard as `npm start`
// serves it (serverless offline on 127.0.0.1, started the way scripts/start.ts
// starts it) over real PostgreSQL with hostile text from logs. Asserted on
// what is shown, with JavaScript and without; screenshots are saved in
// .ci/out/ (gitignored). Without Chromium the suite shows one skipped test
// saying so.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { OFFLINE_ARGS, SERVERLESS_BIN, offlineEnvironment } from '../../scripts/local-defaults';
import { createTestDatabase } from '../support/database';
import type { TestDatabase } from '../support/database';
import { makeTempDir } from '../support/files';
import { DASHBOARD_RULES, HOSTILE_FILE_SHOWN, seedDashboard } from '../support/dashboard-data';
import { freePort } from '../support/ports';

const ROOT = path.resolve(__dirname, '../..');
const OUT = path.join(ROOT, '.ci', 'out');
const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && fs.existsSync(p));

async function waitForPage(url: string, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms:\n${output()}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

if (!CHROMIUM) {
  describe('Dashboard in a browser', () => {
    it.skip('SKIPPED: no Chromium (apt-get install chromium, or CHROMIUM_PATH) — the dashboard is not tested in a browser', () => undefined);
  });
} else {
  describe('Dashboard in a browser (headless Chromium, serverless offline, real PostgreSQL)', () => {
    let db: TestDatabase;
    let dir: string;
    let offline: ChildProcess;
    let output = '';
    let base: string;
    let browser: Browser;

    beforeAll(async () => {
      db = await createTestDatabase();
      dir = makeTempDir('logmon-dashboard-browser-');
      await seedDashboard(db, dir, Date.now());
      const [snsPort, httpPort, lambdaPort] = [await freePort(), await freePort(), await freePort()];
      base = `http://127.0.0.1:${httpPort}`;
      const shell: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TMPDIR: process.env.TMPDIR,
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        FORCE_COLOR: '0',
        NODE_NO_WARNINGS: '1',
        LOGMON_SNS_PORT: String(snsPort),
        LOGMON_LAMBDA_PORT: String(lambdaPort),
        LOGMON_HTTP_PORT: String(httpPort),
        LOG_TIMEZONE: 'UTC',
        ALERT_RULES: JSON.stringify(DASHBOARD_RULES),
        ALERT_FUNCTION_NAME: 'none',
        DASHBOARD_WRITE: 'on',
        POWERTOOLS_LOG_LEVEL: 'WARN',
      };
      const env = offlineEnvironment(shell, { databaseUrl: db.url, logFiles: path.join(dir, '*.log'), notificationsFile: path.join(dir, 'notifications.out') });
      offline = spawn(SERVERLESS_BIN, [...OFFLINE_ARGS], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      offline.stdout?.on('data', (d: Buffer) => (output += d.toString()));
      offline.stderr?.on('data', (d: Buffer) => (output += d.toString()));
      await waitForPage(`${base}/`, 60_000, () => output);
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      fs.mkdirSync(OUT, { recursive: true });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      if (offline?.pid && offline.exitCode === null) {
        const exited = new Promise((resolve) => offline.once('exit', resolve));
        process.kill(-offline.pid, 'SIGINT');
        const timer = setTimeout(() => offline.pid && process.kill(-offline.pid, 'SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await db?.drop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }, 30_000);

    const openPage = async (javaScriptEnabled: boolean): Promise<Page> => {
      const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1400, height: 1000 } });
      return context.newPage();
    };

    it('draws the chart on a canvas with each rule threshold, and shows hostile text from logs as text', async () => {
      // Prepare
      const page = await openPage(true);
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));

      // Act
      await page.goto(`${base}/`);
      await page.waitForSelector('#chart.drawn canvas');

      // Assess: the chart, and the thresholds drawn where the client says (a dashed line of their colour on that row)
      const drawn = JSON.parse((await page.getAttribute('#chart', 'data-thresholds-drawn')) ?? '[]') as { rule: string; y: number }[];
      expect(drawn.map((d) => d.rule)).toEqual(['error-burst', 'per-service']);
      const thresholdPixels = await page.evaluate(
        (rows) => {
          const canvas = document.querySelector('#chart canvas') as HTMLCanvasElement;
          const ctx = canvas.getContext('2d')!;
          return rows.map((y) => {
            const line = ctx.getImageData(0, y, canvas.width, 1).data;
            let red = 0;
            for (let i = 0; i < line.length; i += 4) if (line[i]! > 140 && line[i + 1]! < 60 && line[i + 2]! < 80) red += 1;
            return red;
          });
        },
        drawn.map((d) => d.y),
      );
      expect(thresholdPixels.every((n) => n > 100)).toBe(true);
      expect(await page.locator('ul.thresholds li').allTextContents()).toEqual(['error-burst: 5 in 5m (1/min)', 'per-service: 3 in 1m (3/min)']);
      expect(await page.locator('#chart-table').getAttribute('open')).toBeNull();
      expect(await page.locator('tr.template').count()).toBe(2);
      expect(await page.locator('tr.template pre.example').first().textContent()).toContain(
        `<script>window.__pwned=1</script> "q" 'a' & <img src=x onerror="window.__pwned=2">`,
      );
      expect(await page.locator('tr.source td.file').allTextContents()).toContain(path.join(dir, HOSTILE_FILE_SHOWN));
      expect(await page.locator('tr.silence').first().textContent()).toContain('<b>deploy</b> "window"');
      expect(await page.locator('#alerts').textContent()).toContain('FIRING');
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(errors).toEqual([]);
      await page.screenshot({ path: path.join(OUT, 'dashboard.png'), fullPage: true });

      // Act: a click on the chart near its end lists the entries of that minute
      const box = (await page.locator('#chart .u-over').boundingBox())!;
      await page.mouse.move(box.x + box.width - 3, box.y + box.height / 2);
      await page.mouse.click(box.x + box.width - 3, box.y + box.height / 2);
      await page.waitForSelector('tr.entry');

      // Assess
      expect(decodeURIComponent(page.url())).toMatch(/[?&]at=\d{4}-\d\d-\d\dT[\d:.]+Z.*#entries$/);
      const entry = await page.locator('tr.entry').first().textContent();
      expect(entry).toMatch(/checkout\.log|evil/);
      expect(await page.locator('tr.entry pre.message').allTextContents()).toContainEqual(expect.stringContaining('<script>window.__pwned=1</script>'));
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      await page.context().close();
    }, 60_000);

    it('adds and expires a silence from its forms when DASHBOARD_WRITE is on (token cookie, same origin)', async () => {
      const page = await openPage(true);
      await page.goto(`${base}/#silences`);

      // Act
      await page.fill('form.add-silence input[name=rule]', 'error-burst');
      await page.fill('form.add-silence input[name=service]', 'checkout');
      await page.fill('form.add-silence input[name=comment]', 'added from the browser');
      await page.click('form.add-silence button[type=submit]');
      await page.waitForSelector('p.notice');
      const added = await page.locator('p.notice').textContent();
      const id = /Silence (\d+) added/.exec(added ?? '')?.[1];
      const row = page.locator('tr.silence', { hasText: 'added from the browser' });
      await row.locator('button', { hasText: 'expire now' }).click();
      await page.waitForSelector('p.notice:has-text("expired")');

      // Assess
      expect(id).toMatch(/^\d+$/);
      expect(await page.locator('p.notice').textContent()).toBe(`Silence ${id} expired.`);
      expect(await page.locator('tr.silence', { hasText: 'added from the browser' }).count()).toBe(0);
      const stored = (await db.pool.query('SELECT rule_glob, matchers, ends_at <= now() AS ended FROM alert_silences WHERE id = $1', [id])).rows[0];
      expect(stored).toEqual({ rule_glob: 'error-burst', matchers: { service: 'checkout' }, ended: true });
      await page.context().close();
    }, 60_000);

    it('shows every read-only view with JavaScript disabled: the chart as a table, and entries from a minute of it', async () => {
      // Prepare
      const page = await openPage(false);

      // Act
      await page.goto(`${base}/`);

      // Assess
      expect(await page.locator('#chart canvas').count()).toBe(0);
      expect(await page.locator('#chart-table').isVisible()).toBe(true);
      const minutes = page.locator('#chart-table tbody tr');
      expect(await minutes.count()).toBeGreaterThanOrEqual(30);
      expect(await page.locator('ul.thresholds li').count()).toBe(2);
      expect(await page.locator('tr.template').count()).toBe(2);
      expect(await page.locator('tr.source').count()).toBe(2);
      // the three seeded notifications; a scheduled evaluation at a minute boundary may have added its own
      expect(await page.locator('#history tbody tr').count()).toBeGreaterThanOrEqual(3);
      await page.screenshot({ path: path.join(OUT, 'dashboard-no-javascript.png'), fullPage: true });

      // Act: the newest minute of the table
      await minutes.first().locator('a').click();
      await page.waitForSelector('tr.entry');

      // Assess: each entry with its file and byte offset
      const cells = await page.locator('tr.entry').first().locator('td').allTextContents();
      expect(cells[3]).toMatch(/checkout\.log|evil/);
      expect(cells[4]).toMatch(/^\d+$/);
      await page.context().close();
    }, 60_000);
  });
}
