import { type Browser } from 'playwright-core';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import {
  type DashboardServer,
  launchBrowser,
  newPage,
  screenshot,
  seriousA11yViolations,
  startDashboardServer,
  watchPage,
} from '../support/browser';

const READ_KEY = 'read-key-0123456789abcdef';
const ADMIN_KEY = 'admin-key-0123456789abcdef';

/** A reverse proxy that serves `target` under `/ops/tc` (a path prefix the app knows nothing of). */
function prefixProxy(target: string): Promise<Server> {
  const to = new URL(target);
  const server = createServer((req, res) => {
    if (!req.url?.startsWith('/ops/tc/')) {
      res.writeHead(404).end();
      return;
    }
    const upstream = httpRequest(
      {
        host: to.hostname,
        port: to.port,
        method: req.method,
        path: req.url.slice('/ops/tc'.length),
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('dashboard shell in a real browser (Chromium, real task center, real stack)', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe('without API_KEYS', () => {
    let server: DashboardServer;
    beforeAll(async () => {
      server = await startDashboardServer();
    }, 120_000);
    afterAll(() => server?.stop());

    it('serves the page with a strict CSP, cached assets, and a redirect from /dashboard', async () => {
      const page = await fetch(`${server.url}/dashboard/`);
      expect(page.status).toBe(200);
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(page.headers.get('cache-control')).toBe('no-cache');
      const html = await page.text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
      const asset = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(asset).toBeDefined();
      const js = await fetch(`${server.url}/dashboard/${asset}`);
      expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const bare = await fetch(`${server.url}/dashboard`, { redirect: 'manual' });
      expect(bare.status).toBe(301);
      expect(bare.headers.get('location')).toBe('dashboard/');
      expect((await fetch(`${server.url}/dashboard/nope.js`)).status).toBe(404);
    });

    it('opens directly with a visible "no authentication" banner, and navigates', async () => {
      const page = await newPage(browser);
      const watch = await watchPage(page);
      await page.goto(`${server.url}/dashboard/`);
      await page.getByTestId('no-auth-banner').waitFor();
      expect(await page.getByTestId('scope').textContent()).toBe('open');
      const nav = page.getByRole('navigation', { name: 'Main' });
      for (const [link, heading] of [
        ['Tasks', /Tasks/],
        ['Runs', /Runs/],
        ['Workers', /Workers/],
        ['Overview', /Overview/],
      ] as const) {
        await nav.getByRole('link', { name: link, exact: true }).click();
        await page.getByRole('heading', { level: 1, name: heading }).waitFor();
        expect(
          await nav.getByRole('link', { name: link, exact: true }).getAttribute('aria-current'),
        ).toBe('page');
      }
      await page.goto(`${server.url}/dashboard/#/no-such-page`);
      await page.getByRole('heading', { name: 'Not found' }).waitFor();
      expect(await seriousA11yViolations(page)).toEqual([]);
      expect(watch.problems).toEqual([]);
      await page.context().close();
    });

    it('works behind a path prefix: the page and its API calls go through the prefix', async () => {
      const proxy = await prefixProxy(server.url);
      try {
        const base = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/ops/tc`;
        const page = await newPage(browser);
        const watch = await watchPage(page);
        const apiCalls: string[] = [];
        page.on('request', (r) => r.url().includes('/v1/api/') && apiCalls.push(r.url()));
        await page.goto(`${base}/dashboard/`);
        await page.getByTestId('no-auth-banner').waitFor();
        expect(apiCalls.length).toBeGreaterThan(0);
        expect(apiCalls.every((u) => u.startsWith(`${base}/v1/api/`))).toBe(true);
        expect(watch.problems).toEqual([]);
        await page.context().close();
      } finally {
        await new Promise((resolve) => proxy.close(resolve));
      }
    });
  });

  describe('with API_KEYS', () => {
    let server: DashboardServer;
    beforeAll(async () => {
      server = await startDashboardServer({ API_KEYS: `admin:${ADMIN_KEY},read:${READ_KEY}` });
    }, 120_000);
    afterAll(() => server?.stop());

    it('asks for a key, refuses a wrong one, keeps a good one in sessionStorage only', async () => {
      const page = await newPage(browser);
      const watch = await watchPage(page, [/401/]);
      await page.goto(`${server.url}/dashboard/`);
      const key = page.getByLabel('API key');
      await key.waitFor();
      expect(await seriousA11yViolations(page)).toEqual([]);
      await screenshot(page, 'login');
      await key.fill('not-a-key-0123456789');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();

      const requests: { url: string; auth?: string }[] = [];
      page.on('request', (r) => requests.push({ url: r.url(), auth: r.headers().authorization }));
      await key.fill(READ_KEY);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('scope').filter({ hasText: 'read key' }).waitFor();
      expect(await page.getByTestId('no-auth-banner').count()).toBe(0);
      expect(requests.length).toBeGreaterThan(0);
      expect(requests.every((r) => !r.url.includes(READ_KEY))).toBe(true);
      expect(
        requests
          .filter((r) => r.url.includes('/v1/api/'))
          .every((r) => r.auth === `Bearer ${READ_KEY}`),
      ).toBe(true);
      expect(page.url()).not.toContain(READ_KEY);
      expect(await page.evaluate("sessionStorage.getItem('task-center.api-key')")).toBe(READ_KEY);
      expect(await page.evaluate('localStorage.length')).toBe(0);

      // A reload keeps the session of this tab; signing out forgets the key.
      await page.reload();
      await page.getByTestId('scope').filter({ hasText: 'read key' }).waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('API key').waitFor();
      expect(await page.evaluate("sessionStorage.getItem('task-center.api-key')")).toBeNull();
      expect(watch.problems).toEqual([]);
      await page.context().close();
    });
  });
});
