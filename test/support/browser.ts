import AxeBuilder from '@axe-core/playwright';
import { type INestApplication } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Browser, chromium, type Page } from 'playwright-core';
import { startApp, stopApp } from './app';
import { isolatedConfig } from './stack';

const ROOT = join(__dirname, '..', '..');
/** Debian's Chromium (scripts/ensure-chromium.sh installs it): Playwright cannot download one. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where the browser tests save their screenshots (git-ignored; the best are in docs/images). */
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

/**
 * Builds the dashboard into a fresh temporary folder (so that suites never share or race on
 * dist/dashboard) and returns it: the app under test is pointed at it with DASHBOARD_DIR.
 */
export async function buildDashboard(): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'tc-dashboard-'));
  await promisify(execFile)(
    process.execPath,
    [
      join(ROOT, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'apps/dashboard/vite.config.mts',
      '--logLevel',
      'warn',
    ],
    { cwd: ROOT, env: { ...process.env, DASHBOARD_OUT_DIR: out } },
  );
  return out;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A page in a context of its own (axe needs one); close it with `page.context().close()`. */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  return context.newPage();
}

/** A task center on the real stack serving a fresh build of the dashboard, and its URL. */
export interface DashboardServer {
  app: INestApplication;
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  dashboardDir: string;
  stop: () => Promise<void>;
}

export async function startDashboardServer(
  env: Record<string, string> = {},
): Promise<DashboardServer> {
  const dashboardDir = await buildDashboard();
  const app = await startApp(isolatedConfig({ DASHBOARD_DIR: dashboardDir, ...env }));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    dashboardDir,
    stop: async () => {
      await stopApp(app);
      rmSync(dashboardDir, { recursive: true, force: true });
    },
  };
}

/**
 * Collects what must never happen on a page: CSP violations, uncaught errors, console errors
 * (a failed request the test provoked on purpose can be allowed by a pattern).
 */
export async function watchPage(page: Page, allow: RegExp[] = []): Promise<{ problems: string[] }> {
  const problems: string[] = [];
  const allowed = (text: string) => allow.some((pattern) => pattern.test(text));
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !allowed(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  await page.addInitScript({
    content:
      "document.addEventListener('securitypolicyviolation', (e) => " +
      "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));",
  });
  return { problems };
}

/** axe-core on the current page: no serious or critical violation (WCAG 2 A/AA rules). */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
